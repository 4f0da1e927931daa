import type { Kysely } from 'kysely';

import { type Clock, systemClock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../db/schema.ts';
import type { RunReport } from '../sync/report.ts';
import { type EmailRetryQueue, notifyRunOutcome, type NotifyDeps, type NotifyResult } from './notify.ts';
import { createMailTransport } from './transport.ts';

export { type DeliveryDeps, deliverMessage, retryPendingMessages } from './delivery.ts';
export { emailJobName, jobRetryQueue, queuePendingMessages, registerEmailJobs } from './jobs.ts';
export { type EmailRetryQueue, notifyRunOutcome, type NotifyDeps, type NotifyResult } from './notify.ts';
export { createMailTransport, type MailTransport } from './transport.ts';

/** A mail transport with the dependencies of `notifyRunOutcome`, opened once per process. */
export interface Notifier {
  readonly deps: NotifyDeps;
  /** `notifyRunOutcome` with this notifier's dependencies; never throws. */
  notifyRunOutcome(report: RunReport): Promise<NotifyResult>;
  /** Closes the SMTP connection pool, if any. */
  close(): Promise<void>;
}

export interface NotifierOptions {
  config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'publicUrl' | 'supportContact'>;
  logger: Logger;
  db: Kysely<Database>;
  /** The job queue's retry hook in a worker or `serve` process; omit it in a command-line process. */
  retryQueue?: EmailRetryQueue | null;
  clock?: Clock;
}

/** Opens a notifier over SMTP (`config.smtpUrl`) or the outbox when no SMTP URL is set. */
export function openNotifier(options: NotifierOptions): Notifier {
  const logger = options.logger.child({ component: 'notify' });
  const deps: NotifyDeps = {
    db: options.db,
    transport: createMailTransport(options.config, logger),
    logger,
    config: options.config,
    clock: options.clock ?? systemClock,
    retryQueue: options.retryQueue ?? null,
  };
  return {
    deps,
    notifyRunOutcome: (report) => notifyRunOutcome(deps, report),
    close: () => deps.transport.close(),
  };
}

/**
 * Opens a notifier, sends the notice of one finished run, and closes it: for a command-line
 * process that ends after the run. Resolves once the message is handed to SMTP, stored in the
 * outbox, or left pending after a failed attempt; then flushes older pending messages if the
 * mail server works. Never throws (see `notifyRunOutcome`).
 */
export async function sendRunNotice(options: NotifierOptions, report: RunReport): Promise<NotifyResult> {
  const notifier = openNotifier(options);
  try {
    return await notifier.notifyRunOutcome(report);
  } finally {
    await notifier.close();
  }
}
