import { describe, expect, it } from 'vitest';

import { type CandidateChild, type IncomingChild, matchChildren } from '../../src/roster/matching.ts';
import { nameKey } from '../../src/roster/names.ts';
import { sameNameWarnings } from '../../src/roster/same-name.ts';

function incoming(sourcedId: string, extra: Partial<IncomingChild> = {}): IncomingChild {
  return {
    sourcedId,
    givenName: 'Ana',
    familyName: 'Lopez',
    identifier: null,
    userIds: [],
    birthDate: null,
    ...extra,
  };
}

function stored(
  id: string,
  extra: Partial<CandidateChild> & { givenName?: string; familyName?: string } = {},
): CandidateChild {
  const { givenName = 'Ana', familyName = 'Lopez', ...rest } = extra;
  return {
    id,
    sourcedId: null,
    origin: 'roster',
    nameKey: nameKey(givenName, familyName),
    identifier: null,
    userIds: [],
    birthDate: null,
    archivedSchoolYear: null,
    ...rest,
  };
}

const firstSync = { firstSync: true, carryover: false };
const laterSync = { firstSync: false, carryover: false };

describe('matchChildren', () => {
  const cases: {
    name: string;
    incoming: IncomingChild[];
    current: CandidateChild[];
    archived?: CandidateChild[];
    options: { firstSync: boolean; carryover: boolean };
    expected: Record<string, string>;
    warnings: string[];
  }[] = [
    {
      name: 'same sourcedId links',
      incoming: [incoming('stu-1')],
      current: [stored('a', { sourcedId: 'stu-1' })],
      options: laterSync,
      expected: { 'stu-1': 'linked:a:sourcedId' },
      warnings: [],
    },
    {
      name: 'changed sourcedId follows the identifier',
      incoming: [incoming('new-1', { identifier: '12345' })],
      current: [stored('a', { sourcedId: 'old-1', identifier: '12345' })],
      options: laterSync,
      expected: { 'new-1': 'linked:a:identifier' },
      warnings: ['CHILD_SOURCED_ID_CHANGED'],
    },
    {
      name: 'a shared userIds entry links',
      incoming: [incoming('new-1', { userIds: [{ type: 'LDAP', identifier: 'ana.lopez' }] })],
      current: [stored('a', { sourcedId: 'old-1', userIds: [{ type: 'LDAP', identifier: 'Ana.Lopez' }] })],
      options: laterSync,
      expected: { 'new-1': 'linked:a:userId' },
      warnings: ['CHILD_SOURCED_ID_CHANGED'],
    },
    {
      name: 'an identifier whose owner is still in the roster does not move',
      incoming: [incoming('stu-1', { identifier: '7' }), incoming('stu-2', { identifier: '7' })],
      current: [stored('a', { sourcedId: 'stu-1', identifier: '7' })],
      options: laterSync,
      expected: { 'stu-1': 'linked:a:sourcedId', 'stu-2': 'new' },
      warnings: [],
    },
    {
      name: 'two children with one identifier raise a review',
      incoming: [incoming('new-1', { identifier: '7' })],
      current: [
        stored('a', { sourcedId: 'gone-1', identifier: '7' }),
        stored('b', { sourcedId: 'gone-2', identifier: '7' }),
      ],
      options: laterSync,
      expected: { 'new-1': 'review:a,b' },
      warnings: ['CHILD_POSSIBLE_DUPLICATE'],
    },
    {
      name: 'first sync links a hand-entered child by name and birth date',
      incoming: [incoming('stu-1', { givenName: 'ANA', familyName: 'López', birthDate: '2020-03-04' })],
      current: [stored('m', { origin: 'manual', birthDate: '2020-03-04' })],
      options: firstSync,
      expected: { 'stu-1': 'linked:m:name' },
      warnings: ['CHILD_MATCHED_BY_NAME'],
    },
    {
      name: 'one name, different birth dates: each finds their own',
      incoming: [
        incoming('stu-1', { birthDate: '2020-03-04' }),
        incoming('stu-2', { birthDate: '2021-05-06' }),
      ],
      current: [
        stored('m1', { origin: 'manual', birthDate: '2021-05-06' }),
        stored('m2', { origin: 'manual', birthDate: '2020-03-04' }),
      ],
      options: firstSync,
      expected: { 'stu-1': 'linked:m2:name', 'stu-2': 'linked:m1:name' },
      warnings: ['CHILD_MATCHED_BY_NAME', 'CHILD_MATCHED_BY_NAME'],
    },
    {
      name: 'one name, another birth date is another child',
      incoming: [incoming('stu-1', { birthDate: '2020-03-04' })],
      current: [stored('m', { origin: 'manual', birthDate: '2019-01-01' })],
      options: firstSync,
      expected: { 'stu-1': 'new' },
      warnings: [],
    },
    {
      name: 'one name, no birth dates: two candidates raise a review',
      incoming: [incoming('stu-1', { birthDate: '2020-03-04' })],
      current: [stored('m1', { origin: 'manual' }), stored('m2', { origin: 'manual' })],
      options: firstSync,
      expected: { 'stu-1': 'review:m1,m2' },
      warnings: ['CHILD_POSSIBLE_DUPLICATE'],
    },
    {
      name: 'a name match without a roster birth date never links',
      incoming: [incoming('stu-1')],
      current: [stored('m', { origin: 'manual', birthDate: '2020-03-04' })],
      options: firstSync,
      expected: { 'stu-1': 'review:m' },
      warnings: ['CHILD_POSSIBLE_DUPLICATE'],
    },
    {
      name: 'two roster children wanting one hand-entered child raise reviews',
      incoming: [
        incoming('stu-1', { birthDate: '2020-03-04' }),
        incoming('stu-2', { birthDate: '2020-03-04' }),
      ],
      current: [stored('m', { origin: 'manual', birthDate: '2020-03-04' })],
      options: firstSync,
      expected: { 'stu-1': 'review:m', 'stu-2': 'review:m' },
      warnings: ['CHILD_POSSIBLE_DUPLICATE', 'CHILD_POSSIBLE_DUPLICATE'],
    },
    {
      name: 'names do not match after the first sync',
      incoming: [incoming('stu-1', { birthDate: '2020-03-04' })],
      current: [stored('m', { origin: 'manual', birthDate: '2020-03-04' })],
      options: laterSync,
      expected: { 'stu-1': 'new' },
      warnings: [],
    },
    {
      name: 'roster children never match by name',
      incoming: [incoming('stu-1', { birthDate: '2020-03-04' })],
      current: [stored('r', { sourcedId: 'stu-9', birthDate: '2020-03-04' })],
      options: firstSync,
      expected: { 'stu-1': 'new' },
      warnings: [],
    },
    {
      name: 'carryover restores an archived child by sourcedId',
      incoming: [incoming('stu-1')],
      current: [],
      archived: [stored('old', { sourcedId: 'stu-1', archivedSchoolYear: 2025 })],
      options: { firstSync: false, carryover: true },
      expected: { 'stu-1': 'archive:old:sourcedId' },
      warnings: ['CHILD_RESTORED_FROM_ARCHIVE'],
    },
    {
      name: 'carryover off creates a new child',
      incoming: [incoming('stu-1')],
      current: [],
      archived: [stored('old', { sourcedId: 'stu-1', archivedSchoolYear: 2025 })],
      options: { firstSync: false, carryover: false },
      expected: { 'stu-1': 'new' },
      warnings: [],
    },
    {
      name: 'carryover prefers the latest school year',
      incoming: [incoming('stu-1')],
      current: [],
      archived: [
        stored('y24', { sourcedId: 'stu-1', archivedSchoolYear: 2024 }),
        stored('y25', { sourcedId: 'stu-1', archivedSchoolYear: 2025 }),
      ],
      options: { firstSync: false, carryover: true },
      expected: { 'stu-1': 'archive:y25:sourcedId' },
      warnings: ['CHILD_RESTORED_FROM_ARCHIVE'],
    },
    {
      name: 'carryover follows the identifier across a new sourcedId',
      incoming: [incoming('new-1', { identifier: '555' })],
      current: [],
      archived: [stored('old', { sourcedId: 'old-1', identifier: '555', archivedSchoolYear: 2025 })],
      options: { firstSync: false, carryover: true },
      expected: { 'new-1': 'archive:old:identifier' },
      warnings: ['CHILD_RESTORED_FROM_ARCHIVE'],
    },
    {
      name: 'carryover by name and birth date',
      incoming: [incoming('new-1', { birthDate: '2020-03-04' })],
      current: [],
      archived: [stored('old', { sourcedId: 'old-1', birthDate: '2020-03-04', archivedSchoolYear: 2025 })],
      options: { firstSync: false, carryover: true },
      expected: { 'new-1': 'archive:old:name' },
      warnings: ['CHILD_RESTORED_FROM_ARCHIVE'],
    },
    {
      name: 'a current child wins over an archived one',
      incoming: [incoming('stu-1')],
      current: [stored('now', { sourcedId: 'stu-1' })],
      archived: [stored('old', { sourcedId: 'stu-1', archivedSchoolYear: 2025 })],
      options: { firstSync: false, carryover: true },
      expected: { 'stu-1': 'linked:now:sourcedId' },
      warnings: [],
    },
  ];

  it.each(cases)('$name', ({ incoming: children, current, archived = [], options, expected, warnings }) => {
    const outcome = matchChildren(children, current, archived, options);
    const summary: Record<string, string> = {};
    for (const [sourcedId, match] of outcome.matches) {
      if (match.kind === 'linked') {
        summary[sourcedId] = `${match.fromArchive ? 'archive' : 'linked'}:${match.childId}:${match.key}`;
      } else {
        summary[sourcedId] = match.duplicate ? `review:${match.duplicate.candidateIds.join(',')}` : 'new';
      }
    }
    expect(summary).toEqual(expected);
    expect(outcome.warnings.map((warning) => warning.code)).toEqual(warnings);
  });

  it('matches 30 hand-entered children on the first sync', () => {
    const names = Array.from({ length: 30 }, (_, i) => ({
      given: `Child${i}`,
      family: i % 2 === 0 ? 'Pérez-Núñez' : "D'Angelo",
      birthDate: `2020-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`,
    }));
    const current = names.map((n, i) =>
      stored(`m${i}`, { origin: 'manual', givenName: n.given, familyName: n.family, birthDate: n.birthDate }),
    );
    const roster = names.map((n, i) =>
      incoming(`stu-${i}`, {
        givenName: n.given.toUpperCase(),
        familyName: n.family.normalize('NFD').replace(/[-']/g, ' '),
        birthDate: n.birthDate,
      }),
    );
    const outcome = matchChildren(roster, current, [], firstSync);
    for (let i = 0; i < 30; i += 1) {
      expect(outcome.matches.get(`stu-${i}`)).toEqual({
        kind: 'linked',
        childId: `m${i}`,
        key: 'name',
        fromArchive: false,
      });
    }
  });
});

describe('matchChildren in a delta', () => {
  it('raises a review instead of moving a linked child', () => {
    const outcome = matchChildren(
      [incoming('new-1', { identifier: '12345' })],
      [stored('a', { sourcedId: 'old-1', identifier: '12345' })],
      [],
      { firstSync: false, carryover: false, rosterComplete: false },
    );
    const match = outcome.matches.get('new-1');
    expect(match?.kind).toBe('new');
    expect(match?.kind === 'new' && match.duplicate?.candidateIds).toEqual(['a']);
    expect(outcome.warnings.map((warning) => warning.code)).toEqual(['CHILD_POSSIBLE_DUPLICATE']);
  });

  it('still links an unlinked child by identifier', () => {
    const outcome = matchChildren(
      [incoming('new-1', { identifier: '12345' })],
      [stored('m', { origin: 'manual', identifier: '12345' })],
      [],
      { firstSync: false, carryover: false, rosterComplete: false },
    );
    expect(outcome.matches.get('new-1')).toEqual({
      kind: 'linked',
      childId: 'm',
      key: 'identifier',
      fromArchive: false,
    });
  });
});

describe('sameNameWarnings', () => {
  it('tells children apart by birth date', () => {
    const warnings = sameNameWarnings([
      incoming('a', { birthDate: '2020-01-01' }),
      incoming('b', { givenName: 'ANA', birthDate: '2021-01-01' }),
      incoming('c', { givenName: 'Noah', birthDate: '2020-01-01' }),
    ]);
    expect(warnings.map((warning) => [warning.code, warning.sourcedId])).toEqual([
      ['CHILD_SAME_NAME', 'a'],
      ['CHILD_SAME_NAME', 'b'],
    ]);
    expect(warnings[0]?.message).toMatch(/different birth date/);
  });

  it('flags one name without birth dates', () => {
    const warnings = sameNameWarnings([incoming('a'), incoming('b')]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.message).toMatch(/do not tell them apart/);
  });
});
