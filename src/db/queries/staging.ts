import type { Kysely } from 'kysely';

import { json } from '../json.ts';
import type { Database } from '../schema.ts';

/**
 * Staged OneRoster records of a run: the fetch step writes each page here, the map step reads
 * them back in chunks, and the run deletes them when it ends. Keyed by run, collection and
 * `sourcedId`, so a `sourcedId` repeated across pages keeps the last copy.
 */
export async function insertStagedRecords(
  db: Kysely<Database>,
  runId: string,
  collection: string,
  records: readonly { sourcedId: string }[],
): Promise<void> {
  const unique = new Map<string, unknown>();
  for (const record of records) unique.set(record.sourcedId, record);

  const chunkSize = 5000;
  const rows = [...unique].map(([sourcedId, record]) => ({
    runId,
    collection,
    sourcedId,
    data: json(record),
  }));
  for (let start = 0; start < rows.length; start += chunkSize) {
    await db
      .insertInto('stagingRecords')
      .values(rows.slice(start, start + chunkSize))
      .onConflict((conflict) =>
        conflict
          .columns(['runId', 'collection', 'sourcedId'])
          .doUpdateSet((eb) => ({ data: eb.ref('excluded.data') })),
      )
      .execute();
  }
}

/**
 * Reads a run's staged records of one collection in `sourcedId` order, `chunkSize` at a time, so
 * that only one chunk of raw records is in memory at once.
 */
export async function* readStagedRecords<T>(
  db: Kysely<Database>,
  runId: string,
  collection: string,
  chunkSize = 20_000,
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
    yield rows.map((row) => row.data as T);
    if (rows.length < chunkSize) return;
  }
}

export async function deleteStagedRecords(db: Kysely<Database>, runId: string): Promise<void> {
  await db.deleteFrom('stagingRecords').where('runId', '=', runId).execute();
}
