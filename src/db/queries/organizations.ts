import type { Kysely } from 'kysely';

import { AppError } from '../../core/errors.ts';
import type { Database, Organization, RosterConnection, SyncSettings } from '../schema.ts';

/** Finds an organization by slug; throws `ORG_NOT_FOUND` naming the slug. */
export async function getOrganizationBySlug(db: Kysely<Database>, slug: string): Promise<Organization> {
  const org = await db.selectFrom('organizations').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!org) {
    throw new AppError('ORG_NOT_FOUND', `No organization has the slug ${JSON.stringify(slug)}.`, {
      hint: 'Check the spelling, or create it with `rostersync org create --name NAME --slug SLUG`.',
    });
  }
  return org;
}

export async function getOrganizationById(db: Kysely<Database>, id: string): Promise<Organization> {
  const org = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!org) throw new AppError('ORG_NOT_FOUND', `No organization has the id ${id}.`);
  return org;
}

export async function getSyncSettings(db: Kysely<Database>, orgId: string): Promise<SyncSettings> {
  return db.selectFrom('syncSettings').selectAll().where('orgId', '=', orgId).executeTakeFirstOrThrow();
}

/** The organization's roster connection, or null when none was entered yet. */
export async function findRosterConnection(
  db: Kysely<Database>,
  orgId: string,
): Promise<RosterConnection | null> {
  return (
    (await db.selectFrom('rosterConnections').selectAll().where('orgId', '=', orgId).executeTakeFirst()) ??
    null
  );
}

/** Records a settings change for the audit log. `changes` must never hold a secret. */
export async function insertAuditEntry(
  db: Kysely<Database>,
  entry: { orgId: string | null; actor: string; action: string; changes: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('auditLog')
    .values({ ...entry, changes: JSON.stringify(entry.changes) })
    .execute();
}
