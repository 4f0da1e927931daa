import type { Command } from 'commander';

import { getOrganizationBySlug } from '../../db/queries/organizations.ts';
import { listRuns, loadRunPlan } from '../../db/queries/sync-runs.ts';
import { sendRunNotice } from '../../notify/index.ts';
import type { CliContext } from '../context.ts';
import type { SyncPlan } from '../../sync/plan/types.ts';
import { approveRun, rejectRun } from '../../sync/review.ts';
import { loadRunReport, toRunReport } from '../../sync/run-report.ts';
import type { SyncDeps } from '../../sync/run.ts';
import { runCommand } from '../run-command.ts';
import { exitStatusOf, formatPlan, formatRunReport } from './run-summary.ts';

async function depsOf(context: CliContext): Promise<SyncDeps> {
  return {
    store: await context.store(),
    config: context.config,
    logger: context.logger,
    secretKey: () => context.secretKey(),
  };
}

export function registerRunsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description(
      'list the import history of an organization (newest first), or show, approve or reject one run',
    )
    .option('--org <slug>', 'organization slug')
    .option('--json', 'print JSON on standard output')
    .option('--limit <n>', 'how many runs to list', '50')
    .action((options: { org?: string; json?: boolean; limit: string }) =>
      runCommand(async (context) => {
        if (!options.org) {
          context.print('Give --org SLUG to list runs, or a subcommand: runs show|approve|reject RUN.');
          return 2;
        }
        const store = await context.store();
        const org = await getOrganizationBySlug(store.db, options.org);
        const rows = await listRuns(store.db, org.id, Math.max(1, Number(options.limit) || 50));
        const reports = rows.map((row) => toRunReport(row, org.slug, []));
        if (options.json) {
          context.print(
            JSON.stringify(
              reports.map((report, index) => ({ ...report, warningCount: rows[index]!.warningCount })),
              null,
              2,
            ),
          );
          return;
        }
        if (reports.length === 0) context.print(`No sync has run for ${org.slug} yet.`);
        for (const [index, report] of reports.entries()) {
          const row = rows[index]!;
          context.print(
            [
              report.runId,
              report.startedAt,
              report.trigger,
              report.mode,
              report.status,
              `${row.warningCount} warnings`,
              report.error?.code ?? '',
            ]
              .join('\t')
              .trimEnd(),
          );
        }
      }),
    );

  runs
    .command('show <run>')
    .description('print one run report with all its warnings')
    .option('--json', 'print the run report as JSON on standard output')
    .action((runId: string, _options: unknown, command: Command) =>
      runCommand(async (context) => {
        const options = command.optsWithGlobals<{ json?: boolean }>();
        const store = await context.store();
        const report = await loadRunReport(store.db, runId);
        // A run held for review, or a dry run, shows the plan it stored.
        const plan = ((await loadRunPlan(store.db, runId))?.plan as SyncPlan | undefined) ?? null;
        if (options.json) {
          context.print(JSON.stringify(plan ? { ...report, plan } : report, null, 2));
          return;
        }
        context.print(formatRunReport(report, { allWarnings: true }));
        if (plan) context.print(`\n${formatPlan(plan)}`);
      }),
    );

  runs
    .command('approve <run>')
    .description('apply the stored plan of a run held for review, if the roster has not changed since')
    .option('--json', 'print the run report as JSON on standard output')
    .action((runId: string, _options: unknown, command: Command) =>
      runCommand(async (context) => {
        const options = command.optsWithGlobals<{ json?: boolean }>();
        const deps = await depsOf(context);
        const report = await approveRun(deps, runId, 'cli');
        context.print(options.json ? JSON.stringify(report, null, 2) : formatRunReport(report));
        await sendRunNotice({ ...deps, db: deps.store.db }, report);
        return exitStatusOf(report);
      }),
    );

  runs
    .command('reject <run>')
    .description('discard the plan of a run held for review; the roster stays as it is')
    .option('--json', 'print the run report as JSON on standard output')
    .action((runId: string, _options: unknown, command: Command) =>
      runCommand(async (context) => {
        const options = command.optsWithGlobals<{ json?: boolean }>();
        const deps = await depsOf(context);
        const report = await rejectRun(deps, runId, 'cli');
        context.print(
          options.json
            ? JSON.stringify(report, null, 2)
            : `Run ${report.runId} rejected; nothing was changed.`,
        );
        await sendRunNotice({ ...deps, db: deps.store.db }, report);
      }),
    );
}
