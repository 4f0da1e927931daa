import type { Kysely } from 'kysely';

import type { Database } from '../schema.ts';

/**
 * Deletes the staged records of a run. Syncs no longer stage records (they map each page as it
 * arrives); this clears rows that runs of earlier versions left behind.
 */
export async function deleteStagedRecords(db: Kysely<Database>, runId: string): Promise<void> {
  await db.deleteFrom('stagingRecords').where('runId', '=', runId).execute();
}
