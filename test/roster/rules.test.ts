import { describe, expect, it } from 'vitest';

import {
  applyDataRules,
  defaultRuleSettings,
  type RuleClass,
  type RuleEnrollment,
  type RuleUser,
} from '../../src/roster/rules/index.ts';
import { checkBirthDates } from '../../src/roster/rules/birth-dates.ts';
import { keepOneClassroomPerChild } from '../../src/roster/rules/child-classroom.ts';
import { linkFamilyContacts } from '../../src/roster/rules/child-contacts.ts';
import { checkClassroomSizes } from '../../src/roster/rules/classroom-size.ts';
import { capClassroomsPerEducator } from '../../src/roster/rules/educator-classrooms.ts';
import { keepOneSchoolPerEducator } from '../../src/roster/rules/educator-school.ts';

function enrollment(
  sourcedId: string,
  userSourcedId: string,
  classSourcedId: string,
  extra: Partial<RuleEnrollment> = {},
): RuleEnrollment {
  return {
    sourcedId,
    userSourcedId,
    classSourcedId,
    role: 'student',
    primary: false,
    beginDate: null,
    ...extra,
  };
}

function classes(...entries: [string, string, string?][]): Map<string, RuleClass> {
  return new Map(
    entries.map(([sourcedId, schoolSourcedId, classType]) => [
      sourcedId,
      { sourcedId, schoolSourcedId, classType: classType ?? 'scheduled' },
    ]),
  );
}

describe('one classroom per child', () => {
  const cases: {
    name: string;
    classes: Map<string, RuleClass>;
    enrollments: RuleEnrollment[];
    kept: string;
    reason: RegExp;
  }[] = [
    {
      name: 'homeroom wins over a later begin date',
      classes: classes(['c-b', 's1', 'homeroom'], ['c-a', 's1']),
      enrollments: [
        enrollment('e1', 'kid', 'c-a', { beginDate: '2024-09-01' }),
        enrollment('e2', 'kid', 'c-b', { beginDate: '2024-08-01' }),
      ],
      kept: 'c-b',
      reason: /homeroom/,
    },
    {
      name: 'latest begin date wins without a homeroom',
      classes: classes(['c-a', 's1'], ['c-b', 's1']),
      enrollments: [
        enrollment('e1', 'kid', 'c-a', { beginDate: '2024-08-01' }),
        enrollment('e2', 'kid', 'c-b', { beginDate: '2025-01-06' }),
      ],
      kept: 'c-b',
      reason: /began last/,
    },
    {
      name: 'a begin date beats none',
      classes: classes(['c-a', 's1'], ['c-b', 's1']),
      enrollments: [
        enrollment('e1', 'kid', 'c-a'),
        enrollment('e2', 'kid', 'c-b', { beginDate: '2024-08-01' }),
      ],
      kept: 'c-b',
      reason: /began last/,
    },
    {
      name: 'lowest sourcedId breaks a tie',
      classes: classes(['c-b', 's1'], ['c-a', 's1'], ['c-c', 's1']),
      enrollments: [
        enrollment('e1', 'kid', 'c-c'),
        enrollment('e2', 'kid', 'c-b'),
        enrollment('e3', 'kid', 'c-a'),
      ],
      kept: 'c-a',
      reason: /lowest sourcedId/,
    },
  ];
  it.each(cases)('$name', ({ classes: classMap, enrollments, kept, reason }) => {
    const result = keepOneClassroomPerChild(enrollments, classMap, true);
    expect(result.enrollments.map((e) => e.classSourcedId)).toEqual([kept]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]?.code).toBe('CHILD_MULTIPLE_CLASSROOMS');
    expect(result.warnings[0]?.sourcedId).toBe('kid');
    expect(result.warnings[0]?.message).toMatch(reason);
  });

  it('keeps the same child in two classrooms when switched off', () => {
    const enrollments = [enrollment('e1', 'kid', 'c-a'), enrollment('e2', 'kid', 'c-b')];
    const result = keepOneClassroomPerChild(enrollments, classes(['c-a', 's1'], ['c-b', 's1']), false);
    expect(result.enrollments).toHaveLength(2);
    expect(result.warnings).toEqual([]);
  });

  it('leaves teachers and single-class children alone', () => {
    const enrollments = [
      enrollment('e1', 'kid', 'c-a'),
      enrollment('e2', 'kid', 'c-a'),
      enrollment('t1', 'teacher', 'c-a', { role: 'teacher' }),
      enrollment('t2', 'teacher', 'c-b', { role: 'teacher' }),
    ];
    const result = keepOneClassroomPerChild(enrollments, classes(['c-a', 's1'], ['c-b', 's1']), true);
    expect(result.enrollments).toHaveLength(4);
    expect(result.warnings).toEqual([]);
  });
});

describe('one school per educator and the classroom limit', () => {
  // A teacher in two schools with 12 classrooms: 7 in s2, 5 in s1.
  const classMap = classes(
    ...Array.from({ length: 12 }, (_, i): [string, string] => [
      `c-${String(i).padStart(2, '0')}`,
      i < 5 ? 's1' : 's2',
    ]),
  );
  const teaching = [...classMap.keys()].map((classId, i) =>
    enrollment(`t-${i}`, 'teacher-1', classId, { role: 'teacher', primary: i % 2 === 0 }),
  );

  it('keeps the primary school and drops classrooms elsewhere', () => {
    const result = keepOneSchoolPerEducator(
      [{ sourcedId: 'teacher-1', schoolSourcedIds: ['s1', 's2'], primarySchoolSourcedId: 's2' }],
      teaching,
      classMap,
      true,
    );
    expect(result.schoolOf.get('teacher-1')).toBe('s2');
    expect(result.enrollments).toHaveLength(7);
    expect(result.warnings.map((w) => w.code)).toEqual(['EDUCATOR_MULTIPLE_SCHOOLS']);
    expect(result.warnings[0]?.message).toMatch(/kept in s2 \(the roster marks it primary\)/);
    expect(result.warnings[0]?.message).toMatch(/5 classroom\(s\)/);
  });

  it('without a primary keeps the first school by sourcedId', () => {
    const result = keepOneSchoolPerEducator(
      [{ sourcedId: 'teacher-1', schoolSourcedIds: ['s2'], primarySchoolSourcedId: null }],
      teaching,
      classMap,
      true,
    );
    expect(result.schoolOf.get('teacher-1')).toBe('s1');
    expect(result.enrollments).toHaveLength(5);
    expect(result.warnings[0]?.message).toMatch(/lowest sourcedId/);
  });

  it('keeps every enrollment when switched off', () => {
    const result = keepOneSchoolPerEducator(
      [{ sourcedId: 'teacher-1', schoolSourcedIds: ['s1', 's2'], primarySchoolSourcedId: 's2' }],
      teaching,
      classMap,
      false,
    );
    expect(result.enrollments).toHaveLength(12);
    expect(result.schoolOf.get('teacher-1')).toBe('s2');
    expect(result.warnings).toEqual([]);
  });

  it('caps 12 classrooms at 10, primary ones first', () => {
    const result = capClassroomsPerEducator(teaching, classMap, 10);
    expect(result.enrollments).toHaveLength(10);
    const left = teaching.filter((e) => !result.enrollments.includes(e)).map((e) => e.classSourcedId);
    expect(left).toEqual(['c-09', 'c-11']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]?.code).toBe('EDUCATOR_TOO_MANY_CLASSROOMS');
    expect(result.warnings[0]?.message).toMatch(/12 classrooms; the limit is 10/);
  });

  it('combines both rules in order: the school first, then the limit', () => {
    const educator = { sourcedId: 'teacher-1', schoolSourcedIds: ['s1', 's2'], primarySchoolSourcedId: null };
    const result = applyDataRules(
      {
        classes: classMap,
        enrollments: teaching,
        educators: [educator],
        children: [],
        users: new Map(),
        demographicsShared: true,
      },
      { ...defaultRuleSettings, maxClassroomsPerEducator: 4 },
    );
    expect(result.enrollments.map((e) => e.classSourcedId)).toEqual(['c-00', 'c-01', 'c-02', 'c-04']);
    expect(result.warnings.map((w) => w.code)).toEqual([
      'EDUCATOR_MULTIPLE_SCHOOLS',
      'EDUCATOR_TOO_MANY_CLASSROOMS',
    ]);
  });
});

describe('family contacts per child', () => {
  const user = (sourcedId: string, role: string, agents: string[] = []): RuleUser => ({
    sourcedId,
    role,
    agentSourcedIds: agents,
  });

  it("keeps four of five guardians, the child's own list first", () => {
    const child = user('kid', 'student', ['g5', 'g3', 'teacher-x']);
    const users = new Map(
      [
        child,
        user('g1', 'guardian', ['kid']),
        user('g2', 'parent', ['kid']),
        user('g3', 'guardian'),
        user('g4', 'relative', ['kid']),
        user('g5', 'guardian'),
        user('teacher-x', 'teacher'),
      ].map((u) => [u.sourcedId, u]),
    );
    const result = linkFamilyContacts([child], users, 4);
    expect(result.contactsOf.get('kid')).toEqual(['g5', 'g3', 'g1', 'g2']);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ code: 'CHILD_TOO_MANY_CONTACTS', sourcedId: 'kid' });
    expect(result.warnings[0]?.message).toMatch(/5 family contacts; the limit is 4, so g4 was not linked/);
  });

  const limits: [number, number, number][] = [
    [4, 4, 0],
    [4, 3, 0],
    [0, 2, 1],
    [1, 2, 1],
  ];
  it.each(limits)('limit %i with %i contacts gives %i warnings', (max, count, warnings) => {
    const child = user('kid', 'student');
    const users = new Map<string, RuleUser>([['kid', child]]);
    for (let i = 0; i < count; i += 1) users.set(`p${i}`, user(`p${i}`, 'parent', ['kid']));
    const result = linkFamilyContacts([child], users, max);
    expect(result.contactsOf.get('kid')).toHaveLength(Math.min(max, count));
    expect(result.warnings).toHaveLength(warnings);
  });
});

describe('classroom size warning', () => {
  const sizes: [number, number, boolean][] = [
    [32, 32, false],
    [33, 32, true],
    [5, 4, true],
  ];
  it.each(sizes)('%i children with threshold %i warns: %s', (count, threshold, warns) => {
    const enrollments = Array.from({ length: count }, (_, i) => enrollment(`e${i}`, `kid-${i}`, 'room'));
    enrollments.push(
      enrollment('t', 'teacher', 'room', { role: 'teacher' }),
      enrollment('dup', 'kid-0', 'room'),
    );
    const warnings = checkClassroomSizes(enrollments, threshold);
    expect(warnings.map((w) => w.code)).toEqual(warns ? ['CLASSROOM_OVER_SIZE'] : []);
    if (warns) expect(warnings[0]?.message).toContain(`${count} children`);
  });
});

describe('birth dates', () => {
  it('warns per child without one, explaining why', () => {
    const warnings = checkBirthDates(
      [
        { sourcedId: 'a', birthDate: '2020-01-01' },
        { sourcedId: 'b', birthDate: null },
      ],
      true,
    );
    expect(warnings.map((w) => [w.code, w.sourcedId])).toEqual([['CHILD_MISSING_BIRTH_DATE', 'b']]);
    expect(warnings[0]?.message).toMatch(/match the child with other systems/);
    expect(warnings[0]?.message).toMatch(/share demographics/);
  });

  it('warns once when demographics were not shared', () => {
    const warnings = checkBirthDates(
      [
        { sourcedId: 'a', birthDate: null },
        { sourcedId: 'b', birthDate: null },
      ],
      false,
    );
    expect(warnings.map((w) => [w.code, w.sourcedId])).toEqual([['DEMOGRAPHICS_UNAVAILABLE', null]]);
    expect(warnings[0]?.message).toContain('2 children');
  });
});
