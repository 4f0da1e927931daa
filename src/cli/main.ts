import { createRequire } from 'node:module';

import { Command, CommanderError } from 'commander';

import { registerArchiveCommand } from './commands/archive.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerEmulatorCommand } from './commands/emulator.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerGenerateCommand } from './commands/generate.ts';
import { registerJourneyCommands } from './commands/journeys.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerOrgCommands } from './commands/org.ts';
import { registerProductCommands } from './commands/products.ts';
import { registerReviewCommands } from './commands/review.ts';
import { registerRunsCommand } from './commands/runs.ts';
import { registerScheduleCommand } from './commands/schedule.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerSyncCommand } from './commands/sync.ts';
import { registerSyncNowCommand } from './commands/sync-now.ts';
import { registerUserCommands } from './commands/user.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { exitCodes } from './run-command.ts';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

/** Builds the `rostersync` program. Each command lives in its own file under `commands/`. */
export function buildProgram(): Command {
  const program = new Command('rostersync')
    .description(
      'Keeps the platform roster in step with a district OneRoster source (ClassLink Roster Server).',
    )
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)');

  registerMigrateCommand(program);
  const org = registerOrgCommands(program);
  registerArchiveCommand(org);
  registerProductCommands(program, org);
  registerReviewCommands(program);
  registerJourneyCommands(program);
  registerScheduleCommand(org);
  registerSyncCommand(program);
  registerRunsCommand(program);
  registerDemoCommand(program);
  registerSyncNowCommand(program);
  registerServeCommand(program);
  registerWorkerCommand(program);
  registerUserCommands(program);
  registerExportCommand(program);
  registerEmulatorCommand(program);
  registerGenerateCommand(program);
  void org;

  return program;
}

/** Entry point of `bin/rostersync.js`. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
      return;
    }
    throw error;
  }
}
