import { randomBytes } from 'node:crypto';

import type { Command } from 'commander';

import { hashPassword } from '../../core/crypto.ts';
import { AppError } from '../../core/errors.ts';
import { getOrganizationBySlug, insertAuditEntry } from '../../db/queries/organizations.ts';
import type { AppRole } from '../../db/schema.ts';
import { runCommand } from '../run-command.ts';

const roles: AppRole[] = ['platform-admin', 'org-admin', 'educator'];
const emailPattern = /^[^\s@<>(),;:"[\]\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage sign-in accounts');

  user
    .command('create')
    .description('create an account; without --password a random one is generated and printed once')
    .requiredOption('--email <email>', 'sign-in e-mail address')
    .requiredOption('--role <role>', 'platform-admin, org-admin or educator')
    .option('--org <slug>', 'organization (required for org-admin and educator)')
    .option('--password <password>', 'password, at least 10 characters (stored as an scrypt hash)')
    .action((options: { email: string; role: string; org?: string; password?: string }) =>
      runCommand(async (context) => {
        const email = options.email.trim();
        if (!emailPattern.test(email)) {
          throw new AppError('INVALID_INPUT', `${JSON.stringify(options.email)} is not an e-mail address.`);
        }
        const role = options.role as AppRole;
        if (!roles.includes(role)) {
          throw new AppError(
            'INVALID_INPUT',
            `--role must be one of ${roles.join(', ')}, not ${JSON.stringify(options.role)}.`,
          );
        }
        if (role === 'platform-admin' && options.org) {
          throw new AppError(
            'INVALID_INPUT',
            'A platform-admin belongs to no organization: leave out --org.',
          );
        }
        if (role !== 'platform-admin' && !options.org) {
          throw new AppError('INVALID_INPUT', `An ${role} belongs to an organization: add --org SLUG.`);
        }
        if (options.password !== undefined && options.password.length < 10) {
          throw new AppError('INVALID_INPUT', 'The password must have at least 10 characters.');
        }

        const store = await context.store();
        const org = options.org ? await getOrganizationBySlug(store.db, options.org) : null;
        const password = options.password ?? randomBytes(12).toString('base64url');
        const passwordHash = await hashPassword(password);

        const existing = await store.db
          .selectFrom('appUsers')
          .select('id')
          .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
          .executeTakeFirst();
        if (existing)
          throw new AppError('USER_EXISTS', `A user with the e-mail address ${email} already exists.`);

        await store.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('appUsers')
            .values({ email, role, orgId: org?.id ?? null, passwordHash })
            .execute();
          await insertAuditEntry(trx, {
            orgId: org?.id ?? null,
            actor: 'cli',
            action: 'user.create',
            changes: { email, role },
          });
        });
        context.print(`Created ${role} ${email}${org ? ` in ${org.slug}` : ''}.`);
        if (options.password === undefined) context.print(`Password (shown once): ${password}`);
      }),
    );
}
