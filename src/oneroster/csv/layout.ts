import type { CollectionName } from '../types.ts';

/**
 * The file name of each collection in a OneRoster CSV bundle. The names are the same in the
 * 1.0, 1.1 and 1.2 layouts; 1.2 moves user roles into `roles.csv`.
 */
export const collectionFiles: Record<CollectionName, string> = {
  orgs: 'orgs.csv',
  academicSessions: 'academicSessions.csv',
  courses: 'courses.csv',
  classes: 'classes.csv',
  users: 'users.csv',
  enrollments: 'enrollments.csv',
  demographics: 'demographics.csv',
};

export const manifestFile = 'manifest.csv';
export const rolesFile = 'roles.csv';

/**
 * Header names of the OneRoster 1.0 layout (and a few spellings seen in the wild) mapped to
 * their 1.1 names, per collection. Headers are matched case-insensitively after this mapping.
 */
const columnAliases: Partial<Record<CollectionName, Record<string, string>>> = {
  courses: { schoolyearid: 'schoolYearSourcedId', grade: 'grades' },
  classes: { grade: 'grades', termsourcedid: 'termSourcedIds' },
  users: {
    userid: 'userIds',
    agents: 'agentSourcedIds',
    orgsourcedid: 'orgSourcedIds',
    preferredgivenname: 'preferredFirstName',
    preferredfamilyname: 'preferredLastName',
  },
  demographics: { usersourcedid: 'sourcedId', birthdate: 'birthDate' },
};

/** The 1.1 (or 1.2) column names each collection's converter reads. */
export const knownColumns: Record<CollectionName, readonly string[]> = {
  orgs: ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'],
  academicSessions: [
    'sourcedId',
    'status',
    'dateLastModified',
    'title',
    'type',
    'startDate',
    'endDate',
    'parentSourcedId',
    'schoolYear',
  ],
  courses: [
    'sourcedId',
    'status',
    'dateLastModified',
    'schoolYearSourcedId',
    'title',
    'courseCode',
    'grades',
    'orgSourcedId',
    'subjects',
    'subjectCodes',
  ],
  classes: [
    'sourcedId',
    'status',
    'dateLastModified',
    'title',
    'grades',
    'courseSourcedId',
    'classCode',
    'classType',
    'location',
    'schoolSourcedId',
    'termSourcedIds',
    'subjects',
    'subjectCodes',
    'periods',
  ],
  users: [
    'sourcedId',
    'status',
    'dateLastModified',
    'enabledUser',
    'orgSourcedIds',
    'role',
    'username',
    'userIds',
    'givenName',
    'familyName',
    'middleName',
    'identifier',
    'email',
    'sms',
    'phone',
    'agentSourcedIds',
    'grades',
    'password',
    'userMasterIdentifier',
    'preferredFirstName',
    'preferredMiddleName',
    'preferredLastName',
    'pronouns',
    'primaryOrgSourcedId',
  ],
  enrollments: [
    'sourcedId',
    'status',
    'dateLastModified',
    'classSourcedId',
    'schoolSourcedId',
    'userSourcedId',
    'role',
    'primary',
    'beginDate',
    'endDate',
  ],
  demographics: [
    'sourcedId',
    'status',
    'dateLastModified',
    'birthDate',
    'sex',
    'americanIndianOrAlaskaNative',
    'asian',
    'blackOrAfricanAmerican',
    'nativeHawaiianOrOtherPacificIslander',
    'white',
    'demographicRaceTwoOrMoreRaces',
    'hispanicOrLatinoEthnicity',
    'countryOfBirthCode',
    'stateOfBirthAbbreviation',
    'cityOfBirth',
    'publicSchoolResidenceStatus',
  ],
};

/** The columns of `roles.csv` in the 1.2 layout. */
export const roleColumns = [
  'sourcedId',
  'status',
  'dateLastModified',
  'userSourcedId',
  'roleType',
  'role',
  'beginDate',
  'endDate',
  'orgSourcedId',
  'userProfileSourcedId',
] as const;

/**
 * Maps one header cell to the column name the converters use: a known column in its canonical
 * spelling, a 1.0 alias, or the header as written (for `metadata.*`, `ext_*` and unknown columns).
 */
export function canonicalColumn(collection: CollectionName | 'roles', header: string): string {
  const trimmed = header.trim();
  const lower = trimmed.toLowerCase();
  const known: readonly string[] = collection === 'roles' ? roleColumns : knownColumns[collection];
  const exact = known.find((name) => name.toLowerCase() === lower);
  if (exact !== undefined) return exact;
  if (collection === 'roles') return trimmed;
  return columnAliases[collection]?.[lower] ?? trimmed;
}
