import { sql } from 'kysely';

import { loadConfig } from '../../../src/core/config.ts';
import { parseSecretKey } from '../../../src/core/crypto.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import type { SyncSettingsTable } from '../../../src/db/schema.ts';
import type { Store } from '../../../src/db/store.ts';
import { createOrganization } from '../../../src/roster/organizations.ts';
import type { SyncDeps } from '../../../src/sync/run.ts';

export const testSecretKey = parseSecretKey('0'.repeat(64));

/** Sync dependencies over a test store, with private endpoints allowed (the emulator runs on loopback). */
export function syncDeps(store: Store): SyncDeps {
  return {
    store,
    config: { ...loadConfig({}), allowPrivateEndpoints: true },
    logger: silentLogger(),
    secretKey: () => testSecretKey,
  };
}

let counter = 0;

/** Creates an organization with a unique slug and the given sync settings; returns its id and slug. */
export async function createTestOrg(
  store: Store,
  settings: Partial<{ [K in keyof SyncSettingsTable]: unknown }> = {},
): Promise<{ id: string; slug: string }> {
  counter += 1;
  const slug = `org-${process.pid}-${counter}`;
  const org = await createOrganization(store.db, { name: `Test ${slug}`, slug, actor: 'test' });
  if (Object.keys(settings).length > 0) {
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(settings))
      values[key] = Array.isArray(value) ? JSON.stringify(value) : value;
    await store.db.updateTable('syncSettings').set(values).where('orgId', '=', org.id).execute();
  }
  return { id: org.id, slug };
}

/** Every roster row of an organization, for comparing the roster before and after a run. */
export async function snapshotRoster(store: Store, orgId: string): Promise<Record<string, unknown[]>> {
  const tables = [
    'schools',
    'classrooms',
    'educators',
    'children',
    'family_contacts',
    'child_contacts',
    'memberships',
  ];
  const snapshot: Record<string, unknown[]> = {};
  for (const table of tables) {
    const result = await sql<
      Record<string, unknown>
    >`select * from ${sql.raw(table)} where org_id = ${orgId} order by id`.execute(store.db);
    snapshot[table] = result.rows;
  }
  return snapshot;
}
