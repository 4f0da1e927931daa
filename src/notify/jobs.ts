import type { Kysely } from 'kysely';

import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import type { Database } from '../db/schema.ts';
import type { JobDefinition, JobQueue } from '../jobs/queue.ts';
import { deliverMessage, type DeliveryDeps, maxDeliveryAttempts } from './delivery.ts';
import type { EmailRetryQueue } from './notify.ts';
import { listPendingMessageIds } from './outbox.ts';

/** Queue name of e-mail delivery retries. */
export const emailJobName = 'email.send';

/** Seconds before the first retry; pg-boss doubles the wait on each further retry. */
const firstRetryDelaySeconds = 30;

interface EmailJobData {
  messageId: string;
}

/**
 * Builds the job that retries a pending message. Each run makes one attempt. While the message
 * stays pending the job throws, so pg-boss 10 retries it with jittered, doubling waits (30 to
 * 60 s, then 1 to 2, 2 to 4 and 4 to 8 minutes). `deliverMessage` marks the message `failed` at
 * its last attempt, and the job then completes. A message already sent, or held by another
 * sender, completes the job at once.
 */
export function emailDeliveryJob(deps: DeliveryDeps): JobDefinition<EmailJobData> {
  return {
    name: emailJobName,
    retryLimit: maxDeliveryAttempts,
    retryDelaySeconds: firstRetryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: 600,
    async handler(job) {
      const outcome = await deliverMessage({ ...deps, logger: job.logger }, job.data.messageId);
      if (outcome === 'pending') {
        throw new AppError(
          'SMTP_FAILED',
          `E-mail ${job.data.messageId} is still pending; the queue retries it later.`,
        );
      }
    },
  };
}

/** Registers the e-mail delivery job on the queue. Call before the queue's `startWorkers`. */
export async function registerEmailJobs(queue: JobQueue, deps: DeliveryDeps): Promise<void> {
  await queue.registerJob(emailDeliveryJob(deps));
}

/** Creates an `EmailRetryQueue` that queues a retry job `firstRetryDelaySeconds` from now. */
export function jobRetryQueue(queue: JobQueue, clock: Clock): EmailRetryQueue {
  return {
    async scheduleDelivery(messageId) {
      const startAfter = new Date(clock.now().getTime() + firstRetryDelaySeconds * 1000);
      await queue.send<EmailJobData>(emailJobName, { messageId }, { startAfter });
    },
  };
}

/**
 * Queues a delivery job for every message left pending, such as those a command-line sync could
 * not send while the mail server was down. Call when a worker or `serve` process starts.
 * Returns how many were queued (at most `limit`, default 500).
 */
export async function queuePendingMessages(
  queue: JobQueue,
  db: Kysely<Database>,
  clock: Clock,
  limit = 500,
): Promise<number> {
  const ids = await listPendingMessageIds(db, clock.now(), limit);
  await queue.sendMany<EmailJobData>(
    emailJobName,
    ids.map((messageId) => ({ data: { messageId } })),
  );
  return ids.length;
}
