import type { Class, Org } from '../../oneroster/types.ts';
import type { DesiredRoster, WarningSink } from '../model.ts';
import { emptyDesiredRoster } from '../model.ts';
import type { RunMode } from '../report.ts';
import { contactRoles, type RecordCollector, sortedValues } from './collect.ts';
import type { FetchResult } from './fetch.ts';

/**
 * Map step: turns the run's collected records into the desired roster, following the mapping of
 * OneRoster to the platform: school orgs to schools, classes to classrooms, students to children
 * (joined with demographics by `sourcedId`), teachers and aides to educators, parents, guardians
 * and relatives linked through `agents` (either direction) to family contacts, and student,
 * teacher and aide enrollments to memberships with the `primary` flag. Other roles are ignored.
 * Every kind is read in `sourcedId` order. A kind is complete only in a full run whose collection
 * arrived whole and non-empty.
 */
export function mapCollectedRecords(
  collected: RecordCollector,
  mode: RunMode,
  fetched: FetchResult,
  sink: WarningSink,
): DesiredRoster {
  const desired = emptyDesiredRoster(mode);
  const whole = (collection: keyof FetchResult['outcomes']) =>
    mode === 'full' && fetched.outcomes[collection].complete && fetched.received[collection] > 0;
  desired.complete.schools = whole('orgs');
  desired.complete.classrooms = whole('classes');
  desired.complete.educators = whole('users');
  desired.complete.children = whole('users');
  desired.complete.contacts = whole('users');
  desired.complete.memberships = whole('enrollments');

  const orgs = sortedValues(collected.orgs);
  for (const org of orgs) mapOrg(desired, org);
  const otherOrgs = new Map(orgs.filter((org) => org.type !== 'school').map((org) => [org.sourcedId, org]));
  for (const record of sortedValues(collected.classes)) mapClass(desired, record, otherOrgs, sink);

  const agentsOf = new Map<string, string[]>();
  for (const user of sortedValues(collected.users)) {
    if (user.kind === 'contacts') desired.contacts.set(user.record.sourcedId, user.record);
    else {
      user.record.schoolSourcedId = schoolOf(desired, user.orgs);
      if (user.kind === 'children') desired.children.set(user.record.sourcedId, user.record);
      else desired.educators.set(user.record.sourcedId, user.record);
    }
    if (user.agents.length > 0) agentsOf.set(user.record.sourcedId, user.agents);
  }
  collected.users.clear();
  linkContacts(desired, agentsOf);

  for (const enrollment of sortedValues(collected.enrollments)) {
    if (!('unusedRole' in enrollment)) {
      desired.memberships.set(enrollment.sourcedId, enrollment);
      continue;
    }
    const role = enrollment.unusedRole;
    if (!contactRoles.has(role) && role !== 'administrator' && role !== 'proctor') {
      sink.add(
        'ENROLLMENT_ROLE_UNKNOWN',
        enrollment.sourcedId,
        `The enrollment has the role ${JSON.stringify(role)}, which the platform does not use; it was ignored.`,
      );
    }
  }
  collected.enrollments.clear();

  for (const sourcedId of [...collected.demographics.keys()].sort()) {
    const demographics = collected.demographics.get(sourcedId)!;
    const child = desired.children.get(sourcedId);
    if (child) child.demographics = demographics;
    else if (desired.mode === 'delta') desired.demographicsOnly.set(sourcedId, demographics);
  }
  collected.demographics.clear();
  if (whole('demographics')) {
    for (const child of desired.children.values()) child.demographics ??= null;
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

function mapClass(
  desired: DesiredRoster,
  record: Class,
  otherOrgs: Map<string, Org>,
  sink: WarningSink,
): void {
  desired.classrooms.set(record.sourcedId, {
    sourcedId: record.sourcedId,
    status: record.status,
    rosterName: record.title,
    schoolSourcedId: schoolOfClass(desired, record, otherOrgs, sink),
    classCode: record.classCode,
    classType: record.classType,
    grades: record.grades,
  });
}

/**
 * Returns the school of a class. A class whose `school` names another kind of org (a department,
 * say) belongs to the school above that org. When no school is found in a full roster the class
 * keeps the org it names, which matches no school, and a `CLASSROOM_SCHOOL_UNKNOWN` warning names
 * that org. A delta run sees only changed orgs, so it keeps the named org without a warning.
 */
function schoolOfClass(
  desired: DesiredRoster,
  record: Class,
  otherOrgs: Map<string, Org>,
  sink: WarningSink,
): string | null {
  const named = record.schoolSourcedId;
  if (named === null || desired.schools.has(named) || desired.mode === 'delta') return named;

  const seen = new Set<string>();
  let org = otherOrgs.get(named);
  while (org && !seen.has(org.sourcedId)) {
    seen.add(org.sourcedId);
    const parent = org.parentSourcedId;
    if (parent !== null && desired.schools.has(parent)) return parent;
    org = parent === null ? undefined : otherOrgs.get(parent);
  }

  const kind = otherOrgs.get(named)?.type;
  const what = kind
    ? `the ${kind} org ${named}, which is not a school and has no school above it`
    : `the org ${named}, which is not on the roster`;
  sink.add(
    'CLASSROOM_SCHOOL_UNKNOWN',
    record.sourcedId,
    `The class names ${what}, so the classroom has no school. Check the class's school in the roster source.`,
  );
  return named;
}

function schoolOf(desired: DesiredRoster, orgs: string[]): string | null {
  const known = orgs.find((sourcedId) => desired.schools.has(sourcedId));
  if (known) return known;
  return orgs.find((sourcedId) => sourcedId !== desired.district?.sourcedId) ?? null;
}

/** Links contacts and children named in each other's `agents`, in either direction. */
function linkContacts(desired: DesiredRoster, agentsOf: Map<string, string[]>): void {
  const links = new Map<string, Set<string>>();
  const link = (contactId: string, childId: string) => {
    if (!desired.contacts.has(contactId)) {
      // A delta run may carry a child without the contact its agents name: that contact is stored.
      if (desired.mode === 'delta') addToSet(desired.contactLinksOnly, contactId, childId);
      return;
    }
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

function addToSet(map: Map<string, Set<string>>, key: string, value: string): void {
  let values = map.get(key);
  if (!values) map.set(key, (values = new Set()));
  values.add(value);
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
    const classroom = desired.classrooms.get(membership.classroomSourcedId);
    if (classroom ? classroom.status !== 'active' : desired.mode === 'full') continue;
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
