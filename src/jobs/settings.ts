import { z } from 'zod';

import { AppError } from '../core/errors.ts';

/** Tuning of the scheduler and workers, read from the environment (all optional). */
export interface JobSettings {
  /**
   * Minutes over which organizations scheduled for the same time spread their starts
   * (`ROSTERSYNC_SPREAD_MINUTES`, default 15, 0 turns spreading off). Each organization gets a
   * fixed offset in this window, derived from its id.
   */
  spreadMinutes: number;
  /** Syncs that may read one roster host at the same time (`ROSTERSYNC_HOST_CONCURRENCY`, default 4). */
  hostConcurrency: number;
  /** Sync jobs one worker process runs at once on PostgreSQL (`ROSTERSYNC_WORKER_CONCURRENCY`, default 2). */
  workerConcurrency: number;
  /**
   * Seconds a stopping worker (SIGTERM) lets a running sync finish before cancelling it and
   * handing its job back to the queue (`ROSTERSYNC_SHUTDOWN_GRACE_SECONDS`, default 120).
   */
  shutdownGraceSeconds: number;
  /** Seconds between scheduler passes (`ROSTERSYNC_SCHEDULER_INTERVAL_SECONDS`, default 30). */
  schedulerIntervalSeconds: number;
  /** PostgreSQL schema of the job queue (`ROSTERSYNC_QUEUE_SCHEMA`, default `pgboss`). */
  queueSchema: string;
}

const wholeNumber = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ message: `expected a whole number from ${min} to ${max}` })
    .int(`expected a whole number from ${min} to ${max}`)
    .min(min, `expected a whole number from ${min} to ${max}`)
    .max(max, `expected a whole number from ${min} to ${max}`)
    .default(fallback);

const schema = z.object({
  ROSTERSYNC_SPREAD_MINUTES: wholeNumber(0, 240, 15),
  ROSTERSYNC_HOST_CONCURRENCY: wholeNumber(1, 100, 4),
  ROSTERSYNC_WORKER_CONCURRENCY: wholeNumber(1, 32, 2),
  ROSTERSYNC_SHUTDOWN_GRACE_SECONDS: wholeNumber(1, 3600, 120),
  ROSTERSYNC_SCHEDULER_INTERVAL_SECONDS: wholeNumber(1, 3600, 30),
  ROSTERSYNC_QUEUE_SCHEMA: z
    .string()
    .trim()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a schema name of lowercase letters, digits and underscores')
    .default('pgboss'),
});

/** Parses the job settings; throws `CONFIG_INVALID` naming each invalid variable and its value. */
export function loadJobSettings(env: NodeJS.ProcessEnv = process.env): JobSettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      return `${name} (got ${JSON.stringify(env[name] ?? '')}): ${issue.message}`;
    });
    throw new AppError('CONFIG_INVALID', `Invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const values = parsed.data;
  return {
    spreadMinutes: values.ROSTERSYNC_SPREAD_MINUTES,
    hostConcurrency: values.ROSTERSYNC_HOST_CONCURRENCY,
    workerConcurrency: values.ROSTERSYNC_WORKER_CONCURRENCY,
    shutdownGraceSeconds: values.ROSTERSYNC_SHUTDOWN_GRACE_SECONDS,
    schedulerIntervalSeconds: values.ROSTERSYNC_SCHEDULER_INTERVAL_SECONDS,
    queueSchema: values.ROSTERSYNC_QUEUE_SCHEMA,
  };
}
