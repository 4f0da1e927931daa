import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Command } from 'commander';

import { AppError, isAppError } from '../../core/errors.ts';
import { getOrganizationBySlug } from '../../db/queries/organizations.ts';
import { loadRunPlan } from '../../db/queries/sync-runs.ts';
import { sendRunNotice } from '../../notify/index.ts';
import { openCsvBundle } from '../../oneroster/csv/bundle.ts';
import type { RosterSource } from '../../oneroster/source.ts';
import type { SyncPlan } from '../../sync/plan/types.ts';
import { recoverInterruptedRuns } from '../../sync/recover.ts';
import type { RunReport } from '../../sync/report.ts';
import { runSync } from '../../sync/run.ts';
import { runCommand } from '../run-command.ts';
import { exitStatusOf, formatPlan, formatRunReport } from './run-summary.ts';
import { createProgressView } from './sync-progress.ts';

interface SyncOptions {
  org: string;
  full?: boolean;
  delta?: boolean;
  dryRun?: boolean;
  json?: boolean;
  fromCsv?: string;
  wait?: boolean;
}

export function registerSyncCommand(program: Command): void {
  program
    .command('sync')
    .description("bring the organization's roster in step with its roster source, and print the run report")
    .requiredOption('--org <slug>', 'organization slug')
    .option('--full', 'read every record (default: delta once a complete full sync exists)')
    .option('--delta', 'read only records modified since the last complete sync')
    .option('--dry-run', 'compute and store the plan without changing the roster')
    .option('--json', 'print the run report as JSON on standard output')
    .option(
      '--from-csv <path>',
      'read a OneRoster CSV bundle (folder or .zip) instead of the REST connection',
    )
    .option('--wait', 'when a sync of the organization is running, wait for it to end, then run')
    .action((options: SyncOptions) =>
      runCommand(async (context) => {
        if (options.full && options.delta) {
          throw new AppError('INVALID_INPUT', 'Give --full or --delta, not both.');
        }
        const store = await context.store();
        const org = await getOrganizationBySlug(store.db, options.org);
        await recoverInterruptedRuns(store, { logger: context.logger });

        let source: RosterSource | undefined;
        if (options.fromCsv) source = await openCsvBundle(path.resolve(options.fromCsv));
        const view = createProgressView();
        let report: RunReport;
        try {
          report = await runWithWait(options.wait === true, () =>
            runSync(
              { store, config: context.config, logger: context.logger, secretKey: () => context.secretKey() },
              {
                orgId: org.id,
                trigger: 'cli',
                mode: requestedMode(options),
                dryRun: options.dryRun === true,
                source,
                onProgress: (progress) => view.update(progress),
                requestedBy: 'cli',
              },
            ),
          );
        } finally {
          view.stop();
          await source?.close();
        }

        // A dry run prints its plan too; a held run's plan is shown by `runs show`.
        const stored = options.dryRun ? await loadRunPlan(store.db, report.runId) : null;
        const plan = (stored?.plan as SyncPlan | undefined) ?? null;
        if (options.json) {
          context.print(JSON.stringify(plan ? { ...report, plan } : report, null, 2));
        } else {
          context.print(formatRunReport(report));
          if (plan) context.print(`\n${formatPlan(plan)}`);
        }
        // Waits until the notice is handed to SMTP or stored; a mail failure never changes the exit status.
        await sendRunNotice({ config: context.config, logger: context.logger, db: store.db }, report);
        return exitStatusOf(report);
      }),
    );
}

/** The mode the flags request; neither flag leaves the choice to the sync. */
function requestedMode(options: SyncOptions): 'full' | 'delta' | undefined {
  if (options.full) return 'full';
  if (options.delta) return 'delta';
  return undefined;
}

/** Runs `start`; with `wait`, retries every two seconds while another run of the organization is running. */
async function runWithWait(wait: boolean, start: () => Promise<RunReport>): Promise<RunReport> {
  let announced = false;
  for (;;) {
    try {
      return await start();
    } catch (error) {
      if (!wait || !isAppError(error) || error.code !== 'SYNC_IN_PROGRESS') throw error;
      if (!announced) process.stderr.write(`${error.message} Waiting for it to end...\n`);
      announced = true;
      await sleep(2000);
    }
  }
}
