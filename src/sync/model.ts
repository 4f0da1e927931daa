/**
 * The desired roster: what the platform's roster should hold according to the OneRoster source,
 * built by the map step from the staged records and refined by the scope, data-rule, match and
 * placement steps before the planner compares it with the stored roster.
 *
 * Every record is keyed by its source `sourcedId`. References between records hold the
 * referenced record's `sourcedId` too; the planner turns them into row ids.
 */
import type { RecordStatus, UserId } from '../oneroster/types.ts';
import type { RecordKind, RunMode, RunWarning } from './report.ts';

export interface DesiredSchool {
  sourcedId: string;
  status: RecordStatus;
  name: string;
  identifier: string | null;
}

export interface DesiredClassroom {
  sourcedId: string;
  status: RecordStatus;
  /** The class `title`; a local display name may override it when renames are allowed. */
  rosterName: string;
  schoolSourcedId: string | null;
  classCode: string | null;
  classType: string | null;
  grades: string[];
}

export interface DesiredEducator {
  sourcedId: string;
  status: RecordStatus;
  role: 'teacher' | 'aide';
  givenName: string;
  familyName: string;
  email: string | null;
  identifier: string | null;
  userIds: UserId[];
  /** Every school the source lists for the educator, primary org first. */
  schoolSourcedIds: string[];
  /** The org the source marks primary (1.2 `primaryOrg`), or null when it marks none (1.1). */
  primarySchoolSourcedId?: string | null;
  /** The one school the platform records; the map step picks the primary org, else the first. */
  schoolSourcedId: string | null;
}

/** Date of birth, sex and race and ethnicity flags, from the demographics record of the same `sourcedId`. */
export interface ChildDemographics {
  birthDate: string | null;
  sex: string | null;
  americanIndianOrAlaskaNative: boolean | null;
  asian: boolean | null;
  blackOrAfricanAmerican: boolean | null;
  nativeHawaiianOrOtherPacificIslander: boolean | null;
  white: boolean | null;
  twoOrMoreRaces: boolean | null;
  hispanicOrLatino: boolean | null;
}

export interface DesiredChild {
  sourcedId: string;
  status: RecordStatus;
  givenName: string;
  familyName: string;
  middleName: string | null;
  preferredGivenName: string | null;
  preferredFamilyName: string | null;
  identifier: string | null;
  userIds: UserId[];
  /** The first grade code the source lists, as sent (`PK`, `KG`, `01`, `09`...). */
  grade: string | null;
  enabled: boolean;
  schoolSourcedId: string | null;
  /**
   * The classroom the child is placed in, picked from its student memberships after the data
   * rules; `undefined` (a delta run without the child's memberships) keeps the stored one.
   */
  classroomSourcedId: string | null | undefined;
  /**
   * Demographics, or `undefined` when unknown: the collection was withheld, incomplete, or a
   * delta run did not carry them. Unknown demographics leave the stored values as they are.
   */
  demographics: ChildDemographics | null | undefined;
}

export interface DesiredContact {
  sourcedId: string;
  status: RecordStatus;
  relationship: 'parent' | 'guardian' | 'relative';
  givenName: string;
  familyName: string;
  email: string | null;
  phone: string | null;
  sms: string | null;
  /** Children linked through `agents`, in either direction, sorted. */
  childSourcedIds: string[];
}

export interface DesiredMembership {
  /** The enrollment's `sourcedId`. */
  sourcedId: string;
  status: RecordStatus;
  classroomSourcedId: string;
  personSourcedId: string;
  personKind: 'child' | 'educator';
  role: 'student' | 'teacher' | 'aide';
  primary: boolean;
  beginDate: string | null;
  endDate: string | null;
}

export interface DesiredRecordOf {
  schools: DesiredSchool;
  classrooms: DesiredClassroom;
  educators: DesiredEducator;
  children: DesiredChild;
  contacts: DesiredContact;
  memberships: DesiredMembership;
}

export interface DesiredRoster {
  mode: RunMode;
  schools: Map<string, DesiredSchool>;
  classrooms: Map<string, DesiredClassroom>;
  educators: Map<string, DesiredEducator>;
  children: Map<string, DesiredChild>;
  contacts: Map<string, DesiredContact>;
  memberships: Map<string, DesiredMembership>;
  /**
   * Demographics of children that this run did not otherwise carry (a delta run where only the
   * demographics record changed). The planner applies them to stored children.
   */
  demographicsOnly: Map<string, ChildDemographics>;
  /**
   * The classroom (`sourcedId`, or null for none) of children that this run did not otherwise
   * carry, chosen again because one of their enrollments changed (a delta run). The planner
   * applies it to stored children.
   */
  classroomOnly: Map<string, string | null>;
  /**
   * Children named in the `agents` of a child this run carried, per family contact that the run
   * did not carry (a delta run). The planner links them to the stored contact.
   */
  contactLinksOnly: Map<string, Set<string>>;
  /** The district org, informational. */
  district: { sourcedId: string; name: string } | null;
  /**
   * Whether each kind arrived whole, so that records missing from it may be removed. A delta run,
   * an incomplete or empty collection, or an `absent` CSV file makes its kinds incomplete.
   */
  complete: Record<RecordKind, boolean>;
  /** Records left out on purpose (outside the scope filters, or dropped by a rule): never removed. */
  skipped: Record<RecordKind, Map<string, string>>;
}

/** Creates an empty desired roster for a run of the given mode. */
export function emptyDesiredRoster(mode: RunMode): DesiredRoster {
  return {
    mode,
    schools: new Map(),
    classrooms: new Map(),
    educators: new Map(),
    children: new Map(),
    contacts: new Map(),
    memberships: new Map(),
    demographicsOnly: new Map(),
    classroomOnly: new Map(),
    contactLinksOnly: new Map(),
    district: null,
    complete: kindRecord(() => false),
    skipped: kindRecord(() => new Map<string, string>()),
  };
}

export function kindRecord<T>(make: (kind: RecordKind) => T): Record<RecordKind, T> {
  return {
    schools: make('schools'),
    classrooms: make('classrooms'),
    educators: make('educators'),
    children: make('children'),
    memberships: make('memberships'),
    contacts: make('contacts'),
  };
}

/**
 * Collects a run's warnings. Every step that drops or changes something reports it here, per
 * record, and the warnings end up in the run report.
 */
export class WarningSink {
  readonly #warnings: RunWarning[] = [];

  add(code: string, sourcedId: string | null, message: string): void {
    this.#warnings.push({ code, sourcedId, message });
  }

  get count(): number {
    return this.#warnings.length;
  }

  list(): readonly RunWarning[] {
    return this.#warnings;
  }
}

/**
 * Marks a record as skipped: it is taken out of the desired roster, counted as skipped, and never
 * removed from the stored roster because of its absence.
 */
export function skipRecord(
  desired: DesiredRoster,
  kind: RecordKind,
  sourcedId: string,
  reason: string,
): void {
  (desired[kind] as Map<string, unknown>).delete(sourcedId);
  desired.skipped[kind].set(sourcedId, reason);
}
