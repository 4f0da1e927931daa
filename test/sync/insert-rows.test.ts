import { randomUUID } from 'node:crypto';

import { expect, it } from 'vitest';

import type { Store } from '../../src/db/store.ts';
import type { RowValues } from '../../src/sync/plan/types.ts';
import { insertRows } from '../../src/sync/plan/write.ts';
import { describeEachStore } from '../support/stores.ts';
import { createTestOrg } from './support/harness.ts';

/** Text that COPY's text format must escape or could confuse with its own markers. */
const hostile = [
  'tab\there',
  'line\nbreak',
  'carriage\r\nreturn',
  'back\\slash\\',
  '\\N',
  '\\.',
  '\\',
  `quotes ' and " and ""`,
  'comma, semicolon; pipe|',
  'Zoë Ångström 😀 名前',
  ' leading and trailing spaces ',
];

function child(orgId: string, schoolId: string | null, values: RowValues = {}): RowValues {
  return {
    id: randomUUID(),
    orgId,
    schoolId,
    sourcedId: `c-${randomUUID()}`,
    givenName: 'Ada',
    familyName: 'Lovelace',
    nameKey: 'ada lovelace',
    ...values,
  };
}

async function countChildren(store: Store, orgId: string): Promise<number> {
  const row = await store.db
    .selectFrom('children')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('orgId', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describeEachStore('insertRows', ({ store }) => {
  it('round-trips hostile text, nulls and every type', async () => {
    const org = await createTestOrg(store);
    const schoolId = randomUUID();
    const updatedAt = new Date('2026-03-04T05:06:07.089Z');
    const rows = hostile.map((text, index) =>
      child(org.id, schoolId, {
        givenName: text,
        familyName: text === '' ? 'x' : `${text}!`,
        middleName: index % 2 === 0 ? '' : null,
        preferredGivenName: text,
        identifier: index === 0 ? null : `id\t${index}`,
        userIds: [text, `u${index}`],
        journey: { step: text, nested: { list: [1, null, true], quote: '"' } },
        birthDate: index === 0 ? null : '2021-02-28',
        enabled: index % 2 === 0,
        white: index % 3 === 0 ? null : index % 3 === 1,
        updatedAt: index === 0 ? updatedAt : '2026-03-04T05:06:07.089Z',
      }),
    );

    expect(
      await insertRows(store.db, 'schools', [
        { id: schoolId, orgId: org.id, name: 'É\tcole', identifier: '' },
      ]),
    ).toBe(1);
    expect(await insertRows(store.db, 'children', rows)).toBe(rows.length);

    const school = await store.db
      .selectFrom('schools')
      .selectAll()
      .where('id', '=', schoolId)
      .executeTakeFirstOrThrow();
    expect(school).toMatchObject({ name: 'É\tcole', identifier: '' });
    const stored = await store.db.selectFrom('children').selectAll().where('orgId', '=', org.id).execute();
    const byId = new Map(stored.map((row) => [row.id, row]));
    for (const row of rows) {
      expect(byId.get(row.id as string)).toMatchObject({
        ...row,
        updatedAt,
        // Columns the rows leave out keep their defaults.
        origin: 'roster',
        status: 'active',
      });
    }
  });

  it('round-trips memberships, classrooms and reviews', async () => {
    const org = await createTestOrg(store);
    const schoolId = randomUUID();
    const classroomId = randomUUID();
    const childId = randomUUID();
    await insertRows(store.db, 'schools', [{ id: schoolId, orgId: org.id, name: 'School' }]);
    await insertRows(store.db, 'classrooms', [
      { id: classroomId, orgId: org.id, schoolId, rosterName: 'Room\\1', grades: ['PK', 'K'] },
    ]);
    await insertRows(store.db, 'children', [child(org.id, schoolId, { id: childId, classroomId })]);
    const membership = {
      id: randomUUID(),
      orgId: org.id,
      classroomId,
      childId,
      educatorId: null,
      role: 'student',
      isPrimary: true,
      beginDate: '2026-08-31',
      endDate: null,
    };
    await insertRows(store.db, 'memberships', [membership]);
    await insertRows(store.db, 'duplicateReviews', [
      { orgId: org.id, childId, candidateIds: [childId], reason: 'same name\tand birth date' },
    ]);

    expect(
      await store.db
        .selectFrom('classrooms')
        .select(['rosterName', 'grades'])
        .where('id', '=', classroomId)
        .execute(),
    ).toEqual([{ rosterName: 'Room\\1', grades: ['PK', 'K'] }]);
    expect(
      await store.db.selectFrom('memberships').selectAll().where('id', '=', membership.id).executeTakeFirst(),
    ).toMatchObject(membership);
    expect(
      await store.db
        .selectFrom('duplicateReviews')
        .select(['candidateIds', 'reason'])
        .where('childId', '=', childId)
        .execute(),
    ).toEqual([{ candidateIds: [childId], reason: 'same name\tand birth date' }]);
  });

  it('writes a copy longer than one chunk', async () => {
    const org = await createTestOrg(store);
    const rows = Array.from({ length: 12_001 }, (_, index) =>
      child(org.id, null, { givenName: `Child ${index}` }),
    );

    expect(await insertRows(store.db, 'children', rows)).toBe(12_001);
    expect(await countChildren(store, org.id)).toBe(12_001);
  });

  it('rolls back on a foreign key violation', async () => {
    const org = await createTestOrg(store);
    const schoolId = randomUUID();
    const rows = Array.from({ length: 7000 }, () => child(org.id, schoolId));
    rows[6500] = child(org.id, randomUUID());

    const failure = store.db.transaction().execute(async (trx) => {
      await insertRows(trx, 'schools', [{ id: schoolId, orgId: org.id, name: 'School' }]);
      await insertRows(trx, 'children', rows);
    });

    await expect(failure).rejects.toMatchObject({
      code: '23503',
      message: expect.stringMatching(/children.*foreign key constraint "children_school_id_fkey"/) as unknown,
    });
    expect(await store.db.selectFrom('schools').select('id').where('orgId', '=', org.id).execute()).toEqual(
      [],
    );
    expect(await countChildren(store, org.id)).toBe(0);
    // The connection is usable again.
    expect(await insertRows(store.db, 'children', [child(org.id, null)])).toBe(1);
  });

  it('rolls back on a duplicate id', async () => {
    const org = await createTestOrg(store);
    const rows = [child(org.id, null), child(org.id, null)];
    rows[1]!.id = rows[0]!.id!;

    const failure = store.db.transaction().execute(async (trx) => {
      await insertRows(trx, 'children', [child(org.id, null)]);
      await insertRows(trx, 'children', rows);
    });

    await expect(failure).rejects.toMatchObject({ code: '23505' });
    expect(await countChildren(store, org.id)).toBe(0);
  });

  it('rolls back on a value without COPY form', async () => {
    const org = await createTestOrg(store);
    const rows = Array.from({ length: 6000 }, () => child(org.id, null));
    rows[5500] = child(org.id, null, { givenName: { first: 'Ada' } });

    const failure = store.db.transaction().execute(async (trx) => {
      await insertRows(trx, 'children', rows);
    });

    await expect(failure).rejects.toThrow(
      /Cannot write a value of type object to column children\.given_name/,
    );
    expect(await countChildren(store, org.id)).toBe(0);
    expect(await insertRows(store.db, 'children', [child(org.id, null)])).toBe(1);
  });
});
