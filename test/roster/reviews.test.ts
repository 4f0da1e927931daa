import { expect, it } from 'vitest';

import { isAppError } from '../../src/core/errors.ts';
import { archiveSchoolYear } from '../../src/roster/archive.ts';
import { keepApart, listReviews, mergeReview, raiseDuplicateReviews } from '../../src/roster/reviews.ts';
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

describeEachStore('possible-duplicate reviews', (context) => {
  it('lists, and keeps apart', async () => {
    const { db } = context.store;
    const { orgId } = await seedOrganization(db, 'keep');
    const older = await seedChild(db, orgId, { origin: 'manual', birthDate: '2020-01-01' });
    const newer = await seedChild(db, orgId, { sourcedId: 'stu-1' });
    expect(
      await raiseDuplicateReviews(db, orgId, null, [
        { childId: newer, candidateIds: [older], reason: 'same name' },
      ]),
    ).toBe(1);
    expect(
      await raiseDuplicateReviews(db, orgId, null, [
        { childId: newer, candidateIds: [older], reason: 'again' },
      ]),
    ).toBe(0);

    const [item] = await listReviews(db, 'keep');
    expect(item?.child.sourcedId).toBe('stu-1');
    expect(item?.candidates.map((c) => c.id)).toEqual([older]);
    expect(item?.reason).toBe('same name');

    await keepApart(db, 'keep', item!.id, 'admin@example.org');
    expect(await listReviews(db, 'keep')).toEqual([]);
    expect((await listReviews(db, 'keep', 'kept')).map((review) => review.id)).toEqual([item!.id]);
    expect(await codeOf(keepApart(db, 'keep', item!.id, 'admin'))).toBe('REVIEW_ITEM_NOT_FOUND');
    expect(await codeOf(keepApart(db, 'keep', 'not-an-id', 'admin'))).toBe('REVIEW_ITEM_NOT_FOUND');
  });

  it('merges into the older record, keeping its history', async () => {
    const { db } = context.store;
    const { orgId, schoolId, classroomId } = await seedOrganization(db, 'merge');
    const older = await seedChild(db, orgId, {
      origin: 'manual',
      journey: ['assess'],
      level: 'kindergarten',
      levelSetBy: 'educator',
      createdAt: '2024-09-01T00:00:00Z',
    });
    const newer = await seedChild(db, orgId, {
      sourcedId: 'stu-1',
      givenName: 'Ana María',
      birthDate: '2020-01-01',
      identifier: '555',
      journey: ['math'],
      level: 'prek-4',
      levelSetBy: 'placement',
      schoolId,
      classroomId,
    });
    await db
      .insertInto('memberships')
      .values({ orgId, classroomId, childId: newer, role: 'student', sourcedId: 'enr-1' })
      .execute();
    const contact = await db
      .insertInto('familyContacts')
      .values({ orgId, givenName: 'Rosa', familyName: 'Lopez', sourcedId: 'par-1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('childContacts').values({ orgId, childId: newer, contactId: contact.id }).execute();
    await raiseDuplicateReviews(db, orgId, null, [
      { childId: newer, candidateIds: [older], reason: 'same name' },
    ]);
    const [item] = await listReviews(db, 'merge');

    const result = await mergeReview(db, 'merge', item!.id, null, 'admin');
    expect(result).toEqual({ keptChildId: older, mergedChildId: newer, memberships: 1, contacts: 1 });

    const kept = await db
      .selectFrom('children')
      .selectAll()
      .where('id', '=', older)
      .executeTakeFirstOrThrow();
    expect(kept.sourcedId).toBe('stu-1');
    expect(kept.identifier).toBe('555');
    expect(kept.birthDate).toBe('2020-01-01');
    expect(kept.givenName).toBe('Ana María');
    expect(kept.classroomId).toBe(classroomId);
    expect(kept.journey).toEqual(['assess', 'math']);
    expect(kept.level).toBe('kindergarten');
    expect(kept.levelSetBy).toBe('educator');
    const merged = await db
      .selectFrom('children')
      .selectAll()
      .where('id', '=', newer)
      .executeTakeFirstOrThrow();
    expect(merged.mergedIntoId).toBe(older);
    const membership = await db
      .selectFrom('memberships')
      .select('childId')
      .where('sourcedId', '=', 'enr-1')
      .executeTakeFirstOrThrow();
    expect(membership.childId).toBe(older);
    const review = await db
      .selectFrom('duplicateReviews')
      .selectAll()
      .where('id', '=', item!.id)
      .executeTakeFirstOrThrow();
    expect(review.status).toBe('merged');
    expect(review.keptChildId).toBe(older);
  });

  it('needs a choice among several candidates', async () => {
    const { db } = context.store;
    const { orgId } = await seedOrganization(db, 'choose');
    const first = await seedChild(db, orgId, { origin: 'manual', createdAt: '2024-01-01T00:00:00Z' });
    const second = await seedChild(db, orgId, { origin: 'manual', createdAt: '2024-02-01T00:00:00Z' });
    const newer = await seedChild(db, orgId, { sourcedId: 'stu-1' });
    await raiseDuplicateReviews(db, orgId, null, [
      { childId: newer, candidateIds: [first, second], reason: 'two' },
    ]);
    const [item] = await listReviews(db, 'choose');

    expect(await codeOf(mergeReview(db, 'choose', item!.id, null, 'admin'))).toBe('INVALID_INPUT');
    expect(await codeOf(mergeReview(db, 'choose', item!.id, newer, 'admin'))).toBe('INVALID_INPUT');
    const result = await mergeReview(db, 'choose', item!.id, second, 'admin');
    expect(result.keptChildId).toBe(second);
    const untouched = await db
      .selectFrom('children')
      .select('mergedIntoId')
      .where('id', '=', first)
      .executeTakeFirstOrThrow();
    expect(untouched.mergedIntoId).toBeNull();
  });

  it('restores an archived older child on merge', async () => {
    const { db } = context.store;
    const { orgId } = await seedOrganization(db, 'carry');
    const older = await seedChild(db, orgId, { sourcedId: 'old-1', level: 'tk', levelSetBy: 'educator' });
    await archiveSchoolYear(db, orgId, 2026, 'test');
    const newer = await seedChild(db, orgId, { sourcedId: 'new-1' });
    await raiseDuplicateReviews(db, orgId, null, [
      { childId: newer, candidateIds: [older], reason: 'name only' },
    ]);
    const [item] = await listReviews(db, 'carry');

    await mergeReview(db, 'carry', item!.id, null, 'admin');
    const kept = await db
      .selectFrom('children')
      .selectAll()
      .where('id', '=', older)
      .executeTakeFirstOrThrow();
    expect(kept.archivedAt).toBeNull();
    expect(kept.sourcedId).toBe('new-1');
    expect(kept.level).toBe('tk');
  });
});
