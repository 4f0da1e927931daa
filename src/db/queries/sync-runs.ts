import { type Kysely, sql } from 'kysely';

import { AppError } from '../../core/errors.ts';
import type { ErrorBody } from '../../core/errors.ts';
import { json } from '../json.ts';
import type { Database, SyncRun } from '../schema.ts';

export interface NewRun {
  id?: string;
  orgId: string;
  trigger: 'manual' | 'scheduled' | 'cli';
  mode: 'full' | 'delta';
  source: string;
  dryRun: boolean;
  requestedBy?: string | null;
  workerId: string;
  jobId?: string | null;
  now: Date;
}

/**
 * Inserts a run in status `running`. The unique partial index `sync_runs_one_running` lets only
 * one run per organization be running, across every process and machine on the same database, so
 * a second insert fails; that failure is thrown as `SYNC_IN_PROGRESS` naming the running run.
 */
export async function insertRunningRun(db: Kysely<Database>, run: NewRun): Promise<SyncRun> {
  try {
    return await db
      .insertInto('syncRuns')
      .values({
        ...(run.id ? { id: run.id } : {}),
        orgId: run.orgId,
        trigger: run.trigger,
        mode: run.mode,
        status: 'running',
        source: run.source,
        dryRun: run.dryRun,
        phase: 'starting',
        progress: json({}),
        counts: json({}),
        requestedBy: run.requestedBy ?? null,
        workerId: run.workerId,
        jobId: run.jobId ?? null,
        startedAt: run.now,
        heartbeatAt: run.now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const running = await findRunningRun(db, run.orgId);
    throw new AppError(
      'SYNC_IN_PROGRESS',
      `A sync of this organization is already running (run ${running?.id ?? 'unknown'}, phase ${running?.phase ?? 'unknown'}).`,
      { details: { runId: running?.id } },
    );
  }
}

/** Whether `error` is the violation of `sync_runs_one_running` (not, say, a run id used twice). */
function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && (constraint === undefined || constraint === 'sync_runs_one_running');
}

export async function findRunningRun(db: Kysely<Database>, orgId: string): Promise<SyncRun | null> {
  return (
    (await db
      .selectFrom('syncRuns')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('status', '=', 'running')
      .executeTakeFirst()) ?? null
  );
}

/** Every run still marked `running`, across organizations. */
export async function listRunningRuns(db: Kysely<Database>): Promise<SyncRun[]> {
  return db.selectFrom('syncRuns').selectAll().where('status', '=', 'running').execute();
}

export async function getRun(db: Kysely<Database>, runId: string): Promise<SyncRun> {
  const run = isUuid(runId)
    ? await db.selectFrom('syncRuns').selectAll().where('id', '=', runId).executeTakeFirst()
    : undefined;
  if (!run) throw new AppError('RUN_NOT_FOUND', `No sync run has the id ${JSON.stringify(runId)}.`);
  return run;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** The organization's runs, newest first. */
export async function listRuns(db: Kysely<Database>, orgId: string, limit = 50): Promise<SyncRun[]> {
  return db
    .selectFrom('syncRuns')
    .selectAll()
    .where('orgId', '=', orgId)
    .orderBy('createdAt', 'desc')
    .limit(limit)
    .execute();
}

/** The latest succeeded, complete, applied run (of the given mode, when set), or null. */
export async function findLastCompleteRun(
  db: Kysely<Database>,
  orgId: string,
  mode?: 'full' | 'delta',
): Promise<SyncRun | null> {
  let query = db
    .selectFrom('syncRuns')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('status', '=', 'succeeded')
    .where('complete', '=', true)
    .where('dryRun', '=', false);
  if (mode) query = query.where('mode', '=', mode);
  return (await query.orderBy('startedAt', 'desc').limit(1).executeTakeFirst()) ?? null;
}

export async function updateRunProgress(
  db: Kysely<Database>,
  runId: string,
  values: { phase: string; progress: Record<string, unknown>; now: Date },
): Promise<void> {
  await db
    .updateTable('syncRuns')
    .set({ phase: values.phase, progress: json(values.progress), heartbeatAt: values.now })
    .where('id', '=', runId)
    .execute();
}

export interface RunOutcome {
  status: 'succeeded' | 'failed' | 'held_for_review' | 'rejected';
  phase: string;
  counts: Record<string, unknown>;
  progress?: Record<string, unknown>;
  error: ErrorBody | null;
  watermark?: Date | null;
  complete?: boolean;
  warningCount: number;
  finishedAt: Date;
}

/** Records a run's final state. Only a run still `running` (or held, for approval) changes. */
export async function finishRun(db: Kysely<Database>, runId: string, outcome: RunOutcome): Promise<void> {
  await db
    .updateTable('syncRuns')
    .set({
      status: outcome.status,
      phase: outcome.phase,
      counts: json(outcome.counts),
      ...(outcome.progress ? { progress: json(outcome.progress) } : {}),
      error: outcome.error ? json(outcome.error) : null,
      ...(outcome.watermark !== undefined ? { watermark: outcome.watermark } : {}),
      ...(outcome.complete !== undefined ? { complete: outcome.complete } : {}),
      warningCount: outcome.warningCount,
      finishedAt: outcome.finishedAt,
      heartbeatAt: outcome.finishedAt,
    })
    .where('id', '=', runId)
    .execute();
}

/**
 * Appends warnings to a run, numbering them after those it has, in multi-row statements. NUL
 * characters are removed from the sourcedId and the message.
 */
export async function insertRunWarnings(
  db: Kysely<Database>,
  runId: string,
  warnings: readonly { code: string; sourcedId: string | null; message: string }[],
): Promise<void> {
  if (warnings.length === 0) return;
  const last = await db
    .selectFrom('syncRunWarnings')
    .select(sql<number>`coalesce(max(seq), 0)`.as('seq'))
    .where('runId', '=', runId)
    .executeTakeFirst();
  const first = (last?.seq ?? 0) + 1;
  const chunkSize = 2000;
  for (let start = 0; start < warnings.length; start += chunkSize) {
    const rows = warnings.slice(start, start + chunkSize).map((warning, index) => ({
      runId,
      seq: first + start + index,
      code: warning.code,
      sourcedId: warning.sourcedId === null ? null : withoutNul(warning.sourcedId),
      message: withoutNul(warning.message),
    }));
    await db.insertInto('syncRunWarnings').values(rows).execute();
  }
}

// PostgreSQL rejects NUL in text, and one NUL copied from a hostile file would fail the insert,
// so the run could not record its warnings nor even its failure.
function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

export async function listRunWarnings(
  db: Kysely<Database>,
  runId: string,
): Promise<{ code: string; sourcedId: string | null; message: string }[]> {
  return db
    .selectFrom('syncRunWarnings')
    .select(['code', 'sourcedId', 'message'])
    .where('runId', '=', runId)
    .orderBy('seq')
    .execute();
}

export async function saveRunPlan(
  db: Kysely<Database>,
  runId: string,
  plan: unknown,
  rosterFingerprint: string,
): Promise<void> {
  await db
    .insertInto('syncRunPlans')
    .values({ runId, plan: json(plan), rosterFingerprint })
    .onConflict((conflict) => conflict.column('runId').doUpdateSet({ plan: json(plan), rosterFingerprint }))
    .execute();
}

export async function loadRunPlan(
  db: Kysely<Database>,
  runId: string,
): Promise<{ plan: unknown; rosterFingerprint: string } | null> {
  return (
    (await db
      .selectFrom('syncRunPlans')
      .select(['plan', 'rosterFingerprint'])
      .where('runId', '=', runId)
      .executeTakeFirst()) ?? null
  );
}

export async function deleteRunPlan(db: Kysely<Database>, runId: string): Promise<void> {
  await db.deleteFrom('syncRunPlans').where('runId', '=', runId).execute();
}
