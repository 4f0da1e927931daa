import { nameKey } from '../../roster/names.ts';
import type {
  ChildDemographics,
  DesiredChild,
  DesiredClassroom,
  DesiredContact,
  DesiredEducator,
  DesiredMembership,
  DesiredSchool,
} from '../model.ts';
import type { RecordKind } from '../report.ts';
import type { RowValues } from './types.ts';

/** The table each kind of record lives in, as Kysely names it. */
export const tableOf = {
  schools: 'schools',
  classrooms: 'classrooms',
  educators: 'educators',
  children: 'children',
  contacts: 'familyContacts',
  memberships: 'memberships',
} as const satisfies Record<RecordKind, string>;

/** PostgreSQL types of the columns the sync writes, for casts in multi-row updates. */
export const columnTypes: Record<string, string> = {
  id: 'uuid',
  orgId: 'uuid',
  schoolId: 'uuid',
  classroomId: 'uuid',
  childId: 'uuid',
  educatorId: 'uuid',
  contactId: 'uuid',
  runId: 'uuid',
  firstSeenRunId: 'uuid',
  lastSeenRunId: 'uuid',
  deactivatedByRunId: 'uuid',
  deactivatedAt: 'timestamptz',
  updatedAt: 'timestamptz',
  grades: 'jsonb',
  userIds: 'jsonb',
  journey: 'jsonb',
  candidateIds: 'jsonb',
  birthDate: 'date',
  beginDate: 'date',
  endDate: 'date',
  enabled: 'boolean',
  isPrimary: 'boolean',
  americanIndianOrAlaskaNative: 'boolean',
  asian: 'boolean',
  blackOrAfricanAmerican: 'boolean',
  nativeHawaiianOrOtherPacificIslander: 'boolean',
  white: 'boolean',
  twoOrMoreRaces: 'boolean',
  hispanicOrLatino: 'boolean',
};

export const jsonColumns = new Set(['grades', 'userIds', 'journey']);

/** Resolves a referenced record's `sourcedId` to its row id, or null when it is not on the roster. */
export type Resolve = (kind: RecordKind, sourcedId: string | null) => string | null;

export function schoolColumns(school: DesiredSchool): RowValues {
  return { name: school.name, identifier: school.identifier };
}

export function classroomColumns(classroom: DesiredClassroom, resolve: Resolve): RowValues {
  return {
    schoolId: resolve('schools', classroom.schoolSourcedId),
    rosterName: classroom.rosterName,
    classCode: classroom.classCode,
    classType: classroom.classType,
    grades: classroom.grades,
  };
}

export function educatorColumns(educator: DesiredEducator, resolve: Resolve): RowValues {
  return {
    schoolId: resolve('schools', educator.schoolSourcedId),
    role: educator.role,
    givenName: educator.givenName,
    familyName: educator.familyName,
    email: educator.email,
    identifier: educator.identifier,
    userIds: educator.userIds,
  };
}

export function childColumns(child: DesiredChild, resolve: Resolve): RowValues {
  const columns: RowValues = {
    schoolId: resolve('schools', child.schoolSourcedId),
    givenName: child.givenName,
    familyName: child.familyName,
    middleName: child.middleName,
    preferredGivenName: child.preferredGivenName,
    preferredFamilyName: child.preferredFamilyName,
    nameKey: nameKey(child.givenName, child.familyName),
    identifier: child.identifier,
    userIds: child.userIds,
    grade: child.grade,
    enabled: child.enabled,
  };
  // Left out, a classroom or demographics the run did not receive stay as stored.
  if (child.classroomSourcedId !== undefined)
    columns.classroomId = resolve('classrooms', child.classroomSourcedId);
  if (child.demographics !== undefined) Object.assign(columns, demographicColumns(child.demographics));
  return columns;
}

export function demographicColumns(demographics: ChildDemographics | null): RowValues {
  return {
    birthDate: demographics?.birthDate ?? null,
    sex: demographics?.sex ?? null,
    americanIndianOrAlaskaNative: demographics?.americanIndianOrAlaskaNative ?? null,
    asian: demographics?.asian ?? null,
    blackOrAfricanAmerican: demographics?.blackOrAfricanAmerican ?? null,
    nativeHawaiianOrOtherPacificIslander: demographics?.nativeHawaiianOrOtherPacificIslander ?? null,
    white: demographics?.white ?? null,
    twoOrMoreRaces: demographics?.twoOrMoreRaces ?? null,
    hispanicOrLatino: demographics?.hispanicOrLatino ?? null,
  };
}

export function contactColumns(contact: DesiredContact): RowValues {
  return {
    relationship: contact.relationship,
    givenName: contact.givenName,
    familyName: contact.familyName,
    email: contact.email,
    phone: contact.phone,
    sms: contact.sms,
  };
}

/** Columns of a membership, or the reason it cannot be stored (its classroom or person is unknown). */
export function membershipColumns(membership: DesiredMembership, resolve: Resolve): RowValues | string {
  const classroomId = resolve('classrooms', membership.classroomSourcedId);
  if (classroomId === null) return `class ${membership.classroomSourcedId} is not on the roster`;
  const childId = resolve('children', membership.personSourcedId);
  const educatorId = childId === null ? resolve('educators', membership.personSourcedId) : null;
  if (childId === null && educatorId === null)
    return `user ${membership.personSourcedId} is not on the roster`;
  const role = childId !== null ? 'student' : membership.role === 'aide' ? 'aide' : 'teacher';
  return {
    classroomId,
    childId,
    educatorId,
    role,
    isPrimary: membership.primary,
    beginDate: membership.beginDate,
    endDate: membership.endDate,
  };
}

/** Whether a stored value equals a planned one (arrays and objects by JSON, `undefined` as null). */
export function sameValue(stored: unknown, planned: unknown): boolean {
  const a = stored === undefined ? null : stored;
  const b = planned === undefined ? null : planned;
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'object' || typeof b === 'object') {
    const left: unknown = typeof a === 'string' ? tryJson(a) : a;
    const right: unknown = typeof b === 'string' ? tryJson(b) : b;
    return JSON.stringify(left) === JSON.stringify(right);
  }
  return false;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
