import { type Kysely, sql } from 'kysely';

import { json } from '../json.ts';
import type { Database } from '../schema.ts';

/**
 * Staged OneRoster records of a run: the fetch step writes each page here, the map step reads
 * them back in chunks, and the run deletes them when it ends. Keyed by run, collection and
 * `sourcedId`; a `sourcedId` repeated within the run keeps its last copy.
 *
 * A page goes in one statement whatever its size: the values travel as two array parameters
 * that `unnest` spreads into rows, which PostgreSQL parses far faster than thousands of
 * separate parameters. The records' `extensions` are left out, because the mapping reads none.
 */
export async function insertStagedRecords(
  db: Kysely<Database>,
  runId: string,
  collection: string,
  records: readonly { sourcedId: string; extensions?: unknown }[],
): Promise<void> {
  const unique = new Map<string, string>();
  for (const record of records) unique.set(record.sourcedId, json({ ...record, extensions: undefined }));
  if (unique.size === 0) return;

  await sql`insert into staging_records (run_id, collection, sourced_id, data)
    select ${runId}::uuid, ${collection}::text, staged.sourced_id, staged.data
    from unnest(${[...unique.keys()]}::text[], ${[...unique.values()]}::text[]) as staged(sourced_id, data)
    on conflict (run_id, collection, sourced_id) do update set data = excluded.data`.execute(db);
}

/**
 * Reads a run's staged records of one collection in `sourcedId` order, `chunkSize` at a time, so
 * that only one chunk of raw records is in memory at once.
 */
export async function* readStagedRecords<T>(
  db: Kysely<Database>,
  runId: string,
  collection: string,
  chunkSize = 5000,
): AsyncGenerator<T[]> {
  let after: string | null = null;
  for (;;) {
    let query = db
      .selectFrom('stagingRecords')
      .select(['sourcedId', 'data'])
      .where('runId', '=', runId)
      .where('collection', '=', collection);
    if (after !== null) query = query.where('sourcedId', '>', after);
    const rows = await query.orderBy('sourcedId').limit(chunkSize).execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.sourcedId;
    // The column holds JSON text since migration 0300.
    yield rows.map((row) => (typeof row.data === 'string' ? JSON.parse(row.data) : row.data) as T);
    if (rows.length < chunkSize) return;
  }
}

export async function deleteStagedRecords(db: Kysely<Database>, runId: string): Promise<void> {
  await db.deleteFrom('stagingRecords').where('runId', '=', runId).execute();
}
