import type { Command } from 'commander';

import { AppError } from '../../core/errors.ts';

import { keepApart, listReviews, mergeReview, type ReviewChild } from '../../roster/reviews.ts';
import { runCommand } from '../run-command.ts';

const cliActor = 'cli';

/** Registers `review list|merge|keep`: the possible-duplicate children an admin resolves. */
export function registerReviewCommands(program: Command): void {
  const review = program
    .command('review')
    .description('review possible duplicate children (merge or keep apart)');

  review
    .command('list')
    .description('list review items: the child a sync created and the children it may be')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--status <status>', 'open, merged or kept', 'open')
    .option('--json', 'print JSON')
    .action((options: { org: string; status: string; json?: boolean }) =>
      runCommand(async (context) => {
        const status = parseStatus(options.status);
        const store = await context.store();
        const items = await listReviews(store.db, options.org, status);
        if (options.json) {
          context.print(JSON.stringify(items, null, 2));
          return;
        }
        if (items.length === 0) {
          context.print(`No ${status} possible duplicates for ${options.org}.`);
          return;
        }
        for (const item of items) {
          context.print(`${item.id}  ${item.reason}`);
          context.print(`  new:       ${describeChild(item.child)}`);
          for (const candidate of item.candidates) context.print(`  candidate: ${describeChild(candidate)}`);
        }
      }),
    );

  review
    .command('merge')
    .description('merge the new child into the older one, which keeps its history and takes the roster link')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--item <id>', 'review item id, from `review list`')
    .option('--into <childId>', 'the candidate to merge with, when the item has several')
    .action((options: { org: string; item: string; into?: string }) =>
      runCommand(async (context) => {
        const store = await context.store();
        const result = await mergeReview(store.db, options.org, options.item, options.into ?? null, cliActor);
        context.print(
          `Merged child ${result.mergedChildId} into ${result.keptChildId}; moved ${result.memberships} membership(s) and ${result.contacts} family contact(s).`,
        );
      }),
    );

  review
    .command('keep')
    .description('close the item and keep the children apart')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--item <id>', 'review item id, from `review list`')
    .action((options: { org: string; item: string }) =>
      runCommand(async (context) => {
        const store = await context.store();
        await keepApart(store.db, options.org, options.item, cliActor);
        context.print(`Kept the children of review item ${options.item} apart.`);
      }),
    );
}

function parseStatus(value: string): 'open' | 'merged' | 'kept' {
  if (value === 'open' || value === 'merged' || value === 'kept') return value;
  throw new AppError('INVALID_INPUT', `--status must be open, merged or kept, not ${JSON.stringify(value)}.`);
}

function describeChild(child: ReviewChild): string {
  const parts = [
    `${child.givenName} ${child.familyName}`,
    `born ${child.birthDate ?? 'unknown'}`,
    child.sourcedId ? `sourcedId ${child.sourcedId}` : `typed in by hand`,
    child.identifier ? `identifier ${child.identifier}` : null,
    child.archivedSchoolYear ? `archived ${child.archivedSchoolYear}` : null,
    `id ${child.id}`,
  ];
  return parts.filter((part) => part !== null).join(', ');
}
