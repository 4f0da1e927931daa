import type { ErrorCode } from '../../src/core/errors.ts';
import type { Store } from '../../src/db/store.ts';
import type { SyncRunner, SyncRunRequest } from '../../src/jobs/sync-job.ts';

export interface StandInOptions {
  /** How long a run takes, in ms. */
  durationMs: number;
  /** Error code each attempt of an organization ends with, by attempt number (0-based); none: success. */
  failWith?: (orgId: string, attempt: number) => ErrorCode | null;
}

/** One call of the stand-in runner, as seen from inside. */
export interface RecordedRun {
  orgId: string;
  runId: string;
  workerId: string;
  startedAt: number;
  finishedAt: number;
  aborted: boolean;
}

/**
 * Builds a sync engine stand-in for queue tests. Each run writes a running run row, so the
 * one-running-run index guards it as it guards the real engine, then waits and finishes the row.
 * It stops early when the job's signal aborts and then reports SYNC_CANCELLED.
 */
export function standInRunner(
  store: Store,
  options: StandInOptions,
): { runner: SyncRunner; runs: RecordedRun[] } {
  const runs: RecordedRun[] = [];
  const attempts = new Map<string, number>();

  const runner: SyncRunner = async (request: SyncRunRequest) => {
    const attempt = attempts.get(request.orgId) ?? 0;
    attempts.set(request.orgId, attempt + 1);
    const startedAt = Date.now();
    const row = await store.db
      .insertInto('syncRuns')
      .values({
        orgId: request.orgId,
        trigger: request.trigger,
        mode: 'full',
        status: 'running',
        startedAt: new Date(),
        jobId: request.jobId,
        workerId: request.workerId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    const aborted = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), options.durationMs);
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });

    const code: ErrorCode | null = aborted
      ? 'SYNC_CANCELLED'
      : (options.failWith?.(request.orgId, attempt) ?? null);
    const error = code ? { code, message: `stand-in ${code}`, hint: 'none' } : null;
    await store.db
      .updateTable('syncRuns')
      .set({
        status: code ? 'failed' : 'succeeded',
        finishedAt: new Date(),
        error: JSON.stringify(error),
      })
      .where('id', '=', row.id)
      .execute();
    runs.push({
      orgId: request.orgId,
      runId: row.id,
      workerId: request.workerId,
      startedAt,
      finishedAt: Date.now(),
      aborted,
    });
    return { runId: row.id, status: code ? 'failed' : 'succeeded', error };
  };
  return { runner, runs };
}
