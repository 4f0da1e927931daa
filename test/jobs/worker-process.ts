/**
 * A worker process for the multi-process test: `rostersync worker` with the sync engine replaced
 * by the stand-in runner, on the PostgreSQL schema the test names. Prints "ready" on standard
 * output once it polls for jobs, and stops on SIGTERM like the real command.
 *
 * Environment: WORKER_DATABASE_URL, WORKER_SCHEMA (tables), WORKER_QUEUE_SCHEMA (pg-boss),
 * WORKER_RUN_MS (how long a run takes; organizations whose slug starts with "medium" take two
 * seconds and "slow" a minute).
 */
import { loadConfig } from '../../src/core/config.ts';
import { createLogger } from '../../src/core/logger.ts';
import { openStore } from '../../src/db/store.ts';
import { startWorker, stopOnSignals } from '../../src/jobs/processes.ts';
import type { SyncRunner } from '../../src/jobs/sync-job.ts';
import { standInRunner } from './stand-in-runner.ts';

const databaseUrl = process.env.WORKER_DATABASE_URL!;
const runMs = Number(process.env.WORKER_RUN_MS ?? '150');
const logger = createLogger({ level: 'warn', pretty: false });
const store = await openStore({
  databaseUrl,
  dataDir: null,
  schema: process.env.WORKER_SCHEMA!,
  poolSize: 4,
});

const quick = standInRunner(store, { durationMs: runMs }).runner;
const medium = standInRunner(store, { durationMs: 2_000 }).runner;
const slow = standInRunner(store, { durationMs: 60_000 }).runner;
const runner: SyncRunner = async (request) => {
  const org = await store.db
    .selectFrom('organizations')
    .select('slug')
    .where('id', '=', request.orgId)
    .executeTakeFirstOrThrow();
  if (org.slug.startsWith('slow')) return slow(request);
  if (org.slug.startsWith('medium')) return medium(request);
  return quick(request);
};

const handle = await startWorker({
  store,
  config: { ...loadConfig({}), databaseUrl },
  logger,
  secretKey: () => {
    throw new Error('the stand-in runner needs no secret');
  },
  runner,
  queueSchema: process.env.WORKER_QUEUE_SCHEMA!,
  pollingIntervalSeconds: 0.5,
  busyDelaySeconds: () => 0.3,
  settings: {
    spreadMinutes: 0,
    hostConcurrency: 50,
    workerConcurrency: 3,
    shutdownGraceSeconds: 10,
    schedulerIntervalSeconds: 60,
    queueSchema: process.env.WORKER_QUEUE_SCHEMA!,
  },
});
process.stdout.write('ready\n');
await stopOnSignals(handle, logger);
await store.close();
process.stdout.write('stopped\n');
