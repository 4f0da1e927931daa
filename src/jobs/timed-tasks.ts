import { type Kysely, sql } from 'kysely';
import { DateTime } from 'luxon';

import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../db/schema.ts';
import type { Store } from '../db/store.ts';
import type { JobDefinition, JobQueue } from './queue.ts';
import { jobsDb } from './tables.ts';

/** Queue of the yearly school-year archive of one organization. */
export const archiveQueueName = 'roster.archive';
/** Queue of the daily pruning of finished runs' staged records. */
export const pruneQueueName = 'maintenance.prune';

export interface ArchiveJobData {
  orgId: string;
  schoolYear: number;
}

/** Moves a school year to the archive (the roster layer's `archiveSchoolYear`). */
export type ArchiveSchoolYear = (
  db: Kysely<Database>,
  orgId: string,
  schoolYear: number,
  actor: string,
) => Promise<unknown>;

/** Staged records of finished runs are kept this long for support, then deleted. */
export const stagingRetentionHours = 24;

/**
 * Finds the latest archive instant at or before `now`: local midnight starting the organization's
 * archive day (month and day) in its zone, this year or last year.
 */
export function latestArchiveInstant(
  org: { timezone: string; archiveMonth: number; archiveDay: number },
  now: Date,
): Date {
  const local = DateTime.fromJSDate(now, { zone: org.timezone });
  let instant = DateTime.fromObject(
    { year: local.year, month: org.archiveMonth, day: org.archiveDay },
    { zone: org.timezone },
  );
  if (instant > local) instant = instant.minus({ years: 1 });
  return instant.toJSDate();
}

/**
 * Queues the timed tasks that have come due: each organization's yearly archive (once per
 * archive date, for dates after the organization was created) and the daily pruning. A task is
 * claimed by moving its `timed_tasks` row forward, so several schedulers queue it once.
 * Returns the task keys queued.
 */
export async function queueDueTimedTasks(deps: {
  store: Store;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
}): Promise<string[]> {
  const now = deps.clock.now();
  const queued: string[] = [];

  const pruneDue = DateTime.fromJSDate(now, { zone: 'utc' }).startOf('day').toJSDate();
  if (await claimTimedTask(deps.store.db, 'prune', pruneDue)) {
    await deps.queue.send(pruneQueueName, {}, { singletonKey: 'prune' });
    queued.push('prune');
  }

  const orgs = await deps.store.db
    .selectFrom('organizations')
    .select(['id', 'timezone', 'archiveMonth', 'archiveDay', 'createdAt'])
    .execute();
  for (const org of orgs) {
    const due = latestArchiveInstant(org, now);
    if (due.getTime() <= org.createdAt.getTime()) continue;
    const key = `archive:${org.id}`;
    if (!(await claimTimedTask(deps.store.db, key, due))) continue;
    // A school year is named by the calendar year it ends in; the archive date closes it.
    const schoolYear = DateTime.fromJSDate(due, { zone: org.timezone }).year;
    await deps.queue.send<ArchiveJobData>(
      archiveQueueName,
      { orgId: org.id, schoolYear },
      { singletonKey: key },
    );
    queued.push(key);
  }

  if (queued.length > 0) deps.logger.info({ tasks: queued }, 'Queued timed tasks');
  return queued;
}

/** Records `dueAt` as the task's last due time; false when it was already recorded (or later). */
async function claimTimedTask(db: Kysely<Database>, taskKey: string, dueAt: Date): Promise<boolean> {
  const row = await jobsDb(db)
    .insertInto('timedTasks')
    .values({ taskKey, lastDueAt: dueAt, updatedAt: sql<Date>`now()` })
    .onConflict((oc) =>
      oc
        .column('taskKey')
        .doUpdateSet({ lastDueAt: dueAt, updatedAt: sql<Date>`now()` })
        .where('timedTasks.lastDueAt', '<', dueAt),
    )
    .returning('taskKey')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Builds the archive job, which calls `archiveSchoolYear` for the organization and school year.
 * Without an archive function (a build without the roster archive) the job logs that and completes.
 */
export function archiveJobDefinition(deps: {
  store: Store;
  archiveSchoolYear: ArchiveSchoolYear | null;
}): JobDefinition<ArchiveJobData> {
  return {
    name: archiveQueueName,
    policy: 'short',
    retryLimit: 3,
    retryDelaySeconds: 600,
    async handler(job) {
      if (!deps.archiveSchoolYear) {
        job.logger.warn(
          job.data,
          'No school-year archive is available in this build; the archive date passed without one',
        );
        return;
      }
      await deps.archiveSchoolYear(deps.store.db, job.data.orgId, job.data.schoolYear, 'scheduler');
      job.logger.info(job.data, 'Archived the school year on its archive date');
    },
  };
}

/**
 * Builds the pruning job, which deletes staged records of runs that ended more than
 * `stagingRetentionHours` ago (held runs keep theirs until reviewed) and of runs that no longer
 * exist. pg-boss prunes its own old jobs in its maintenance.
 */
export function pruneJobDefinition(deps: { store: Store }): JobDefinition<Record<string, never>> {
  return {
    name: pruneQueueName,
    policy: 'short',
    retryLimit: 2,
    async handler(job) {
      const result = await sql`
        delete from staging_records r
        where not exists (
          select 1 from sync_runs s
          where s.id = r.run_id
            and (s.status in ('queued', 'running', 'held_for_review')
              or s.finished_at is null
              or s.finished_at > now() - make_interval(hours => ${stagingRetentionHours}))
        )`.execute(deps.store.db);
      job.logger.info(
        { deleted: Number(result.numAffectedRows ?? 0) },
        'Pruned staged records of finished runs',
      );
    },
  };
}
