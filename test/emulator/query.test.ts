import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RunningEmulator } from '../../src/emulator/server.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import type { Enrollment, User } from '../../src/oneroster/types.ts';
import { bearerGet, bearerToken } from './client.ts';

let emulator: RunningEmulator;
let token = '';

beforeAll(async () => {
  emulator = await startEmulator({ generate: { students: 250, seed: 'query' }, maxPage: 50 });
  token = await bearerToken(emulator);
});

afterAll(async () => {
  await emulator.close();
});

interface Page {
  status: number;
  total: string | null;
  link: string;
  body: Record<string, unknown>;
}

async function get(path: string, base = emulator.url11): Promise<Page> {
  const response = await bearerGet(`${base}${path}`, token);
  return {
    status: response.status,
    total: response.headers.get('x-total-count'),
    link: response.headers.get('link') ?? '',
    body: (await response.json()) as Record<string, unknown>,
  };
}

const ids = (page: Page, key: string): string[] =>
  (page.body[key] as Array<{ sourcedId: string }>).map((record) => record.sourcedId);
const users = (): User[] => emulator.store.list('users');
const q = (filter: string): string => encodeURIComponent(filter);

describe('emulator filter', () => {
  it('matches equality on a field', async () => {
    const page = await get(`/users?limit=50&filter=${q("role='teacher'")}`);
    const teachers = users().filter((user) => user.role === 'teacher');
    expect(page.total).toBe(String(teachers.length));
    expect(ids(page, 'users')).toEqual(teachers.slice(0, 50).map((user) => user.sourcedId));
  });

  it('joins two conditions with AND', async () => {
    const page = await get(`/users?limit=50&filter=${q("role='student' AND status='tobedeleted'")}`);
    const expected = users().filter((user) => user.role === 'student' && user.status === 'tobedeleted');
    expect(ids(page, 'users')).toEqual(expected.map((user) => user.sourcedId));
    expect(expected.length).toBeGreaterThan(0);
  });

  it('joins two conditions with OR', async () => {
    const page = await get(`/users?limit=50&filter=${q("role='aide' OR role='guardian'")}`);
    const expected = users().filter((user) => user.role === 'aide' || user.role === 'guardian');
    expect(page.total).toBe(String(expected.length));
  });

  it('supports contains, not-equal and ordering operators', async () => {
    const contains = await get(`/users?limit=50&filter=${q("familyName~'SMI'")}`);
    const smiths = users().filter((user) => user.familyName.toLowerCase().includes('smi'));
    expect(contains.total).toBe(String(smiths.length));

    const notStudents = await get(`/users?limit=1&filter=${q("role!='student'")}`);
    expect(notStudents.total).toBe(String(users().filter((user) => user.role !== 'student').length));

    const after = await get(`/users?limit=1&filter=${q("dateLastModified>'2030-01-01'")}`);
    expect(after.total).toBe('0');
  });

  it('filters on status and dates, then sorts', async () => {
    const page = await get(`/users?limit=50&filter=${q("status='active'")}&sort=familyName`);
    const active = users().filter((user) => user.status === 'active');
    expect(page.total).toBe(String(active.length));
    const names = (page.body.users as User[]).map((user) => user.familyName);
    expect(names).toEqual(
      active
        .map((user) => user.familyName)
        .sort()
        .slice(0, 50),
    );

    const dated = await get(`/users?limit=50&filter=${q("dateLastModified>'2000-01-01'")}`);
    const expected = users().filter((user) => user.dateLastModified !== null);
    expect(dated.total).toBe(String(expected.length));
    expect(ids(dated, 'users')).toEqual(expected.slice(0, 50).map((user) => user.sourcedId));
  });

  it('reads references and lists in filters', async () => {
    const page = await get(`/enrollments?limit=50&filter=${q("class.sourcedId='cls-001-01'")}`);
    const expected = emulator.store
      .list('enrollments')
      .filter((enrollment: Enrollment) => enrollment.classSourcedId === 'cls-001-01');
    expect(page.total).toBe(String(expected.length));

    const byGrade = await get(`/users?limit=1&filter=${q("grades='PK'")}`);
    expect(byGrade.total).toBe(String(users().filter((user) => user.grades.includes('PK')).length));
  });

  it.each([
    ['no quotes', 'role=student'],
    ['unknown operator', "role=='student'"],
    ['three conditions', "role='a' AND role='b' AND role='c'"],
    ['missing joiner', "role='a' role='b'"],
    ['unknown field', "shoeSize='9'"],
  ])('rejects a filter with %s', async (_case, filter) => {
    const page = await get(`/users?filter=${q(filter)}`);
    expect(page.status).toBe(400);
    expect(page.body.imsx_codeMajor).toBe('failure');
    expect(JSON.stringify(page.body)).toContain('invalid_filter_field');
  });
});

describe('emulator sort, fields and paging', () => {
  it('sorts ascending and descending', async () => {
    const ascending = await get('/users?limit=50&sort=familyName');
    const names = (ascending.body.users as User[]).map((user) => user.familyName);
    expect(names).toEqual([...users().map((user) => user.familyName)].sort().slice(0, 50));

    const descending = await get('/users?limit=50&sort=sourcedId&orderBy=desc');
    const expected = users()
      .map((user) => user.sourcedId)
      .sort()
      .reverse()
      .slice(0, 50);
    expect(ids(descending, 'users')).toEqual(expected);
  });

  it('rejects an unknown sort field', async () => {
    const page = await get('/users?sort=shoeSize');
    expect(page.status).toBe(400);
    expect(JSON.stringify(page.body)).toContain('invalid_sort_field');
  });

  it('returns only the requested fields', async () => {
    const page = await get('/users?limit=3&fields=sourcedId,givenName,shoeSize');
    for (const user of page.body.users as Array<Record<string, unknown>>) {
      expect(Object.keys(user)).toEqual(['sourcedId', 'givenName']);
    }
  });

  it('caps limit at the maximum page size', async () => {
    const page = await get('/users?limit=5000');
    expect((page.body.users as unknown[]).length).toBe(50);
    expect(page.link).toContain('limit=50&offset=50>; rel="next"');
  });

  it('sends total, next and last links', async () => {
    const page = await get('/users?limit=10&offset=10');
    expect(page.total).toBe(String(users().length));
    expect(page.link).toContain('offset=0>; rel="first"');
    expect(page.link).toContain('offset=0>; rel="prev"');
    expect(page.link).toContain('offset=20>; rel="next"');
    const last = Math.floor((users().length - 1) / 10) * 10;
    expect(page.link).toContain(`offset=${last}>; rel="last"`);
  });

  it('returns an empty page past the end', async () => {
    const page = await get('/users?offset=100000');
    expect(page.status).toBe(200);
    expect(page.body.users).toEqual([]);
    expect(page.link).not.toContain('rel="next"');
  });

  it.each(['limit=0', 'limit=abc', 'offset=-1'])('rejects %s', async (query) => {
    const page = await get(`/users?${query}`);
    expect(page.status).toBe(400);
  });
});

describe('emulator resources', () => {
  it('serves typed views with their envelope keys', async () => {
    const schools = await get('/schools');
    expect(Object.keys(schools.body)).toEqual(['orgs']);
    expect((schools.body.orgs as Array<{ type: string }>).every((org) => org.type === 'school')).toBe(true);

    const students = await get('/students?limit=1');
    expect(students.total).toBe(String(users().filter((user) => user.role === 'student').length));
    const teachers = await get('/teachers?limit=1');
    expect(teachers.total).toBe(String(users().filter((user) => user.role === 'teacher').length));

    const terms = await get('/terms');
    expect(terms.body.academicSessions).toEqual([]);
    const years = await get('/academicSessions');
    expect(ids(years, 'academicSessions')).toEqual(['sy-2025-2026']);
  });

  it('serves single objects and 404s', async () => {
    const user = await get('/users/stu-000001');
    expect((user.body.user as { sourcedId: string }).sourcedId).toBe('stu-000001');
    const org = await get('/schools/sch-001');
    expect(Object.keys(org.body)).toEqual(['org']);
    const demographics = await get('/demographics/stu-000002');
    expect(Object.keys(demographics.body)).toEqual(['demographics']);

    const missing = await get('/users/nobody');
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).toContain('unknownobject');
    const notSchool = await get('/schools/dist-001');
    expect(notSchool.status).toBe(404);
  });

  it('serves nested collections', async () => {
    const enrollments = emulator.store.list('enrollments');
    const inClass = (role: string) =>
      new Set(
        enrollments
          .filter((e) => e.classSourcedId === 'cls-001-03' && e.role === role)
          .map((e) => e.userSourcedId),
      );

    const classStudents = await get('/classes/cls-001-03/students');
    expect(new Set(ids(classStudents, 'users'))).toEqual(inClass('student'));
    const classTeachers = await get('/classes/cls-001-03/teachers');
    expect(new Set(ids(classTeachers, 'users'))).toEqual(inClass('teacher'));

    const schoolClasses = await get('/schools/sch-001/classes');
    const expectedClasses = emulator.store
      .list('classes')
      .filter((room) => room.schoolSourcedId === 'sch-001');
    expect(ids(schoolClasses, 'classes')).toEqual(expectedClasses.slice(0, 50).map((room) => room.sourcedId));

    const schoolStudents = await get('/schools/sch-002/students?limit=1');
    const expectedStudents = users().filter(
      (user) => user.role === 'student' && user.orgSourcedIds.includes('sch-002'),
    );
    expect(schoolStudents.total).toBe(String(expectedStudents.length));

    const schoolTeachers = await get('/schools/sch-001/teachers?limit=1');
    expect(Number(schoolTeachers.total)).toBeGreaterThan(0);

    const schoolEnrollments = await get('/schools/sch-001/enrollments?limit=1');
    expect(schoolEnrollments.total).toBe(
      String(enrollments.filter((e) => e.schoolSourcedId === 'sch-001').length),
    );

    const studentClasses = await get('/students/stu-000001/classes');
    const expectedRooms = new Set(
      enrollments.filter((e) => e.userSourcedId === 'stu-000001').map((e) => e.classSourcedId),
    );
    expect(new Set(ids(studentClasses, 'classes'))).toEqual(expectedRooms);

    const teacherClasses = await get('/teachers/tch-00001/classes');
    expect(ids(teacherClasses, 'classes')).toContain('cls-001-01');

    const unknownParent = await get('/classes/nope/students');
    expect(unknownParent.status).toBe(404);
    const malformed = await get('/users/%E0%A4%A');
    expect(malformed.status).toBe(404);
  });

  it('serves 1.2 users with roles and primaryOrg', async () => {
    const page = await get('/users/stu-000001', emulator.url12);
    const user = page.body.user as Record<string, unknown>;
    expect(user.roles).toEqual([expect.objectContaining({ roleType: 'primary', role: 'student' })]);
    expect(user.primaryOrg).toMatchObject({ sourcedId: 'sch-001' });
    expect(user.role).toBeUndefined();
    expect(user.enabledUser).toBe(true);

    const list = await get(`/users?limit=1&filter=${q("roles.role='teacher'")}`, emulator.url12);
    expect(list.total).toBe(
      String(users().filter((u) => u.roles.some((role) => role.role === 'teacher')).length),
    );
  });
});

describe('emulator options', () => {
  it('withholds demographics with 403', async () => {
    const withheld = await startEmulator({
      generate: { students: 20 },
      withholdDemographics: true,
      oneRoster: '1.1',
    });
    try {
      const bearer = await bearerToken(withheld);
      const list = await bearerGet(`${withheld.url11}/demographics`, bearer);
      expect(list.status).toBe(403);
      expect(JSON.stringify(await list.json())).toContain('forbidden');
      const single = await bearerGet(`${withheld.url11}/demographics/stu-000001`, bearer);
      expect(single.status).toBe(403);

      const other = await bearerGet(`${withheld.url11}/users?limit=1`, bearer);
      expect(other.status).toBe(200);
      const v12 = await bearerGet(`${withheld.url12}/users`, bearer);
      expect(v12.status).toBe(404);
    } finally {
      await withheld.close();
    }
  });
});
