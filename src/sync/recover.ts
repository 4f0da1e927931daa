import os from 'node:os';

import { type Clock, systemClock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { deleteStagedRecords } from '../db/queries/staging.ts';
import { listRunningRuns } from '../db/queries/sync-runs.ts';
import type { SyncRun } from '../db/schema.ts';
import type { Store } from '../db/store.ts';

export interface RecoverOptions {
  logger?: Logger;
  clock?: Clock;
  /** A run on another machine counts as dead when its heartbeat is older than this. Default 120,000 ms. */
  staleAfterMs?: number;
}

/**
 * Marks runs left `running` by a dead process as failed with `SYNC_INTERRUPTED`, and deletes
 * their staged records. Their roster changes were never committed, because a run applies in one
 * transaction. A run of this machine is dead when its process is gone; a run of another machine
 * when its heartbeat is older than `staleAfterMs`. Returns the ids of the runs marked failed.
 */
export async function recoverInterruptedRuns(store: Store, options: RecoverOptions = {}): Promise<string[]> {
  const clock = options.clock ?? systemClock;
  const staleAfterMs = options.staleAfterMs ?? 120_000;
  const recovered: string[] = [];
  for (const run of await listRunningRuns(store.db)) {
    if (!isDead(run, clock.now(), staleAfterMs)) continue;
    const error = new AppError('SYNC_INTERRUPTED').toBody();
    const result = await store.db
      .updateTable('syncRuns')
      .set({ status: 'failed', phase: 'done', error: JSON.stringify(error), finishedAt: clock.now() })
      .where('id', '=', run.id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    await deleteStagedRecords(store.db, run.id);
    if (Number(result.numUpdatedRows) > 0) {
      recovered.push(run.id);
      options.logger?.warn(
        { runId: run.id, orgId: run.orgId, workerId: run.workerId },
        'Marked an interrupted sync as failed',
      );
    }
  }
  return recovered;
}

function isDead(run: SyncRun, now: Date, staleAfterMs: number): boolean {
  const [host, pidText] = (run.workerId ?? '').split(':');
  const pid = Number(pidText);
  if (host === os.hostname() && Number.isInteger(pid) && pid > 0) {
    if (pid === process.pid) return false;
    return !processExists(pid);
  }
  const last = run.heartbeatAt ?? run.startedAt ?? run.createdAt;
  return now.getTime() - last.getTime() > staleAfterMs;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
