import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixedClock, systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Store } from '../../src/db/store.ts';
import { saveSchedule } from '../../src/jobs/org-schedule.ts';
import { recoverStaleClaims } from '../../src/jobs/recovery.ts';
import { runSchedulerPass } from '../../src/jobs/scheduler.ts';
import { enqueueSync, syncJobDefinition, syncQueueName } from '../../src/jobs/sync-job.ts';
import { createTestStore } from '../support/stores.ts';
import { standInRunner } from './stand-in-runner.ts';
import { createTestOrg, jobState, openTestQueue, waitFor } from './support.ts';

const databaseUrl = process.env.TEST_DATABASE_URL;
if (!databaseUrl) {
  console.log(
    'NOTE: the two-worker-process test did not run because TEST_DATABASE_URL is not set; worker processes need PostgreSQL.',
  );
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = loadConfig({ ROSTERSYNC_DATA_DIR: '/nonexistent' });
const logger = silentLogger();

interface Worker {
  child: ChildProcess;
  output: string[];
}

describe.skipIf(!databaseUrl)('two worker processes [postgres]', () => {
  let store: Store & { schema?: string };
  let opened: Awaited<ReturnType<typeof openTestQueue>>;
  const workers: Worker[] = [];

  function startWorkerProcess(): Promise<Worker> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/jobs/worker-process.ts'], {
      cwd: root,
      env: {
        ...process.env,
        WORKER_DATABASE_URL: databaseUrl,
        WORKER_SCHEMA: store.schema,
        WORKER_QUEUE_SCHEMA: opened.schema,
        WORKER_RUN_MS: '150',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker: Worker = { child, output: [] };
    child.stdout!.on('data', (chunk: Buffer) =>
      worker.output.push(...chunk.toString().split('\n').filter(Boolean)),
    );
    child.stderr!.on('data', (chunk: Buffer) => worker.output.push(chunk.toString()));
    workers.push(worker);
    return waitFor(
      () => {
        if (child.exitCode !== null)
          throw new Error(`The worker process exited early:\n${worker.output.join('')}`);
        return worker.output.includes('ready');
      },
      150_000,
      'a worker process to start',
    ).then(() => worker);
  }

  async function runsOf(orgIds: string[]) {
    return store.db
      .selectFrom('syncRuns')
      .select(['orgId', 'status', 'workerId', 'startedAt', 'finishedAt', 'error'])
      .where('orgId', 'in', orgIds)
      .execute();
  }

  beforeAll(async () => {
    store = await createTestStore('postgres');
    opened = await openTestQueue(store);
    // The scheduler side registers the sync queue; the worker processes run it.
    await opened.queue.registerJob(
      syncJobDefinition({
        store,
        queue: opened.queue,
        runner: standInRunner(store, { durationMs: 1 }).runner,
        workerId: 'scheduler',
        hostConcurrency: 50,
        concurrency: 1,
      }),
    );
    await Promise.all([startWorkerProcess(), startWorkerProcess()]);
  }, 180_000);

  afterAll(async () => {
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.child.kill('SIGKILL');
        await once(worker.child, 'exit');
      }
    }
    await opened?.close();
    await store?.close();
  });

  it('syncs each due organization once', async () => {
    const clock = fixedClock(new Date(Date.now() - 8 * 86_400_000));
    const orgs = [];
    for (let index = 0; index < 30; index += 1) {
      const org = await createTestOrg(store, { prefix: 'due' });
      await saveSchedule(store.db, clock, config, org.slug, { frequency: 'daily', time: '21:00' }, 'test');
      orgs.push(org);
    }
    const orgIds = orgs.map((org) => org.id);

    const pass = await runSchedulerPass({
      store,
      queue: opened.queue,
      clock: systemClock,
      logger,
      spreadMinutes: 0,
    });
    expect(pass.queued.filter((id) => orgIds.includes(id))).toHaveLength(30);
    await waitFor(
      async () => (await runsOf(orgIds)).filter((run) => run.status === 'succeeded').length === 30,
      60_000,
      '30 runs',
    );

    const runs = await runsOf(orgIds);
    for (const orgId of orgIds) expect(runs.filter((run) => run.orgId === orgId)).toHaveLength(1);
    const processes = new Set(runs.map((run) => run.workerId));
    expect(processes.size).toBe(2);
  });

  it('never runs an organization in two workers at once', async () => {
    const orgs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => createTestOrg(store, { prefix: 'dup' })));
    const orgIds = orgs.map((org) => org.id);
    // Three requests per organization under distinct singleton keys, so the queue hands them to
    // several workers at once and only the claim keeps them apart. A request that finds its
    // organization busy waits in the queue, where a later one joins it.
    await opened.queue.sendMany(
      syncQueueName,
      orgIds.flatMap((orgId) =>
        [1, 2, 3].map((n) => ({
          data: { orgId, trigger: 'manual' as const },
          singletonKey: `${orgId}:${n}`,
        })),
      ),
    );
    await waitFor(
      async () => {
        const pending = await store.executeSql(
          `select count(*)::int as count from ${opened.schema}.job where name = $1 and state < 'completed' and data->>'orgId' = any($2)`,
          [syncQueueName, orgIds],
        );
        const busy = (await runsOf(orgIds)).some((run) => run.status === 'running');
        return (pending.rows[0] as { count: number }).count === 0 && !busy;
      },
      60_000,
      'every request to end',
    );

    const runs = await runsOf(orgIds);
    for (const orgId of orgIds) {
      const own = runs
        .filter((run) => run.orgId === orgId)
        .sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
      expect(own.length).toBeGreaterThanOrEqual(2);
      expect(own.every((run) => run.status === 'succeeded')).toBe(true);
      for (let index = 1; index < own.length; index += 1) {
        expect(own[index]!.startedAt!.getTime()).toBeGreaterThanOrEqual(
          own[index - 1]!.finishedAt!.getTime(),
        );
      }
    }
  });

  it('recovers the run of a killed worker', async () => {
    const org = await createTestOrg(store, { prefix: 'slow' });
    const jobId = await enqueueSync(opened.queue, { orgId: org.id, trigger: 'scheduled' });
    await waitFor(
      async () => (await runsOf([org.id])).some((run) => run.status === 'running'),
      20_000,
      'the slow run',
    );
    const [running] = await runsOf([org.id]);
    const pid = Number(running!.workerId!.split(':').at(-1));
    const victim = workers.find((worker) => worker.child.pid === pid)!;
    expect(victim).toBeDefined();

    victim.child.kill('SIGKILL');
    await once(victim.child, 'exit');
    // This process recovers it here, unless the surviving worker's own recovery pass got there first.
    await recoverStaleClaims({ store, queue: opened.queue, logger, staleAfterSeconds: 90 });
    await waitFor(
      async () => (await jobState(store, opened.schema, jobId!))?.state === 'retry',
      10_000,
      'the retry',
    );

    const [run] = await runsOf([org.id]);
    expect(run!.status).toBe('failed');
    expect(run!.error?.code).toBe('SYNC_INTERRUPTED');
    expect((await jobState(store, opened.schema, jobId!))?.state).toBe('retry');
  });

  it('lets the running sync finish on SIGTERM', async () => {
    const survivor = workers.find(
      (worker) => worker.child.exitCode === null && worker.child.signalCode === null,
    )!;
    const org = await createTestOrg(store, { prefix: 'medium' });
    await enqueueSync(opened.queue, { orgId: org.id, trigger: 'manual' });
    await waitFor(
      async () => (await runsOf([org.id])).some((run) => run.status === 'running'),
      20_000,
      'the run',
    );

    survivor.child.kill('SIGTERM');
    const [code] = (await once(survivor.child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(survivor.output).toContain('stopped');
    const [run] = await runsOf([org.id]);
    expect(run!.status).toBe('succeeded');
  });
});
