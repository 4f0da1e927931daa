import os from 'node:os';

import type { Config } from '../core/config.ts';
import { type Clock, systemClock } from '../core/clock.ts';
import type { SecretKey } from '../core/crypto.ts';
import { AppError, isAppError, toErrorBody } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { getOrganizationById, getSyncSettings } from '../db/queries/organizations.ts';
import { json } from '../db/json.ts';
import { deleteStagedRecords } from '../db/queries/staging.ts';
import { finishRun, insertRunningRun, insertRunWarnings } from '../db/queries/sync-runs.ts';
import { isConnectionLost } from '../db/connection-errors.ts';
import type { Store } from '../db/store.ts';
import type { RosterSource } from '../oneroster/source.ts';
import { WarningSink } from './model.ts';
import { decideMode } from './mode.ts';
import { executePipeline } from './pipeline.ts';
import type { RunReport, RunTrigger } from './report.ts';
import { loadRunReport } from './run-report.ts';
import { openConnectionSource } from './source.ts';

export interface SyncDeps {
  store: Store;
  config: Config;
  logger: Logger;
  /** The key that decrypts the roster secret; called only when the run uses the REST connection. */
  secretKey: () => SecretKey;
  clock?: Clock;
}

export type SyncPhase = 'starting' | 'fetching' | 'mapping' | 'planning' | 'applying' | 'done';

export interface SyncProgress {
  runId: string;
  phase: SyncPhase;
  /** While fetching: the collection being read and the records received from it so far. */
  collection?: string;
  received?: number;
  /** While applying: statements done and planned. */
  done?: number;
  total?: number;
}

export interface SyncRequest {
  orgId: string;
  trigger: RunTrigger;
  /** Default `auto`: delta once a complete full run exists, full when the last full one is too old. */
  mode?: 'full' | 'delta' | 'auto';
  /** Compute and store the plan, change nothing. */
  dryRun?: boolean;
  /** The roster source to read; default the organization's REST connection. The caller closes it. */
  source?: RosterSource;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Id for the new run (a job may choose it in advance). */
  runId?: string;
  requestedBy?: string;
  jobId?: string;
}

/** Identifies this process in `sync_runs.worker_id`, so that recovery can tell a dead run from a live one. */
export function workerIdentity(): string {
  return `${os.hostname()}:${process.pid}`;
}

/**
 * Runs one sync of an organization and returns its final report. A roster failure never throws:
 * it ends the run with status `failed` and an `error` an admin can act on, and the roster is as
 * it was. Throws only before a run exists: `ORG_NOT_FOUND`, `SYNC_AUTO_ROSTERING_OFF`, and
 * `SYNC_IN_PROGRESS` when the organization already has a running run (enforced by the database,
 * across processes).
 */
export async function runSync(deps: SyncDeps, request: SyncRequest): Promise<RunReport> {
  const clock = deps.clock ?? systemClock;
  const db = deps.store.db;
  const org = await getOrganizationById(db, request.orgId);
  if (!org.autoRostering) {
    throw new AppError(
      'SYNC_AUTO_ROSTERING_OFF',
      `Auto rostering is switched off for ${org.slug}, so it cannot be synced.`,
    );
  }
  const settings = await getSyncSettings(db, org.id);
  // A CSV bundle cannot filter by modification time, so `auto` reads it whole.
  const requested = request.mode ?? (request.source?.kind === 'csv' ? 'full' : 'auto');
  const decision = await decideMode(db, org.id, requested, settings, clock.now());

  const run = await insertRunningRun(db, {
    id: request.runId,
    orgId: org.id,
    trigger: request.trigger,
    mode: decision.mode,
    source: request.source?.kind ?? 'rest',
    dryRun: request.dryRun ?? false,
    requestedBy: request.requestedBy ?? null,
    workerId: workerIdentity(),
    jobId: request.jobId ?? null,
    now: clock.now(),
  });
  const logger = deps.logger.child({ orgId: org.id, runId: run.id });
  logger.info(
    { mode: decision.mode, trigger: request.trigger, dryRun: request.dryRun === true },
    'Sync started',
  );

  const sink = new WarningSink();
  if (decision.note) sink.add('SYNC_DELTA_NOT_POSSIBLE', null, decision.note);
  const heartbeat = setInterval(() => {
    db.updateTable('syncRuns')
      .set({ heartbeatAt: clock.now() })
      .where('id', '=', run.id)
      .execute()
      .catch((error: unknown) => logger.warn({ err: error }, 'Could not record the run heartbeat'));
  }, 15_000);
  heartbeat.unref();

  let progressWrittenAt = 0;
  const progress = (update: Omit<SyncProgress, 'runId'>, persist = false): void => {
    request.onProgress?.({ runId: run.id, ...update });
    // The run's final state carries the `done` phase and its rows written.
    if (update.phase === 'done') return;
    const now = clock.now();
    if (!persist && now.getTime() - progressWrittenAt < 1000) return;
    progressWrittenAt = now.getTime();
    // Writes are not awaited, so one may reach the database after the run's final state. Only a
    // running run takes it, so that it never overwrites the final state.
    void db
      .updateTable('syncRuns')
      .set({ phase: update.phase, progress: json({ ...update }), heartbeatAt: now })
      .where('id', '=', run.id)
      .where('status', '=', 'running')
      .execute()
      .catch((error: unknown) =>
        logger.warn({ err: error, runId: run.id }, 'Could not record the run progress'),
      );
  };

  let source = request.source ?? null;
  const ownsSource = !request.source;
  try {
    source ??= await openConnectionSource(db, org.id, {
      config: deps.config,
      logger,
      secretKey: deps.secretKey,
    });
    await executePipeline({
      db,
      org,
      settings,
      runId: run.id,
      decision,
      dryRun: request.dryRun ?? false,
      source,
      signal: request.signal,
      sink,
      clock,
      logger,
      progress,
      refreshStatistics: deps.store.kind === 'pglite',
    });
  } catch (caught) {
    // A lost database connection is the operator's to fix, not an internal error.
    const error =
      !isAppError(caught) && isConnectionLost(caught)
        ? new AppError('DB_CONNECTION_LOST', undefined, { cause: caught })
        : caught;
    const cancelled = request.signal?.aborted === true && !isAppError(error);
    const body = cancelled ? new AppError('SYNC_CANCELLED').toBody() : toErrorBody(error);
    if (isAppError(error)) logger.warn({ code: error.code, err: error }, 'Sync failed');
    else logger.error({ err: error }, 'Sync failed with an unexpected error');
    await recordFailure(deps, run.id, body, sink, clock);
  } finally {
    clearInterval(heartbeat);
    if (ownsSource)
      await source
        ?.close()
        .catch((error: unknown) => logger.warn({ err: error }, 'Could not close the roster source'));
    await deleteStagedRecords(db, run.id).catch((error: unknown) =>
      logger.warn({ err: error }, 'Could not delete the staged records of the run'),
    );
  }

  const report = await loadRunReport(db, run.id);
  logger.info({ status: report.status, warnings: report.warnings.length }, 'Sync finished');
  return report;
}

/**
 * Marks the run failed. Storing its warnings may itself fail (a value the database rejects), so
 * that failure is logged and the run is still marked failed without them, rather than left
 * `running` until the next start recovers it.
 */
async function recordFailure(
  deps: SyncDeps,
  runId: string,
  error: ReturnType<typeof toErrorBody>,
  sink: WarningSink,
  clock: Clock,
): Promise<void> {
  let warningCount = sink.count;
  try {
    await insertRunWarnings(deps.store.db, runId, sink.list());
  } catch (cause) {
    deps.logger.error({ err: cause, runId }, 'Could not store the warnings of a failed run');
    warningCount = 0;
  }
  await finishRun(deps.store.db, runId, {
    status: 'failed',
    phase: 'done',
    counts: {},
    error,
    warningCount,
    finishedAt: clock.now(),
  });
}
