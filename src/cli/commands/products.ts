import type { Command } from 'commander';

import { AppError } from '../../core/errors.ts';
import { getOrganizationBySlug } from '../../db/queries/organizations.ts';
import { listLicences, listProducts, removeLicence, saveProduct, setLicence } from '../../roster/products.ts';
import { runCommand } from '../run-command.ts';

const cliActor = 'cli';

/**
 * Registers `products add|list` (the catalog) and, on the `org` command, `org licence` and
 * `org licences` (an organization's licences with seats).
 */
export function registerProductCommands(program: Command, org: Command): void {
  const products = program.command('products').description('the product catalog (acts as platform staff)');

  products
    .command('add')
    .description('add a product, or rename it when the code exists')
    .requiredOption('--code <code>', 'product code used in journeys, e.g. assess-pk')
    .requiredOption('--name <name>', 'display name')
    .option('--description <text>', 'one-line description')
    .action((options: { code: string; name: string; description?: string }) =>
      runCommand(async (context) => {
        const store = await context.store();
        await saveProduct(store.db, options, cliActor);
        context.print(`Saved product ${options.code} (${options.name}).`);
      }),
    );

  products
    .command('list')
    .description('list the catalog')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      runCommand(async (context) => {
        const store = await context.store();
        const rows = await listProducts(store.db);
        if (options.json) context.print(JSON.stringify(rows, null, 2));
        else for (const row of rows) context.print(`${row.code}\t${row.name}\t${row.description}`);
      }),
    );

  org
    .command('licence')
    .description("set an organization's licence for a product, or remove it with --remove")
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption('--product <code>', 'product code from `products list`')
    .option('--seats <n>', 'number of seats (children) licensed')
    .option('--remove', 'remove the licence; the product leaves the default journey')
    .action((options: { org: string; product: string; seats?: string; remove?: boolean }) =>
      runCommand(async (context) => {
        const store = await context.store();
        if (options.remove) {
          await removeLicence(store.db, options.org, options.product, cliActor);
          context.print(`Removed the ${options.product} licence of ${options.org}.`);
          return;
        }
        const seats = Number(options.seats);
        if (options.seats === undefined || options.seats.trim() === '' || !Number.isInteger(seats)) {
          throw new AppError(
            'INVALID_INPUT',
            `--seats must be a whole number, not ${JSON.stringify(options.seats ?? '')}.`,
          );
        }
        await setLicence(store.db, options.org, options.product, seats, cliActor);
        context.print(`Licensed ${options.org} for ${options.product} with ${seats} seats.`);
      }),
    );

  org
    .command('licences')
    .description("list an organization's licences with the seats in use")
    .requiredOption('--org <slug>', 'organization slug')
    .option('--json', 'print JSON')
    .action((options: { org: string; json?: boolean }) =>
      runCommand(async (context) => {
        const store = await context.store();
        const organization = await getOrganizationBySlug(store.db, options.org);
        const rows = await listLicences(store.db, organization.id);
        if (options.json) context.print(JSON.stringify(rows, null, 2));
        else
          for (const row of rows)
            context.print(`${row.productCode}\t${row.productName}\t${row.used}/${row.seats} seats`);
      }),
    );
}
