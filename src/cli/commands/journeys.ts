import type { Command } from 'commander';

import { AppError } from '../../core/errors.ts';
import { getOrganizationBySlug } from '../../db/queries/organizations.ts';
import { bulkSetJourney, checkSeats, type JourneyTarget } from '../../roster/journeys.ts';
import { parseList, runCommand } from '../run-command.ts';

interface JourneySetOptions {
  org: string;
  journey: string;
  school?: string;
  classroom?: string;
  grade?: string;
  children?: string;
}

/** Registers `journeys set`: the Bulk Journey Updater. */
export function registerJourneyCommands(program: Command): void {
  const journeys = program.command('journeys').description("change children's educational journeys");

  journeys
    .command('set')
    .description(
      'replace the journey of every active child of a school, classroom, grade or list, in one transaction',
    )
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--journey <products>', 'comma list of licensed product codes, e.g. assess,math')
    .option('--school <sourcedId>', 'every child of this school')
    .option('--classroom <sourcedId>', 'every child of this classroom')
    .option('--grade <code>', 'every child with this grade code, e.g. PK (variants such as Pre-K count)')
    .option('--children <ids>', 'comma list of children by sourcedId or platform id')
    .action((options: JourneySetOptions) =>
      runCommand(async (context) => {
        const target = parseTarget(options);
        const store = await context.store();
        const result = await bulkSetJourney(
          store.db,
          options.org,
          parseList(options.journey) ?? [],
          target,
          'cli',
        );
        context.print(`Changed the journey of ${result.changed} of ${result.matched} children.`);

        // The change is kept either way, because a sync also imports children above the seats.
        const org = await getOrganizationBySlug(store.db, options.org);
        for (const warning of await checkSeats(store.db, org.id)) {
          process.stderr.write(`Warning [${warning.code}]: ${warning.message}\n`);
        }
      }),
    );
}

function parseTarget(options: JourneySetOptions): JourneyTarget {
  const given: JourneyTarget[] = [];
  if (options.school !== undefined) given.push({ school: options.school });
  if (options.classroom !== undefined) given.push({ classroom: options.classroom });
  if (options.grade !== undefined) given.push({ grade: options.grade });
  if (options.children !== undefined) given.push({ children: parseList(options.children) ?? [] });
  if (given.length !== 1) {
    throw new AppError(
      'INVALID_INPUT',
      `Give exactly one of --school, --classroom, --grade or --children (got ${given.length}).`,
    );
  }
  return given[0]!;
}
