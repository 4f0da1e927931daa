import type { Command } from 'commander';

import { runCommand } from '../run-command.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (they also run on every start) and print the schema version')
    .action(() =>
      runCommand(async (context) => {
        const store = await context.store();
        const outcome = context.migration();
        const applied = outcome?.applied ?? [];
        const done = applied.length > 0 ? `applied ${applied.join(', ')}` : 'nothing to apply';
        context.print(
          `Database schema is at version ${outcome?.version ?? 'none'} (${store.description}): ${done}.`,
        );
      }),
    );
}
