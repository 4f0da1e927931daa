import type { Command } from 'commander';

import { runCommand } from '../run-command.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (they also run on every start) and print the schema version')
    .action(() =>
      runCommand(async (context) => {
        const store = await context.store();
        const { knownMigrations } = await import('../../db/migrate.ts');
        context.print(`Database schema is at version ${knownMigrations().at(-1)} (${store.description}).`);
      }),
    );
}
