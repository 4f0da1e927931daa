import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { silentLogger } from '../../src/core/logger.ts';
import { claimSync, releaseSync } from '../../src/jobs/locks.ts';
import type { JobQueue } from '../../src/jobs/queue.ts';
import { recoverStaleClaims } from '../../src/jobs/recovery.ts';
import { enqueueSync, type SyncRunner, syncJobDefinition, syncQueueName } from '../../src/jobs/sync-job.ts';
import { jobsDb } from '../../src/jobs/tables.ts';
import { describeEachStore } from '../support/stores.ts';
import { standInRunner } from './stand-in-runner.ts';
import { createTestOrg, jobState, openQueueOn, openTestQueue, waitFor } from './support.ts';

function definition(
  queue: JobQueue,
  runner: SyncRunner,
  workerId: string,
  store: Parameters<typeof syncJobDefinition>[0]['store'],
) {
  return syncJobDefinition({
    store,
    queue,
    runner,
    workerId,
    hostConcurrency: 4,
    concurrency: 2,
    heartbeatSeconds: 1,
    busyDelaySeconds: () => 1,
    pollingIntervalSeconds: 0.5,
  });
}

describeEachStore('sync queue', ({ store }) => {
  let opened: Awaited<ReturnType<typeof openTestQueue>>;
  beforeAll(async () => {
    opened = await openTestQueue(store);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('joins a request to a queued one', async () => {
    const org = await createTestOrg(store);
    const { queue } = opened;
    await queue.registerJob(
      definition(queue, standInRunner(store, { durationMs: 10 }).runner, 'w-join', store),
    );
    const first = await enqueueSync(queue, { orgId: org.id, trigger: 'manual' });
    const second = await enqueueSync(queue, { orgId: org.id, trigger: 'scheduled' });
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    await queue.boss.deleteJob(syncQueueName, first!);
  });

  it('never runs one organization twice at once', async () => {
    const org = await createTestOrg(store);
    const { runner, runs } = standInRunner(store, { durationMs: 600 });
    const first = await openQueueOn(store, opened.schema);
    const second = await openQueueOn(store, opened.schema);
    try {
      await first.registerJob(definition(first, runner, 'worker-a', store));
      await second.registerJob(definition(second, runner, 'worker-b', store));
      await enqueueSync(first, { orgId: org.id, trigger: 'manual' });
      await first.startWorkers();
      await second.startWorkers();
      await waitFor(
        () => runs.length === 0 && first.runningJobIds().length + second.runningJobIds().length > 0,
        10_000,
        'the first run',
      );
      // Requested while the first runs: a second worker picks it up, finds the organization busy
      // and puts it back until the first run has finished.
      await enqueueSync(second, { orgId: org.id, trigger: 'manual' });
      await waitFor(() => runs.length === 2, 20_000, 'both runs');

      const [a, b] = [...runs].sort((x, y) => x.startedAt - y.startedAt);
      expect(b!.startedAt).toBeGreaterThanOrEqual(a!.finishedAt);
    } finally {
      await second.stop({ graceMs: 5_000 });
      await first.stop({ graceMs: 5_000 });
    }
  });

  it('limits syncs per roster host', async () => {
    const [a, b, c] = await Promise.all([createTestOrg(store), createTestOrg(store), createTestOrg(store)]);
    const claim = (orgId: string, rosterHost: string) =>
      claimSync(store.db, {
        orgId,
        rosterHost,
        jobId: `job-${orgId}`,
        workerId: 'w-host',
        hostLimit: 1,
      });

    expect(await claim(a!.id, 'roster.example.org')).toBe('claimed');
    expect(await claim(b!.id, 'roster.example.org')).toBe('host-busy');
    expect(await claim(c!.id, 'other.example.org')).toBe('claimed');
    expect(await claim(a!.id, 'roster.example.org')).toBe('org-busy');

    await releaseSync(store.db, a!.id, 'w-host');
    expect(await claim(b!.id, 'roster.example.org')).toBe('claimed');
    await releaseSync(store.db, b!.id, 'w-host');
    await releaseSync(store.db, c!.id, 'w-host');
  });

  it('retries transient failures later', async () => {
    const transient = await createTestOrg(store);
    const final = await createTestOrg(store);
    const { runner, runs } = standInRunner(store, {
      durationMs: 10,
      failWith: (orgId) => (orgId === transient.id ? 'ONEROSTER_SERVER_ERROR' : 'ONEROSTER_AUTH_REJECTED'),
    });
    const { schema } = opened;
    const queue = await openQueueOn(store, schema);
    await queue.registerJob(definition(queue, runner, 'w-retry', store));
    const transientJob = await enqueueSync(queue, { orgId: transient.id, trigger: 'scheduled' });
    const finalJob = await enqueueSync(queue, { orgId: final.id, trigger: 'scheduled' });
    await queue.startWorkers();
    await waitFor(
      async () => (await jobState(store, schema, finalJob!))?.state === 'completed',
      10_000,
      'final job',
    );
    await waitFor(
      async () => (await jobState(store, schema, transientJob!))?.state === 'retry',
      10_000,
      'retry',
    );

    const retry = await jobState(store, schema, transientJob!);
    // The first retry waits the 300-second delay (doubled by backoff), not a tight loop.
    expect(retry!.startAfter.getTime()).toBeGreaterThan(Date.now() + 250_000);
    expect(runs.filter((run) => run.orgId === transient.id)).toHaveLength(1);
    expect(runs.filter((run) => run.orgId === final.id)).toHaveLength(1);
    await queue.stop({ graceMs: 5_000 });
  });

  it('recovers the run of a dead worker', async () => {
    const org = await createTestOrg(store);
    const { queue, schema } = opened;
    await queue.registerJob(
      definition(queue, standInRunner(store, { durationMs: 10 }).runner, 'w-live', store),
    );

    // Leave what a worker killed mid-run leaves: an active job, a claim and a running run row.
    const jobId = await enqueueSync(queue, { orgId: org.id, trigger: 'scheduled' });
    const [fetched] = await queue.boss.fetch(syncQueueName);
    expect(fetched?.id).toBe(jobId);
    const run = await store.db
      .insertInto('syncRuns')
      .values({ orgId: org.id, trigger: 'scheduled', mode: 'full', status: 'running', startedAt: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await jobsDb(store.db)
      .insertInto('jobLocks')
      .values({
        lockKey: `sync:${org.id}`,
        orgId: org.id,
        jobId: jobId!,
        workerId: 'dead-worker',
        lockedAt: sql<Date>`now() - interval '10 minutes'`,
        heartbeatAt: sql<Date>`now() - interval '5 minutes'`,
      })
      .execute();

    const recovered = await recoverStaleClaims({
      store,
      queue,
      logger: silentLogger(),
      staleAfterSeconds: 90,
    });
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.interruptedRunIds).toEqual([run.id]);

    const row = await store.db
      .selectFrom('syncRuns')
      .selectAll()
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.error?.code).toBe('SYNC_INTERRUPTED');
    expect((await jobState(store, schema, jobId!))?.state).toBe('retry');
    const locks = await jobsDb(store.db)
      .selectFrom('jobLocks')
      .selectAll()
      .where('orgId', '=', org.id)
      .execute();
    expect(locks).toHaveLength(0);

    // A live claim is left alone.
    await jobsDb(store.db)
      .insertInto('jobLocks')
      .values({
        lockKey: `sync:${org.id}`,
        orgId: org.id,
        workerId: 'live',
        lockedAt: new Date(),
        heartbeatAt: sql<Date>`now()`,
      })
      .execute();
    expect(
      await recoverStaleClaims({ store, queue, logger: silentLogger(), staleAfterSeconds: 90 }),
    ).toHaveLength(0);
    await jobsDb(store.db).deleteFrom('jobLocks').where('orgId', '=', org.id).execute();
  });

  it('cancels a run whose claim was recovered', async () => {
    const org = await createTestOrg(store);
    const worker = await openQueueOn(store, opened.schema);
    const { runner, runs } = standInRunner(store, { durationMs: 60_000 });
    try {
      await worker.registerJob(definition(worker, runner, 'w-lost', store));
      await enqueueSync(worker, { orgId: org.id, trigger: 'manual' });
      await worker.startWorkers();
      await waitFor(() => worker.runningJobIds().length === 1, 10_000, 'the run to start');

      // Another process took the claim away, as recovery does for a worker it thinks dead.
      await jobsDb(store.db).deleteFrom('jobLocks').where('orgId', '=', org.id).execute();
      await waitFor(() => runs.length === 1, 10_000, 'the run to stop');
      expect(runs[0]!.aborted).toBe(true);
    } finally {
      await worker.stop({ graceMs: 5_000 });
    }
  });

  it('lets a running sync finish on stop', async () => {
    const org = await createTestOrg(store);
    const second = await openQueueOn(store, opened.schema);
    const { runner, runs } = standInRunner(store, { durationMs: 700 });
    await second.registerJob(definition(second, runner, 'w-stop', store));
    const jobId = await enqueueSync(second, { orgId: org.id, trigger: 'manual' });
    await second.startWorkers();
    await waitFor(() => second.runningJobIds().length === 1, 10_000, 'the run to start');

    await second.stop({ graceMs: 10_000 });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.aborted).toBe(false);
    expect((await jobState(store, opened.schema, jobId!))?.state).toBe('completed');
  });

  it('hands back a sync that outlives the grace period', async () => {
    const org = await createTestOrg(store);
    const second = await openQueueOn(store, opened.schema);
    const { runner, runs } = standInRunner(store, { durationMs: 60_000 });
    await second.registerJob(definition(second, runner, 'w-abort', store));
    const jobId = await enqueueSync(second, { orgId: org.id, trigger: 'manual' });
    await second.startWorkers();
    await waitFor(() => second.runningJobIds().length === 1, 10_000, 'the run to start');

    await second.stop({ graceMs: 300 });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.aborted).toBe(true);
    expect((await jobState(store, opened.schema, jobId!))?.state).toBe('completed');
    const queued = await store.executeSql(
      `select id from ${opened.schema}.job where name = $1 and singleton_key = $2 and state = 'created'`,
      [syncQueueName, org.id],
    );
    expect(queued.rows).toHaveLength(1);
    const locks = await jobsDb(store.db)
      .selectFrom('jobLocks')
      .selectAll()
      .where('orgId', '=', org.id)
      .execute();
    expect(locks).toHaveLength(0);
  });
});
