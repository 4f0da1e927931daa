import { type Kysely, sql } from 'kysely';
import { DateTime } from 'luxon';

import { AppError } from '../core/errors.ts';
import { getOrganizationById, insertAuditEntry } from '../db/queries/organizations.ts';
import type { Database } from '../db/schema.ts';

/** Rows moved to the archive, per kind. */
export interface ArchiveSummary {
  schoolYear: number;
  children: number;
  classrooms: number;
  memberships: number;
}

const archivedTables = [
  { table: 'children', kind: 'child' },
  { table: 'classrooms', kind: 'classroom' },
  { table: 'memberships', kind: 'membership' },
] as const;

/**
 * Moves the organization's current children, classrooms and memberships (active, inactive and
 * merged alike) to the read-only archive of `schoolYear`, the school year's ending year (2026 for
 * 2025-26). Each row gets `archived_school_year` and `archived_at` and a snapshot in
 * `archive_records`, all in one transaction. Running it again archives only rows that became
 * current since, so a retried job does no harm. Afterwards the organization's current school year
 * is at least `schoolYear + 1`, and the next sync creates the new year's classrooms; with
 * carryover on it restores matched children. Throws `INVALID_INPUT` for a year outside 2000-2100.
 */
export async function archiveSchoolYear(
  db: Kysely<Database>,
  orgId: string,
  schoolYear: number,
  actor: string,
): Promise<ArchiveSummary> {
  if (!Number.isInteger(schoolYear) || schoolYear < 2000 || schoolYear > 2100) {
    throw new AppError(
      'INVALID_INPUT',
      `The school year must be a year from 2000 to 2100, such as 2026 for 2025-26 (got ${schoolYear}).`,
    );
  }
  const org = await getOrganizationById(db, orgId);

  return db.transaction().execute(async (trx) => {
    const now = new Date();
    const summary: ArchiveSummary = { schoolYear, children: 0, classrooms: 0, memberships: 0 };

    for (const { table, kind } of archivedTables) {
      await sql`
        insert into archive_records (org_id, school_year, kind, record_id, sourced_id, data, archived_at)
        select r.org_id, ${schoolYear}::integer, ${kind}, r.id, r.sourced_id, to_jsonb(r), ${now}
        from ${sql.table(table)} r
        where r.org_id = ${orgId} and r.archived_at is null
        on conflict (org_id, school_year, kind, record_id) do update
          set data = excluded.data, archived_at = excluded.archived_at, restored_at = null, restored_by_run_id = null
      `.execute(trx);
      const moved = await sql`
        update ${sql.table(table)} set archived_at = ${now}, archived_school_year = ${schoolYear}::integer, updated_at = ${now}
        where org_id = ${orgId} and archived_at is null
      `.execute(trx);
      summary[table] = Number(moved.numAffectedRows ?? 0);
    }

    if (org.currentSchoolYear === null || org.currentSchoolYear <= schoolYear) {
      await trx
        .updateTable('organizations')
        .set({ currentSchoolYear: schoolYear + 1, updatedAt: now })
        .where('id', '=', orgId)
        .execute();
    }
    await insertAuditEntry(trx, { orgId, actor, action: 'school_year.archive', changes: { ...summary } });
    return summary;
  });
}

/**
 * Brings archived children back into the current year for a sync with carryover on, keeping their
 * id and so their history (archived memberships, contacts, journey, level). Marks their
 * snapshots restored by `runId`. Call it in the run's transaction before the children's roster
 * fields are updated, because archived rows reject every other update. Returns the count restored.
 */
export async function restoreArchivedChildren(
  db: Kysely<Database>,
  orgId: string,
  childIds: readonly string[],
  runId: string | null,
): Promise<number> {
  if (childIds.length === 0) return 0;
  const now = new Date();
  const restored = await db
    .updateTable('children')
    .set({ archivedAt: null, archivedSchoolYear: null, updatedAt: now })
    .where('orgId', '=', orgId)
    .where('id', 'in', [...childIds])
    .where('archivedAt', 'is not', null)
    .executeTakeFirst();
  await db
    .updateTable('archiveRecords')
    .set({ restoredAt: now, restoredByRunId: runId })
    .where('orgId', '=', orgId)
    .where('kind', '=', 'child')
    .where('recordId', 'in', [...childIds])
    .where('restoredAt', 'is', null)
    .execute();
  return Number(restored.numUpdatedRows);
}

/**
 * Returns the school year in progress on `now` in the organization's zone, as its ending year:
 * from the archive date on, the next year's (on 1 August 2026 with the default date: 2027).
 */
export function schoolYearInProgress(
  org: { timezone: string; archiveMonth: number; archiveDay: number },
  now: Date,
): number {
  const local = DateTime.fromJSDate(now, { zone: org.timezone });
  const reached =
    local.month > org.archiveMonth || (local.month === org.archiveMonth && local.day >= org.archiveDay);
  return reached ? local.year + 1 : local.year;
}

/** Returns the school years the organization has archived, latest first, with their child counts. */
export async function listArchivedYears(
  db: Kysely<Database>,
  orgId: string,
): Promise<{ schoolYear: number; children: number }[]> {
  const rows = await db
    .selectFrom('archiveRecords')
    .select(['schoolYear', (eb) => eb.fn.countAll<number>().as('children')])
    .where('orgId', '=', orgId)
    .where('kind', '=', 'child')
    .groupBy('schoolYear')
    .orderBy('schoolYear', 'desc')
    .execute();
  return rows.map((row) => ({ schoolYear: row.schoolYear, children: Number(row.children) }));
}
