import { type Kysely, sql } from 'kysely';

/**
 * Staged records live only while their run does, and a run interrupted by a crash is failed and
 * its staging rows deleted anyway, so they need no write-ahead log. Unlogged, staging writes cost
 * a fraction of a logged table's on PostgreSQL. (PostgreSQL empties an unlogged table after a
 * crash, which is what recovery does too.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staging_records set unlogged`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staging_records set logged`.execute(db);
}
