import type { Command } from 'commander';

import { AppError } from '../../core/errors.ts';
import { getOrganizationBySlug } from '../../db/queries/organizations.ts';
import { archiveSchoolYear, schoolYearInProgress } from '../../roster/archive.ts';
import { runCommand } from '../run-command.ts';

/** Registers `org archive` on the `org` command. */
export function registerArchiveCommand(org: Command): void {
  org
    .command('archive')
    .description("move the school year's children, classrooms and memberships to the read-only archive")
    .requiredOption('--org <slug>', 'organization slug')
    .option(
      '--school-year <YYYY>',
      "the school year's ending year, e.g. 2026 for 2025-26 (default: the organization's current school year)",
    )
    .action((options: { org: string; schoolYear?: string }) =>
      runCommand(async (context) => {
        const store = await context.store();
        const organization = await getOrganizationBySlug(store.db, options.org);
        const schoolYear =
          options.schoolYear !== undefined
            ? parseYear(options.schoolYear)
            : (organization.currentSchoolYear ?? schoolYearInProgress(organization, new Date()));
        const summary = await archiveSchoolYear(store.db, organization.id, schoolYear, 'cli');
        context.print(
          `Archived the ${schoolYear - 1}-${String(schoolYear).slice(2)} school year of ${options.org}: ${summary.children} children, ${summary.classrooms} classrooms, ${summary.memberships} memberships.`,
        );
      }),
    );
}

function parseYear(value: string): number {
  if (!/^\d{4}$/.test(value.trim())) {
    throw new AppError(
      'INVALID_INPUT',
      `--school-year must be a year such as 2026, not ${JSON.stringify(value)}.`,
    );
  }
  return Number(value.trim());
}
