import type { Kysely, Selectable } from 'kysely';

import { json } from '../db/json.ts';
import type { Database, EmailMessagesTable } from '../db/schema.ts';

/**
 * Queries on `email_messages`, the outbox. Every notice is a row before anything is sent, so a
 * crash or a mail server that is down loses nothing: the row stays `pending` until a sender
 * claims it. Statuses: `pending` (not yet handed over), `sent` (accepted by SMTP), `stored` (kept
 * here because SMTP_URL is not set), `failed` (given up after the last retry) and `suppressed`
 * (a repeat of a recent identical failure notice, never sent).
 */
export type EmailMessage = Selectable<EmailMessagesTable>;

export interface NewEmailMessage {
  orgId: string;
  runId: string | null;
  kind: string;
  recipients: string[];
  subject: string;
  textBody: string;
  htmlBody: string;
  status: 'pending' | 'suppressed';
  dedupeKey: string | null;
  createdAt: Date;
}

/** Inserts a message and returns its id. */
export async function insertMessage(db: Kysely<Database>, message: NewEmailMessage): Promise<string> {
  const row = await db
    .insertInto('emailMessages')
    .values({ ...message, recipients: json(message.recipients) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Finds the organization's most recent message that was not suppressed, or null when it has none. */
export async function findLatestNotice(
  db: Kysely<Database>,
  orgId: string,
): Promise<Pick<EmailMessage, 'id' | 'dedupeKey' | 'createdAt'> | null> {
  const row = await db
    .selectFrom('emailMessages')
    .select(['id', 'dedupeKey', 'createdAt'])
    .where('orgId', '=', orgId)
    .where('status', '!=', 'suppressed')
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Takes a lease on a pending message and counts the attempt, in one statement, so two senders
 * can never both claim it. Returns the row, or null when the message is no longer pending or
 * another sender holds an unexpired lease.
 */
export async function claimMessage(
  db: Kysely<Database>,
  id: string,
  now: Date,
  leaseMs: number,
): Promise<EmailMessage | null> {
  const row = await db
    .updateTable('emailMessages')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), lockedUntil: new Date(now.getTime() + leaseMs) }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', now)]))
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

/** Records that the transport accepted the message (`sent`) or kept it in the outbox (`stored`). */
export async function markDelivered(
  db: Kysely<Database>,
  id: string,
  status: 'sent' | 'stored',
  now: Date,
): Promise<void> {
  await db
    .updateTable('emailMessages')
    .set({ status, sentAt: now, lockedUntil: null, lastError: null })
    .where('id', '=', id)
    .execute();
}

/**
 * Records a failed attempt and releases the lease. With `final`, the message becomes `failed`
 * and no sender tries it again. Otherwise it stays `pending` for the next sender.
 */
export async function markAttemptFailed(
  db: Kysely<Database>,
  id: string,
  reason: string,
  final: boolean,
): Promise<void> {
  await db
    .updateTable('emailMessages')
    .set({ status: final ? 'failed' : 'pending', lastError: reason, lockedUntil: null })
    .where('id', '=', id)
    .execute();
}

/** Lists ids of pending messages without an unexpired lease, oldest first, at most `limit`. */
export async function listPendingMessageIds(
  db: Kysely<Database>,
  now: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('emailMessages')
    .select('id')
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<', now)]))
    .orderBy('createdAt')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

/** Finds the run's id and dry-run flag, or null when no run has this id (so a message never points at a missing run). */
export async function findRun(
  db: Kysely<Database>,
  runId: string,
): Promise<{ id: string; dryRun: boolean } | null> {
  if (!uuidPattern.test(runId)) return null;
  const row = await db
    .selectFrom('syncRuns')
    .select(['id', 'dryRun'])
    .where('id', '=', runId)
    .executeTakeFirst();
  return row ?? null;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
