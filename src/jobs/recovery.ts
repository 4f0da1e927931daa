import { sql } from 'kysely';

import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../db/store.ts';
import { takeStaleClaims } from './locks.ts';
import type { JobQueue } from './queue.ts';
import { syncQueueName } from './sync-job.ts';

/** An organization whose worker stopped beating, and what recovery did about it. */
export interface RecoveredClaim {
  orgId: string | null;
  jobId: string | null;
  workerId: string;
  /** Run rows marked failed with `SYNC_INTERRUPTED`. */
  interruptedRunIds: string[];
}

/**
 * Recovers the syncs of workers that died: removes each claim whose heartbeat is older than
 * `staleAfterSeconds`, marks the organization's running run failed with `SYNC_INTERRUPTED`
 * (nothing was applied, because a run applies its plan in one transaction), and fails the
 * pg-boss job so that it is retried after its retry delay. Safe to call from every process at
 * once: each stale claim is removed by exactly one caller.
 */
export async function recoverStaleClaims(deps: {
  store: Store;
  queue: JobQueue | null;
  logger: Logger;
  staleAfterSeconds: number;
}): Promise<RecoveredClaim[]> {
  const stale = await takeStaleClaims(deps.store.db, deps.staleAfterSeconds);
  const recovered: RecoveredClaim[] = [];

  for (const claim of stale) {
    const interruptedRunIds = claim.orgId
      ? await markRunsInterrupted(deps.store, claim.orgId, claim.workerId)
      : [];
    if (claim.jobId && deps.queue) {
      await deps.queue.boss.fail(syncQueueName, claim.jobId, { message: 'the worker stopped responding' });
    }
    deps.logger.warn(
      {
        orgId: claim.orgId,
        jobId: claim.jobId,
        workerId: claim.workerId,
        heartbeatAt: claim.heartbeatAt,
        interruptedRunIds,
      },
      'Recovered a sync whose worker stopped responding',
    );
    recovered.push({ ...claim, interruptedRunIds });
  }
  return recovered;
}

/** Marks an organization's running runs failed with `SYNC_INTERRUPTED`; returns their ids. */
export async function markRunsInterrupted(store: Store, orgId: string, workerId: string): Promise<string[]> {
  const error = new AppError(
    'SYNC_INTERRUPTED',
    `The sync was interrupted because worker ${workerId} stopped responding; nothing was changed.`,
  ).toBody();
  const rows = await store.db
    .updateTable('syncRuns')
    .set({ status: 'failed', error: JSON.stringify(error), finishedAt: sql<Date>`now()` })
    .where('orgId', '=', orgId)
    .where('status', '=', 'running')
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}
