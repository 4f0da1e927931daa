import os from 'node:os';

import { type Clock, systemClock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import type { SecretKey } from '../core/crypto.ts';
import type { Logger } from '../core/logger.ts';
import { trackResource, untrackResource } from '../core/resources.ts';
import type { Store } from '../db/store.ts';
import {
  jobRetryQueue,
  type Notifier,
  openNotifier,
  queuePendingMessages,
  registerEmailJobs,
} from '../notify/index.ts';
import { archiveSchoolYear } from '../roster/archive.ts';
import { recoverInterruptedRuns } from '../sync/recover.ts';
import { runSync } from '../sync/run.ts';
import { JobQueue } from './queue.ts';
import { recoverStaleClaims } from './recovery.ts';
import { runSchedulerPass } from './scheduler.ts';
import { type JobSettings, loadJobSettings } from './settings.ts';
import { type SyncRunner, syncJobDefinition } from './sync-job.ts';
import {
  type ArchiveSchoolYear,
  archiveJobDefinition,
  pruneJobDefinition,
  queueDueTimedTasks,
} from './timed-tasks.ts';

/** Dependencies of the scheduler and workers. */
export interface JobProcessDeps {
  store: Store;
  config: Config;
  logger: Logger;
  secretKey: () => SecretKey;
  clock?: Clock;
  /** Default: read from the environment by `loadJobSettings`. */
  settings?: JobSettings;
  /** The sync engine. Default `runSync` with these deps; tests pass a stand-in. */
  runner?: SyncRunner;
  /** Default the roster layer's `archiveSchoolYear`. */
  archiveSchoolYear?: ArchiveSchoolYear | null;
  /** pg-boss schema. Default `settings.queueSchema`. */
  queueSchema?: string;
  /**
   * Registers further job kinds (such as e-mail delivery) on the queue before workers start.
   * Workers run every registered kind.
   */
  registerJobs?: (queue: JobQueue) => Promise<void>;
  /** Seconds between polls for new jobs. Default 2. */
  pollingIntervalSeconds?: number;
  /** Seconds a sync job waits when its organization or roster host is busy. Default 30 to 60. */
  busyDelaySeconds?: () => number;
}

/** A running scheduler, worker or both. `stop` is safe to call more than once. */
export interface JobProcess {
  readonly queue: JobQueue;
  /** Stops timers and workers; a running sync gets the shutdown grace period to finish. */
  stop(): Promise<void>;
}

/** A claim whose heartbeat is this old belongs to a dead worker. */
const staleAfterSeconds = 90;
const recoveryIntervalMs = 30_000;
const timedTaskIntervalMs = 5 * 60_000;

/** This process in lock rows and run rows: host name and process id, as the sync engine records it. */
export function processWorkerId(): string {
  return `${os.hostname()}:${process.pid}`;
}

/**
 * Starts job workers: opens the queue, registers the sync, archive and pruning jobs (and those of
 * `registerJobs`), and polls for jobs. Every 30 seconds it recovers the syncs of dead workers.
 */
export async function startWorker(deps: JobProcessDeps): Promise<JobProcess> {
  return startJobProcess(deps, { worker: true, scheduler: false });
}

/**
 * Starts the scheduler: every `schedulerIntervalSeconds` it queues the scheduled syncs that are
 * due, every five minutes the timed tasks (archive dates, pruning), and it recovers dead
 * workers' syncs. It runs no jobs itself.
 */
export async function startScheduler(deps: JobProcessDeps): Promise<JobProcess> {
  return startJobProcess(deps, { worker: false, scheduler: true });
}

/**
 * Opens the queue with every job kind registered but runs nothing: for processes that only send
 * jobs, such as `rostersync sync-now` on PostgreSQL.
 */
export async function openQueueClient(deps: JobProcessDeps): Promise<JobProcess> {
  return startJobProcess(deps, { worker: false, scheduler: false });
}

/** Starts the scheduler and workers on one queue, as `rostersync serve` runs them. */
export async function startSchedulerAndWorker(deps: JobProcessDeps): Promise<JobProcess> {
  return startJobProcess(deps, { worker: true, scheduler: true });
}

async function startJobProcess(
  deps: JobProcessDeps,
  roles: { worker: boolean; scheduler: boolean },
): Promise<JobProcess> {
  const settings = deps.settings ?? loadJobSettings();
  const clock = deps.clock ?? systemClock;
  const workerId = processWorkerId();
  const logger = deps.logger.child({ workerId });
  const queue = await JobQueue.open({
    store: deps.store,
    databaseUrl: deps.config.databaseUrl,
    schema: deps.queueSchema ?? settings.queueSchema,
    logger,
  });

  // E-mail notices go with the real engine only; a stand-in runner (tests) sends none.
  const notifier = deps.runner
    ? null
    : openNotifier({
        config: deps.config,
        logger,
        db: deps.store.db,
        retryQueue: jobRetryQueue(queue, clock),
        clock,
      });
  const timers: NodeJS.Timeout[] = [];
  let stopping: Promise<void> | null = null;
  const handle: JobProcess = {
    queue,
    stop() {
      stopping ??= (async () => {
        for (const timer of timers) clearInterval(timer);
        await queue.stop({ graceMs: settings.shutdownGraceSeconds * 1000 });
        await notifier?.close();
        untrackResource(handle);
        logger.info('Job process stopped');
      })();
      return stopping;
    },
  };
  trackResource(
    handle,
    `job process (${roles.scheduler ? 'scheduler' : ''}${roles.scheduler && roles.worker ? ' + ' : ''}${roles.worker ? 'worker' : ''})`,
  );

  try {
    await registerJobKinds(queue, deps, settings, workerId, notifier);
    if (notifier && roles.worker) await queuePendingMessages(queue, deps.store.db, clock);
    if (roles.worker) await queue.startWorkers();
  } catch (error) {
    await handle.stop();
    throw error;
  }

  const recover = guarded(logger, 'Recovery of interrupted syncs failed', async () => {
    await recoverStaleClaims({ store: deps.store, queue, logger, staleAfterSeconds });
    await recoverInterruptedRuns(deps.store, { logger, clock, staleAfterMs: staleAfterSeconds * 1000 });
  });
  const schedule = guarded(logger, 'Scheduler pass failed', async () => {
    await runSchedulerPass({
      store: deps.store,
      queue,
      clock,
      logger,
      spreadMinutes: settings.spreadMinutes,
    });
  });
  const timedTasks = guarded(logger, 'Queueing timed tasks failed', async () => {
    await queueDueTimedTasks({ store: deps.store, queue, clock, logger });
  });

  if (roles.worker || roles.scheduler) {
    await recover();
    timers.push(setInterval(recover, recoveryIntervalMs));
  }
  if (roles.scheduler) {
    await schedule();
    await timedTasks();
    timers.push(setInterval(schedule, settings.schedulerIntervalSeconds * 1000));
    timers.push(setInterval(timedTasks, timedTaskIntervalMs));
  }
  logger.info({ roles, settings }, 'Job process started');
  return handle;
}

async function registerJobKinds(
  queue: JobQueue,
  deps: JobProcessDeps,
  settings: JobSettings,
  workerId: string,
  notifier: Notifier | null,
): Promise<void> {
  const runner: SyncRunner = deps.runner ?? engineRunner(deps, notifier);
  await queue.registerJob(
    syncJobDefinition({
      store: deps.store,
      queue,
      runner,
      workerId,
      hostConcurrency: settings.hostConcurrency,
      // PGlite is one connection, and a sync holds it for its whole apply transaction.
      concurrency: deps.store.kind === 'pglite' ? 1 : settings.workerConcurrency,
      pollingIntervalSeconds: deps.pollingIntervalSeconds,
      busyDelaySeconds: deps.busyDelaySeconds,
    }),
  );
  const archive = deps.archiveSchoolYear === undefined ? archiveSchoolYear : deps.archiveSchoolYear;
  await queue.registerJob(archiveJobDefinition({ store: deps.store, archiveSchoolYear: archive }));
  await queue.registerJob(pruneJobDefinition({ store: deps.store }));
  if (notifier) {
    await registerEmailJobs(queue, {
      db: deps.store.db,
      transport: notifier.deps.transport,
      logger: deps.logger,
      clock: deps.clock ?? systemClock,
      mailFrom: deps.config.mailFrom,
    });
  }
  await deps.registerJobs?.(queue);
}

/** Wraps the sync engine as a job runner that e-mails each finished run's outcome to the admins. */
function engineRunner(deps: JobProcessDeps, notifier: Notifier | null): SyncRunner {
  const syncDeps = {
    store: deps.store,
    config: deps.config,
    logger: deps.logger,
    secretKey: deps.secretKey,
    clock: deps.clock,
  };
  return async (request) => {
    const report = await runSync(syncDeps, {
      orgId: request.orgId,
      trigger: request.trigger,
      mode: request.mode,
      signal: request.signal,
      jobId: request.jobId,
    });
    await notifier?.notifyRunOutcome(report);
    return report;
  };
}

/** Wraps a periodic task so that a failure is logged and the next tick runs, and ticks never overlap. */
function guarded(logger: Logger, message: string, task: () => Promise<void>): () => Promise<void> {
  let running = false;
  return async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } catch (error) {
      logger.error({ err: error }, message);
    } finally {
      running = false;
    }
  };
}

/**
 * Stops `handle` on the first SIGTERM or SIGINT and resolves once it has stopped. A second
 * signal while stopping exits at once with status 1.
 */
export function stopOnSignals(handle: { stop(): Promise<void> }, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        logger.warn({ signal }, 'Second signal while stopping; exiting now');
        process.exit(1);
      }
      received = true;
      logger.info({ signal }, 'Stopping: running syncs get the shutdown grace period to finish');
      handle.stop().then(
        () => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          resolve();
        },
        (error: unknown) => {
          logger.error({ err: error }, 'Stopping failed');
          resolve();
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
