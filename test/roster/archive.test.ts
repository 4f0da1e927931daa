import { expect, it } from 'vitest';

import {
  archiveSchoolYear,
  listArchivedYears,
  restoreArchivedChildren,
  schoolYearInProgress,
} from '../../src/roster/archive.ts';
import { loadMatchCandidates } from '../../src/roster/candidates.ts';
import { describeEachStore } from '../support/stores.ts';
import { seedChild, seedOrganization } from './seed.ts';

describeEachStore('school-year archive', (context) => {
  it('moves children, classrooms and memberships with snapshots', async () => {
    const { db } = context.store;
    const { orgId, classroomId } = await seedOrganization(db, 'arch');
    const childId = await seedChild(db, orgId, {
      sourcedId: 'stu-1',
      classroomId,
      journey: ['assess'],
      level: 'tk',
      levelSetBy: 'educator',
    });
    await seedChild(db, orgId, { sourcedId: 'stu-2', classroomId, status: 'inactive' });
    await db
      .insertInto('memberships')
      .values({ orgId, classroomId, childId, role: 'student', sourcedId: 'enr-1' })
      .execute();

    const summary = await archiveSchoolYear(db, orgId, 2026, 'test');
    expect(summary).toEqual({ schoolYear: 2026, children: 2, classrooms: 1, memberships: 1 });

    const child = await db
      .selectFrom('children')
      .selectAll()
      .where('id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(child.archivedSchoolYear).toBe(2026);
    expect(child.archivedAt).not.toBeNull();
    const snapshots = await db
      .selectFrom('archiveRecords')
      .selectAll()
      .where('orgId', '=', orgId)
      .orderBy('kind')
      .execute();
    expect(snapshots.map((row) => [row.kind, row.schoolYear])).toEqual([
      ['child', 2026],
      ['child', 2026],
      ['classroom', 2026],
      ['membership', 2026],
    ]);
    const snapshot = snapshots.find((row) => row.recordId === childId)!;
    expect(snapshot.data).toMatchObject({ sourcedId: 'stu-1', level: 'tk', journey: ['assess'] });

    const org = await db
      .selectFrom('organizations')
      .select('currentSchoolYear')
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    expect(org.currentSchoolYear).toBe(2027);
    expect(await listArchivedYears(db, orgId)).toEqual([{ schoolYear: 2026, children: 2 }]);
  });

  it('archives nothing twice', async () => {
    const { db } = context.store;
    const { orgId } = await seedOrganization(db, 'twice');
    await seedChild(db, orgId, { sourcedId: 'stu-1' });
    await archiveSchoolYear(db, orgId, 2026, 'test');
    expect(await archiveSchoolYear(db, orgId, 2026, 'test')).toEqual({
      schoolYear: 2026,
      children: 0,
      classrooms: 0,
      memberships: 0,
    });
  });

  it('keeps archived rows read-only', async () => {
    const { db } = context.store;
    const { orgId, classroomId } = await seedOrganization(db, 'readonly');
    const childId = await seedChild(db, orgId, { sourcedId: 'stu-1' });
    await archiveSchoolYear(db, orgId, 2026, 'test');

    await expect(
      db.updateTable('children').set({ level: 'kindergarten' }).where('id', '=', childId).execute(),
    ).rejects.toThrow(/read-only/);
    await expect(
      db.updateTable('classrooms').set({ rosterName: 'Owls' }).where('id', '=', classroomId).execute(),
    ).rejects.toThrow(/read-only/);
  });

  it('restores a child with its id and history', async () => {
    const { db } = context.store;
    const { orgId } = await seedOrganization(db, 'restore');
    const childId = await seedChild(db, orgId, { sourcedId: 'stu-1', level: 'tk', levelSetBy: 'educator' });
    await archiveSchoolYear(db, orgId, 2026, 'test');

    const before = await loadMatchCandidates(db, orgId);
    expect(before.current).toEqual([]);
    expect(before.archived.map((child) => [child.id, child.archivedSchoolYear])).toEqual([[childId, 2026]]);
    expect(before.options.firstSync).toBe(false);

    expect(await restoreArchivedChildren(db, orgId, [childId], null)).toBe(1);
    const child = await db
      .selectFrom('children')
      .selectAll()
      .where('id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(child.archivedAt).toBeNull();
    expect(child.level).toBe('tk');
    const snapshot = await db
      .selectFrom('archiveRecords')
      .selectAll()
      .where('recordId', '=', childId)
      .executeTakeFirstOrThrow();
    expect(snapshot.restoredAt).not.toBeNull();
    await db.updateTable('children').set({ level: 'kindergarten' }).where('id', '=', childId).execute();
  });

  it('rejects a school year out of range', async () => {
    const { db } = context.store;
    const { orgId } = await seedOrganization(db, 'range');
    await expect(archiveSchoolYear(db, orgId, 26, 'test')).rejects.toThrow(/2000 to 2100/);
  });
});

it.each([
  ['2026-07-31T12:00:00Z', 2026],
  ['2026-08-01T12:00:00Z', 2027],
  ['2026-08-01T02:00:00Z', 2026],
  ['2026-12-04T12:00:00Z', 2027],
])('schoolYearInProgress on %s is %i', (now, year) => {
  const org = { timezone: 'America/Los_Angeles', archiveMonth: 8, archiveDay: 1 };
  expect(schoolYearInProgress(org, new Date(now))).toBe(year);
});
