import path from 'node:path';

import type { Command } from 'commander';

import { exportRoster } from '../../roster/export.ts';
import { runCommand } from '../run-command.ts';

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      "write the organization's roster as it now stands as CSV files (schools, classrooms, educators, children, memberships, contacts)",
    )
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--out <dir>', 'folder to write the files into (created if missing)')
    .option('--include-inactive', 'also write deactivated rows (status "inactive")')
    .action((options: { org: string; out: string; includeInactive?: boolean }) =>
      runCommand(async (context) => {
        const store = await context.store();
        const outDir = path.resolve(options.out);
        const summary = await exportRoster(store.db, options.org, outDir, {
          includeInactive: options.includeInactive,
        });
        for (const { file, rows } of summary) context.print(`${path.join(outDir, file)}\t${rows} rows`);
      }),
    );
}
