import { randomInt } from 'node:crypto';

import { type ErrorCode, isAppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { findRosterConnection } from '../db/queries/organizations.ts';
import type { Store } from '../db/store.ts';
import type { RunReport, RunTrigger } from '../sync/report.ts';
import { beatSync, claimSync, releaseSync } from './locks.ts';
import type { JobContext, JobDefinition, JobQueue } from './queue.ts';

/** The pg-boss queue of sync runs. */
export const syncQueueName = 'sync';

/** The data of a sync job. */
export interface SyncJobData {
  orgId: string;
  trigger: RunTrigger;
  mode?: 'full' | 'delta' | 'auto';
  /** The scheduled slot (ISO 8601) for scheduled runs. */
  slot?: string;
}

/** The request a sync job passes to the sync engine. */
export interface SyncRunRequest {
  orgId: string;
  trigger: RunTrigger;
  mode?: 'full' | 'delta' | 'auto';
  signal: AbortSignal;
  jobId: string;
  workerId: string;
}

/**
 * Runs one sync and reports how it ended. The engine must not throw for a roster failure: it
 * returns a report with status `failed` and an error code instead.
 */
export type SyncRunner = (request: SyncRunRequest) => Promise<Pick<RunReport, 'runId' | 'status' | 'error'>>;

/**
 * Roster failures that may pass by themselves. A run that fails with one of these is retried by
 * the queue after 5 to 10, then 10 to 20, then 20 to 40 minutes (pg-boss backoff with jitter).
 * Any other failure remains until the next scheduled run or Sync Now.
 */
export const transientErrorCodes: ReadonlySet<ErrorCode> = new Set([
  'ONEROSTER_UNREACHABLE',
  'ONEROSTER_SERVER_ERROR',
  'ONEROSTER_RATE_LIMITED',
  'ONEROSTER_TIMEOUT',
]);

export interface SyncJobOptions {
  store: Store;
  queue: JobQueue;
  runner: SyncRunner;
  workerId: string;
  /** Syncs that may read one roster host at once. */
  hostConcurrency: number;
  /** Sync jobs this process runs at once. */
  concurrency: number;
  /** Seconds between heartbeats of a running sync. Default 15. */
  heartbeatSeconds?: number;
  /** Seconds a job waits before trying again when its organization or roster host is busy. Default 30 to 60. */
  busyDelaySeconds?: () => number;
  /** Seconds between polls for new jobs. Default 2. */
  pollingIntervalSeconds?: number;
}

/** Raised for a run that failed transiently, so that pg-boss retries the job later. */
export class TransientSyncFailure extends Error {
  constructor(
    readonly code: string,
    readonly runId: string,
  ) {
    super(`Sync run ${runId} failed with ${code}; the queue retries it later`);
    this.name = 'TransientSyncFailure';
  }
}

/**
 * Builds the sync job kind. Each job claims its organization (one sync per organization across
 * all workers) and a slot on its roster host. When either is busy, the job goes back to the
 * queue and tries again 30 to 60 seconds later, joining any request already queued. While the
 * run lasts, the claim and the run row get a heartbeat, so that a dead worker can be recovered.
 */
export function syncJobDefinition(options: SyncJobOptions): JobDefinition<SyncJobData> {
  const heartbeatMs = (options.heartbeatSeconds ?? 15) * 1000;
  const busyDelay = options.busyDelaySeconds ?? (() => randomInt(30, 61));

  return {
    name: syncQueueName,
    policy: 'short',
    retryLimit: 3,
    retryDelaySeconds: 300,
    retryBackoff: true,
    expireInSeconds: 3 * 3600,
    concurrency: options.concurrency,
    pollingIntervalSeconds: options.pollingIntervalSeconds,
    handler: (job) => runSyncJob(options, job, heartbeatMs, busyDelay),
  };
}

async function runSyncJob(
  options: SyncJobOptions,
  job: JobContext<SyncJobData>,
  heartbeatMs: number,
  busyDelay: () => number,
): Promise<void> {
  const { store, workerId } = options;
  const { orgId } = job.data;
  const logger = job.logger.child({ orgId });

  const rosterHost = await rosterHostOf(store, orgId);
  const claim = await claimSync(store.db, {
    orgId,
    rosterHost,
    jobId: job.id,
    workerId,
    hostLimit: options.hostConcurrency,
  });
  if (claim !== 'claimed') {
    await deferJob(options.queue, job.data, busyDelay(), logger, claim);
    return;
  }

  // A claim another process recovered (this worker looked dead to it) cancels the run, because
  // that process has already marked the run interrupted and queued the request again.
  const claimLost = new AbortController();
  const timer = setInterval(() => {
    beatSync(store.db, orgId, workerId).then(
      (held) => {
        if (held || claimLost.signal.aborted) return;
        logger.error('The sync claim was recovered by another process; cancelling this run');
        claimLost.abort(new Error('the sync claim was recovered by another process'));
      },
      (error: unknown) => logger.error({ err: error }, 'Could not record the sync heartbeat'),
    );
  }, heartbeatMs);
  let report: Awaited<ReturnType<SyncRunner>>;
  try {
    logger.info({ trigger: job.data.trigger, rosterHost }, 'Sync job started');
    report = await options.runner({
      orgId,
      trigger: job.data.trigger,
      mode: job.data.mode,
      signal: AbortSignal.any([job.signal, claimLost.signal]),
      jobId: job.id,
      workerId,
    });
  } catch (error) {
    // The engine throws only before a run exists. A run started elsewhere (a command-line sync)
    // makes the job wait, and a switched-off or deleted organization ends it.
    if (isAppError(error) && error.code === 'SYNC_IN_PROGRESS') {
      await deferJob(options.queue, job.data, busyDelay(), logger, 'org-busy');
      return;
    }
    if (isAppError(error) && (error.code === 'SYNC_AUTO_ROSTERING_OFF' || error.code === 'ORG_NOT_FOUND')) {
      logger.warn({ code: error.code }, `Sync job dropped: ${error.message}`);
      return;
    }
    throw error;
  } finally {
    clearInterval(timer);
    await releaseSync(store.db, orgId, workerId);
  }

  logger.info({ runId: report.runId, status: report.status, error: report.error?.code }, 'Sync job finished');
  if (job.signal.aborted) {
    // The worker is stopping: queue the request again at once for another worker to take.
    const id = await enqueueSync(options.queue, job.data);
    logger.info(
      { runId: report.runId, requeuedAs: id },
      'Sync handed back to the queue because the worker is stopping',
    );
    return;
  }
  if (report.status === 'failed' && report.error && transientErrorCodes.has(report.error.code)) {
    throw new TransientSyncFailure(report.error.code, report.runId);
  }
}

/** Queues the request again after `delaySeconds`; a request already queued for the organization absorbs it. */
async function deferJob(
  queue: JobQueue,
  data: SyncJobData,
  delaySeconds: number,
  logger: Logger,
  reason: 'org-busy' | 'host-busy',
): Promise<void> {
  const startAfter = new Date(Date.now() + delaySeconds * 1000);
  const id = await queue.send(syncQueueName, data, { singletonKey: data.orgId, startAfter });
  logger.info(
    { reason, delaySeconds, requeuedAs: id },
    'Sync job deferred because its organization or roster host is busy',
  );
}

/** Sends a sync request for an organization; returns the job id, or null when one was already queued. */
export async function enqueueSync(
  queue: JobQueue,
  data: SyncJobData,
  startAfter?: Date,
): Promise<string | null> {
  return queue.send(syncQueueName, data, { singletonKey: data.orgId, startAfter });
}

async function rosterHostOf(store: Store, orgId: string): Promise<string | null> {
  const connection = await findRosterConnection(store.db, orgId);
  if (!connection) return null;
  try {
    return new URL(connection.endpointUrl).host.toLowerCase();
  } catch {
    return null;
  }
}
