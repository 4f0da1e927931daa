import PgBoss from 'pg-boss';

import type { Logger } from '../core/logger.ts';
import { trackResource, untrackResource } from '../core/resources.ts';
import { quoteIdentifier, type Store } from '../db/store.ts';

/** The schema of pg-boss's tables when none is given. */
export const defaultQueueSchema = 'pgboss';

export interface QueueOptions {
  store: Store;
  /**
   * `postgres://` URL for pg-boss's own connection pool on PostgreSQL. Null (or a PGlite store)
   * runs pg-boss through the store's `executeSql`, in turn with the store's own queries.
   */
  databaseUrl: string | null;
  /** pg-boss schema. Default `pgboss`; tests use one per file. */
  schema?: string;
  logger: Logger;
  /** Maximum connections of pg-boss's own pool on PostgreSQL. Default 4. */
  poolSize?: number;
}

/** The argument of a job handler: the job and a signal that aborts when the worker stops. */
export interface JobContext<T> {
  id: string;
  name: string;
  data: T;
  /** How many times this job was retried before this attempt (0 on the first). */
  retryCount: number;
  signal: AbortSignal;
  logger: Logger;
}

/**
 * A kind of job. Register definitions with `JobQueue.registerJob` before `startWorkers`; other
 * layers (such as notify's e-mail delivery) add their own this way.
 */
export interface JobDefinition<T extends object> {
  /** Queue name, such as `sync` or `email.send`. */
  name: string;
  /**
   * Runs one job. Resolving completes it; throwing fails it, and pg-boss retries it after
   * `retryDelaySeconds` (doubling with `retryBackoff`) until `retryLimit` is used up.
   */
  handler: (job: JobContext<T>) => Promise<void>;
  /**
   * pg-boss queue policy. `short` keeps at most one queued job per singleton key, so a second
   * request for the same key joins the queued one. Jobs sent without a key all share one slot.
   * Default `standard`.
   */
  policy?: 'standard' | 'short' | 'singleton' | 'stately';
  /** Default 2. */
  retryLimit?: number;
  /** Default 60. */
  retryDelaySeconds?: number;
  /** Default true. */
  retryBackoff?: boolean;
  /** A job still active after this long counts as failed and is retried. Default 3600. */
  expireInSeconds?: number;
  /** Jobs of this kind that one process runs at once. Default 1. */
  concurrency?: number;
  /** Seconds between polls for new jobs (minimum 0.5). Default 2. */
  pollingIntervalSeconds?: number;
}

export interface SendOptions {
  /** Jobs with the same key share the queue policy's limits, such as one queued sync per organization. */
  singletonKey?: string;
  /** Earliest start. Default now. */
  startAfter?: Date;
}

/**
 * The job queue: pg-boss 10 on PostgreSQL (its own pool and schema) or on the embedded PGlite
 * store (through the store's `executeSql`). Register it with `trackResource` while open.
 */
export class JobQueue {
  readonly boss: PgBoss;
  readonly logger: Logger;
  /** The pg-boss schema. */
  readonly schema: string;
  readonly #definitions = new Map<string, JobDefinition<object>>();
  readonly #running = new Map<string, AbortController>();
  readonly #workerIds: string[] = [];
  #stopped = false;

  private constructor(boss: PgBoss, logger: Logger, schema: string) {
    this.boss = boss;
    this.logger = logger;
    this.schema = schema;
  }

  /**
   * Starts pg-boss, creating or upgrading its schema. Maintenance (expiring, archiving and
   * deleting old jobs) runs every five minutes. Completed jobs move to the archive after a day
   * and leave it after 14 days. pg-boss's own cron is off because our scheduler owns timing.
   */
  static async open(options: QueueOptions): Promise<JobQueue> {
    const common = {
      schema: options.schema ?? defaultQueueSchema,
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: 300,
      archiveCompletedAfterSeconds: 24 * 3600,
      deleteAfterDays: 14,
    };
    const usePool = options.store.kind === 'postgres' && options.databaseUrl !== null;
    const boss = usePool
      ? new PgBoss({
          ...common,
          connectionString: options.databaseUrl!,
          max: options.poolSize ?? 4,
          application_name: 'rostersync-jobs',
        })
      : new PgBoss({
          ...common,
          db: { executeSql: (text, values) => options.store.executeSql(text, values) },
        });

    const logger = options.logger.child({ component: 'queue' });
    boss.on('error', (error) => logger.error({ err: error }, 'Job queue error'));
    await boss.start();
    const queue = new JobQueue(boss, logger, common.schema);
    trackResource(queue, `job queue (${options.store.description}, schema ${common.schema})`);
    return queue;
  }

  /** Creates (or updates) the queue of a job kind. Call before `startWorkers` and `send`. */
  async registerJob<T extends object>(definition: JobDefinition<T>): Promise<void> {
    const settings = {
      name: definition.name,
      policy: definition.policy ?? 'standard',
      retryLimit: definition.retryLimit ?? 2,
      retryDelay: definition.retryDelaySeconds ?? 60,
      retryBackoff: definition.retryBackoff ?? true,
      expireInSeconds: definition.expireInSeconds ?? 3600,
    };
    // Processes starting together on PostgreSQL may create the same queue at once, which pg-boss
    // 10 can end in a deadlock or a duplicate key; the loser tries again and finds the queue.
    for (let attempt = 1; ; attempt += 1) {
      try {
        const existing = await this.boss.getQueue(definition.name);
        if (existing) await this.boss.updateQueue(definition.name, settings);
        else await this.boss.createQueue(definition.name, settings);
        break;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (attempt >= 8 || (code !== '40P01' && code !== '23505')) throw error;
        this.logger.warn(
          { err: error, queue: definition.name, attempt },
          'Creating the queue collided; trying again',
        );
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
      }
    }
    this.#definitions.set(definition.name, definition as JobDefinition<object>);
  }

  /**
   * Queues one job. Returns its id, or null when the queue policy joined it to a job already
   * queued with the same singleton key.
   */
  async send<T extends object>(name: string, data: T, options: SendOptions = {}): Promise<string | null> {
    return this.boss.send(name, data, {
      singletonKey: options.singletonKey,
      startAfter: options.startAfter,
    });
  }

  /** Queues many jobs in one statement; jobs the policy joins to queued ones are dropped. */
  async sendMany<T extends object>(
    name: string,
    jobs: { data: T; singletonKey?: string; startAfter?: Date }[],
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(jobs.map((job) => ({ name, ...job })));
  }

  /** Finds the job waiting (queued or due for a retry) or running under a singleton key; null when none. */
  async findPendingJob(name: string, singletonKey: string): Promise<string | null> {
    const result = (await this.boss
      .getDb()
      .executeSql(
        `select id from ${quoteIdentifier(this.schema)}.job where name = $1 and singleton_key = $2 and state < 'completed' order by created_on limit 1`,
        [name, singletonKey],
      )) as { rows: { id: string }[] };
    return result.rows[0]?.id ?? null;
  }

  /** Starts polling every registered job kind (or those named), with each kind's concurrency. */
  async startWorkers(names?: string[]): Promise<void> {
    for (const definition of this.#definitions.values()) {
      if (names && !names.includes(definition.name)) continue;
      for (let slot = 0; slot < (definition.concurrency ?? 1); slot += 1) {
        const id = await this.boss.work<object>(
          definition.name,
          {
            batchSize: 1,
            includeMetadata: true,
            pollingIntervalSeconds: definition.pollingIntervalSeconds ?? 2,
          },
          async ([job]) => {
            if (job) await this.#run(definition, job);
          },
        );
        this.#workerIds.push(id);
      }
    }
  }

  /**
   * Runs a handler and records the outcome itself, awaited, so that a stopping queue never closes
   * the connection under a pending update. pg-boss's own completion call afterwards finds the job
   * no longer active and changes nothing.
   */
  async #run(definition: JobDefinition<object>, job: PgBoss.JobWithMetadata<object>): Promise<void> {
    const controller = new AbortController();
    const logger = this.logger.child({ jobId: job.id, job: definition.name });
    this.#running.set(job.id, controller);
    try {
      await definition.handler({
        id: job.id,
        name: definition.name,
        data: job.data,
        retryCount: job.retryCount,
        signal: controller.signal,
        logger,
      });
      await this.boss.complete(definition.name, job.id);
    } catch (error) {
      const willRetry = job.retryCount < job.retryLimit;
      logger.warn({ err: error, retryCount: job.retryCount, willRetry }, 'Job failed');
      const message = error instanceof Error ? error.message : String(error);
      await this.boss.fail(definition.name, job.id, { message }).catch((failError: unknown) => {
        logger.error({ err: failError }, 'Could not record the job failure; pg-boss expires the job later');
      });
    } finally {
      this.#running.delete(job.id);
    }
  }

  /** Ids of the jobs this process is running now. */
  runningJobIds(): string[] {
    return [...this.#running.keys()];
  }

  /**
   * Stops the queue. Polling stops at once; running jobs get `graceMs` to finish, then their
   * signal aborts and they get a few more seconds to hand back. pg-boss fails whatever is still
   * running after that, which puts the job back in the queue for a retry.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const graceMs = options.graceMs ?? 30_000;

    for (const id of this.#workerIds.splice(0)) await this.boss.offWork({ id });
    const finished = await this.#waitForRunning(graceMs);
    if (!finished) {
      this.logger.warn(
        { jobIds: this.runningJobIds() },
        'Cancelling running jobs after the shutdown grace period',
      );
      for (const controller of this.#running.values()) controller.abort(new Error('worker is stopping'));
      await this.#waitForRunning(5_000);
    }
    // pg-boss sends its own completion call right after each handler without awaiting it.
    await new Promise((resolve) => setTimeout(resolve, 200));

    await this.boss.stop({ graceful: false, close: true, wait: true });
    untrackResource(this);
  }

  async #waitForRunning(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.#running.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.#running.size === 0;
  }
}
