import { randomBytes } from 'node:crypto';

import { silentLogger } from '../../src/core/logger.ts';
import { JobQueue } from '../../src/jobs/queue.ts';
import type { Store } from '../../src/db/store.ts';
import { createOrganization } from '../../src/roster/organizations.ts';
import type { RunTrigger } from '../../src/sync/report.ts';

let counter = 0;

/** Creates an organization with a unique slug and returns its id and slug. */
export async function createTestOrg(
  store: Store,
  options: { timezone?: string; prefix?: string } = {},
): Promise<{ id: string; slug: string }> {
  counter += 1;
  const slug = `${options.prefix ?? 'org'}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  const org = await createOrganization(store.db, {
    name: `Test ${slug}`,
    slug,
    timezone: options.timezone ?? 'America/Los_Angeles',
    actor: 'test',
  });
  return { id: org.id, slug: org.slug };
}

/** Inserts a finished run row, as the sync engine leaves one. */
export async function insertFinishedRun(
  store: Store,
  orgId: string,
  run: { trigger: RunTrigger; status: 'succeeded' | 'failed'; at: Date },
): Promise<string> {
  const row = await store.db
    .insertInto('syncRuns')
    .values({
      orgId,
      trigger: run.trigger,
      mode: 'full',
      status: run.status,
      createdAt: run.at,
      startedAt: run.at,
      finishedAt: new Date(run.at.getTime() + 60_000),
      error:
        run.status === 'failed'
          ? JSON.stringify({ code: 'ONEROSTER_AUTH_REJECTED', message: 'rejected', hint: 'check' })
          : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes; throws on timeout. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Opens a job queue in a pg-boss schema of its own; `close` stops it and drops the schema. */
export async function openTestQueue(
  store: Store,
): Promise<{ queue: JobQueue; schema: string; close: () => Promise<void> }> {
  const schema = `pgboss_test_${randomBytes(5).toString('hex')}`;
  const databaseUrl = store.kind === 'postgres' ? (process.env.TEST_DATABASE_URL ?? null) : null;
  const queue = await JobQueue.open({ store, databaseUrl, schema, logger: silentLogger(), poolSize: 3 });
  return {
    queue,
    schema,
    async close() {
      await queue.stop({ graceMs: 5_000 });
      await store.executeSql(`drop schema if exists ${schema} cascade`);
    },
  };
}

/** Opens another queue on an existing pg-boss schema (a second worker). */
export async function openQueueOn(store: Store, schema: string): Promise<JobQueue> {
  const databaseUrl = store.kind === 'postgres' ? (process.env.TEST_DATABASE_URL ?? null) : null;
  return JobQueue.open({ store, databaseUrl, schema, logger: silentLogger(), poolSize: 3 });
}

/** The state of a pg-boss job, read straight from its table. */
export async function jobState(
  store: Store,
  schema: string,
  id: string,
): Promise<{ state: string; startAfter: Date; retryCount: number } | null> {
  const result = await store.executeSql(
    `select state, start_after, retry_count from ${schema}.job where id = $1`,
    [id],
  );
  const row = result.rows[0] as
    { state: string; start_after: Date | string; retry_count: number } | undefined;
  return row
    ? { state: row.state, startAfter: new Date(row.start_after), retryCount: row.retry_count }
    : null;
}
