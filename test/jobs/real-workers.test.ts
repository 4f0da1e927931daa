import { randomBytes } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { systemClock } from '../../src/core/clock.ts';
import { loadConfig } from '../../src/core/config.ts';
import { parseSecretKey } from '../../src/core/crypto.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Store } from '../../src/db/store.ts';
import { type RunningEmulator, startEmulator } from '../../src/emulator/server.ts';
import { saveSchedule } from '../../src/jobs/org-schedule.ts';
import { runSchedulerPass } from '../../src/jobs/scheduler.ts';
import { syncJobDefinition } from '../../src/jobs/sync-job.ts';
import { saveRosterConnection } from '../../src/roster/organizations.ts';
import { createTestStore } from '../support/stores.ts';
import { standInRunner } from './stand-in-runner.ts';
import { createTestOrg, openTestQueue, waitFor } from './support.ts';

const databaseUrl = process.env.TEST_DATABASE_URL;
if (!databaseUrl) {
  console.log(
    'NOTE: the `rostersync worker` process test did not run because TEST_DATABASE_URL is not set; worker processes need PostgreSQL.',
  );
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const config = loadConfig({ ROSTERSYNC_DATA_DIR: '/nonexistent' });
const secretKeyText = randomBytes(32).toString('hex');

// Two `rostersync worker` processes run the real sync engine against the OneRoster emulator.
describe.skipIf(!databaseUrl)('rostersync worker processes [postgres]', () => {
  let store: Store & { schema?: string };
  let opened: Awaited<ReturnType<typeof openTestQueue>>;
  let emulator: RunningEmulator;
  const children: { child: ChildProcess; output: string[] }[] = [];

  function startWorkerCommand(): Promise<void> {
    const url = new URL(databaseUrl!);
    url.searchParams.set('options', `-c search_path=${store.schema}`);
    const child = spawn(process.execPath, ['bin/rostersync.js', 'worker'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: url.toString(),
        ROSTERSYNC_SECRET_KEY: secretKeyText,
        ROSTERSYNC_QUEUE_SCHEMA: opened.schema,
        ROSTERSYNC_ALLOW_PRIVATE_ENDPOINTS: '1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const entry = { child, output: [] as string[] };
    child.stdout!.on('data', (chunk: Buffer) => entry.output.push(chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => entry.output.push(chunk.toString()));
    children.push(entry);
    return waitFor(
      () => {
        if (child.exitCode !== null)
          throw new Error(`rostersync worker exited early:\n${entry.output.join('')}`);
        return entry.output.join('').includes('Sync worker is running');
      },
      150_000,
      'rostersync worker to start',
    );
  }

  beforeAll(async () => {
    store = await createTestStore('postgres');
    opened = await openTestQueue(store);
    await opened.queue.registerJob(
      syncJobDefinition({
        store,
        queue: opened.queue,
        runner: standInRunner(store, { durationMs: 1 }).runner,
        workerId: 'scheduler',
        hostConcurrency: 4,
        concurrency: 1,
      }),
    );
    emulator = await startEmulator({ generate: { students: 12, seed: 'workers' } });
    await Promise.all([startWorkerCommand(), startWorkerCommand()]);
  }, 180_000);

  afterAll(async () => {
    for (const { child } of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
    await emulator?.close();
    await opened?.close();
    await store?.close();
  });

  it('syncs each due organization once', async () => {
    const secretKey = parseSecretKey(secretKeyText);
    const eightDaysAgo = { now: () => new Date(Date.now() - 8 * 86_400_000) };
    const orgIds: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      const org = await createTestOrg(store, { prefix: 'real' });
      await saveRosterConnection(
        store.db,
        org.slug,
        {
          endpointUrl: emulator.url11,
          version: '1.1',
          authKind: 'oauth1',
          signatureMethod: 'HMAC-SHA256',
          key: emulator.key,
          secret: emulator.secret,
          tokenUrl: null,
          scopes: null,
          actor: 'test',
        },
        secretKey,
      );
      await saveSchedule(
        store.db,
        eightDaysAgo,
        config,
        org.slug,
        { frequency: 'daily', time: '21:00' },
        'test',
      );
      orgIds.push(org.id);
    }

    const pass = await runSchedulerPass({
      store,
      queue: opened.queue,
      clock: systemClock,
      logger: silentLogger(),
      spreadMinutes: 0,
    });
    expect(pass.queued.filter((id) => orgIds.includes(id))).toHaveLength(6);

    const finished = async () =>
      store.db
        .selectFrom('syncRuns')
        .select(['orgId', 'status', 'trigger', 'workerId', 'error'])
        .where('orgId', 'in', orgIds)
        .where('status', 'not in', ['queued', 'running'])
        .execute();
    await waitFor(async () => (await finished()).length >= 6, 120_000, 'six finished runs');

    const runs = await finished();
    for (const orgId of orgIds) {
      const own = runs.filter((run) => run.orgId === orgId);
      expect(own).toHaveLength(1);
      expect(own[0]!.error).toBeNull();
      expect(own[0]!.status).toBe('succeeded');
      expect(own[0]!.trigger).toBe('scheduled');
    }
    const children = await store.db
      .selectFrom('children')
      .select('orgId')
      .where('orgId', 'in', orgIds)
      .execute();
    for (const orgId of orgIds) expect(children.some((child) => child.orgId === orgId)).toBe(true);
  });
});
