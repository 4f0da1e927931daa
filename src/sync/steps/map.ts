import type { Kysely } from 'kysely';

import { readStagedRecords } from '../../db/queries/staging.ts';
import type { Database } from '../../db/schema.ts';
import type { Class, Demographics, Enrollment, Org, User } from '../../oneroster/types.ts';
import type { ChildDemographics, DesiredRoster, WarningSink } from '../model.ts';
import { emptyDesiredRoster } from '../model.ts';
import type { RunMode } from '../report.ts';
import type { FetchResult } from './fetch.ts';

const contactRoles = new Set(['parent', 'guardian', 'relative']);

/**
 * Map step: turns the run's staged OneRoster records into the desired roster, following the
 * mapping of OneRoster to the platform: school orgs to schools, classes to classrooms, students
 * to children (joined with demographics by `sourcedId`), teachers and aides to educators,
 * parents, guardians and relatives linked through `agents` (either direction) to family
 * contacts, and student, teacher and aide enrollments to memberships with the `primary` flag.
 * Other roles are ignored. A kind is complete only in a full run whose collection arrived
 * whole and non-empty.
 */
export async function mapStagedRecords(
  db: Kysely<Database>,
  runId: string,
  mode: RunMode,
  fetched: FetchResult,
  sink: WarningSink,
): Promise<DesiredRoster> {
  const desired = emptyDesiredRoster(mode);
  const whole = (collection: keyof FetchResult['outcomes']) =>
    mode === 'full' && fetched.outcomes[collection].complete && fetched.received[collection] > 0;
  desired.complete.schools = whole('orgs');
  desired.complete.classrooms = whole('classes');
  desired.complete.educators = whole('users');
  desired.complete.children = whole('users');
  desired.complete.contacts = whole('users');
  desired.complete.memberships = whole('enrollments');

  for await (const orgs of readStagedRecords<Org>(db, runId, 'orgs')) {
    for (const org of orgs) mapOrg(desired, org);
  }
  for await (const classes of readStagedRecords<Class>(db, runId, 'classes')) {
    for (const record of classes) mapClass(desired, record);
  }

  const agentsOf = new Map<string, string[]>();
  for await (const users of readStagedRecords<User>(db, runId, 'users')) {
    for (const user of users) {
      mapUser(desired, user);
      if (user.agentSourcedIds.length > 0) agentsOf.set(user.sourcedId, user.agentSourcedIds);
    }
  }
  linkContacts(desired, agentsOf);

  for await (const enrollments of readStagedRecords<Enrollment>(db, runId, 'enrollments')) {
    for (const enrollment of enrollments) mapEnrollment(desired, enrollment, sink);
  }

  const demographicsWhole = whole('demographics');
  for await (const records of readStagedRecords<Demographics>(db, runId, 'demographics')) {
    for (const record of records) mapDemographics(desired, record);
  }
  for (const child of desired.children.values()) {
    if (child.demographics === undefined && demographicsWhole) child.demographics = null;
  }
  return desired;
}

function mapOrg(desired: DesiredRoster, org: Org): void {
  if (org.type === 'district') {
    desired.district ??= { sourcedId: org.sourcedId, name: org.name };
    return;
  }
  if (org.type !== 'school') return;
  desired.schools.set(org.sourcedId, {
    sourcedId: org.sourcedId,
    status: org.status,
    name: org.name,
    identifier: org.identifier,
  });
}

function mapClass(desired: DesiredRoster, record: Class): void {
  desired.classrooms.set(record.sourcedId, {
    sourcedId: record.sourcedId,
    status: record.status,
    rosterName: record.title,
    schoolSourcedId: record.schoolSourcedId,
    classCode: record.classCode,
    classType: record.classType,
    grades: record.grades,
  });
}

/** Orders a user's orgs primary first, then as the source listed them. */
function orgsOf(user: User): string[] {
  const orgs = [...user.orgSourcedIds];
  if (user.primaryOrgSourcedId) {
    return [user.primaryOrgSourcedId, ...orgs.filter((sourcedId) => sourcedId !== user.primaryOrgSourcedId)];
  }
  return orgs;
}

function schoolOf(desired: DesiredRoster, orgs: string[]): string | null {
  const known = orgs.find((sourcedId) => desired.schools.has(sourcedId));
  if (known) return known;
  return orgs.find((sourcedId) => sourcedId !== desired.district?.sourcedId) ?? null;
}

function mapUser(desired: DesiredRoster, user: User): void {
  const orgs = orgsOf(user);
  if (user.role === 'student') {
    desired.children.set(user.sourcedId, {
      sourcedId: user.sourcedId,
      status: user.status,
      givenName: user.givenName,
      familyName: user.familyName,
      middleName: user.middleName,
      preferredGivenName: user.preferredGivenName,
      preferredFamilyName: user.preferredFamilyName,
      identifier: user.identifier,
      userIds: user.userIds,
      grade: user.grades[0] ?? null,
      enabled: user.enabledUser,
      schoolSourcedId: schoolOf(desired, orgs),
      classroomSourcedId: undefined,
      demographics: undefined,
    });
  } else if (user.role === 'teacher' || user.role === 'aide') {
    desired.educators.set(user.sourcedId, {
      sourcedId: user.sourcedId,
      status: user.status,
      role: user.role === 'aide' ? 'aide' : 'teacher',
      givenName: user.givenName,
      familyName: user.familyName,
      email: user.email,
      identifier: user.identifier,
      userIds: user.userIds,
      schoolSourcedIds: orgs,
      primarySchoolSourcedId: user.primaryOrgSourcedId,
      schoolSourcedId: schoolOf(desired, orgs),
    });
  } else if (contactRoles.has(user.role)) {
    desired.contacts.set(user.sourcedId, {
      sourcedId: user.sourcedId,
      status: user.status,
      relationship: user.role as 'parent' | 'guardian' | 'relative',
      givenName: user.givenName,
      familyName: user.familyName,
      email: user.email,
      phone: user.phone,
      sms: user.sms,
      childSourcedIds: [],
    });
  }
}

/** Links contacts and children named in each other's `agents`, in either direction. */
function linkContacts(desired: DesiredRoster, agentsOf: Map<string, string[]>): void {
  const links = new Map<string, Set<string>>();
  const link = (contactId: string, childId: string) => {
    if (!desired.contacts.has(contactId)) return;
    let children = links.get(contactId);
    if (!children) links.set(contactId, (children = new Set()));
    children.add(childId);
  };
  for (const [userId, agents] of agentsOf) {
    for (const agent of agents) {
      if (desired.children.has(userId)) link(agent, userId);
      else if (desired.contacts.has(userId)) link(userId, agent);
    }
  }
  for (const [contactId, children] of links) {
    desired.contacts.get(contactId)!.childSourcedIds = [...children].sort();
  }
}

function mapEnrollment(desired: DesiredRoster, enrollment: Enrollment, sink: WarningSink): void {
  const role = enrollment.role;
  if (role !== 'student' && role !== 'teacher' && role !== 'aide') {
    if (!contactRoles.has(role) && role !== 'administrator' && role !== 'proctor') {
      sink.add(
        'ENROLLMENT_ROLE_UNKNOWN',
        enrollment.sourcedId,
        `The enrollment has the role ${JSON.stringify(role)}, which the platform does not use; it was ignored.`,
      );
    }
    return;
  }
  desired.memberships.set(enrollment.sourcedId, {
    sourcedId: enrollment.sourcedId,
    status: enrollment.status,
    classroomSourcedId: enrollment.classSourcedId,
    personSourcedId: enrollment.userSourcedId,
    personKind: role === 'student' ? 'child' : 'educator',
    role: role === 'student' ? 'student' : role === 'aide' ? 'aide' : 'teacher',
    primary: enrollment.primary,
    beginDate: enrollment.beginDate,
    endDate: enrollment.endDate,
  });
}

function mapDemographics(desired: DesiredRoster, record: Demographics): void {
  const demographics: ChildDemographics = {
    birthDate: record.birthDate,
    sex: record.sex,
    americanIndianOrAlaskaNative: record.americanIndianOrAlaskaNative,
    asian: record.asian,
    blackOrAfricanAmerican: record.blackOrAfricanAmerican,
    nativeHawaiianOrOtherPacificIslander: record.nativeHawaiianOrOtherPacificIslander,
    white: record.white,
    twoOrMoreRaces: record.demographicRaceTwoOrMoreRaces,
    hispanicOrLatino: record.hispanicOrLatinoEthnicity,
  };
  const child = desired.children.get(record.sourcedId);
  if (child) child.demographics = demographics;
  else if (desired.mode === 'delta') desired.demographicsOnly.set(record.sourcedId, demographics);
}

/**
 * Places each child in the classroom of one of its active student memberships: the lowest
 * classroom `sourcedId`, after the data rules have had their say. A child without memberships in
 * a delta run keeps its stored classroom (`undefined`); in a full run it has none (`null`).
 */
export function assignChildClassrooms(desired: DesiredRoster): void {
  const classroomOf = new Map<string, string>();
  for (const membership of desired.memberships.values()) {
    if (membership.personKind !== 'child' || membership.status !== 'active') continue;
    if (!desired.classrooms.has(membership.classroomSourcedId) && desired.mode === 'full') continue;
    const current = classroomOf.get(membership.personSourcedId);
    if (current === undefined || membership.classroomSourcedId < current) {
      classroomOf.set(membership.personSourcedId, membership.classroomSourcedId);
    }
  }
  for (const child of desired.children.values()) {
    const classroom = classroomOf.get(child.sourcedId);
    if (classroom !== undefined) child.classroomSourcedId = classroom;
    else if (desired.mode === 'full' && desired.complete.memberships) child.classroomSourcedId = null;
  }
}
