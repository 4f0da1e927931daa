import { afterEach, expect, it } from 'vitest';

import type { RunningEmulator } from '../../src/emulator/server.ts';
import { runSync } from '../../src/sync/run.ts';
import { describeEachStore } from '../support/stores.ts';
import { connectEmulator } from './support/district.ts';
import { createTestOrg, syncDeps } from './support/harness.ts';

const permissive = { allowRemoval: true, maxDeactivateRatio: 1, maxChangeRatio: 1 };

describeEachStore('sync of roster changes', ({ store }) => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  async function setUp(settings: Record<string, unknown> = permissive) {
    const org = await createTestOrg(store, settings);
    emulator = await connectEmulator(store, org.slug);
    const sync = (mode: 'full' | 'delta' | 'auto' = 'full') =>
      runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode });
    return { org, emulator, sync };
  }

  const childRow = (orgId: string, sourcedId: string) =>
    store.db
      .selectFrom('children')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('sourcedId', '=', sourcedId)
      .executeTakeFirstOrThrow();

  const membershipRow = (orgId: string, sourcedId: string) =>
    store.db
      .selectFrom('memberships')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('sourcedId', '=', sourcedId)
      .executeTakeFirstOrThrow();

  const classroomIdOf = async (orgId: string, sourcedId: string) =>
    (
      await store.db
        .selectFrom('classrooms')
        .select('id')
        .where('orgId', '=', orgId)
        .where('sourcedId', '=', sourcedId)
        .executeTakeFirstOrThrow()
    ).id;

  /** The children linked to a family contact, with the status of each link. */
  const contactLinks = (orgId: string, contactSourcedId: string) =>
    store.db
      .selectFrom('childContacts')
      .innerJoin('children', 'children.id', 'childContacts.childId')
      .innerJoin('familyContacts', 'familyContacts.id', 'childContacts.contactId')
      .select(['children.sourcedId as child', 'childContacts.status'])
      .where('childContacts.orgId', '=', orgId)
      .where('familyContacts.sourcedId', '=', contactSourcedId)
      .orderBy('children.sourcedId')
      .execute();

  it('first sync lands the district', async () => {
    const { org, sync } = await setUp();
    const report = await sync();

    expect(report.status).toBe('succeeded');
    expect(report.counts.schools.created).toBe(1);
    expect(report.counts.classrooms.created).toBe(3);
    expect(report.counts.educators.created).toBe(4);
    expect(report.counts.children.created).toBe(4);
    expect(report.counts.contacts.created).toBe(2);
    expect(report.counts.memberships.created).toBe(9);

    const zoe = await childRow(org.id, 's3');
    expect(zoe.givenName).toBe('Zoë');
    expect(zoe.birthDate).toBe('2022-03-03');
    expect(zoe.asian).toBe(true);
    expect(zoe.grade).toBe('PK');
    expect(zoe.identifier).toBe('ID-s3');
    const classroomA = await store.db
      .selectFrom('classrooms')
      .selectAll()
      .where('orgId', '=', org.id)
      .where('sourcedId', '=', 'cA')
      .executeTakeFirstOrThrow();
    expect(zoe.classroomId).toBe(classroomA.id);
    expect(classroomA.rosterName).toBe('PK-A Bears');

    const links = await store.db
      .selectFrom('childContacts')
      .select('childId')
      .where('orgId', '=', org.id)
      .execute();
    expect(links).toHaveLength(2);
  });

  it('second sync of the same data changes nothing', async () => {
    const { org, sync } = await setUp();
    await sync();
    const second = await sync();

    expect(second.status).toBe('succeeded');
    for (const counts of Object.values(second.counts)) {
      expect(counts.created + counts.updated + counts.deactivated + counts.reactivated).toBe(0);
    }
    expect(second.counts.children.unchanged).toBe(4);
    const run = await store.db
      .selectFrom('syncRuns')
      .select('progress')
      .where('id', '=', second.runId)
      .executeTakeFirstOrThrow();
    expect(run.progress.rowsWritten).toBe(0);
    void org;
  });

  it('co-teachers keep their primary flags', async () => {
    const { org, sync } = await setUp();
    await sync();
    expect((await membershipRow(org.id, 'e-t1-A')).isPrimary).toBe(true);
    expect((await membershipRow(org.id, 'e-t2-A')).isPrimary).toBe(false);
    expect((await membershipRow(org.id, 'e-t2-A')).educatorId).not.toBeNull();
    expect((await membershipRow(org.id, 'e-a1-A')).role).toBe('aide');
  });

  it('classroom with only its teacher', async () => {
    const { org, sync } = await setUp();
    await sync();
    const classroom = await store.db
      .selectFrom('classrooms')
      .select(['id', 'status'])
      .where('orgId', '=', org.id)
      .where('sourcedId', '=', 'cC')
      .executeTakeFirstOrThrow();
    expect(classroom.status).toBe('active');
    const members = await store.db
      .selectFrom('memberships')
      .select(['role'])
      .where('classroomId', '=', classroom.id)
      .execute();
    expect(members).toEqual([{ role: 'teacher' }]);
  });

  it('child moves to another classroom', async () => {
    const { org, emulator, sync } = await setUp();
    await sync();
    emulator.controls.removeRecord('enrollments', 'e-s1-A');
    emulator.controls.putRecord('enrollments', {
      sourcedId: 'e-s1-B',
      userSourcedId: 's1',
      classSourcedId: 'cB',
      role: 'student',
      primary: false,
    });

    const report = await sync();
    expect(report.status).toBe('succeeded');
    expect(report.counts.memberships.created).toBe(1);
    expect(report.counts.memberships.deactivated).toBe(1);
    expect(report.counts.children.updated).toBe(1);
    const emma = await childRow(org.id, 's1');
    const newMembership = await membershipRow(org.id, 'e-s1-B');
    expect(emma.classroomId).toBe(newMembership.classroomId);
    expect((await membershipRow(org.id, 'e-s1-A')).status).toBe('inactive');
  });

  it('enrollment of an unknown user is skipped with a warning', async () => {
    const { emulator, sync } = await setUp();
    emulator.controls.putRecord('enrollments', {
      sourcedId: 'e-ghost',
      userSourcedId: 'ghost-user',
      classSourcedId: 'cA',
      role: 'student',
    });
    const report = await sync();
    expect(report.status).toBe('succeeded');
    expect(report.counts.memberships.skipped).toBe(1);
    const warning = report.warnings.find((entry) => entry.sourcedId === 'e-ghost');
    expect(warning?.message).toContain('ghost-user');
  });

  it('tobedeleted class is deactivated', async () => {
    const { org, emulator, sync } = await setUp();
    await sync();
    emulator.controls.putRecord('classes', { sourcedId: 'cC', status: 'tobedeleted' });
    const report = await sync();
    expect(report.counts.classrooms.deactivated).toBe(1);
    const classroom = await store.db
      .selectFrom('classrooms')
      .selectAll()
      .where('orgId', '=', org.id)
      .where('sourcedId', '=', 'cC')
      .executeTakeFirstOrThrow();
    expect(classroom.status).toBe('inactive');
    expect(classroom.sourceStatus).toBe('tobedeleted');
    expect(classroom.deactivatedByRunId).toBe(report.runId);
    expect(classroom.deactivatedAt).not.toBeNull();
  });

  it('tobedeleted class ends its memberships', async () => {
    const { org, emulator, sync } = await setUp();
    await sync();
    emulator.controls.putRecord('classes', { sourcedId: 'cB', status: 'tobedeleted' });
    const report = await sync();
    expect(report.counts.classrooms.deactivated).toBe(1);
    expect(report.counts.memberships.deactivated).toBe(2);
    expect((await membershipRow(org.id, 'e-s4-B')).status).toBe('inactive');
    expect((await membershipRow(org.id, 'e-t1-B')).status).toBe('inactive');
    expect((await membershipRow(org.id, 'e-s4-B')).sourceStatus).toBe('active');
    expect((await childRow(org.id, 's4')).classroomId).toBeNull();
    expect((await membershipRow(org.id, 'e-t1-A')).status).toBe('active');

    const again = await sync();
    expect(again.counts.memberships.deactivated).toBe(0);
    expect(again.counts.children.updated).toBe(0);
  });

  it('removal off keeps what disappears', async () => {
    const { org, emulator, sync } = await setUp({ ...permissive, allowRemoval: false });
    await sync();
    emulator.controls.removeRecord('users', 's4');
    emulator.controls.putRecord('classes', { sourcedId: 'cC', status: 'tobedeleted' });
    const report = await sync();
    expect(report.status).toBe('succeeded');
    for (const counts of Object.values(report.counts)) expect(counts.deactivated).toBe(0);
    expect(report.counts.classrooms.skipped).toBe(1);
    expect((await childRow(org.id, 's4')).status).toBe('active');
  });

  it('removal on deactivates, and a return reactivates', async () => {
    const { org, emulator, sync } = await setUp();
    await sync();
    const before = await childRow(org.id, 's4');
    const saved = emulator.controls.getRecord('users', 's4')!;
    emulator.controls.removeRecord('users', 's4');

    const removal = await sync();
    expect(removal.counts.children.deactivated).toBe(1);
    const removed = await childRow(org.id, 's4');
    expect(removed.status).toBe('inactive');
    expect(removed.deactivatedByRunId).toBe(removal.runId);

    emulator.controls.putRecord('users', { ...saved });
    const comeback = await sync();
    expect(comeback.counts.children.reactivated).toBe(1);
    expect(comeback.counts.children.created).toBe(0);
    const back = await childRow(org.id, 's4');
    expect(back.id).toBe(before.id);
    expect(back.status).toBe('active');
    expect(back.deactivatedAt).toBeNull();
  });

  it('delta sync reads only changed records', async () => {
    const { org, emulator, sync } = await setUp();
    // Touching one record moves the watermark to now, so the delta's safety margin reaches back
    // only a few minutes instead of to the fixture's dates.
    emulator.controls.putRecord('orgs', { sourcedId: 'd1' });
    const full = await sync('auto');
    expect(full.mode).toBe('full');
    emulator.controls.putRecord('users', { sourcedId: 's2', givenName: 'Liam-Paul' });

    const delta = await sync('auto');
    expect(delta.mode).toBe('delta');
    expect(delta.status).toBe('succeeded');
    expect(delta.counts.children.updated).toBe(1);
    expect(delta.counts.children.unchanged).toBe(0);
    expect((await childRow(org.id, 's2')).givenName).toBe('Liam-Paul');
    expect((await childRow(org.id, 's2')).birthDate).toBe('2022-03-02');
  });

  it('delta removes only tobedeleted records', async () => {
    const { org, emulator, sync } = await setUp();
    await sync('full');
    emulator.controls.removeRecord('users', 's4');
    emulator.controls.putRecord('users', { sourcedId: 's3', status: 'tobedeleted' });
    const delta = await sync('delta');
    expect(delta.mode).toBe('delta');
    expect(delta.counts.children.deactivated).toBe(1);
    expect((await childRow(org.id, 's3')).status).toBe('inactive');
    expect((await childRow(org.id, 's4')).status).toBe('active');
  });
  it('delta links to rows it did not receive', async () => {
    const { org, emulator, sync } = await setUp();
    emulator.controls.putRecord('orgs', { sourcedId: 'd1' });
    await sync('full');
    emulator.controls.putRecord('enrollments', {
      sourcedId: 'e-s4-C',
      userSourcedId: 's4',
      classSourcedId: 'cC',
      schoolSourcedId: 'sch1',
      role: 'student',
      beginDate: '2026-08-15',
    });
    emulator.controls.putRecord('users', { sourcedId: 'p1', agentSourcedIds: ['s2', 's4'] });

    const delta = await sync('delta');
    expect(delta.mode).toBe('delta');
    expect(delta.counts.memberships.created).toBe(1);
    const membership = await membershipRow(org.id, 'e-s4-C');
    expect(membership.classroomId).toBe(await classroomIdOf(org.id, 'cC'));
    expect(membership.childId).toBe((await childRow(org.id, 's4')).id);
    expect(await contactLinks(org.id, 'p1')).toEqual([
      { child: 's2', status: 'active' },
      { child: 's4', status: 'active' },
    ]);
  });

  it('delta with a new child id compares it with every stored child', async () => {
    const { org, emulator, sync } = await setUp();
    emulator.controls.putRecord('orgs', { sourcedId: 'd1' });
    await sync('full');
    emulator.controls.putRecord('users', {
      sourcedId: 's9',
      role: 'student',
      givenName: 'Zoë',
      familyName: 'Brandt',
      identifier: 'ID-s3',
      orgSourcedIds: ['sch1'],
      grades: ['PK'],
    });

    const delta = await sync('delta');
    expect(delta.mode).toBe('delta');
    expect(delta.counts.children.created).toBe(1);
    // s3 was not in the delta; only the whole stored roster shows the shared identifier.
    const reviews = await store.db
      .selectFrom('duplicateReviews')
      .select(['childId', 'candidateIds'])
      .where('orgId', '=', org.id)
      .execute();
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.childId).toBe((await childRow(org.id, 's9')).id);
    expect(reviews[0]!.candidateIds).toEqual([(await childRow(org.id, 's3')).id]);
  });

  it('delta safeguard weighs changes against the whole roster', async () => {
    const { emulator, sync } = await setUp({ allowRemoval: true });
    emulator.controls.putRecord('orgs', { sourcedId: 'd1' });
    await sync('full');
    emulator.controls.putRecord('users', { sourcedId: 's2', givenName: 'Liam-Paul' });
    const update = await sync('delta');
    expect(update.mode).toBe('delta');
    expect(update.status).toBe('succeeded');

    emulator.controls.putRecord('users', { sourcedId: 's3', status: 'tobedeleted' });
    const removal = await sync('delta');
    expect(removal.mode).toBe('delta');
    expect(removal.status).toBe('held_for_review');
    expect(removal.warnings.map((warning) => warning.message).join('\n')).toContain('1 of 4 active children');
  });
  it('delta moves a child whose enrollment changed', async () => {
    const { org, emulator, sync } = await setUp();
    emulator.controls.putRecord('orgs', { sourcedId: 'd1' });
    await sync('full');
    const classroomId = (sourcedId: string) => classroomIdOf(org.id, sourcedId);
    const enrollment = { schoolSourcedId: 'sch1', role: 'student', beginDate: '2026-08-15' };
    // s4 moves from cB to cC; only its enrollments change.
    emulator.controls.putRecord('enrollments', { sourcedId: 'e-s4-B', status: 'tobedeleted' });
    emulator.controls.putRecord('enrollments', {
      ...enrollment,
      sourcedId: 'e-s4-C',
      userSourcedId: 's4',
      classSourcedId: 'cC',
    });
    // s1 gains a second class and a new name; its stored cA enrollment still ranks first.
    emulator.controls.putRecord('users', { sourcedId: 's1', givenName: 'Emmy' });
    emulator.controls.putRecord('enrollments', {
      ...enrollment,
      sourcedId: 'e-s1-B',
      userSourcedId: 's1',
      classSourcedId: 'cB',
    });

    const delta = await sync('delta');
    expect(delta.mode).toBe('delta');
    expect(delta.status).toBe('succeeded');
    expect((await childRow(org.id, 's4')).classroomId).toBe(await classroomId('cC'));
    expect((await childRow(org.id, 's1')).classroomId).toBe(await classroomId('cA'));
    expect((await childRow(org.id, 's1')).givenName).toBe('Emmy');
    expect(delta.counts.children.updated).toBe(2);

    const full = await sync('full');
    expect(full.counts.children.updated).toBe(0);
  });

  it("delta links a contact named in a child's agents", async () => {
    const { org, emulator, sync } = await setUp();
    emulator.controls.putRecord('orgs', { sourcedId: 'd1' });
    await sync('full');
    emulator.controls.putRecord('users', { sourcedId: 's3', agentSourcedIds: ['g1'] });

    const delta = await sync('delta');
    expect(delta.mode).toBe('delta');
    expect(delta.counts.contacts.updated).toBe(1);
    expect(delta.counts.contacts.unchanged).toBe(0);
    expect(await contactLinks(org.id, 'g1')).toEqual([
      { child: 's1', status: 'active' },
      { child: 's3', status: 'active' },
    ]);

    const full = await sync('full');
    expect(full.counts.contacts.updated).toBe(0);
  });
  it('delta weighs a new enrollment like a full run', async () => {
    const { org, emulator, sync } = await setUp();
    emulator.controls.putRecord('orgs', { sourcedId: 'd1' });
    await sync('full');
    // s4 stays enrolled in cB and joins cC later in the year: the later enrollment wins.
    emulator.controls.putRecord('enrollments', {
      sourcedId: 'e-s4-C',
      userSourcedId: 's4',
      classSourcedId: 'cC',
      schoolSourcedId: 'sch1',
      role: 'student',
      beginDate: '2026-10-01',
    });

    const delta = await sync('delta');
    expect(delta.mode).toBe('delta');
    const classroomC = await classroomIdOf(org.id, 'cC');
    expect((await childRow(org.id, 's4')).classroomId).toBe(classroomC);
    const warning = delta.warnings.find((entry) => entry.code === 'CHILD_MULTIPLE_CLASSROOMS');
    expect(warning?.sourcedId).toBe('s4');
    expect(warning?.message).toContain('kept in cC');

    const full = await sync('full');
    expect(full.counts.children.updated).toBe(0);
    expect((await childRow(org.id, 's4')).classroomId).toBe(classroomC);
  });
});
