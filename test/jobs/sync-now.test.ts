import { expect, it } from 'vitest';

import { describeOrganization } from '../../src/cli/commands/org-show.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { AppError } from '../../src/core/errors.ts';
import { saveSchedule } from '../../src/jobs/org-schedule.ts';
import { requestSyncNow } from '../../src/jobs/sync-now.ts';
import { describeEachStore } from '../support/stores.ts';
import { createTestOrg, insertFinishedRun } from './support.ts';

const config = loadConfig({});
// Monday 7 December 2026, 10:00 in Los Angeles.
const monday = new Date('2026-12-07T18:00:00Z');

describeEachStore('Sync Now rule', ({ store }) => {
  async function scheduledOrg() {
    const clock = fixedClock(monday);
    const org = await createTestOrg(store, { timezone: 'America/Los_Angeles' });
    await saveSchedule(store.db, clock, config, org.slug, { frequency: 'daily', time: '21:30' }, 'test');
    return { org, clock };
  }

  async function pressSyncNow(slug: string, clock: ReturnType<typeof fixedClock>, force = false) {
    return requestSyncNow(store.db, clock, { slug, actor: 'test', force }, async () => 'job-1');
  }

  it('stays available without a schedule', async () => {
    const clock = fixedClock(monday);
    const org = await createTestOrg(store);
    await pressSyncNow(org.slug, clock);
    await insertFinishedRun(store, org.id, { trigger: 'manual', status: 'succeeded', at: clock.now() });

    const view = await describeOrganization(store.db, org.slug, config, clock);
    expect(view.syncNow.available).toBe(true);
    expect(view.nextRunAt).toBeNull();
    await expect(pressSyncNow(org.slug, clock)).resolves.toMatchObject({ queued: 'job-1' });
  });

  it('shows the next run with the org offset', async () => {
    const { org, clock } = await scheduledOrg();
    const view = await describeOrganization(store.db, org.slug, config, clock);
    expect(view.nextRunAt).toBe('2026-12-07T21:30:00.000-08:00');
    expect(view.schedule).toMatchObject({ frequency: 'daily', time: '21:30' });
    expect(view.syncNow.available).toBe(true);
  });

  it('is unavailable after a successful Sync Now', async () => {
    const { org, clock } = await scheduledOrg();
    await pressSyncNow(org.slug, clock);
    await insertFinishedRun(store, org.id, { trigger: 'manual', status: 'succeeded', at: clock.now() });
    clock.advance(5 * 60_000);

    const view = await describeOrganization(store.db, org.slug, config, clock);
    expect(view.syncNow.available).toBe(false);
    expect(view.syncNow.reason).toContain(
      'available again after the scheduled sync on Mon 7 Dec at 9:30 PM PST',
    );

    const refused = await pressSyncNow(org.slug, clock).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('SYNC_NOW_UNAVAILABLE');
    expect((refused as AppError).message).toContain('Mon 7 Dec at 9:30 PM PST');
  });

  it('lets force bypass the rule', async () => {
    const { org, clock } = await scheduledOrg();
    await pressSyncNow(org.slug, clock);
    await insertFinishedRun(store, org.id, { trigger: 'manual', status: 'succeeded', at: clock.now() });
    clock.advance(60_000);

    const forced = await pressSyncNow(org.slug, clock, true);
    expect(forced.forced).toBe(true);
  });

  it('is available again after a failure', async () => {
    const { org, clock } = await scheduledOrg();
    await pressSyncNow(org.slug, clock);
    await insertFinishedRun(store, org.id, { trigger: 'manual', status: 'failed', at: clock.now() });
    clock.advance(5 * 60_000);

    const view = await describeOrganization(store.db, org.slug, config, clock);
    expect(view.syncNow.available).toBe(true);
    expect(view.syncNow.reason).toContain('failed');
  });

  it('is available again after the scheduled run', async () => {
    const { org, clock } = await scheduledOrg();
    await pressSyncNow(org.slug, clock);
    await insertFinishedRun(store, org.id, { trigger: 'manual', status: 'succeeded', at: clock.now() });

    clock.set(new Date('2026-12-08T05:30:00Z'));
    let view = await describeOrganization(store.db, org.slug, config, clock);
    expect(view.syncNow.available).toBe(false);
    expect(view.syncNow.reason).toContain('due now');

    await insertFinishedRun(store, org.id, { trigger: 'scheduled', status: 'succeeded', at: clock.now() });
    clock.advance(10 * 60_000);
    view = await describeOrganization(store.db, org.slug, config, clock);
    expect(view.syncNow.available).toBe(true);
  });

  it('rejects a daily schedule outside off-peak', async () => {
    const clock = fixedClock(monday);
    const org = await createTestOrg(store);
    const error = await saveSchedule(
      store.db,
      clock,
      config,
      org.slug,
      { frequency: 'daily', time: '09:00' },
      'test',
    ).catch((caught: unknown) => caught);
    expect((error as AppError).code).toBe('SCHEDULE_OUTSIDE_OFF_PEAK');
    const view = await describeOrganization(store.db, org.slug, config, clock);
    expect(view.schedule.frequency).toBe('off');
  });

  it('saves weekly and monthly schedules', async () => {
    const clock = fixedClock(monday);
    const org = await createTestOrg(store, { timezone: 'America/New_York' });
    const weekly = await saveSchedule(
      store.db,
      clock,
      config,
      org.slug,
      { frequency: 'weekly', weekday: 3, time: '12:15' },
      'test',
    );
    expect(weekly.nextRunAt?.toISOString()).toBe('2026-12-09T17:15:00.000Z');
    const monthly = await saveSchedule(
      store.db,
      clock,
      config,
      org.slug,
      { frequency: 'monthly', monthDay: 1, time: '06:00' },
      'test',
    );
    expect(monthly.nextRunAt?.toISOString()).toBe('2027-01-01T11:00:00.000Z');
    const off = await saveSchedule(store.db, clock, config, org.slug, { frequency: 'off' }, 'test');
    expect(off.nextRunAt).toBeNull();
  });
});
