import type { AcademicSession, Class, Demographics, Enrollment, Org, User } from '../../oneroster/types.ts';
import type {
  ChildDemographics,
  DesiredChild,
  DesiredContact,
  DesiredEducator,
  DesiredMembership,
} from '../model.ts';
import type { SyncedCollection } from './fetch.ts';

export const contactRoles = new Set(['parent', 'guardian', 'relative']);

/** A mapped user whose school waits for the orgs: it is chosen once every org has arrived. */
export type CollectedUser =
  | { kind: 'children'; record: DesiredChild; orgs: string[]; agents: string[] }
  | { kind: 'educators'; record: DesiredEducator; orgs: string[]; agents: string[] }
  | { kind: 'contacts'; record: DesiredContact; agents: string[] };

/** A mapped enrollment, or the role of one the platform does not use. */
export type CollectedEnrollment = DesiredMembership | { sourcedId: string; unusedRole: string };

/**
 * The records of a run as they arrive, page by page, keyed by `sourcedId`; a `sourcedId`
 * repeated within a collection keeps its last copy. Users, enrollments and demographics are
 * mapped on arrival, so that memory contains their platform form and not the OneRoster record.
 * Orgs, sessions and classes are few and are kept as they came; the map step reads all of them
 * in `sourcedId` order (`sortedValues`), whatever order the pages arrived in.
 */
export class RecordCollector {
  readonly orgs = new Map<string, Org>();
  readonly academicSessions = new Map<string, AcademicSession>();
  readonly classes = new Map<string, Class>();
  readonly users = new Map<string, CollectedUser>();
  readonly enrollments = new Map<string, CollectedEnrollment>();
  readonly demographics = new Map<string, ChildDemographics>();

  /** Takes one page of records of a collection. */
  add(collection: SyncedCollection, records: readonly unknown[]): void {
    switch (collection) {
      case 'orgs':
        for (const org of records as Org[]) this.orgs.set(org.sourcedId, withoutExtensions(org));
        return;
      case 'academicSessions':
        for (const session of records as AcademicSession[])
          this.academicSessions.set(session.sourcedId, withoutExtensions(session));
        return;
      case 'classes':
        for (const record of records as Class[])
          this.classes.set(record.sourcedId, withoutExtensions(record));
        return;
      case 'users':
        for (const user of records as User[]) {
          const collected = collectUser(user);
          if (collected) this.users.set(user.sourcedId, collected);
          else this.users.delete(user.sourcedId);
        }
        return;
      case 'enrollments':
        for (const enrollment of records as Enrollment[])
          this.enrollments.set(enrollment.sourcedId, collectEnrollment(enrollment));
        return;
      case 'demographics':
        for (const record of records as Demographics[])
          this.demographics.set(record.sourcedId, collectDemographics(record));
        return;
    }
  }
}

/** Returns the values of a map in `sourcedId` order. */
export function sortedValues<T>(map: Map<string, T>): T[] {
  return [...map.keys()].sort().map((key) => map.get(key)!);
}

function withoutExtensions<T extends { extensions?: unknown }>(record: T): T {
  return { ...record, extensions: {} };
}

/** Orders a user's orgs primary first, then as the source listed them. */
function orgsOf(user: User): string[] {
  const primary = user.primaryOrgSourcedId;
  if (!primary) return user.orgSourcedIds.slice();

  const orgs = [primary];
  for (const sourcedId of user.orgSourcedIds) if (sourcedId !== primary) orgs.push(sourcedId);
  return orgs;
}

/** Maps a user to a child, an educator or a contact; returns null for other roles. */
function collectUser(user: User): CollectedUser | null {
  const agents = user.agentSourcedIds;
  if (user.role === 'student') {
    return {
      kind: 'children',
      orgs: orgsOf(user),
      agents,
      record: {
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
        schoolSourcedId: null,
        classroomSourcedId: undefined,
        demographics: undefined,
      },
    };
  }
  if (user.role === 'teacher' || user.role === 'aide') {
    const orgs = orgsOf(user);
    return {
      kind: 'educators',
      orgs,
      agents,
      record: {
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
        schoolSourcedId: null,
      },
    };
  }
  if (contactRoles.has(user.role)) {
    return {
      kind: 'contacts',
      agents,
      record: {
        sourcedId: user.sourcedId,
        status: user.status,
        relationship: user.role as 'parent' | 'guardian' | 'relative',
        givenName: user.givenName,
        familyName: user.familyName,
        email: user.email,
        phone: user.phone,
        sms: user.sms,
        childSourcedIds: [],
      },
    };
  }
  return null;
}

function collectEnrollment(enrollment: Enrollment): CollectedEnrollment {
  const role = enrollment.role;
  if (role !== 'student' && role !== 'teacher' && role !== 'aide') {
    return { sourcedId: enrollment.sourcedId, unusedRole: role };
  }
  return {
    sourcedId: enrollment.sourcedId,
    status: enrollment.status,
    classroomSourcedId: enrollment.classSourcedId,
    personSourcedId: enrollment.userSourcedId,
    personKind: role === 'student' ? 'child' : 'educator',
    role: role as DesiredMembership['role'],
    primary: enrollment.primary,
    beginDate: enrollment.beginDate,
    endDate: enrollment.endDate,
  };
}

function collectDemographics(record: Demographics): ChildDemographics {
  return {
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
}
