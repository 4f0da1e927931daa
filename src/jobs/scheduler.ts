import { createHash } from 'node:crypto';

import { sql } from 'kysely';

import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../db/store.ts';
import type { JobQueue } from './queue.ts';
import { nextRunAfter, scheduleFromSettings } from './schedule.ts';
import { type SyncJobData, syncQueueName } from './sync-job.ts';

export interface SchedulerPassOptions {
  store: Store;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  /** Window over which starts of the same slot spread, in minutes; 0 turns spreading off. */
  spreadMinutes: number;
  /** Organizations handled per pass at most. Default 20,000. */
  limit?: number;
}

export interface SchedulerPassResult {
  /** Organizations whose scheduled sync this pass queued. */
  queued: string[];
}

/**
 * Queues the scheduled syncs that are due and arms each organization's next run.
 *
 * An organization is due when its `next_run_at` is at or before now. However many slots passed
 * while the scheduler was down, it gets one run, and its next run is the first slot after now.
 * Each due row is claimed by moving `next_run_at` on only if it still contains the value read, so
 * two schedulers never queue the same slot twice. The claim comes before the job is queued: a
 * crash between the two loses that one run (at most once), which the next slot makes up.
 *
 * The job's start is the slot plus the organization's fixed spread offset (see `spreadOffsetMs`),
 * or now when that moment has passed.
 */
export async function runSchedulerPass(options: SchedulerPassOptions): Promise<SchedulerPassResult> {
  const { store, clock } = options;
  const now = clock.now();

  const due = await store.db
    .selectFrom('syncSettings as s')
    .innerJoin('organizations as o', 'o.id', 's.orgId')
    .select([
      's.orgId',
      's.nextRunAt',
      's.scheduleFrequency',
      's.scheduleTime',
      's.scheduleWeekday',
      's.scheduleMonthDay',
      'o.timezone',
    ])
    .where('s.scheduleFrequency', '<>', 'off')
    .where('s.nextRunAt', '<=', now)
    .where('o.autoRostering', '=', true)
    .orderBy('s.nextRunAt')
    .limit(options.limit ?? 20_000)
    .execute();
  if (due.length === 0) return { queued: [] };

  const orgIds: string[] = [];
  const slots: string[] = [];
  const nextRuns: (string | null)[] = [];
  // Many organizations share a zone and schedule, and each next run costs a few time-zone
  // conversions, so a pass computes each distinct one once.
  const nextRunBySchedule: Map<string, Date | null> = new Map();
  for (const row of due) {
    const schedule = scheduleFromSettings(row);
    const key = `${row.timezone}|${JSON.stringify(schedule)}`;
    if (!nextRunBySchedule.has(key)) nextRunBySchedule.set(key, nextRunAfter(schedule, row.timezone, now));
    const next = nextRunBySchedule.get(key) ?? null;
    orgIds.push(row.orgId);
    slots.push(row.nextRunAt!.toISOString());
    nextRuns.push(next?.toISOString() ?? null);
  }

  // One statement arms every next run; the `next_run_at = slot` test makes the claim. Slots are
  // compared at millisecond precision, which is all a JavaScript Date keeps.
  const claimed = await sql<{ orgId: string; slot: Date }>`
    update sync_settings as s
    set next_run_at = d.next_run_at, last_scheduled_run_at = d.slot
    from unnest(${orgIds}::uuid[], ${slots}::timestamptz[], ${nextRuns}::timestamptz[])
      as d(org_id, slot, next_run_at)
    where s.org_id = d.org_id and date_trunc('milliseconds', s.next_run_at) = d.slot
    returning s.org_id, d.slot`.execute(store.db);

  const spreadMs = options.spreadMinutes * 60_000;
  const jobs = claimed.rows.map((row) => {
    const slot = new Date(row.slot);
    const start = slot.getTime() + spreadOffsetMs(row.orgId, spreadMs);
    const data: SyncJobData = { orgId: row.orgId, trigger: 'scheduled', slot: slot.toISOString() };
    return {
      data,
      singletonKey: row.orgId,
      startAfter: start > now.getTime() ? new Date(start) : undefined,
    };
  });
  await options.queue.sendMany(syncQueueName, jobs);

  if (jobs.length > 0) options.logger.info({ queued: jobs.length }, 'Queued scheduled syncs');
  return { queued: claimed.rows.map((row) => row.orgId) };
}

/**
 * Computes the fixed delay of an organization's scheduled starts within the spread window: the
 * first four bytes of SHA-256 of its id, scaled to `[0, windowMs)`. The delay is fixed per
 * organization, so its syncs start at the same moment each time, and spreads evenly over many.
 */
export function spreadOffsetMs(orgId: string, windowMs: number): number {
  if (windowMs <= 0) return 0;
  const hash = createHash('sha256').update(orgId).digest();
  return Math.floor((hash.readUInt32BE(0) / 2 ** 32) * windowMs);
}
