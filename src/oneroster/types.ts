/**
 * The one internal shape of OneRoster records, whatever the version (1.1 or 1.2) and the
 * transport (REST JSON or a CSV bundle). Parsers in this folder turn wire records into these;
 * the sync reads only these.
 *
 * Conventions: absent values are `null` (never `''`), lists are arrays (never comma strings),
 * dates are `YYYY-MM-DD` strings, timestamps are ISO 8601 UTC strings, and references hold the
 * referenced record's `sourcedId`.
 */

export type OneRosterVersion = '1.1' | '1.2';

/** Collections the sync reads, named by their REST envelope key. */
export const collectionNames = [
  'orgs',
  'academicSessions',
  'courses',
  'classes',
  'users',
  'enrollments',
  'demographics',
] as const;
export type CollectionName = (typeof collectionNames)[number];

/** `inactive` (OneRoster 1.0) is read as `tobedeleted`. */
export type RecordStatus = 'active' | 'tobedeleted';

export interface BaseRecord {
  sourcedId: string;
  status: RecordStatus;
  /** ISO 8601 UTC timestamp, or null when the source sent none. */
  dateLastModified: string | null;
  /** The record's `metadata` object plus any field this shape does not name (`ext_*` columns). */
  extensions: Record<string, unknown>;
}

export type OrgType = 'department' | 'school' | 'district' | 'local' | 'state' | 'national' | (string & {});

export interface Org extends BaseRecord {
  name: string;
  type: OrgType;
  identifier: string | null;
  parentSourcedId: string | null;
  childSourcedIds: string[];
}

export type SessionType = 'gradingPeriod' | 'semester' | 'schoolYear' | 'term' | (string & {});

export interface AcademicSession extends BaseRecord {
  title: string;
  type: SessionType;
  /** Inclusive start date. */
  startDate: string | null;
  /** Exclusive end date, as OneRoster defines it. */
  endDate: string | null;
  parentSourcedId: string | null;
  /** The ending year of the school year, e.g. `2025` for 2024-25, as the source states it. */
  schoolYear: string | null;
}

export interface Course extends BaseRecord {
  title: string;
  courseCode: string | null;
  grades: string[];
  subjects: string[];
  orgSourcedId: string | null;
  schoolYearSourcedId: string | null;
}

export type ClassType = 'homeroom' | 'scheduled' | (string & {});

export interface Class extends BaseRecord {
  title: string;
  classCode: string | null;
  classType: ClassType;
  location: string | null;
  grades: string[];
  subjects: string[];
  courseSourcedId: string | null;
  schoolSourcedId: string | null;
  termSourcedIds: string[];
  periods: string[];
}

export type UserRole =
  | 'administrator'
  | 'aide'
  | 'guardian'
  | 'parent'
  | 'proctor'
  | 'relative'
  | 'student'
  | 'teacher'
  | (string & {});

/** One role of a user at one org (1.2 `roles[]`; a 1.1 user gets one per org). */
export interface RoleAssignment {
  roleType: 'primary' | 'secondary';
  role: UserRole;
  orgSourcedId: string;
  beginDate: string | null;
  endDate: string | null;
}

export interface UserId {
  type: string;
  identifier: string;
}

export interface User extends BaseRecord {
  username: string | null;
  userIds: UserId[];
  enabledUser: boolean;
  givenName: string;
  familyName: string;
  middleName: string | null;
  preferredGivenName: string | null;
  preferredFamilyName: string | null;
  /** The primary role: 1.1 `role`, or the 1.2 role whose `roleType` is `primary`. */
  role: UserRole;
  roles: RoleAssignment[];
  orgSourcedIds: string[];
  primaryOrgSourcedId: string | null;
  identifier: string | null;
  email: string | null;
  sms: string | null;
  phone: string | null;
  agentSourcedIds: string[];
  grades: string[];
}

export type EnrollmentRole =
  'administrator' | 'proctor' | 'student' | 'teacher' | 'aide' | 'guardian' | 'parent' | (string & {});

export interface Enrollment extends BaseRecord {
  role: EnrollmentRole;
  primary: boolean;
  userSourcedId: string;
  classSourcedId: string;
  schoolSourcedId: string | null;
  beginDate: string | null;
  endDate: string | null;
}

export type Sex = 'male' | 'female' | 'other' | 'unspecified';

/** Demographics share the `sourcedId` of the user they describe. */
export interface Demographics extends BaseRecord {
  birthDate: string | null;
  sex: Sex | null;
  americanIndianOrAlaskaNative: boolean | null;
  asian: boolean | null;
  blackOrAfricanAmerican: boolean | null;
  nativeHawaiianOrOtherPacificIslander: boolean | null;
  white: boolean | null;
  demographicRaceTwoOrMoreRaces: boolean | null;
  hispanicOrLatinoEthnicity: boolean | null;
  countryOfBirthCode: string | null;
  stateOfBirthAbbreviation: string | null;
  cityOfBirth: string | null;
  publicSchoolResidenceStatus: string | null;
}

export interface RecordOf {
  orgs: Org;
  academicSessions: AcademicSession;
  courses: Course;
  classes: Class;
  users: User;
  enrollments: Enrollment;
  demographics: Demographics;
}

export type AnyRecord = RecordOf[CollectionName];

/**
 * A problem with one record or row. Invalid records are dropped with an issue of severity
 * `error`; tolerated quirks are kept with an issue of severity `warning`.
 */
export interface RecordIssue {
  collection: CollectionName;
  sourcedId: string | null;
  severity: 'error' | 'warning';
  /** Stable, machine-readable code, e.g. `MISSING_SOURCED_ID`, `EXTRA_FIELDS`. */
  code: string;
  message: string;
  /** CSV file name and 1-based line, when the record came from a bundle. */
  file?: string;
  line?: number;
}
