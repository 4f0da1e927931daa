import { type Kysely, sql } from 'kysely';

/**
 * Makes staging cheap to write. Staged records live only while their run does, and a run
 * interrupted by a crash is failed and its staging rows deleted anyway, so the table needs no
 * write-ahead log (PostgreSQL empties an unlogged table after a crash, as recovery would).
 * The records are stored as JSON text: the sync writes and reads them whole, so parsing them
 * into `jsonb` on the server would be work thrown away.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staging_records set unlogged`.execute(db);
  await sql`alter table staging_records alter column data type text using data::text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table staging_records alter column data type jsonb using data::jsonb`.execute(db);
  await sql`alter table staging_records set logged`.execute(db);
}
