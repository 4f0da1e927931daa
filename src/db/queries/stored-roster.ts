import { type Kysely, type RawBuilder, sql } from 'kysely';

import type { UserId } from '../../oneroster/types.ts';
import { type RecordKind, recordKinds } from '../../sync/report.ts';
import { snakeCase } from '../quote.ts';
import type { Database } from '../schema.ts';

/**
 * The organization's roster as stored, loaded by the sync to compare with the desired roster.
 * Archived and merged rows are left out, because a sync never changes them, except archived
 * children in `archivedChildren`, which carryover may restore.
 */
export interface StoredRow {
  id: string;
  sourcedId: string | null;
  status: 'active' | 'inactive';
  sourceStatus: string | null;
}

export interface StoredSchool extends StoredRow {
  name: string;
  identifier: string | null;
}

export interface StoredClassroom extends StoredRow {
  schoolId: string | null;
  rosterName: string;
  displayName: string | null;
  classCode: string | null;
  classType: string | null;
  grades: string[];
}

export interface StoredEducator extends StoredRow {
  schoolId: string | null;
  role: 'teacher' | 'aide';
  givenName: string;
  familyName: string;
  email: string | null;
  identifier: string | null;
  userIds: UserId[];
}

export interface StoredChild extends StoredRow {
  origin: 'roster' | 'manual';
  schoolId: string | null;
  classroomId: string | null;
  givenName: string;
  familyName: string;
  middleName: string | null;
  preferredGivenName: string | null;
  preferredFamilyName: string | null;
  nameKey: string;
  identifier: string | null;
  userIds: UserId[];
  birthDate: string | null;
  sex: string | null;
  americanIndianOrAlaskaNative: boolean | null;
  asian: boolean | null;
  blackOrAfricanAmerican: boolean | null;
  nativeHawaiianOrOtherPacificIslander: boolean | null;
  white: boolean | null;
  twoOrMoreRaces: boolean | null;
  hispanicOrLatino: boolean | null;
  grade: string | null;
  enabled: boolean;
  journey: string[];
  level: string | null;
}

export interface StoredContact extends StoredRow {
  relationship: 'parent' | 'guardian' | 'relative';
  givenName: string;
  familyName: string;
  email: string | null;
  phone: string | null;
  sms: string | null;
}

export interface StoredMembership extends StoredRow {
  classroomId: string;
  childId: string | null;
  educatorId: string | null;
  role: 'student' | 'teacher' | 'aide';
  isPrimary: boolean;
  beginDate: string | null;
  endDate: string | null;
}

export interface StoredContactLink {
  id: string;
  childId: string;
  contactId: string;
  status: 'active' | 'inactive';
}

export interface StoredRoster {
  /** Rows with a `sourcedId`, keyed by it. */
  schools: Map<string, StoredSchool>;
  classrooms: Map<string, StoredClassroom>;
  educators: Map<string, StoredEducator>;
  children: Map<string, StoredChild>;
  contacts: Map<string, StoredContact>;
  memberships: Map<string, StoredMembership>;
  /** Children without a `sourcedId` (typed in by hand), for matching by name and date of birth. */
  unlinkedChildren: StoredChild[];
  /**
   * Archived children (not merged) of earlier school years, for carryover matching and for the
   * first-sync check. A sync changes one only by restoring it.
   */
  archivedChildren: (StoredChild & { archivedSchoolYear: number })[];
  /** Child-contact links keyed by `childId:contactId`. */
  contactLinks: Map<string, StoredContactLink>;
  /** Active rows with a `sourcedId` per kind, on the whole roster, for the safeguard. */
  activeCounts: Record<RecordKind, number>;
  /**
   * Whether only the rows named by `sourcedId` were loaded (`loadStoredRows`): the maps then hold
   * those rows, and `unlinkedChildren` and `archivedChildren` are empty.
   */
  partial: boolean;
}

/** The `sourcedId`s to load per kind, for a partial load. */
export type SourcedIdsByKind = Record<RecordKind, ReadonlySet<string>>;

const tables = {
  schools: 'schools',
  classrooms: 'classrooms',
  educators: 'educators',
  children: 'children',
  contacts: 'family_contacts',
  memberships: 'memberships',
} as const satisfies Record<RecordKind, string>;

const lineageColumns = ['id', 'sourcedId', 'status', 'sourceStatus'] as const;

/** Columns the sync compares, per kind, as the row types name them. */
const columnsOf = {
  schools: [...lineageColumns, 'name', 'identifier'],
  classrooms: [
    ...lineageColumns,
    'schoolId',
    'rosterName',
    'displayName',
    'classCode',
    'classType',
    'grades',
  ],
  educators: [
    ...lineageColumns,
    'schoolId',
    'role',
    'givenName',
    'familyName',
    'email',
    'identifier',
    'userIds',
  ],
  children: [
    ...lineageColumns,
    'origin',
    'schoolId',
    'classroomId',
    'givenName',
    'familyName',
    'middleName',
    'preferredGivenName',
    'preferredFamilyName',
    'nameKey',
    'identifier',
    'userIds',
    'birthDate',
    'sex',
    'americanIndianOrAlaskaNative',
    'asian',
    'blackOrAfricanAmerican',
    'nativeHawaiianOrOtherPacificIslander',
    'white',
    'twoOrMoreRaces',
    'hispanicOrLatino',
    'grade',
    'enabled',
    'journey',
    'level',
  ],
  contacts: [...lineageColumns, 'relationship', 'givenName', 'familyName', 'email', 'phone', 'sms'],
  memberships: [
    ...lineageColumns,
    'classroomId',
    'childId',
    'educatorId',
    'role',
    'isPrimary',
    'beginDate',
    'endDate',
  ],
} satisfies Record<RecordKind, readonly string[]>;

/** Rows the sync never changes: archived ones, and children merged into another. */
const currentOnly = {
  schools: sql``,
  classrooms: sql` and archived_at is null`,
  educators: sql``,
  children: sql` and archived_at is null and merged_into_id is null`,
  contacts: sql``,
  memberships: sql` and archived_at is null`,
} satisfies Record<RecordKind, RawBuilder<unknown>>;

/**
 * Loads the organization's whole current (not archived, not merged) roster and its archived
 * children. The queries run at once: on PostgreSQL each takes its own pooled connection.
 */
export async function loadStoredRoster(db: Kysely<Database>, orgId: string): Promise<StoredRoster> {
  const plain = db.withoutPlugins();
  const [schools, classrooms, educators, children, archivedChildren, contacts, memberships, links] =
    await Promise.all([
      selectRows<StoredSchool>(plain, 'schools', orgId),
      selectRows<StoredClassroom>(plain, 'classrooms', orgId),
      selectRows<StoredEducator>(plain, 'educators', orgId),
      selectRows<StoredChild>(plain, 'children', orgId),
      selectArchivedChildren(plain, orgId),
      selectRows<StoredContact>(plain, 'contacts', orgId),
      selectRows<StoredMembership>(plain, 'memberships', orgId),
      selectLinks(plain, orgId, null),
    ]);

  const byKind = indexRows({ schools, classrooms, educators, children, contacts, memberships });
  const activeCounts = {} as Record<RecordKind, number>;
  for (const kind of recordKinds) activeCounts[kind] = countActive(byKind[kind]);
  return {
    ...byKind,
    unlinkedChildren: children.filter((child) => child.sourcedId === null),
    archivedChildren,
    contactLinks: byChildAndContact(links),
    activeCounts,
    partial: false,
  };
}

/**
 * Loads only the current rows named in `only`, by `sourcedId`, with the links of the contacts
 * loaded and each kind's active count: what a delta run needs when every record it sent is
 * already on the roster. The caller falls back to `loadStoredRoster` when matching needs the
 * other children (a child whose `sourcedId` is new).
 */
export async function loadStoredRows(
  db: Kysely<Database>,
  orgId: string,
  only: SourcedIdsByKind,
): Promise<StoredRoster> {
  const plain = db.withoutPlugins();
  const [schools, classrooms, educators, children, contacts, memberships, counts] = await Promise.all([
    selectRows<StoredSchool>(plain, 'schools', orgId, only.schools),
    selectRows<StoredClassroom>(plain, 'classrooms', orgId, only.classrooms),
    selectRows<StoredEducator>(plain, 'educators', orgId, only.educators),
    selectRows<StoredChild>(plain, 'children', orgId, only.children),
    selectRows<StoredContact>(plain, 'contacts', orgId, only.contacts),
    selectRows<StoredMembership>(plain, 'memberships', orgId, only.memberships),
    countActiveRows(plain, orgId),
  ]);
  const links =
    contacts.length === 0
      ? []
      : await selectLinks(
          plain,
          orgId,
          contacts.map((row) => row.id),
        );
  return {
    ...indexRows({ schools, classrooms, educators, children, contacts, memberships }),
    unlinkedChildren: [],
    archivedChildren: [],
    contactLinks: byChildAndContact(links),
    activeCounts: counts,
    partial: true,
  };
}

/** An active student membership of a current child in a current, active classroom. */
export interface StoredStudentMembership {
  membershipSourcedId: string | null;
  childSourcedId: string;
  classroomSourcedId: string;
  beginDate: string | null;
  classType: string | null;
}

/**
 * Loads the active student memberships of the given children (by `sourcedId`), with the begin
 * date and their classroom's type. The query starts from the children, so its cost follows their
 * number, whatever the statistics of the tables.
 */
export async function loadStudentMemberships(
  db: Kysely<Database>,
  orgId: string,
  childSourcedIds: ReadonlySet<string>,
): Promise<StoredStudentMembership[]> {
  const result = await sql<StoredStudentMembership>`with wanted as (
      select id, sourced_id from children
      where org_id = ${orgId} and sourced_id = any(${[...childSourcedIds]}::text[])
        and archived_at is null and merged_into_id is null
    )
    select m.sourced_id as "membershipSourcedId", wanted.sourced_id as "childSourcedId",
      c.sourced_id as "classroomSourcedId", m.begin_date as "beginDate", c.class_type as "classType"
    from wanted
    join memberships m on m.child_id = wanted.id
    join classrooms c on c.id = m.classroom_id
    where m.status = 'active' and m.archived_at is null
      and c.status = 'active' and c.archived_at is null and c.sourced_id is not null`.execute(
    db.withoutPlugins(),
  );
  return result.rows;
}

/** Refreshes the planner statistics of the roster tables (`ANALYZE`), after a large write. */
export async function refreshRosterStatistics(db: Kysely<Database>): Promise<void> {
  await sql`analyze schools, classrooms, educators, children, family_contacts, memberships, child_contacts`.execute(
    db,
  );
}

/** Loads the type of each current classroom named (by `sourcedId`). */
export async function loadClassTypes(
  db: Kysely<Database>,
  orgId: string,
  classroomSourcedIds: ReadonlySet<string>,
): Promise<Map<string, string | null>> {
  if (classroomSourcedIds.size === 0) return new Map();
  const result = await sql<{ sourcedId: string; classType: string | null }>`select
      sourced_id as "sourcedId", class_type as "classType" from classrooms
    where org_id = ${orgId} and archived_at is null
      and sourced_id = any(${[...classroomSourcedIds]}::text[])`.execute(db.withoutPlugins());
  return new Map(result.rows.map((row) => [row.sourcedId, row.classType]));
}

/** Returns a `select` list with each column aliased to its camelCase name, so no plugin renames the rows. */
function selectList(columns: readonly string[]): RawBuilder<unknown> {
  return sql.raw(columns.map((column) => `${snakeCase(column)} as "${column}"`).join(', '));
}

/** Selects the current rows of a kind, all of them or only those whose `sourcedId` is in `only`. */
async function selectRows<T>(
  db: Kysely<Database>,
  kind: RecordKind,
  orgId: string,
  only?: ReadonlySet<string>,
): Promise<T[]> {
  if (only?.size === 0) return [];
  const filter = only ? sql` and sourced_id = any(${[...only]}::text[])` : sql``;
  const result = await sql<T>`select ${selectList(columnsOf[kind])} from ${sql.raw(tables[kind])}
    where org_id = ${orgId}${currentOnly[kind]}${filter}`.execute(db);
  return result.rows;
}

async function selectArchivedChildren(
  db: Kysely<Database>,
  orgId: string,
): Promise<StoredRoster['archivedChildren']> {
  const result = await sql<StoredChild & { archivedSchoolYear: number | null }>`select
    ${selectList([...columnsOf.children, 'archivedSchoolYear'])} from children
    where org_id = ${orgId} and archived_at is not null and merged_into_id is null`.execute(db);
  return result.rows.map((child) => ({ ...child, archivedSchoolYear: child.archivedSchoolYear ?? 0 }));
}

/** Selects the child-contact links of the organization, or only those of the given contacts. */
async function selectLinks(
  db: Kysely<Database>,
  orgId: string,
  contactIds: readonly string[] | null,
): Promise<StoredContactLink[]> {
  const filter = contactIds ? sql` and contact_id = any(${contactIds}::uuid[])` : sql``;
  const result = await sql<StoredContactLink>`select ${selectList(['id', 'childId', 'contactId', 'status'])}
    from child_contacts where org_id = ${orgId}${filter}`.execute(db);
  return result.rows;
}

/** Counts the active rows with a `sourcedId` per kind, as `loadStoredRoster` would. */
async function countActiveRows(db: Kysely<Database>, orgId: string): Promise<Record<RecordKind, number>> {
  const parts = recordKinds.map(
    (kind) => sql`select ${kind}::text as kind, count(*)::int as active from ${sql.raw(tables[kind])}
      where org_id = ${orgId}${currentOnly[kind]} and status = 'active' and sourced_id is not null`,
  );
  const result = await sql<{
    kind: RecordKind;
    active: number;
  }>`${sql.join(parts, sql` union all `)}`.execute(db);
  const counts = {} as Record<RecordKind, number>;
  for (const kind of recordKinds) counts[kind] = 0;
  for (const row of result.rows) counts[row.kind] = Number(row.active);
  return counts;
}

function countActive(rows: Map<string, StoredRow>): number {
  let count = 0;
  for (const row of rows.values()) if (row.status === 'active') count += 1;
  return count;
}

function byChildAndContact(links: StoredContactLink[]): Map<string, StoredContactLink> {
  return new Map(links.map((link) => [`${link.childId}:${link.contactId}`, link]));
}

/** The rows of each kind, as loaded. */
interface RowsByKind {
  schools: StoredSchool[];
  classrooms: StoredClassroom[];
  educators: StoredEducator[];
  children: StoredChild[];
  contacts: StoredContact[];
  memberships: StoredMembership[];
}

/** Keys the rows of each kind by `sourcedId`, leaving out rows without one. */
function indexRows(rows: RowsByKind): Pick<StoredRoster, RecordKind> {
  return {
    schools: bySourcedId(rows.schools),
    classrooms: bySourcedId(rows.classrooms),
    educators: bySourcedId(rows.educators),
    children: bySourcedId(rows.children),
    contacts: bySourcedId(rows.contacts),
    memberships: bySourcedId(rows.memberships),
  };
}

function bySourcedId<T extends StoredRow>(rows: T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const row of rows) {
    if (row.sourcedId !== null) map.set(row.sourcedId, row);
  }
  return map;
}
