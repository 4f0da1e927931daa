import type { Kysely } from 'kysely';

import type { Clock } from '../core/clock.ts';
import { isAppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../db/schema.ts';
import { claimMessage, listPendingMessageIds, markAttemptFailed, markDelivered } from './outbox.ts';
import type { DeliveryResult, MailTransport } from './transport.ts';

/** Attempts per message, counting the first; after the last one the message is `failed`. */
export const maxDeliveryAttempts = 6;

/**
 * How long a sender may hold a message before others may try it: longer than the SMTP
 * transport's connection, greeting and socket timeouts together (10 + 10 + 30 seconds).
 */
const leaseMs = 2 * 60_000;

export interface DeliveryDeps {
  db: Kysely<Database>;
  transport: MailTransport;
  logger: Logger;
  clock: Clock;
  /** The `From` header (`MAIL_FROM`). */
  mailFrom: string;
}

/**
 * `sent` and `stored`: handed over. `pending`: the attempt failed and a later one may succeed.
 * `failed`: the last attempt failed. `skipped`: the message was not pending or another sender
 * holds it.
 */
export type DeliveryOutcome = 'sent' | 'stored' | 'pending' | 'failed' | 'skipped';

/**
 * Makes one delivery attempt of a pending outbox message. Never throws for a mail server
 * failure: the failure is logged once, stored in `last_error`, and returned as `pending` (or
 * `failed` after `maxDeliveryAttempts`). Database errors do propagate.
 */
export async function deliverMessage(deps: DeliveryDeps, messageId: string): Promise<DeliveryOutcome> {
  const message = await claimMessage(deps.db, messageId, deps.clock.now(), leaseMs);
  if (!message) return 'skipped';
  const log = deps.logger.child({ messageId, orgId: message.orgId, runId: message.runId });

  let result: DeliveryResult;
  try {
    result = await deps.transport.deliver({
      id: message.id,
      from: deps.mailFrom,
      to: message.recipients,
      subject: message.subject,
      text: message.textBody,
      html: message.htmlBody,
    });
  } catch (error) {
    const reason = isAppError(error) ? error.message : 'The mail transport failed unexpectedly.';
    const final = message.attempts >= maxDeliveryAttempts;
    await markAttemptFailed(deps.db, message.id, reason, final);

    const facts = { err: error, attempt: message.attempts, maxAttempts: maxDeliveryAttempts };
    if (final) log.error(facts, 'Gave up sending e-mail after the last attempt; it is kept as failed');
    else log.warn(facts, 'Sending e-mail failed; it stays pending for a retry');
    return final ? 'failed' : 'pending';
  }

  await markDelivered(deps.db, message.id, result.kind, deps.clock.now());
  if (result.kind === 'sent') {
    log.info({ recipients: result.accepted.length, attempt: message.attempts }, 'Sent e-mail');
  }
  return result.kind;
}

export interface RetrySummary {
  /** Messages handed over (sent or stored). */
  delivered: number;
  /** Messages still pending after this pass. */
  pending: number;
  /** Messages given up in this pass. */
  failed: number;
}

/**
 * Tries every pending message once, oldest first, up to `limit` (default 50). Stops at the first
 * attempt that leaves a message pending, because the mail server is then most likely down and
 * trying the rest would only wait through more timeouts.
 */
export async function retryPendingMessages(deps: DeliveryDeps, limit = 50): Promise<RetrySummary> {
  const summary: RetrySummary = { delivered: 0, pending: 0, failed: 0 };
  const ids = await listPendingMessageIds(deps.db, deps.clock.now(), limit);

  for (const [index, id] of ids.entries()) {
    const outcome = await deliverMessage(deps, id);
    if (outcome === 'sent' || outcome === 'stored') summary.delivered += 1;
    if (outcome === 'failed') summary.failed += 1;
    if (outcome === 'pending') {
      summary.pending += ids.length - index;
      break;
    }
  }

  if (ids.length > 0) deps.logger.info({ ...summary }, 'Retried pending e-mail');
  return summary;
}
