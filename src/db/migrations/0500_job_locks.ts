import { type Kysely, sql } from 'kysely';

/**
 * Tables of the scheduler and workers. `job_locks` holds one row per organization whose sync a
 * worker is running, with a heartbeat, so that two workers never run the same organization at
 * once and a dead worker's claim can be recovered. `timed_tasks` records the last due time of
 * each timed task (yearly archive per organization, pruning) so that each runs once per period.
 */
const statements = [
  `create table job_locks (
    lock_key text primary key,
    org_id uuid references organizations(id) on delete cascade,
    roster_host text,
    job_id text,
    worker_id text not null,
    locked_at timestamptz not null default now(),
    heartbeat_at timestamptz not null default now()
  )`,
  `create index job_locks_roster_host on job_locks (roster_host) where roster_host is not null`,

  `create table timed_tasks (
    task_key text primary key,
    last_due_at timestamptz not null,
    updated_at timestamptz not null default now()
  )`,

  `create index sync_settings_due on sync_settings (next_run_at) where schedule_frequency <> 'off'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('drop index if exists sync_settings_due').execute(db);
  await sql.raw('drop table if exists timed_tasks').execute(db);
  await sql.raw('drop table if exists job_locks').execute(db);
}
