import { beforeAll, expect, it } from 'vitest';

import { isAppError } from '../../src/core/errors.ts';
import { json } from '../../src/db/json.ts';
import { bulkSetJourney } from '../../src/roster/journeys.ts';
import { saveProduct, setLicence } from '../../src/roster/products.ts';
import { describeEachStore } from '../support/stores.ts';
import { seedChild, seedOrganization } from './seed.ts';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describeEachStore('Bulk Journey Updater', (context) => {
  let ids: Record<string, string> = {};
  let otherClassroom = '';

  beforeAll(async () => {
    const { db } = context.store;
    const { orgId, schoolId, classroomId } = await seedOrganization(db, 'bulk');
    const other = await db
      .insertInto('classrooms')
      .values({ orgId, schoolId, rosterName: 'Owls', sourcedId: 'bulk-cls-2', grades: json(['KG']) })
      .returning('id')
      .executeTakeFirstOrThrow();
    otherClassroom = other.id;
    await saveProduct(db, { code: 'assess', name: 'Assessment' }, 'test');
    await saveProduct(db, { code: 'math', name: 'Early Math' }, 'test');
    await saveProduct(db, { code: 'unlicensed', name: 'Not sold here' }, 'test');
    await setLicence(db, 'bulk', 'assess', 100, 'test');
    await setLicence(db, 'bulk', 'math', 100, 'test');

    const place = { schoolId, classroomId };
    ids = {
      pk1: await seedChild(db, orgId, { ...place, sourcedId: 'pk-1', grade: 'PK', journey: ['assess'] }),
      pk2: await seedChild(db, orgId, {
        ...place,
        sourcedId: 'pk-2',
        grade: 'PreK',
        journey: ['assess', 'math'],
      }),
      kg1: await seedChild(db, orgId, { schoolId, classroomId: other.id, sourcedId: 'kg-1', grade: 'K' }),
      manual: await seedChild(db, orgId, { ...place, origin: 'manual', grade: 'PK' }),
      inactive: await seedChild(db, orgId, {
        ...place,
        sourcedId: 'pk-old',
        grade: 'PK',
        status: 'inactive',
      }),
    };
  });

  const journeyOf = async (id: string) =>
    (
      await context.store.db
        .selectFrom('children')
        .select('journey')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).journey;

  it('sets a classroom and counts only real changes', async () => {
    const { db } = context.store;
    const first = await bulkSetJourney(db, 'bulk', ['assess', 'math'], { classroom: 'bulk-cls-1' }, 'test');
    expect(first).toEqual({ matched: 3, changed: 2 });
    expect(await journeyOf(ids.pk1!)).toEqual(['assess', 'math']);
    expect(await journeyOf(ids.manual!)).toEqual(['assess', 'math']);
    expect(await journeyOf(ids.inactive!)).toEqual([]);

    const again = await bulkSetJourney(db, 'bulk', ['assess', 'math'], { classroom: 'bulk-cls-1' }, 'test');
    expect(again).toEqual({ matched: 3, changed: 0 });
  });

  it('sets a grade, folding variants', async () => {
    const result = await bulkSetJourney(context.store.db, 'bulk', ['math'], { grade: 'Pre-K' }, 'test');
    expect(result).toEqual({ matched: 3, changed: 3 });
    expect(await journeyOf(ids.kg1!)).toEqual([]);
  });

  it('sets a school', async () => {
    const result = await bulkSetJourney(
      context.store.db,
      'bulk',
      ['assess'],
      { school: 'bulk-sch-1' },
      'test',
    );
    expect(result).toEqual({ matched: 4, changed: 4 });
  });

  it('sets listed children by sourcedId or id', async () => {
    const result = await bulkSetJourney(
      context.store.db,
      'bulk',
      ['math'],
      { children: ['kg-1', ids.manual!] },
      'test',
    );
    expect(result).toEqual({ matched: 2, changed: 2 });
    expect(await journeyOf(ids.kg1!)).toEqual(['math']);
  });

  const failures: [string, string[], Parameters<typeof bulkSetJourney>[3], string][] = [
    ['unlicensed product', ['unlicensed'], { school: 'bulk-sch-1' }, 'JOURNEY_NOT_LICENSED'],
    ['empty journey', [' '], { school: 'bulk-sch-1' }, 'INVALID_INPUT'],
    ['unknown school', ['assess'], { school: 'nope' }, 'NOT_FOUND'],
    ['unknown classroom', ['assess'], { classroom: 'nope' }, 'NOT_FOUND'],
    ['not a grade', ['assess'], { grade: 'Nursery' }, 'INVALID_INPUT'],
    ['one unknown child', ['assess'], { children: ['pk-1', 'ghost'] }, 'NOT_FOUND'],
    ['an inactive child', ['assess'], { children: ['pk-old'] }, 'NOT_FOUND'],
  ];
  it.each(failures)('rejects %s and changes nothing', async (_name, journey, target, code) => {
    const before = await journeyOf(ids.pk1!);
    expect(await codeOf(bulkSetJourney(context.store.db, 'bulk', journey, target, 'test'))).toBe(code);
    expect(await journeyOf(ids.pk1!)).toEqual(before);
  });

  it('leaves the other classroom alone', async () => {
    await bulkSetJourney(context.store.db, 'bulk', ['assess', 'math'], { classroom: 'bulk-cls-1' }, 'test');
    const rows = await context.store.db
      .selectFrom('children')
      .select('journey')
      .where('classroomId', '=', otherClassroom)
      .execute();
    expect(rows.map((row) => row.journey)).toEqual([['math']]);
  });
});
