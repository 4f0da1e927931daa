import { openCsvBundle } from '../oneroster/csv/bundle.ts';
import { canonicalColumn } from '../oneroster/csv/layout.ts';
import { rowToWire } from '../oneroster/csv/wire.ts';
import { normalizeRecord } from '../oneroster/parse/index.ts';
import type { AnyRecord, CollectionName, RecordIssue } from '../oneroster/types.ts';
import { collectionNames } from '../oneroster/types.ts';
import { collectionFiles } from '../oneroster/csv/layout.ts';
import type { GenerationResult } from './generate/district.ts';
import { generateDistrict } from './generate/district.ts';
import { createMemorySink } from './generate/sink.ts';
import type { RosterData } from './store.ts';
import { emptyRosterData } from './store.ts';

export interface LoadedRoster {
  data: RosterData;
  /** Problems found while reading. Each issue's severity tells whether its record was kept (warning) or dropped (error). */
  issues: RecordIssue[];
}

/** Reads a whole CSV bundle (folder or zip) into memory. Throws `CSV_*` errors as `openCsvBundle` does. */
export async function loadBundle(location: string): Promise<LoadedRoster> {
  const bundle = await openCsvBundle(location, { pageSize: 5000 });
  const data = emptyRosterData();
  const issues: RecordIssue[] = [];
  for (const collection of collectionNames) {
    const target = data[collection] as AnyRecord[];
    for await (const page of bundle.pull(collection)) {
      for (const record of page.records) target.push(record);
      issues.push(...page.issues);
    }
  }
  await bundle.close();
  return { data, issues };
}

/**
 * Generates a district in memory (see `generateDistrict`) and normalizes it as the CSV reader
 * would, without writing files.
 */
export async function loadGenerated(
  students: number,
  seed?: string | number,
): Promise<LoadedRoster & { generation: GenerationResult }> {
  const sink = createMemorySink();
  const generation = await generateDistrict({ students, seed }, sink);
  const data = emptyRosterData();
  const issues: RecordIssue[] = [];

  for (const collection of collectionNames) {
    const file = sink.files.get(collectionFiles[collection]);
    if (file === undefined) continue;
    const columns = file.columns.map((column) => canonicalColumn(collection, column));
    const target = data[collection] as AnyRecord[];
    for (const cells of file.rows) {
      const values = new Map(columns.map((column, index) => [column, cells[index] ?? '']));
      const normalized = normalizeRecord(collection, rowToWire(collection, values), '1.1');
      if (normalized.record !== null) target.push(normalized.record);
      issues.push(...normalized.issues);
    }
  }
  return { data, issues, generation };
}

/** Returns the collection named by a URL segment or an admin request, or null. */
export function parseCollectionName(value: string): CollectionName | null {
  return (collectionNames as readonly string[]).includes(value) ? (value as CollectionName) : null;
}
