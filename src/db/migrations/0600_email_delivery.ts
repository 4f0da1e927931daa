import { type Kysely, sql } from 'kysely';

/**
 * Delivery columns for the e-mail outbox. `locked_until` is a lease: a process that sends a
 * message first sets it, so a worker's retry job and a command-line flush never send the same
 * pending message twice at once. A lease left by a crashed process simply expires.
 */
const statements = [
  `alter table email_messages add column locked_until timestamptz`,
  `create index email_messages_pending on email_messages (created_at) where status = 'pending'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
