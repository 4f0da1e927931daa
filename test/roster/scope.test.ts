import { describe, expect, it } from 'vitest';

import { applyScope } from '../../src/roster/scope.ts';

const orgs = [
  { sourcedId: 'district', type: 'district' },
  { sourcedId: 's1', type: 'school' },
  { sourcedId: 's2', type: 'school' },
];
const classes = [
  { sourcedId: 'c-pk', schoolSourcedId: 's1', grades: ['PK'] },
  { sourcedId: 'c-kg', schoolSourcedId: 's1', grades: ['K'] },
  { sourcedId: 'c-open', schoolSourcedId: 's1', grades: [] },
  { sourcedId: 'c-s2', schoolSourcedId: 's2', grades: ['PK'] },
];
const user = (
  sourcedId: string,
  role: string,
  orgIds: string[],
  grades: string[] = [],
  agents: string[] = [],
) => ({
  sourcedId,
  role,
  orgSourcedIds: orgIds,
  grades,
  agentSourcedIds: agents,
});
const users = [
  user('kid-pk', 'student', ['s1'], ['PreK'], ['mom']),
  user('kid-kg', 'student', ['s1'], ['KG']),
  user('kid-nograde', 'student', ['s1']),
  user('kid-s2', 'student', ['s2'], ['PK']),
  user('kid-district', 'student', ['district'], []),
  user('teach-pk', 'teacher', ['s1']),
  user('teach-kg', 'teacher', ['s1']),
  user('teach-s2', 'teacher', ['s2']),
  user('mom', 'parent', []),
  user('dad-kg', 'guardian', [], [], ['kid-kg']),
  user('admin', 'administrator', ['district']),
];
const enrollments = [
  { userSourcedId: 'kid-pk', classSourcedId: 'c-pk' },
  { userSourcedId: 'kid-kg', classSourcedId: 'c-kg' },
  { userSourcedId: 'kid-s2', classSourcedId: 'c-s2' },
  { userSourcedId: 'kid-district', classSourcedId: 'c-pk' },
  { userSourcedId: 'teach-pk', classSourcedId: 'c-pk' },
  { userSourcedId: 'teach-kg', classSourcedId: 'c-kg' },
  { userSourcedId: 'teach-s2', classSourcedId: 'c-s2' },
];
const input = { orgs, classes, users, enrollments };
const ids = (records: readonly { sourcedId: string }[]) => records.map((record) => record.sourcedId);

describe('applyScope', () => {
  const cases: {
    name: string;
    schools: string[];
    grades: string[];
    classes: string[];
    users: string[];
    enrollments: number;
    skipped: Record<string, number>;
  }[] = [
    {
      name: 'no filter keeps everything',
      schools: [],
      grades: [],
      classes: ['c-pk', 'c-kg', 'c-open', 'c-s2'],
      users: users.map((u) => u.sourcedId),
      enrollments: 7,
      skipped: { schools: 0, classrooms: 0, educators: 0, children: 0, memberships: 0, contacts: 0 },
    },
    {
      name: 'one school',
      schools: ['s1'],
      grades: [],
      classes: ['c-pk', 'c-kg', 'c-open'],
      users: [
        'kid-pk',
        'kid-kg',
        'kid-nograde',
        'kid-district',
        'teach-pk',
        'teach-kg',
        'mom',
        'dad-kg',
        'admin',
      ],
      enrollments: 5,
      skipped: { schools: 1, classrooms: 1, educators: 1, children: 1, memberships: 2, contacts: 0 },
    },
    {
      name: 'PK grades only, K variants folded',
      schools: [],
      grades: ['PK'],
      classes: ['c-pk', 'c-open', 'c-s2'],
      users: ['kid-pk', 'kid-nograde', 'kid-s2', 'kid-district', 'teach-pk', 'teach-s2', 'mom', 'admin'],
      enrollments: 5,
      skipped: { schools: 0, classrooms: 1, educators: 1, children: 1, memberships: 2, contacts: 1 },
    },
    {
      name: 'kindergarten written as K in the filter',
      schools: ['s1'],
      grades: ['Kindergarten'],
      classes: ['c-kg', 'c-open'],
      users: ['kid-kg', 'kid-nograde', 'teach-kg', 'dad-kg', 'admin'],
      enrollments: 2,
      skipped: { schools: 1, classrooms: 2, educators: 2, children: 3, memberships: 5, contacts: 1 },
    },
  ];
  it.each(cases)('$name', (expected) => {
    const { kept, skipped } = applyScope(input, { schools: expected.schools, grades: expected.grades });
    expect(ids(kept.classes)).toEqual(expected.classes);
    expect(ids(kept.users)).toEqual(expected.users);
    expect(kept.enrollments).toHaveLength(expected.enrollments);
    expect(skipped).toEqual(expected.skipped);
  });

  it('keeps non-school orgs', () => {
    const { kept } = applyScope(input, { schools: ['s2'], grades: [] });
    expect(ids(kept.orgs)).toEqual(['district', 's2']);
  });
});
