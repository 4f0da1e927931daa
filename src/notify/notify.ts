import type { Kysely } from 'kysely';

import { type Clock, systemClock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Database, Organization } from '../db/schema.ts';
import type { RunReport } from '../sync/report.ts';
import { deliverMessage, type DeliveryDeps, retryPendingMessages } from './delivery.ts';
import { findLatestNotice, findRun, insertMessage } from './outbox.ts';
import { resolveRecipients } from './recipients.ts';
import { type NoticeKind, noticeKindFor, renderRunNotice } from './templates/index.ts';
import type { MailTransport } from './transport.ts';

/** Hands a pending message to the job queue, which retries it with backoff. */
export interface EmailRetryQueue {
  scheduleDelivery(messageId: string): Promise<void>;
}

export interface NotifyDeps {
  db: Kysely<Database>;
  transport: MailTransport;
  logger: Logger;
  config: Pick<Config, 'publicUrl' | 'supportContact' | 'mailFrom'>;
  /** Default: the system clock. */
  clock?: Clock;
  /**
   * The job queue in a worker or `serve` process. Without one (a plain command-line process), a
   * failed send stays pending and the next send, worker start or `serve` start retries it.
   */
  retryQueue?: EmailRetryQueue | null;
}

/**
 * The outcome of a run's notice. `disabled`: Send emails is off. `not_final`: the run is still
 * queued or running. `dry_run`: the run only planned, so admins are not told. `no_recipients`:
 * no admin and no extra address. `suppressed`: a repeat of a failure notice sent within the
 * last day. `error`: the notice could not be built or stored (logged). The rest are delivery
 * outcomes of the message with `messageId`.
 */
export type NotifyResult =
  | { status: 'disabled' | 'not_final' | 'dry_run' | 'no_recipients' | 'error' }
  | { status: 'suppressed' | 'sent' | 'stored' | 'pending' | 'failed'; messageId: string };

/** A failure notice repeating the last one of its organization is held back this long. */
export const repeatWindowMs = 24 * 60 * 60_000;

/**
 * E-mails a run's outcome to the organization's admins and extra addresses, when Send emails is
 * on. Resolves once the message is handed to SMTP, stored in the outbox, or left pending after
 * a failed attempt (queued for a retry when a job queue is given). Never throws: sending must
 * not fail a sync, so every error is logged once and reported as a result.
 *
 * A failure notice with the same error code as the organization's previous notice, within 24
 * hours of it, is recorded as `suppressed` and not sent.
 */
export async function notifyRunOutcome(deps: NotifyDeps, report: RunReport): Promise<NotifyResult> {
  const log = deps.logger.child({ runId: report.runId, org: report.org });
  try {
    return await notify(deps, report, log);
  } catch (error) {
    log.error({ err: error }, 'Failed to send the e-mail notice of a sync run');
    return { status: 'error' };
  }
}

async function notify(deps: NotifyDeps, report: RunReport, log: Logger): Promise<NotifyResult> {
  const clock = deps.clock ?? systemClock;
  const kind = noticeKindFor(report.status);
  if (!kind) return { status: 'not_final' };

  const run = await findRun(deps.db, report.runId);
  if (run?.dryRun) return { status: 'dry_run' };

  const org = await findOrganization(deps.db, report.org);
  const settings = await deps.db
    .selectFrom('syncSettings')
    .selectAll()
    .where('orgId', '=', org.id)
    .executeTakeFirstOrThrow();
  if (!settings.sendEmails) {
    log.debug('Send emails is off; no notice sent');
    return { status: 'disabled' };
  }

  const recipients = await resolveRecipients(deps.db, org.id, settings.extraEmails, log);
  if (recipients.length === 0) {
    log.info('Send emails is on but the organization has no admin and no extra address; no notice sent');
    return { status: 'no_recipients' };
  }

  const rendered = renderRunNotice(kind, {
    report,
    org,
    publicUrl: deps.config.publicUrl,
    supportContact: deps.config.supportContact,
    thresholds: { maxDeactivateRatio: settings.maxDeactivateRatio, maxChangeRatio: settings.maxChangeRatio },
  });

  const now = clock.now();
  const dedupeKey = dedupeKeyFor(kind, report);
  const suppressed = dedupeKey !== null && (await repeatsLatestNotice(deps.db, org.id, dedupeKey, now));
  const messageId = await insertMessage(deps.db, {
    orgId: org.id,
    runId: run?.id ?? null,
    kind,
    recipients,
    subject: rendered.subject,
    textBody: rendered.text,
    htmlBody: rendered.html,
    status: suppressed ? 'suppressed' : 'pending',
    dedupeKey,
    createdAt: now,
  });
  if (suppressed) {
    log.info({ messageId, dedupeKey }, 'Suppressed a repeat of a failure notice sent within the last day');
    return { status: 'suppressed', messageId };
  }

  return { status: await deliverAndFollowUp(deps, clock, messageId), messageId };
}

/**
 * Delivers the new message, then either queues a retry (it failed and a queue exists) or, in a
 * process without a queue, uses a working transport to flush messages left pending earlier.
 */
async function deliverAndFollowUp(
  deps: NotifyDeps,
  clock: Clock,
  messageId: string,
): Promise<'sent' | 'stored' | 'pending' | 'failed'> {
  const delivery: DeliveryDeps = { ...deps, clock, mailFrom: deps.config.mailFrom };
  const outcome = await deliverMessage(delivery, messageId);
  // A fresh message is pending and unclaimed, so `skipped` cannot happen; count it as pending.
  const status = outcome === 'skipped' ? 'pending' : outcome;

  if (status === 'pending' && deps.retryQueue) await deps.retryQueue.scheduleDelivery(messageId);
  if ((status === 'sent' || status === 'stored') && !deps.retryQueue) await retryPendingMessages(delivery);
  return status;
}

/** Failure notices repeat by error code; the other kinds are never held back. */
function dedupeKeyFor(kind: NoticeKind, report: RunReport): string | null {
  if (kind !== 'run_failed') return null;
  return `run_failed:${report.error?.code ?? 'SYNC_FAILED'}`;
}

/**
 * Returns whether the organization's latest notice carries the same key and is less than a day old. A
 * notice of any other kind in between (a success, a different failure) ends the repeat.
 */
async function repeatsLatestNotice(
  db: Kysely<Database>,
  orgId: string,
  dedupeKey: string,
  now: Date,
): Promise<boolean> {
  const latest = await findLatestNotice(db, orgId);
  if (!latest || latest.dedupeKey !== dedupeKey) return false;
  return now.getTime() - latest.createdAt.getTime() < repeatWindowMs;
}

/** Reports name the organization by slug; an id is accepted too. */
async function findOrganization(db: Kysely<Database>, slugOrId: string): Promise<Organization> {
  const bySlug = await db
    .selectFrom('organizations')
    .selectAll()
    .where('slug', '=', slugOrId)
    .executeTakeFirst();
  if (bySlug) return bySlug;
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (uuid.test(slugOrId)) {
    const byId = await db
      .selectFrom('organizations')
      .selectAll()
      .where('id', '=', slugOrId)
      .executeTakeFirst();
    if (byId) return byId;
  }
  throw new AppError('ORG_NOT_FOUND', `No organization has the slug or id ${JSON.stringify(slugOrId)}.`);
}
