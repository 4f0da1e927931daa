import { createHash } from 'node:crypto';

import { type Kysely, sql } from 'kysely';

import type { Database } from '../schema.ts';

const tables = [
  'schools',
  'classrooms',
  'educators',
  'children',
  'family_contacts',
  'child_contacts',
  'memberships',
];

/**
 * A fingerprint of the organization's roster: an MD5 over every row's id, status and
 * `updated_at`, per table. Any write through the sync or a local edit (which sets `updated_at`)
 * changes it, so a stored plan can tell whether the roster moved on since it was computed.
 */
export async function rosterFingerprint(db: Kysely<Database>, orgId: string): Promise<string> {
  const parts = tables.map(
    (table) =>
      sql`select ${table}::text as t, md5(coalesce(string_agg(id::text || status || updated_at::text, ',' order by id), '')) as h
          from ${sql.raw(table)} where org_id = ${orgId}`,
  );
  const result = await sql<{ t: string; h: string }>`${sql.join(parts, sql` union all `)}`.execute(db);
  const perTable = result.rows
    .sort((a, b) => a.t.localeCompare(b.t))
    .map((row) => `${row.t}:${row.h}`)
    .join(',');
  return createHash('sha256').update(perTable).digest('hex');
}
