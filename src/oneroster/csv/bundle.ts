import { AppError } from '../../core/errors.ts';
import { normalizeRecord } from '../parse/index.ts';
import type { CollectionOutcome, CollectionPull, PulledPage, PullOptions, RosterSource } from '../source.ts';
import type { CollectionName, OneRosterVersion, RecordIssue, RecordOf } from '../types.ts';
import type { BundleFiles } from './files.ts';
import { openBundleFiles } from './files.ts';
import { collectionFiles, rolesFile } from './layout.ts';
import type { BundleManifest } from './manifest.ts';
import { readManifest } from './manifest.ts';
import { convertRow, readRoles } from './records.ts';
import type { CsvRow } from './rows.ts';
import { CsvSyntaxError, readCsvRows } from './rows.ts';
import { canonicalColumn } from './layout.ts';

export interface CsvBundleOptions {
  /** Records per yielded page. Default 1,000. */
  pageSize?: number;
}

/** A OneRoster CSV bundle read as a `RosterSource`. */
export interface CsvBundle extends RosterSource {
  readonly kind: 'csv';
  readonly manifest: BundleManifest;
}

/**
 * Opens a OneRoster CSV bundle (a folder or a `.zip`) in the 1.0, 1.1 or 1.2 layout. Files are
 * streamed on each `pull`, so nothing is held in memory beyond one page (and, for a 1.2
 * bundle's users, the roles of `roles.csv`). Throws `CSV_BUNDLE_INVALID` when the path is not a
 * folder or a readable zip archive, or contains no CSV file.
 *
 * Outcomes: a `bulk` file read to its end is complete; a `delta` file is marked `delta` and
 * incomplete, because a record it does not list is unchanged, not removed; an `absent` or
 * missing file, or one whose parse stopped part way, is incomplete and so removes nothing.
 */
export async function openCsvBundle(location: string, options: CsvBundleOptions = {}): Promise<CsvBundle> {
  const files = await openBundleFiles(location);
  if ((await files.list()).length === 0) {
    throw new AppError('CSV_BUNDLE_INVALID', `${location} contains no CSV files.`);
  }
  const manifest = await readManifest(files);
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    // Zero or NaN would make every row its own page or hold the whole file in one.
    throw new AppError('INVALID_INPUT', `The page size ${pageSize} is not a whole number of at least 1.`);
  }
  const version: OneRosterVersion = manifest.oneRosterVersion.startsWith('1.2') ? '1.2' : '1.1';

  return {
    kind: 'csv',
    description: location,
    manifest,
    pull: (collection, pullOptions) =>
      pullCollection({ files, manifest, version, pageSize }, collection, pullOptions),
    close: async () => {},
  };
}

interface BundleContext {
  files: BundleFiles;
  manifest: BundleManifest;
  version: OneRosterVersion;
  pageSize: number;
}

function pullCollection<C extends CollectionName>(
  context: BundleContext,
  collection: C,
  options: PullOptions = {},
): CollectionPull<C> {
  const file = collectionFiles[collection];
  const mode = context.manifest.files[collection];
  let outcome: CollectionOutcome = incomplete(`${file} has not been read yet.`, 0);

  async function* pages(): AsyncGenerator<PulledPage<C>> {
    if (mode === 'absent') {
      const reason = context.manifest.fromManifest
        ? `the manifest marks ${file} absent`
        : `the bundle has no ${file}`;
      outcome = incomplete(reason, 0);
      return;
    }

    const input = await context.files.open(file);
    if (input === null) {
      const reason = `${file} is missing although the manifest marks it ${mode}`;
      outcome = incomplete(reason, 0);
      yield { collection, records: [], issues: [fileIssue(collection, file, 'FILE_MISSING', `${reason}.`)] };
      return;
    }

    const roles = collection === 'users' ? await loadRoles(context) : undefined;
    const stream = readCsvRows(input, (cell) => canonicalColumn(collection, cell));
    const seen = new Set<string>();
    let page: PulledPage<C> = { collection, records: [], issues: [] };
    let received = 0;
    let stoppedBy: string | null = null;
    let headerChecked = false;

    try {
      for await (const row of stream.rows) {
        options.signal?.throwIfAborted();
        if (received === 0 && page.records.length === 0)
          requireSourcedIdColumn(stream.header(), collection, file, context);
        if (!headerChecked) {
          headerChecked = true;
          page.issues.push(...repeatedColumnIssues(stream.header(), collection, file));
        }

        const record = convertOne(collection, row, file, context.version, roles, page.issues);
        if (record !== null && !isRepeat(record.sourcedId, seen, collection, file, row.line, page.issues)) {
          page.records.push(record);
          received += 1;
        }
        // Rows that only raise issues (repeats, rows without sourcedId) fill a page too, so a
        // file of a million bad rows never gathers its issues in one page.
        if (page.records.length >= context.pageSize || page.issues.length >= context.pageSize) {
          yield page;
          page = { collection, records: [], issues: [] };
        }
      }
      if (stream.header() === null) {
        stoppedBy = `${file} is empty: it has no header row`;
        page.issues.push(fileIssue(collection, file, 'FILE_EMPTY', `${stoppedBy}.`));
      } else if (received === 0) {
        // A header-only file reads as an empty collection, which may remove records: only trust it
        // when the header is that of this collection.
        requireSourcedIdColumn(stream.header(), collection, file, context);
      }
    } catch (error) {
      if (!(error instanceof CsvSyntaxError)) throw error;
      stoppedBy = `${file} could not be parsed past line ${error.line} (${error.message})`;
      page.issues.push({ ...fileIssue(collection, file, 'CSV_SYNTAX', `${stoppedBy}.`), line: error.line });
    } finally {
      input.destroy();
    }
    if (page.records.length > 0 || page.issues.length > 0) yield page;

    if (stoppedBy !== null) outcome = incomplete(stoppedBy, received);
    else if (mode === 'delta')
      outcome = { ...incomplete(`the manifest marks ${file} delta`, received), delta: true };
    else outcome = { complete: true, reason: null, received, reportedTotal: null };
  }

  return { [Symbol.asyncIterator]: pages, outcome: () => outcome };
}

function convertOne<C extends CollectionName>(
  collection: C,
  row: CsvRow,
  file: string,
  version: OneRosterVersion,
  roles: Map<string, Array<Record<string, unknown>>> | undefined,
  issues: RecordIssue[],
): RecordOf[C] | null {
  const converted = convertRow(collection, row, file, version, roles);
  issues.push(...converted.issues);
  if (converted.wire === null) return null;

  const normalized = normalizeRecord(collection, converted.wire, converted.version);
  for (const issue of normalized.issues) issues.push({ ...issue, file, line: row.line });
  return normalized.record;
}

function isRepeat(
  sourcedId: string,
  seen: Set<string>,
  collection: CollectionName,
  file: string,
  line: number,
  issues: RecordIssue[],
): boolean {
  if (!seen.has(sourcedId)) {
    seen.add(sourcedId);
    return false;
  }
  issues.push({
    collection,
    sourcedId,
    severity: 'error',
    code: 'DUPLICATE_SOURCED_ID',
    message: `${file} line ${line} repeats sourcedId ${sourcedId}; the first row with it is kept.`,
    file,
    line,
  });
  return true;
}

async function loadRoles(
  context: BundleContext,
): Promise<Map<string, Array<Record<string, unknown>>> | undefined> {
  if (context.version !== '1.2' || context.manifest.roles === 'absent') return undefined;
  const input = await context.files.open(rolesFile);
  if (input === null) return undefined;
  try {
    return await readRoles(input);
  } finally {
    input.destroy();
  }
}

function requireSourcedIdColumn(
  header: string[] | null,
  collection: CollectionName,
  file: string,
  context: BundleContext,
): void {
  const columns = (header ?? []).map((cell) => canonicalColumn(collection, cell));
  if (columns.includes('sourcedId')) return;
  throw new AppError('CSV_FILE_INVALID', `${file} in ${context.files.location} has no sourcedId column.`, {
    details: { header },
  });
}

/** Warns once per column name that the header repeats, because only its last column is read. */
function repeatedColumnIssues(
  header: string[] | null,
  collection: CollectionName,
  file: string,
): RecordIssue[] {
  const counts = new Map<string, number>();
  for (const cell of header ?? []) {
    const column = canonicalColumn(collection, cell);
    counts.set(column, (counts.get(column) ?? 0) + 1);
  }
  return [...counts]
    .filter(([, count]) => count > 1)
    .map(([column, count]) => ({
      ...fileIssue(
        collection,
        file,
        'REPEATED_COLUMN',
        `The header of ${file} names ${column} ${count} times; only the last of those columns is read.`,
      ),
      severity: 'warning' as const,
      line: 1,
    }));
}

function fileIssue(collection: CollectionName, file: string, code: string, message: string): RecordIssue {
  return { collection, sourcedId: null, severity: 'error', code, message, file };
}

function incomplete(reason: string, received: number): CollectionOutcome {
  return { complete: false, reason, received, reportedTotal: null };
}
