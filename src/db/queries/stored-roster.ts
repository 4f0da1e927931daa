import type { Kysely } from 'kysely';

import type { UserId } from '../../oneroster/types.ts';
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
}

/** Loads the organization's current (not archived, not merged) roster and its archived children. */
export async function loadStoredRoster(db: Kysely<Database>, orgId: string): Promise<StoredRoster> {
  const schoolsQuery = db
    .selectFrom('schools')
    .select(['id', 'sourcedId', 'status', 'sourceStatus', 'name', 'identifier'])
    .where('orgId', '=', orgId)
    .execute();

  const classroomsQuery = db
    .selectFrom('classrooms')
    .select([
      'id',
      'sourcedId',
      'status',
      'sourceStatus',
      'schoolId',
      'rosterName',
      'displayName',
      'classCode',
      'classType',
      'grades',
    ])
    .where('orgId', '=', orgId)
    .where('archivedAt', 'is', null)
    .execute();

  const educatorsQuery = db
    .selectFrom('educators')
    .select([
      'id',
      'sourcedId',
      'status',
      'sourceStatus',
      'schoolId',
      'role',
      'givenName',
      'familyName',
      'email',
      'identifier',
      'userIds',
    ])
    .where('orgId', '=', orgId)
    .execute();

  const childColumns = [
    'id',
    'sourcedId',
    'status',
    'sourceStatus',
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
  ] as const;
  const childrenQuery = db
    .selectFrom('children')
    .select(childColumns)
    .where('orgId', '=', orgId)
    .where('archivedAt', 'is', null)
    .where('mergedIntoId', 'is', null)
    .execute();
  const archivedChildrenQuery = db
    .selectFrom('children')
    .select([...childColumns, 'archivedSchoolYear'])
    .where('orgId', '=', orgId)
    .where('archivedAt', 'is not', null)
    .where('mergedIntoId', 'is', null)
    .execute();

  const contactsQuery = db
    .selectFrom('familyContacts')
    .select([
      'id',
      'sourcedId',
      'status',
      'sourceStatus',
      'relationship',
      'givenName',
      'familyName',
      'email',
      'phone',
      'sms',
    ])
    .where('orgId', '=', orgId)
    .execute();

  const membershipsQuery = db
    .selectFrom('memberships')
    .select([
      'id',
      'sourcedId',
      'status',
      'sourceStatus',
      'classroomId',
      'childId',
      'educatorId',
      'role',
      'isPrimary',
      'beginDate',
      'endDate',
    ])
    .where('orgId', '=', orgId)
    .where('archivedAt', 'is', null)
    .execute();

  const linksQuery = db
    .selectFrom('childContacts')
    .select(['id', 'childId', 'contactId', 'status'])
    .where('orgId', '=', orgId)
    .execute();

  // The queries run at once: on PostgreSQL each takes its own pooled connection.
  const [schools, classrooms, educators, children, archivedChildren, contacts, memberships, links] =
    await Promise.all([
      schoolsQuery,
      classroomsQuery,
      educatorsQuery,
      childrenQuery,
      archivedChildrenQuery,
      contactsQuery,
      membershipsQuery,
      linksQuery,
    ]);

  return {
    schools: bySourcedId(schools),
    classrooms: bySourcedId(classrooms),
    educators: bySourcedId(educators),
    children: bySourcedId(children),
    contacts: bySourcedId(contacts),
    memberships: bySourcedId(memberships),
    unlinkedChildren: children.filter((child) => child.sourcedId === null),
    archivedChildren: archivedChildren.map((child) => ({
      ...child,
      archivedSchoolYear: child.archivedSchoolYear ?? 0,
    })),
    contactLinks: new Map(links.map((link) => [`${link.childId}:${link.contactId}`, link])),
  };
}

function bySourcedId<T extends StoredRow>(rows: T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const row of rows) {
    if (row.sourcedId !== null) map.set(row.sourcedId, row);
  }
  return map;
}
