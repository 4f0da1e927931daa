import { AppError } from '../../core/errors.ts';
import type { CollectionName } from '../types.ts';
import { collectionNames } from '../types.ts';
import type { BundleFiles } from './files.ts';
import { collectionFiles, manifestFile } from './layout.ts';
import { CsvSyntaxError, readCsvRows } from './rows.ts';

/** The delivery mode of one file in a bundle: whole (`bulk`), changes only (`delta`) or not at all. */
export type FileMode = 'bulk' | 'delta' | 'absent';

export interface BundleManifest {
  /** `1.0` when the bundle has no manifest (the 1.0 layout); otherwise `oneroster.version`. */
  oneRosterVersion: string;
  /** Whether the modes come from a manifest or were inferred from the files present. */
  fromManifest: boolean;
  files: Record<CollectionName, FileMode>;
  /** `roles.csv` mode in a 1.2 bundle. */
  roles: FileMode;
  /** Every property as written, `source.systemName` and the others included. */
  properties: Map<string, string>;
  /** Problems found while reading the manifest, as plain sentences. */
  problems: string[];
}

/** The manifest is held in memory whole, so a huge one (a zip bomb, say) is rejected. */
const maxManifestProperties = 1000;

/**
 * Reads `manifest.csv` (`propertyName,value` rows). A bundle without one is read as the 1.0
 * layout: each collection file present is `bulk`, each missing one `absent`. A manifest mode
 * other than `bulk`, `delta` or `absent` is reported and read as `absent`, so that the file
 * can never remove anything. Throws `CSV_BUNDLE_INVALID` when `manifest.csv` cannot be parsed or
 * has more than 1,000 properties.
 */
export async function readManifest(files: BundleFiles): Promise<BundleManifest> {
  const present = new Set((await files.list()).map((name) => name.toLowerCase()));
  const input = await files.open(manifestFile);
  const properties = new Map<string, string>();
  const problems: string[] = [];

  if (input === null) {
    const inferred = (name: string): FileMode => (present.has(name.toLowerCase()) ? 'bulk' : 'absent');
    const modes = Object.fromEntries(
      collectionNames.map((collection) => [collection, inferred(collectionFiles[collection])]),
    ) as Record<CollectionName, FileMode>;
    return {
      oneRosterVersion: '1.0',
      fromManifest: false,
      files: modes,
      roles: inferred('roles.csv'),
      properties,
      problems,
    };
  }

  const stream = readCsvRows(input, (cell) => cell.trim());
  try {
    for await (const row of stream.rows) {
      const values = [...row.values.values()];
      const name = values[0]?.trim() ?? '';
      if (name !== '') properties.set(name, values[1]?.trim() ?? '');
      if (properties.size > maxManifestProperties) {
        throw new AppError(
          'CSV_BUNDLE_INVALID',
          `manifest.csv in ${files.location} has more than ${maxManifestProperties} properties, so it is not a OneRoster manifest.`,
          {
            hint: 'Check that the bundle is a OneRoster CSV export; its manifest.csv lists about 20 properties.',
          },
        );
      }
    }
  } catch (cause) {
    if (!(cause instanceof CsvSyntaxError)) throw cause;
    // A manifest read part way could mark a file bulk that is delta, so the bundle is rejected.
    throw new AppError(
      'CSV_BUNDLE_INVALID',
      `manifest.csv in ${files.location} could not be parsed past line ${cause.line}: ${cause.message}`,
      { cause, hint: 'Fix the quoting in manifest.csv, or export the bundle again.' },
    );
  } finally {
    input.destroy();
  }

  const modeOf = (fileKey: string): FileMode => {
    const value = properties.get(`file.${fileKey}`)?.toLowerCase();
    if (value === undefined) return 'absent';
    if (value === 'bulk' || value === 'delta' || value === 'absent') return value;
    problems.push(`manifest.csv gives file.${fileKey} the mode "${value}"; it is read as absent.`);
    return 'absent';
  };
  const modes = Object.fromEntries(
    collectionNames.map((collection) => [collection, modeOf(collection)]),
  ) as Record<CollectionName, FileMode>;
  return {
    oneRosterVersion: properties.get('oneroster.version') ?? '1.1',
    fromManifest: true,
    files: modes,
    roles: modeOf('roles'),
    properties,
    problems,
  };
}
