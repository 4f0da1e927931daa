import type { Command } from 'commander';

import { systemClock } from '../../core/clock.ts';
import { openQueueClient, startWorker } from '../../jobs/processes.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { loadJobSettings } from '../../jobs/settings.ts';
import { enqueueSync, syncQueueName } from '../../jobs/sync-job.ts';
import { requestSyncNow } from '../../jobs/sync-now.ts';
import type { CliContext } from '../context.ts';
import { exitCodes, runCommand } from '../run-command.ts';

interface SyncNowOptions {
  org: string;
  force?: boolean;
}

/** Registers `rostersync sync-now`. */
export function registerSyncNowCommand(program: Command): void {
  program
    .command('sync-now')
    .description(
      'what the Sync Now button does: start one sync at once, unless Sync Now is unavailable until the next scheduled sync',
    )
    .requiredOption('--org <slug>', 'organization slug')
    .option('--force', 'start it even when Sync Now is unavailable (platform staff)')
    .action((options: SyncNowOptions) => runCommand((context) => syncNow(context, options)));
}

/**
 * On PostgreSQL the run is queued for the workers (`rostersync worker` or `serve`) and the
 * command returns. The embedded store serves one process, so there the command runs a worker
 * itself until the queued run has ended, and exits 0 (succeeded), 3 (held) or 1 (failed).
 */
async function syncNow(context: CliContext, options: SyncNowOptions): Promise<number> {
  const store = await context.store();
  const embedded = store.kind === 'pglite';
  const deps = {
    store,
    config: context.config,
    logger: context.logger,
    secretKey: () => context.secretKey(),
    settings: { ...loadJobSettings(), workerConcurrency: 1 },
    pollingIntervalSeconds: 0.5,
  };
  const handle = embedded ? await startWorker(deps) : await openQueueClient(deps);
  try {
    const result = await requestSyncNow(
      store.db,
      systemClock,
      { slug: options.org, actor: 'cli', force: options.force },
      (org) => enqueueSync(handle.queue, { orgId: org.id, trigger: 'manual' }),
    );
    const forced = result.forced ? ' (forced past the Sync Now rule)' : '';
    const jobId = result.queued ?? (await handle.queue.findPendingJob(syncQueueName, result.org.id));
    if (!embedded) {
      context.print(
        `Queued a sync of ${result.org.slug}${forced}: job ${jobId ?? 'already queued'}; a worker runs it.`,
      );
      return exitCodes.ok;
    }

    context.print(`Running a sync of ${result.org.slug}${forced}...`);
    if (jobId) await waitForJobEnd(handle.queue, jobId);
    const run = await store.db
      .selectFrom('syncRuns')
      .select(['id', 'status', 'error'])
      .where('orgId', '=', result.org.id)
      .orderBy('createdAt', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!run) {
      context.print('No run was recorded; see the log above.');
      return exitCodes.failed;
    }
    const error = run.error ? `: ${run.error.message} (${run.error.code})` : '';
    context.print(`Run ${run.id} ${run.status}${error}`);
    if (run.status === 'succeeded') return exitCodes.ok;
    return run.status === 'held_for_review' ? exitCodes.held : exitCodes.failed;
  } finally {
    await handle.stop();
  }
}

/** Waits until a job has ended: completed, failed, cancelled, or waiting for a retry. */
async function waitForJobEnd(queue: JobQueue, jobId: string): Promise<void> {
  for (;;) {
    const job = await queue.boss.getJobById(syncQueueName, jobId);
    if (!job || ['completed', 'failed', 'cancelled', 'retry'].includes(job.state)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
