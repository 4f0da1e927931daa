import type { Kysely } from 'kysely';

import type { Clock } from '../core/clock.ts';
import type { Config } from '../core/config.ts';
import { getOrganizationBySlug, getSyncSettings, insertAuditEntry } from '../db/queries/organizations.ts';
import type { Database, Organization, SyncSettings } from '../db/schema.ts';
import {
  nextRunAfter,
  type Schedule,
  scheduleFromSettings,
  toZonedIso,
  validateSchedule,
} from './schedule.ts';
import { getSyncNowState, type SyncNowState } from './sync-now.ts';

/**
 * Validates and saves an organization's schedule, arming its next run (strictly after the
 * clock's now). Throws `SCHEDULE_INVALID`, `SCHEDULE_OUTSIDE_OFF_PEAK` or `ORG_NOT_FOUND`.
 * Returns the saved schedule and the next run time (null when off).
 */
export async function saveSchedule(
  db: Kysely<Database>,
  clock: Clock,
  config: Pick<Config, 'offPeak'>,
  slug: string,
  schedule: Schedule,
  actor: string,
): Promise<{ org: Organization; schedule: Schedule; nextRunAt: Date | null }> {
  const valid = validateSchedule(schedule, config.offPeak);
  const org = await getOrganizationBySlug(db, slug);
  const nextRunAt = nextRunAfter(valid, org.timezone, clock.now());

  await db
    .updateTable('syncSettings')
    .set({
      scheduleFrequency: valid.frequency,
      scheduleTime: valid.frequency === 'off' ? null : valid.time,
      scheduleWeekday: valid.frequency === 'weekly' ? valid.weekday : null,
      scheduleMonthDay: valid.frequency === 'monthly' ? valid.monthDay : null,
      nextRunAt,
      updatedAt: clock.now(),
    })
    .where('orgId', '=', org.id)
    .execute();
  await insertAuditEntry(db, {
    orgId: org.id,
    actor,
    action: 'schedule.set',
    changes: { ...valid, nextRunAt: nextRunAt?.toISOString() ?? null },
  });
  return { org, schedule: valid, nextRunAt };
}

/** The schedule part of an organization's state, as `org show` and the API present it. */
export interface SchedulingView {
  schedule: Schedule;
  /** ISO 8601 with the organization's offset, or null when no sync is scheduled. */
  nextRunAt: string | null;
  syncNow: SyncNowState;
}

/** Builds the schedule, next run and Sync Now state of an organization at the clock's now. */
export async function describeScheduling(
  db: Kysely<Database>,
  org: Organization,
  clock: Clock,
  settings?: SyncSettings,
): Promise<SchedulingView> {
  const row = settings ?? (await getSyncSettings(db, org.id));
  const schedule = scheduleFromSettings(row);
  const nextRunAt =
    schedule.frequency === 'off' || !row.nextRunAt ? null : toZonedIso(row.nextRunAt, org.timezone);
  const syncNow = await getSyncNowState(db, org, row, clock.now());
  return { schedule, nextRunAt, syncNow };
}
