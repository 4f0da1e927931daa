import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { normalizePage, normalizeRecord } from '../../src/oneroster/parse/index.ts';
import type { CollectionName } from '../../src/oneroster/types.ts';

const orgRef = (id: string) => ({ sourcedId: id, type: 'org', href: `https://x.test/orgs/${id}` });

describe('normalizeRecord common fields', () => {
  it('drops a record without sourcedId', () => {
    for (const raw of [{ name: 'A' }, { sourcedId: '', name: 'A' }, { sourcedId: '   ' }]) {
      const { record, issues } = normalizeRecord('orgs', raw, '1.1');
      expect(record).toBeNull();
      expect(issues).toHaveLength(1);
      expect(issues[0]?.severity).toBe('error');
      expect(issues[0]?.code).toBe('MISSING_SOURCED_ID');
    }
  });

  it('drops a value that is not an object', () => {
    const { record, issues } = normalizeRecord('users', 'u1', '1.1');
    expect(record).toBeNull();
    expect(issues[0]?.code).toBe('INVALID_RECORD');
  });

  it('reads status variants', () => {
    const statusOf = (status: unknown) =>
      normalizeRecord('orgs', { sourcedId: 'o', name: 'A', type: 'school', status }, '1.1').record?.status;
    expect(statusOf('active')).toBe('active');
    expect(statusOf('tobedeleted')).toBe('tobedeleted');
    expect(statusOf('inactive')).toBe('tobedeleted');
    expect(statusOf('')).toBe('active');
    expect(statusOf(undefined)).toBe('active');
    expect(statusOf('Active')).toBe('active');
  });

  it('warns on an unknown status', () => {
    const { record, issues } = normalizeRecord(
      'orgs',
      { sourcedId: 'o', name: 'A', type: 'school', status: 'gone' },
      '1.1',
    );
    expect(record?.status).toBe('active');
    expect(issues.map((issue) => issue.code)).toEqual(['INVALID_STATUS']);
    expect(issues[0]?.sourcedId).toBe('o');
  });

  it('reads timestamps in several forms', () => {
    const modifiedAt = (dateLastModified: unknown) =>
      normalizeRecord('orgs', { sourcedId: 'o', name: 'A', type: 'school', dateLastModified }, '1.1').record
        ?.dateLastModified;
    expect(modifiedAt('2021-01-19T09:56:53.223Z')).toBe('2021-01-19T09:56:53.223Z');
    expect(modifiedAt('2021-01-19T09:56:53Z')).toBe('2021-01-19T09:56:53.000Z');
    expect(modifiedAt('2021-01-19T09:56:53')).toBe('2021-01-19T09:56:53.000Z');
    expect(modifiedAt('2021-01-19T11:56:53+02:00')).toBe('2021-01-19T09:56:53.000Z');
    expect(modifiedAt('2021-01-19')).toBe('2021-01-19T00:00:00.000Z');
    expect(modifiedAt('')).toBeNull();
  });

  it('reads near-UTC timestamps and rejects malformed ones', () => {
    const modifiedAt = (dateLastModified: string) =>
      normalizeRecord('orgs', { sourcedId: 'o', name: 'A', type: 'school', dateLastModified }, '1.1').record
        ?.dateLastModified;
    expect(modifiedAt('2021-01-19T09:56:53.22Z')).toBe('2021-01-19T09:56:53.220Z');
    expect(modifiedAt('2021-01-19t09:56:53Z')).toBe('2021-01-19T09:56:53.000Z');
    expect(modifiedAt('2021-01-19T09:56:53z')).toBe('2021-01-19T09:56:53.000Z');
    expect(modifiedAt('2021-01-19T24:00:00Z')).toBe('2021-01-20T00:00:00.000Z');
    expect(modifiedAt('2021-01-19T23:60:00Z')).toBeNull();
    expect(modifiedAt('2021-1a-19T09:56:53Z')).toBeNull();
    expect(modifiedAt('2021-01-19T09:56:53.22aZ')).toBeNull();
    expect(modifiedAt('2021-01-19T09:56:53.223ZZ')).toBeNull();
  });

  it('cuts a date field at T or space only', () => {
    const birthDate = (value: string) =>
      normalizeRecord('demographics', { sourcedId: 'd', birthDate: value }, '1.1').record?.birthDate;
    expect(birthDate('2020-05-04t12')).toBe('2020-05-04');
    expect(birthDate('2020-05-04 x')).toBe('2020-05-04');
    expect(birthDate('2020-05-04x')).toBeNull();
    expect(birthDate('2020-5-04')).toBeNull();
    expect(birthDate('2020-05-0a')).toBeNull();
  });

  it('rejects impossible calendar dates', () => {
    const modifiedAt = (dateLastModified: string) =>
      normalizeRecord('orgs', { sourcedId: 'o', name: 'A', type: 'school', dateLastModified }, '1.1').record
        ?.dateLastModified;
    expect(modifiedAt('2021-02-30T00:00:00.000Z')).toBeNull();
    expect(modifiedAt('2023-02-29T00:00:00Z')).toBeNull();
    expect(modifiedAt('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
  });

  it('warns on an invalid timestamp', () => {
    const { record, issues } = normalizeRecord(
      'orgs',
      { sourcedId: 'o', name: 'A', type: 'school', dateLastModified: '2021-02-30T00:00:00Z' },
      '1.1',
    );
    expect(record?.dateLastModified).toBeNull();
    expect(issues.map((issue) => issue.code)).toEqual(['INVALID_TIMESTAMP']);
  });

  it('keeps metadata and unknown fields', () => {
    const { record } = normalizeRecord(
      'orgs',
      {
        sourcedId: 'o',
        name: 'A',
        type: 'school',
        metadata: { region: 'north' },
        ext_code: 7,
        href: 'hhttp://x',
      },
      '1.1',
    );
    expect(record?.extensions).toEqual({ region: 'north', ext_code: 7 });
  });
});

describe('normalizeRecord users', () => {
  const user11 = {
    sourcedId: 'u1',
    status: 'active',
    dateLastModified: '2025-03-01T10:00:00.000Z',
    username: 'ava.l',
    userIds: [{ type: 'LDAP', identifier: '12' }],
    enabledUser: 'true',
    givenName: 'Ava',
    familyName: 'Lopez',
    middleName: '',
    role: 'student',
    orgs: [orgRef('school-1'), orgRef('school-2')],
    identifier: 'S-100',
    email: 'ava@district.test',
    sms: '',
    phone: '',
    agents: [{ sourcedId: 'p1', type: 'user' }],
    grades: ['PK'],
    password: 'never-kept',
  };

  const user12 = {
    sourcedId: 'u1',
    status: 'active',
    dateLastModified: '2025-03-01T10:00:00Z',
    username: 'ava.l',
    userIds: [{ type: 'LDAP', identifier: '12' }],
    enabledUser: true,
    givenName: 'Ava',
    familyName: 'Lopez',
    roles: [
      { roleType: 'primary', role: 'student', org: orgRef('school-1') },
      { roleType: 'secondary', role: 'student', org: orgRef('school-2') },
    ],
    primaryOrg: orgRef('school-1'),
    identifier: 'S-100',
    email: 'ava@district.test',
    agents: [{ sourcedId: 'p1', type: 'user' }],
    grades: ['PK'],
  };

  it('gives one result for 1.1 and 1.2', () => {
    const from11 = normalizeRecord('users', user11, '1.1');
    const from12 = normalizeRecord('users', user12, '1.2');
    expect(from11.issues).toEqual([]);
    expect(from12.issues).toEqual([]);
    expect(from11.record).toEqual(from12.record);
    expect(from11.record?.role).toBe('student');
    expect(from11.record?.primaryOrgSourcedId).toBe('school-1');
    expect(from11.record?.orgSourcedIds).toEqual(['school-1', 'school-2']);
    expect(from11.record?.extensions).toEqual({});
  });

  it('reads 1.2 preferred names', () => {
    const { record } = normalizeRecord(
      'users',
      { ...user12, preferredFirstName: 'Avi', preferredLastName: 'L', preferredMiddleName: 'M' },
      '1.2',
    );
    expect(record?.preferredGivenName).toBe('Avi');
    expect(record?.preferredFamilyName).toBe('L');
    expect(record?.extensions).toEqual({ preferredMiddleName: 'M' });
  });

  it('drops credential passwords from user profiles', () => {
    const profile = {
      profileId: 'p1',
      profileType: 'lms',
      credentials: [{ type: 'password', username: 'ava', password: 'Zq93xv' }],
    };
    const { record } = normalizeRecord('users', { ...user12, userProfiles: [profile] }, '1.2');
    expect(record?.extensions.userProfiles).toEqual([
      { profileId: 'p1', profileType: 'lms', credentials: [{ type: 'password', username: 'ava' }] },
    ]);
    expect(JSON.stringify(record)).not.toContain('Zq93xv');
  });

  it('takes the primary role from roles', () => {
    const { record } = normalizeRecord(
      'users',
      {
        ...user12,
        primaryOrg: undefined,
        roles: [
          { roleType: 'secondary', role: 'aide', org: 'school-2' },
          { roleType: 'primary', role: 'teacher', org: 'school-1', beginDate: '2024-08-01' },
        ],
      },
      '1.2',
    );
    expect(record?.role).toBe('teacher');
    expect(record?.primaryOrgSourcedId).toBe('school-1');
    expect(record?.roles[1]?.beginDate).toBe('2024-08-01');
  });

  it('reads booleans in every form', () => {
    const enabled = (enabledUser: unknown) =>
      normalizeRecord('users', { ...user11, enabledUser }, '1.1').record?.enabledUser;
    expect(enabled('TRUE')).toBe(true);
    expect(enabled('1')).toBe(true);
    expect(enabled(true)).toBe(true);
    expect(enabled('false')).toBe(false);
    expect(enabled('0')).toBe(false);
    expect(enabled(false)).toBe(false);
    expect(enabled('')).toBe(true);
  });

  it('warns on an unreadable boolean', () => {
    const { record, issues } = normalizeRecord('users', { ...user11, enabledUser: 'maybe' }, '1.1');
    expect(record?.enabledUser).toBe(true);
    expect(issues.map((issue) => issue.code)).toEqual(['INVALID_BOOLEAN']);
  });

  it('keeps a user missing names with a warning', () => {
    const { record, issues } = normalizeRecord(
      'users',
      { ...user12, givenName: '', familyName: undefined, preferredFirstName: 'Avi' },
      '1.2',
    );
    expect(record?.givenName).toBe('Avi');
    expect(record?.familyName).toBe('');
    expect(issues.map((issue) => issue.code)).toEqual(['MISSING_NAME', 'MISSING_NAME']);
  });

  it('reads userIds in the CSV form', () => {
    const { record } = normalizeRecord('users', { ...user11, userIds: '{LDAP:12},{LTI:15}' }, '1.1');
    expect(record?.userIds).toEqual([
      { type: 'LDAP', identifier: '12' },
      { type: 'LTI', identifier: '15' },
    ]);
  });
});

describe('normalizeRecord other collections', () => {
  it('reads class references as objects or strings', () => {
    const { record, issues } = normalizeRecord(
      'classes',
      {
        sourcedId: 'c1',
        title: 'Bluebirds',
        classType: 'homeroom',
        course: 'course-1',
        school: orgRef('school-1'),
        terms: [{ sourcedId: 't1' }, 't2'],
        grades: 'PK, KG',
        periods: ['1', ''],
      },
      '1.1',
    );
    expect(issues).toEqual([]);
    expect(record?.courseSourcedId).toBe('course-1');
    expect(record?.schoolSourcedId).toBe('school-1');
    expect(record?.termSourcedIds).toEqual(['t1', 't2']);
    expect(record?.grades).toEqual(['PK', 'KG']);
    expect(record?.periods).toEqual(['1']);
  });

  it('drops an enrollment without a class', () => {
    const { record, issues } = normalizeRecord(
      'enrollments',
      { sourcedId: 'e1', user: 'u1', role: 'student' },
      '1.1',
    );
    expect(record).toBeNull();
    expect(issues[0]?.code).toBe('MISSING_REFERENCE');
    expect(issues[0]?.sourcedId).toBe('e1');
  });

  it('reads enrollment primary and dates', () => {
    const { record } = normalizeRecord(
      'enrollments',
      {
        sourcedId: 'e1',
        user: { sourcedId: 'u1' },
        class: { sourcedId: 'c1' },
        school: { sourcedId: 's1' },
        role: 'teacher',
        primary: 'TRUE',
        beginDate: '2024-08-15T00:00:00Z',
        endDate: '',
      },
      '1.2',
    );
    expect(record?.primary).toBe(true);
    expect(record?.beginDate).toBe('2024-08-15');
    expect(record?.endDate).toBeNull();
  });

  it('reads demographics flags and sex', () => {
    const { record, issues } = normalizeRecord(
      'demographics',
      {
        sourcedId: 'u1',
        birthDate: '2020-05-04',
        sex: 'Female',
        asian: 'true',
        white: false,
        hispanicOrLatinoEthnicity: '',
      },
      '1.1',
    );
    expect(issues).toEqual([]);
    expect(record?.birthDate).toBe('2020-05-04');
    expect(record?.sex).toBe('female');
    expect(record?.asian).toBe(true);
    expect(record?.white).toBe(false);
    expect(record?.hispanicOrLatinoEthnicity).toBeNull();
  });

  it('warns on an invalid birth date', () => {
    const { record, issues } = normalizeRecord(
      'demographics',
      { sourcedId: 'u1', birthDate: '05/04/2020' },
      '1.1',
    );
    expect(record?.birthDate).toBeNull();
    expect(issues.map((issue) => issue.code)).toEqual(['INVALID_DATE']);
  });

  it('normalizes a page with a bad record', () => {
    const page = normalizePage('orgs', [{ sourcedId: 'a', name: 'A', type: 'school' }, {}, null], '1.1');
    expect(page.records.map((org) => org.sourcedId)).toEqual(['a']);
    expect(page.issues.map((issue) => issue.code)).toEqual(['MISSING_SOURCED_ID', 'INVALID_RECORD']);
  });
});

const jsonFolder = resolve(process.cwd(), '../shared/realdata/oneroster-json');
const jsonPresent = existsSync(jsonFolder);
if (!jsonPresent)
  console.warn(`Real OneRoster JSON tests skipped: ${jsonFolder} is absent (a fresh clone has no realdata).`);

describe.skipIf(!jsonPresent)('real OneRoster JSON files', () => {
  const envelopeOf: Record<string, CollectionName> = {
    'academicSession.json': 'academicSessions',
    'class.json': 'classes',
    'course.json': 'courses',
    'enrollment.json': 'enrollments',
    'org.json': 'orgs',
    'user.json': 'users',
  };
  const files = jsonPresent ? readdirSync(jsonFolder).filter((name) => name.endsWith('.json')) : [];

  it('knows every file', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(envelopeOf[file], file).toBeDefined();
  });

  for (const file of files) {
    it(`parses ${file}`, () => {
      const collection = envelopeOf[file]!;
      const body = JSON.parse(readFileSync(resolve(jsonFolder, file), 'utf8')) as Record<string, unknown[]>;
      const rows = body[collection]!;
      const page = normalizePage(collection, rows, '1.1');
      expect(page.records).toHaveLength(rows.length);
      expect(page.issues).toEqual([]);
      for (const record of page.records) expect(record.dateLastModified).toMatch(/Z$/);
    });
  }

  it('keeps class metadata and ignores a mistyped href', () => {
    const body = JSON.parse(readFileSync(resolve(jsonFolder, 'class.json'), 'utf8')) as {
      classes: unknown[];
    };
    const page = normalizePage('classes', body.classes, '1.1');
    expect(page.records[0]?.courseSourcedId).toBe('VG1');
    expect(page.records[1]?.extensions.additionalClassType).toBe('mentor');
    expect(page.records[0]?.extensions.subjectCodes).toEqual(['https://psi.udir.no/kl06/vg1']);
  });

  it('reads JSON booleans and org links', () => {
    const users = normalizePage(
      'users',
      (JSON.parse(readFileSync(resolve(jsonFolder, 'user.json'), 'utf8')) as { users: unknown[] }).users,
      '1.1',
    );
    expect(users.records[0]?.enabledUser).toBe(true);
    expect(users.records[0]?.userIds).toEqual([{ type: 'Feide', identifier: 'brukernavn@feide.fylke.no' }]);
    const orgs = normalizePage(
      'orgs',
      (JSON.parse(readFileSync(resolve(jsonFolder, 'org.json'), 'utf8')) as { orgs: unknown[] }).orgs,
      '1.1',
    );
    expect(orgs.records[0]?.childSourcedIds).toEqual(['11004']);
    expect(orgs.records[1]?.parentSourcedId).toBe('971045600');
  });
});
