import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.ts';

/** A worker's claim on an organization's sync (migration `0500_job_locks`). */
export interface JobLocksTable {
  lockKey: string;
  orgId: string | null;
  rosterHost: string | null;
  jobId: string | null;
  workerId: string;
  lockedAt: Date;
  heartbeatAt: Date;
}

/** The last due time each timed task ran for (migration `0500_job_locks`). */
export interface TimedTasksTable {
  taskKey: string;
  lastDueAt: Date;
  updatedAt: Date;
}

export interface JobsDatabase extends Database {
  jobLocks: JobLocksTable;
  timedTasks: TimedTasksTable;
}

/** The store's Kysely instance with the jobs tables added to its type. */
export function jobsDb(db: Kysely<Database>): Kysely<JobsDatabase> {
  return db.withTables<{ jobLocks: JobLocksTable; timedTasks: TimedTasksTable }>();
}
