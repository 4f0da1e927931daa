import type { Command } from 'commander';

import { AppError } from '../../core/errors.ts';
import { startWorker, stopOnSignals } from '../../jobs/processes.ts';
import { runCommand } from '../run-command.ts';

/** Registers `rostersync worker`. */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run sync workers only, for scaling out on PostgreSQL (needs DATABASE_URL)')
    .action(() =>
      runCommand(async (context) => {
        if (context.config.databaseUrl === null) {
          throw new AppError(
            'WORKER_NEEDS_POSTGRES',
            'rostersync worker needs PostgreSQL, but DATABASE_URL is not set, so this process would open the embedded store, which serves one process only.',
          );
        }
        const store = await context.store();
        const handle = await startWorker({
          store,
          config: context.config,
          logger: context.logger,
          secretKey: () => context.secretKey(),
        });
        context.logger.info({ store: store.description }, 'Sync worker is running');
        await stopOnSignals(handle, context.logger);
      }),
    );
}
