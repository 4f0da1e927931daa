import type { Command } from 'commander';

import type { Logger } from '../../core/logger.ts';
import type { Store } from '../../db/store.ts';
import {
  type JobProcess,
  type JobProcessDeps,
  startSchedulerAndWorker,
  stopOnSignals,
} from '../../jobs/processes.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { trackResource, untrackResource } from '../../core/resources.ts';
import { runCommand } from '../run-command.ts';

/** A part of `serve` that starts after the scheduler and worker, such as the HTTP server. */
export type ServeService = (context: { store: Store; queue: JobQueue; logger: Logger }) => Promise<{
  /** Shown in the start-up line, such as "web app on http://127.0.0.1:3000". */
  description: string;
  stop(): Promise<void>;
}>;

export interface ServeOptions extends JobProcessDeps {
  /** Started in order after the jobs, stopped in reverse order before them. */
  services?: ServeService[];
}

/** A running `serve`: its queue, what it runs, and `stop`. */
export interface ServeHandle {
  readonly queue: JobQueue;
  readonly descriptions: string[];
  stop(): Promise<void>;
}

/**
 * Starts everything `rostersync serve` runs in one process: the scheduler and a worker, then each
 * service (the web app joins here). `stop` stops services first, so no new request arrives, then
 * the jobs, whose running syncs get the shutdown grace period.
 */
export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const jobs: JobProcess = await startSchedulerAndWorker(options);
  const started: { description: string; stop(): Promise<void> }[] = [];
  try {
    for (const service of options.services ?? []) {
      started.push(await service({ store: options.store, queue: jobs.queue, logger: options.logger }));
    }
  } catch (error) {
    for (const service of started.reverse()) await service.stop();
    await jobs.stop();
    throw error;
  }

  let stopping: Promise<void> | null = null;
  const handle: ServeHandle = {
    queue: jobs.queue,
    descriptions: ['scheduler and sync worker', ...started.map((service) => service.description)],
    stop() {
      stopping ??= (async () => {
        for (const service of [...started].reverse()) await service.stop();
        await jobs.stop();
        untrackResource(handle);
      })();
      return stopping;
    },
  };
  trackResource(handle, 'serve');
  return handle;
}

/** Registers `rostersync serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the scheduler and a sync worker in this process until SIGTERM or Ctrl-C')
    .action(() =>
      runCommand(async (context) => {
        const store = await context.store();
        const handle = await startServe({
          store,
          config: context.config,
          logger: context.logger,
          secretKey: () => context.secretKey(),
        });
        context.logger.info(
          { running: handle.descriptions, store: store.description },
          'Roster Sync is running',
        );
        await stopOnSignals(handle, context.logger);
      }),
    );
}
