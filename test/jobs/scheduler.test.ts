import { afterAll, beforeAll, expect, it } from 'vitest';

import { startServe } from '../../src/cli/commands/serve.ts';
import { fixedClock, systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { saveSchedule } from '../../src/jobs/org-schedule.ts';
import { runSchedulerPass, spreadOffsetMs } from '../../src/jobs/scheduler.ts';
import { syncJobDefinition, syncQueueName } from '../../src/jobs/sync-job.ts';
import {
  archiveJobDefinition,
  archiveQueueName,
  pruneJobDefinition,
  pruneQueueName,
  queueDueTimedTasks,
} from '../../src/jobs/timed-tasks.ts';
import { describeEachStore } from '../support/stores.ts';
import { standInRunner } from './stand-in-runner.ts';
import { createTestOrg, openQueueOn, openTestQueue, waitFor } from './support.ts';

const config = loadConfig({ ROSTERSYNC_DATA_DIR: '/nonexistent' });
const logger = silentLogger();

describeEachStore('scheduler pass', ({ store }) => {
  let opened: Awaited<ReturnType<typeof openTestQueue>>;
  beforeAll(async () => {
    opened = await openTestQueue(store);
    const { runner } = standInRunner(store, { durationMs: 1 });
    const definitionDeps = { store, runner, workerId: 'unused', hostConcurrency: 4, concurrency: 1 };
    await opened.queue.registerJob(syncJobDefinition({ ...definitionDeps, queue: opened.queue }));
    await opened.queue.registerJob(archiveJobDefinition({ store, archiveSchoolYear: null }));
    await opened.queue.registerJob(pruneJobDefinition({ store }));
  });
  afterAll(async () => {
    await opened?.close();
  });

  async function syncJobsOf(
    orgId: string,
  ): Promise<{ id: string; start_after: Date; data: { trigger: string } }[]> {
    const result = await store.executeSql(
      `select id, start_after, data from ${opened.schema}.job where name = $1 and singleton_key = $2`,
      [syncQueueName, orgId],
    );
    return result.rows as { id: string; start_after: Date; data: { trigger: string } }[];
  }

  it('runs missed slots once', async () => {
    const clock = fixedClock(new Date('2026-12-01T18:00:00Z'));
    const org = await createTestOrg(store, { timezone: 'America/Los_Angeles' });
    await saveSchedule(store.db, clock, config, org.slug, { frequency: 'daily', time: '21:30' }, 'test');

    // The scheduler was down for six days: six slots passed.
    clock.set(new Date('2026-12-07T20:00:00Z'));
    const first = await runSchedulerPass({ store, queue: opened.queue, clock, logger, spreadMinutes: 0 });
    expect(first.queued).toContain(org.id);
    const jobs = await syncJobsOf(org.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data.trigger).toBe('scheduled');

    const settings = await store.db
      .selectFrom('syncSettings')
      .selectAll()
      .where('orgId', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(settings.nextRunAt?.toISOString()).toBe('2026-12-08T05:30:00.000Z');
    expect(settings.lastScheduledRunAt?.toISOString()).toBe('2026-12-02T05:30:00.000Z');

    const second = await runSchedulerPass({ store, queue: opened.queue, clock, logger, spreadMinutes: 0 });
    expect(second.queued).not.toContain(org.id);
    expect(await syncJobsOf(org.id)).toHaveLength(1);
  });

  it('queues nothing before the slot', async () => {
    const clock = fixedClock(new Date('2026-12-07T20:00:00Z'));
    const org = await createTestOrg(store, { timezone: 'America/Los_Angeles' });
    await saveSchedule(
      store.db,
      clock,
      config,
      org.slug,
      { frequency: 'weekly', weekday: 1, time: '21:30' },
      'test',
    );
    const pass = await runSchedulerPass({ store, queue: opened.queue, clock, logger, spreadMinutes: 0 });
    expect(pass.queued).not.toContain(org.id);
    expect(await syncJobsOf(org.id)).toHaveLength(0);
  });

  it('skips organizations with auto rostering off', async () => {
    const clock = fixedClock(new Date('2026-12-01T18:00:00Z'));
    const org = await createTestOrg(store);
    await saveSchedule(store.db, clock, config, org.slug, { frequency: 'daily', time: '21:30' }, 'test');
    await store.db
      .updateTable('organizations')
      .set({ autoRostering: false })
      .where('id', '=', org.id)
      .execute();
    clock.set(new Date('2026-12-03T18:00:00Z'));
    const pass = await runSchedulerPass({ store, queue: opened.queue, clock, logger, spreadMinutes: 0 });
    expect(pass.queued).not.toContain(org.id);
  });

  it('queues a slot once with two schedulers', async () => {
    const clock = fixedClock(new Date('2026-12-01T18:00:00Z'));
    const orgs = await Promise.all([1, 2, 3].map(() => createTestOrg(store)));
    for (const org of orgs) {
      await saveSchedule(store.db, clock, config, org.slug, { frequency: 'daily', time: '22:00' }, 'test');
    }
    clock.set(new Date('2026-12-02T08:00:00Z'));
    const other = await openQueueOn(store, opened.schema);
    try {
      const [a, b] = await Promise.all([
        runSchedulerPass({ store, queue: opened.queue, clock, logger, spreadMinutes: 0 }),
        runSchedulerPass({ store, queue: other, clock, logger, spreadMinutes: 0 }),
      ]);
      for (const org of orgs) {
        expect([...a.queued, ...b.queued].filter((id) => id === org.id)).toHaveLength(1);
        expect(await syncJobsOf(org.id)).toHaveLength(1);
      }
    } finally {
      await other.stop();
    }
  });

  it('spreads starts by a fixed offset', async () => {
    const window = 15 * 60_000;
    const offsets = ['a', 'b', 'c', 'd'].map((id) => spreadOffsetMs(id, window));
    for (const offset of offsets) {
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(window);
    }
    expect(new Set(offsets).size).toBe(4);
    expect(spreadOffsetMs('a', window)).toBe(offsets[0]);
    expect(spreadOffsetMs('a', 0)).toBe(0);

    // A slot that has just come due starts at slot + offset (when that is still ahead).
    const now = new Date();
    const org = await createTestOrg(store);
    const slot = new Date(now.getTime() - 1000);
    await saveSchedule(
      store.db,
      fixedClock(now),
      config,
      org.slug,
      { frequency: 'weekly', weekday: 1, time: '12:00' },
      'test',
    );
    await store.db.updateTable('syncSettings').set({ nextRunAt: slot }).where('orgId', '=', org.id).execute();
    await runSchedulerPass({ store, queue: opened.queue, clock: fixedClock(now), logger, spreadMinutes: 15 });
    const [job] = await syncJobsOf(org.id);
    const expected = Math.max(slot.getTime() + spreadOffsetMs(org.id, window), now.getTime());
    expect(Math.abs(new Date(job!.start_after).getTime() - expected)).toBeLessThan(5_000);
  });

  it('queues the archive and pruning once', async () => {
    const org = await createTestOrg(store, { timezone: 'America/Los_Angeles' });
    // 1 August 2027, 01:00 in Los Angeles: the default archive date began an hour ago.
    const clock = fixedClock(new Date('2027-08-01T08:00:00Z'));
    const first = await queueDueTimedTasks({ store, queue: opened.queue, clock, logger });
    expect(first).toContain(`archive:${org.id}`);
    expect(first).toContain('prune');
    const archived = await store.executeSql(
      `select data from ${opened.schema}.job where name = $1 and singleton_key = $2`,
      [archiveQueueName, `archive:${org.id}`],
    );
    expect(archived.rows).toEqual([{ data: { orgId: org.id, schoolYear: 2027 } }]);

    clock.advance(3600_000);
    const second = await queueDueTimedTasks({ store, queue: opened.queue, clock, logger });
    expect(second).not.toContain(`archive:${org.id}`);
    expect(second).not.toContain('prune');

    // An organization created after this year's archive date waits for next year's.
    const fresh = await createTestOrg(store);
    const now = await queueDueTimedTasks({ store, queue: opened.queue, clock: systemClock, logger });
    expect(now).not.toContain(`archive:${fresh.id}`);
  });

  it('calls the archive on its job', async () => {
    const calls: unknown[] = [];
    const definition = archiveJobDefinition({
      store,
      archiveSchoolYear: async (_db, orgId, schoolYear, actor) => {
        calls.push({ orgId, schoolYear, actor });
      },
    });
    await definition.handler({
      id: 'job',
      name: archiveQueueName,
      data: { orgId: 'org-1', schoolYear: 2027 },
      retryCount: 0,
      signal: new AbortController().signal,
      logger,
    });
    expect(calls).toEqual([{ orgId: 'org-1', schoolYear: 2027, actor: 'scheduler' }]);
  });

  it('prunes staged records of finished runs', async () => {
    const org = await createTestOrg(store);
    const old = await store.db
      .insertInto('syncRuns')
      .values({
        orgId: org.id,
        trigger: 'manual',
        mode: 'full',
        status: 'succeeded',
        finishedAt: new Date(Date.now() - 2 * 86_400_000),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const running = await store.db
      .insertInto('syncRuns')
      .values({ orgId: org.id, trigger: 'manual', mode: 'full', status: 'running' })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const runId of [old.id, running.id]) {
      await store.db
        .insertInto('stagingRecords')
        .values({ runId, collection: 'users', sourcedId: 'u1', data: JSON.stringify({ sourcedId: 'u1' }) })
        .execute();
    }
    await pruneJobDefinition({ store }).handler({
      id: 'job',
      name: pruneQueueName,
      data: {},
      retryCount: 0,
      signal: new AbortController().signal,
      logger,
    });
    const left = await store.db
      .selectFrom('stagingRecords')
      .select('runId')
      .where('runId', 'in', [old.id, running.id])
      .execute();
    expect(left.map((row) => row.runId)).toEqual([running.id]);
  });
});

describeEachStore('serve', ({ store }) => {
  it('runs a due sync in process', async () => {
    const org = await createTestOrg(store);
    await saveSchedule(
      store.db,
      systemClock,
      config,
      org.slug,
      { frequency: 'weekly', weekday: 1, time: '12:00' },
      'test',
    );
    await store.db
      .updateTable('syncSettings')
      .set({ nextRunAt: new Date(Date.now() - 60_000) })
      .where('orgId', '=', org.id)
      .execute();

    const { runner, runs } = standInRunner(store, { durationMs: 10 });
    const schema = `pgboss_serve_${Math.random().toString(36).slice(2, 10)}`;
    const handle = await startServe({
      store,
      config: { ...config, databaseUrl: store.kind === 'postgres' ? process.env.TEST_DATABASE_URL! : null },
      logger,
      secretKey: () => {
        throw new Error('no secret in this test');
      },
      runner,
      queueSchema: schema,
      pollingIntervalSeconds: 0.5,
      settings: {
        spreadMinutes: 0,
        hostConcurrency: 2,
        workerConcurrency: 1,
        shutdownGraceSeconds: 5,
        schedulerIntervalSeconds: 1,
        queueSchema: schema,
      },
    });
    try {
      await waitFor(() => runs.some((run) => run.orgId === org.id), 20_000, 'the scheduled run');
      expect(runs.filter((run) => run.orgId === org.id)).toHaveLength(1);
    } finally {
      await handle.stop();
      await store.executeSql(`drop schema if exists ${schema} cascade`);
    }
  });
});
