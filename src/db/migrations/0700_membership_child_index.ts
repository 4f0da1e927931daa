import { type Kysely, sql } from 'kysely';

/**
 * Index of memberships by child. A delta run reads the active memberships of the children whose
 * enrollments changed, and without it each child meant a scan of every membership.
 */
const statements = [`create index memberships_child on memberships (child_id) where child_id is not null`];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
