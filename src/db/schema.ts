import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types as Kysely sees them. Column names are camelCase here; `CamelCasePlugin` maps them
 * to the snake_case columns of the migrations. Dates (`date`) are `YYYY-MM-DD` strings and
 * `bigint` values are numbers on both stores (see the type parsers in `store.ts`).
 */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T> = ColumnType<T, string | T | undefined, string | T>;

export interface Lineage {
  sourcedId: string | null;
  sourceStatus: string | null;
  status: Generated<'active' | 'inactive'>;
  firstSeenRunId: string | null;
  lastSeenRunId: string | null;
  deactivatedAt: Date | null;
  deactivatedByRunId: string | null;
  createdAt: CreatedAt;
  updatedAt: Timestamp;
}

export interface OrganizationsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  timezone: Generated<string>;
  autoRostering: Generated<boolean>;
  archiveMonth: Generated<number>;
  archiveDay: Generated<number>;
  currentSchoolYear: number | null;
  districtSourcedId: string | null;
  districtName: string | null;
  createdAt: CreatedAt;
  updatedAt: Timestamp;
}

export interface RosterConnectionsTable {
  orgId: string;
  provider: Generated<string>;
  onerosterVersion: Generated<'1.1' | '1.2'>;
  endpointUrl: string;
  authKind: Generated<'oauth1' | 'oauth2' | 'bearer'>;
  signatureMethod: Generated<'HMAC-SHA256' | 'HMAC-SHA1'>;
  clientKey: string;
  secretCiphertext: string;
  secretKeyId: string;
  tokenUrl: string | null;
  scopes: string | null;
  lastTestedAt: Date | null;
  lastTestOk: boolean | null;
  createdAt: CreatedAt;
  updatedAt: Timestamp;
}

export type ScheduleFrequency = 'off' | 'daily' | 'weekly' | 'monthly';

export interface SyncSettingsTable {
  orgId: string;
  scheduleFrequency: Generated<ScheduleFrequency>;
  /** Local time `HH:MM` in the organization's time zone. */
  scheduleTime: string | null;
  /** ISO weekday, 1 = Monday. */
  scheduleWeekday: number | null;
  scheduleMonthDay: number | null;
  nextRunAt: Date | null;
  lastScheduledRunAt: Date | null;
  syncNowUsedAt: Date | null;
  allowRemoval: Generated<boolean>;
  sendEmails: Generated<boolean>;
  carryover: Generated<boolean>;
  allowClassroomRename: Generated<boolean>;
  /** School `sourcedId`s to import; empty means all. */
  schoolFilter: Json<string[]>;
  /** Grade codes to import; empty means all. */
  gradeFilter: Json<string[]>;
  maxDeactivateRatio: Generated<number>;
  maxChangeRatio: Generated<number>;
  fullSyncIntervalDays: Generated<number>;
  /** Product codes every child created by a sync gets. */
  defaultJourney: Json<string[]>;
  extraEmails: Json<string[]>;
  oneClassroomPerChild: Generated<boolean>;
  oneSchoolPerEducator: Generated<boolean>;
  maxClassroomsPerEducator: Generated<number>;
  maxContactsPerChild: Generated<number>;
  classroomSizeWarning: Generated<number>;
  updatedAt: Timestamp;
}

export interface SchoolYearsTable extends Lineage {
  id: Generated<string>;
  orgId: string;
  schoolYear: number;
  title: string | null;
  startDate: string | null;
  endDate: string | null;
}

export interface SchoolsTable extends Lineage {
  id: Generated<string>;
  orgId: string;
  name: string;
  identifier: string | null;
}

export interface ClassroomsTable extends Lineage {
  id: Generated<string>;
  orgId: string;
  schoolId: string | null;
  rosterName: string;
  /** A local name that overrides `rosterName` when classroom renames are allowed. */
  displayName: string | null;
  classCode: string | null;
  classType: string | null;
  grades: Json<string[]>;
  archivedSchoolYear: number | null;
  archivedAt: Date | null;
}

export interface EducatorsTable extends Lineage {
  id: Generated<string>;
  orgId: string;
  schoolId: string | null;
  role: Generated<'teacher' | 'aide'>;
  givenName: string;
  familyName: string;
  email: string | null;
  identifier: string | null;
  userIds: Json<{ type: string; identifier: string }[]>;
}

export interface ChildrenTable extends Lineage {
  id: Generated<string>;
  orgId: string;
  schoolId: string | null;
  classroomId: string | null;
  origin: Generated<'roster' | 'manual'>;
  givenName: string;
  familyName: string;
  middleName: string | null;
  preferredGivenName: string | null;
  preferredFamilyName: string | null;
  /** Normalized full name for matching (case, accents, spacing, hyphens and apostrophes folded). */
  nameKey: string;
  identifier: string | null;
  userIds: Json<{ type: string; identifier: string }[]>;
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
  journey: Json<string[]>;
  level: string | null;
  levelSetBy: 'placement' | 'educator' | 'admin' | null;
  enabled: Generated<boolean>;
  archivedSchoolYear: number | null;
  archivedAt: Date | null;
  mergedIntoId: string | null;
}

export interface FamilyContactsTable extends Lineage {
  id: Generated<string>;
  orgId: string;
  givenName: string;
  familyName: string;
  email: string | null;
  phone: string | null;
  sms: string | null;
  relationship: Generated<'parent' | 'guardian' | 'relative'>;
}

export interface ChildContactsTable extends Lineage {
  id: Generated<string>;
  orgId: string;
  childId: string;
  contactId: string;
}

export interface MembershipsTable extends Lineage {
  id: Generated<string>;
  orgId: string;
  classroomId: string;
  childId: string | null;
  educatorId: string | null;
  role: 'student' | 'teacher' | 'aide';
  isPrimary: Generated<boolean>;
  beginDate: string | null;
  endDate: string | null;
  archivedSchoolYear: number | null;
  archivedAt: Date | null;
}

export interface ArchiveRecordsTable {
  id: Generated<string>;
  orgId: string;
  schoolYear: number;
  kind: 'child' | 'classroom' | 'membership' | 'educator' | 'contact';
  recordId: string;
  sourcedId: string | null;
  data: Json<Record<string, unknown>>;
  archivedAt: CreatedAt;
  restoredAt: Date | null;
  restoredByRunId: string | null;
}

export interface ProductsTable {
  code: string;
  name: string;
  description: Generated<string>;
  createdAt: CreatedAt;
}

export interface LicencesTable {
  id: Generated<string>;
  orgId: string;
  productCode: string;
  seats: number;
  startsOn: string | null;
  endsOn: string | null;
  createdAt: CreatedAt;
}

export interface DuplicateReviewsTable {
  id: Generated<string>;
  orgId: string;
  childId: string;
  candidateIds: Json<string[]>;
  reason: string;
  status: Generated<'open' | 'merged' | 'kept'>;
  runId: string | null;
  createdAt: CreatedAt;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  /** After a merge: the child that kept the history (the other is `merged_into_id` it). */
  keptChildId: string | null;
}

export interface SyncRunsTable {
  id: Generated<string>;
  orgId: string;
  trigger: 'manual' | 'scheduled' | 'cli';
  mode: 'full' | 'delta';
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'held_for_review' | 'rejected';
  source: Generated<string>;
  dryRun: Generated<boolean>;
  phase: string | null;
  progress: Json<Record<string, unknown>>;
  counts: Json<Record<string, unknown>>;
  warningCount: Generated<number>;
  error: Json<{ code: string; message: string; hint: string } | null>;
  /** Latest `dateLastModified` fully applied; the next delta asks for records after it (minus a margin). */
  watermark: Date | null;
  /** Whether every collection arrived complete. */
  complete: Generated<boolean>;
  requestedBy: string | null;
  workerId: string | null;
  jobId: string | null;
  heartbeatAt: Date | null;
  createdAt: CreatedAt;
  startedAt: Date | null;
  finishedAt: Date | null;
  reviewedAt: Date | null;
  reviewedBy: string | null;
}

export interface SyncRunWarningsTable {
  runId: string;
  seq: number;
  code: string;
  sourcedId: string | null;
  message: string;
}

export interface SyncRunPlansTable {
  runId: string;
  plan: Json<unknown>;
  rosterFingerprint: string;
  createdAt: CreatedAt;
}

export interface StagingRecordsTable {
  runId: string;
  collection: string;
  sourcedId: string;
  data: Json<unknown>;
}

export type AppRole = 'platform-admin' | 'org-admin' | 'educator';

export interface AppUsersTable {
  id: Generated<string>;
  email: string;
  passwordHash: string | null;
  role: AppRole;
  orgId: string | null;
  educatorId: string | null;
  disabled: Generated<boolean>;
  createdAt: CreatedAt;
  lastLoginAt: Date | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  orgId: string | null;
  actor: string;
  action: string;
  changes: Json<Record<string, unknown>>;
  createdAt: CreatedAt;
}

export interface EmailMessagesTable {
  id: Generated<string>;
  orgId: string | null;
  runId: string | null;
  kind: string;
  recipients: Json<string[]>;
  subject: string;
  textBody: string;
  htmlBody: string;
  status: Generated<'pending' | 'sent' | 'failed' | 'stored' | 'suppressed'>;
  dedupeKey: string | null;
  attempts: Generated<number>;
  lastError: string | null;
  createdAt: CreatedAt;
  sentAt: Date | null;
  /** A sender's lease on a pending message; others leave it alone until then. */
  lockedUntil: Date | null;
}

export interface Database {
  organizations: OrganizationsTable;
  rosterConnections: RosterConnectionsTable;
  syncSettings: SyncSettingsTable;
  schoolYears: SchoolYearsTable;
  schools: SchoolsTable;
  classrooms: ClassroomsTable;
  educators: EducatorsTable;
  children: ChildrenTable;
  familyContacts: FamilyContactsTable;
  childContacts: ChildContactsTable;
  memberships: MembershipsTable;
  archiveRecords: ArchiveRecordsTable;
  products: ProductsTable;
  licences: LicencesTable;
  duplicateReviews: DuplicateReviewsTable;
  syncRuns: SyncRunsTable;
  syncRunWarnings: SyncRunWarningsTable;
  syncRunPlans: SyncRunPlansTable;
  stagingRecords: StagingRecordsTable;
  appUsers: AppUsersTable;
  auditLog: AuditLogTable;
  emailMessages: EmailMessagesTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type NewOrganization = Insertable<OrganizationsTable>;
export type OrganizationUpdate = Updateable<OrganizationsTable>;
export type SyncSettings = Selectable<SyncSettingsTable>;
export type RosterConnection = Selectable<RosterConnectionsTable>;
export type SyncRun = Selectable<SyncRunsTable>;
