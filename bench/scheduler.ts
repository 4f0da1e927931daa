/**
 * Cost of one scheduler pass over many organizations with schedules: finding the due ones,
 * computing each next run time in its zone, arming it, and queuing the runs in pg-boss. The
 * target is well under a second for 10,000 organizations all due at once (the worst case, as
 * when many pick the same time). Also times a pass where one zone's popular 21:30 batch (a fifth
 * of the organizations) comes due, and an idle pass (nothing due).
 *
 * Runs on the embedded PGlite store, or on PostgreSQL when BENCH_DATABASE_URL is set (in a
 * schema of its own, dropped afterwards).
 *
 * Run alone: `npx tsx bench/scheduler.ts [organizations]`.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

import { sql } from 'kysely';

import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openStore, quoteIdentifier, type Store } from '../src/db/store.ts';
import { JobQueue } from '../src/jobs/queue.ts';
import { runSchedulerPass } from '../src/jobs/scheduler.ts';
import { syncJobDefinition } from '../src/jobs/sync-job.ts';

export interface SchedulerBenchOptions {
  /** Organizations with schedules. Default 10,000. */
  organizations?: number;
  /** PostgreSQL URL; default BENCH_DATABASE_URL, and the embedded store when neither is set. */
  databaseUrl?: string | null;
}

export interface SchedulerBenchResult {
  name: 'scheduler';
  store: 'pglite' | 'postgres';
  organizations: number;
  /** Runs the timed pass queued (every organization is due). */
  queued: number;
  /** One pass that finds, arms and queues every due run, in milliseconds. */
  passMs: number;
  /** A pass right after, with nothing due, in milliseconds. */
  idlePassMs: number;
  /** Runs queued by a pass when one zone's daily 21:30 batch (a fifth of all) comes due. */
  batchQueued: number;
  /** That pass, in milliseconds. */
  batchPassMs: number;
  /** One-minute load average when the benchmark ended; timings on a busy machine run long. */
  loadAverage: number;
  /** Jobs queued per second in the timed pass. */
  runsPerSecond: number;
}

/** Seeds the organizations, runs the passes and removes everything it made. */
export async function benchScheduler(options: SchedulerBenchOptions = {}): Promise<SchedulerBenchResult> {
  const organizations = options.organizations ?? 10_000;
  const databaseUrl = options.databaseUrl ?? process.env.BENCH_DATABASE_URL ?? null;
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const queueSchema = `pgboss_${schema}`;
  const store = await openBenchStore(databaseUrl, schema);
  const logger = silentLogger();
  let queue: JobQueue | null = null;

  try {
    await migrateToLatest(store);
    await seedOrganizations(store, organizations);
    queue = await JobQueue.open({ store, databaseUrl, schema: queueSchema, logger });
    await queue.registerJob(
      syncJobDefinition({
        store,
        queue,
        runner: () => Promise.reject(new Error('the benchmark runs no syncs')),
        workerId: 'bench',
        hostConcurrency: 1,
        concurrency: 1,
      }),
    );

    const options = { store, queue, clock: systemClock, logger, spreadMinutes: 15 };
    const started = performance.now();
    const pass = await runSchedulerPass(options);
    const passMs = performance.now() - started;

    const idleStarted = performance.now();
    await runSchedulerPass(options);
    const idlePassMs = performance.now() - idleStarted;

    await sql`
      update sync_settings s set next_run_at = now() - interval '1 minute'
      from organizations o
      where o.id = s.org_id and o.timezone = 'America/New_York' and s.schedule_frequency = 'daily'`.execute(
      store.db,
    );
    const batchStarted = performance.now();
    const batch = await runSchedulerPass(options);
    const batchPassMs = performance.now() - batchStarted;

    return {
      name: 'scheduler',
      store: store.kind,
      organizations,
      queued: pass.queued.length,
      passMs: round(passMs),
      idlePassMs: round(idlePassMs),
      batchQueued: batch.queued.length,
      batchPassMs: round(batchPassMs),
      loadAverage: round(os.loadavg()[0] ?? 0),
      runsPerSecond: Math.round(pass.queued.length / (passMs / 1000)),
    };
  } finally {
    await queue?.stop({ graceMs: 1000 });
    if (store.kind === 'postgres') {
      await store.executeSql(`drop schema if exists ${quoteIdentifier(queueSchema)} cascade`);
      await store.executeSql(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
    }
    await store.close();
  }
}

async function openBenchStore(databaseUrl: string | null, schema: string): Promise<Store> {
  if (!databaseUrl) return openStore({ databaseUrl: null, dataDir: null });
  const setup = await openStore({ databaseUrl, dataDir: null, poolSize: 1 });
  await setup.executeSql(`create schema ${quoteIdentifier(schema)}`);
  await setup.close();
  return openStore({ databaseUrl, dataDir: null, schema, poolSize: 4 });
}

/**
 * Inserts organizations in four US zones, most scheduled daily at 21:30 (the popular choice),
 * the rest weekly or monthly, all due a minute ago.
 */
async function seedOrganizations(store: Store, count: number): Promise<void> {
  await sql`
    insert into organizations (slug, name, timezone)
    select 'bench-' || g, 'Bench ' || g,
      (array['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'])[1 + g % 4]
    from generate_series(1, ${count}::int) as g`.execute(store.db);
  await sql`
    insert into sync_settings (org_id, schedule_frequency, schedule_time, schedule_weekday, schedule_month_day, next_run_at)
    select id,
      case when n % 10 < 8 then 'daily' when n % 10 = 8 then 'weekly' else 'monthly' end,
      case when n % 10 < 8 then '21:30' else '06:00' end,
      case when n % 10 = 8 then 1 + n % 7 end,
      case when n % 10 = 9 then 1 + n % 28 end,
      now() - interval '1 minute'
    from (select id, row_number() over (order by id) as n from organizations) as o`.execute(store.db);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const organizations = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const result = await benchScheduler({ organizations });
  console.log(
    `Scheduler pass (${result.store}): ${result.organizations} organizations due, ${result.queued} queued in ` +
      `${result.passMs} ms (target well under 1000 ms, ${result.runsPerSecond} runs/s); ` +
      `one zone's batch: ${result.batchQueued} queued in ${result.batchPassMs} ms; idle pass ${result.idlePassMs} ms; ` +
      `load average ${result.loadAverage}`,
  );
}
