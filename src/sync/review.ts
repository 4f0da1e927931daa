import { systemClock } from '../core/clock.ts';
import { AppError, isAppError } from '../core/errors.ts';
import { rosterFingerprint } from '../db/queries/roster-fingerprint.ts';
import { deleteRunPlan, getRun, loadRunPlan } from '../db/queries/sync-runs.ts';
import type { RunReport } from './report.ts';
import type { SyncDeps } from './run.ts';
import { workerIdentity } from './run.ts';
import { loadRunReport } from './run-report.ts';
import type { SyncPlan } from './plan/types.ts';
import { applyPlan } from './steps/apply.ts';

/**
 * Applies the stored plan of a run held for review, in one transaction, and marks the run
 * succeeded. The plan is applied only to the roster it was computed against: when the roster
 * changed since (another sync, a local edit), it throws `SYNC_PLAN_STALE` and the run stays held,
 * to be rejected. Throws `RUN_NOT_FOUND`, `RUN_NOT_HELD`, and `SYNC_IN_PROGRESS` when another
 * run of the organization is running.
 */
export async function approveRun(deps: SyncDeps, runId: string, actor: string): Promise<RunReport> {
  const clock = deps.clock ?? systemClock;
  const db = deps.store.db;
  const run = await getRun(db, runId);
  if (run.status !== 'held_for_review') {
    throw new AppError('RUN_NOT_HELD', `Run ${runId} is ${run.status}, not held for review.`);
  }
  const stored = await loadRunPlan(db, runId);
  if (!stored) throw new AppError('RUN_NOT_HELD', `Run ${runId} has no stored plan to approve.`);

  await claimHeldRun(deps, runId, run.orgId);
  const logger = deps.logger.child({ orgId: run.orgId, runId });
  try {
    await db.transaction().execute(async (trx) => {
      const fingerprint = await rosterFingerprint(trx, run.orgId);
      if (fingerprint !== stored.rosterFingerprint) {
        throw new AppError(
          'SYNC_PLAN_STALE',
          `The roster changed after run ${runId} was planned, so its plan can no longer be applied.`,
        );
      }
      const now = clock.now();
      const rowsWritten = await applyPlan(trx, stored.plan as SyncPlan, { runId, now });
      await trx
        .updateTable('syncRuns')
        .set({
          status: 'succeeded',
          phase: 'done',
          progress: JSON.stringify({ phase: 'done', rowsWritten }),
          reviewedAt: now,
          reviewedBy: actor,
          finishedAt: now,
        })
        .where('id', '=', runId)
        .execute();
      await trx.deleteFrom('syncRunPlans').where('runId', '=', runId).execute();
    });
    logger.info({ actor }, 'Held sync approved and applied');
  } catch (error) {
    await db
      .updateTable('syncRuns')
      .set({ status: 'held_for_review', phase: 'done' })
      .where('id', '=', runId)
      .where('status', '=', 'running')
      .execute();
    if (!isAppError(error)) logger.error({ err: error }, 'Applying the approved plan failed');
    throw error;
  }
  return loadRunReport(db, runId);
}

/** Moves a held run to `running`, so that no other run of the organization starts meanwhile. */
async function claimHeldRun(deps: SyncDeps, runId: string, orgId: string): Promise<void> {
  try {
    const result = await deps.store.db
      .updateTable('syncRuns')
      .set({
        status: 'running',
        phase: 'applying',
        workerId: workerIdentity(),
        heartbeatAt: (deps.clock ?? systemClock).now(),
      })
      .where('id', '=', runId)
      .where('status', '=', 'held_for_review')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0)
      throw new AppError('RUN_NOT_HELD', `Run ${runId} is no longer held for review.`);
  } catch (error) {
    if ((error as { code?: unknown }).code !== '23505') throw error;
    void orgId;
    throw new AppError(
      'SYNC_IN_PROGRESS',
      `Another sync of this organization is running; approve run ${runId} after it ends.`,
    );
  }
}

/** Discards the plan of a run held for review and marks the run rejected. Throws `RUN_NOT_HELD` otherwise. */
export async function rejectRun(deps: SyncDeps, runId: string, actor: string): Promise<RunReport> {
  const clock = deps.clock ?? systemClock;
  const db = deps.store.db;
  await getRun(db, runId);
  const now = clock.now();
  const result = await db
    .updateTable('syncRuns')
    .set({ status: 'rejected', reviewedAt: now, reviewedBy: actor, heartbeatAt: now })
    .where('id', '=', runId)
    .where('status', '=', 'held_for_review')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const run = await getRun(db, runId);
    throw new AppError('RUN_NOT_HELD', `Run ${runId} is ${run.status}, not held for review.`);
  }
  await deleteRunPlan(db, runId);
  deps.logger.info({ runId, actor }, 'Held sync rejected');
  return loadRunReport(db, runId);
}
