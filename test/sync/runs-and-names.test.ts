import { afterEach, expect, it } from 'vitest';

import type { RunningEmulator } from '../../src/emulator/server.ts';
import { renameClassroom } from '../../src/sync/classroom-names.ts';
import { recoverInterruptedRuns } from '../../src/sync/recover.ts';
import { runSync } from '../../src/sync/run.ts';
import { describeEachStore } from '../support/stores.ts';
import { connectEmulator } from './support/district.ts';
import { createTestOrg, syncDeps } from './support/harness.ts';

describeEachStore('run control and classroom names', ({ store }) => {
  const emulators: RunningEmulator[] = [];
  afterEach(async () => {
    for (const emulator of emulators.splice(0)) await emulator.close();
  });

  async function connectedOrg(settings: Record<string, unknown> = {}) {
    const org = await createTestOrg(store, settings);
    const emulator = await connectEmulator(store, org.slug);
    emulators.push(emulator);
    return {
      org,
      emulator,
      sync: () => runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' }),
    };
  }

  const insertRunningRun = (orgId: string, workerId: string, heartbeatAt: Date) =>
    store.db
      .insertInto('syncRuns')
      .values({
        orgId,
        trigger: 'cli',
        mode: 'full',
        status: 'running',
        progress: '{}',
        counts: '{}',
        workerId,
        heartbeatAt,
        startedAt: heartbeatAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

  it('second run of an organization is refused', async () => {
    const { org, sync } = await connectedOrg();
    const running = await insertRunningRun(org.id, `elsewhere:1`, new Date());
    await expect(sync()).rejects.toMatchObject({ code: 'SYNC_IN_PROGRESS' });
    await expect(sync()).rejects.toThrow(running.id);
  });

  it('different organizations sync in parallel', async () => {
    const first = await connectedOrg();
    const second = await connectedOrg();
    const reports = await Promise.all([first.sync(), second.sync()]);
    expect(reports.map((report) => report.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('recovery marks only dead runs failed', async () => {
    const { org } = await connectedOrg();
    const other = await createTestOrg(store);
    const stale = await insertRunningRun(org.id, 'another-host:1234', new Date(Date.now() - 10 * 60_000));
    const live = await insertRunningRun(other.id, 'another-host:1234', new Date());

    expect(await recoverInterruptedRuns(store)).toEqual([stale.id]);
    const rows = await store.db
      .selectFrom('syncRuns')
      .select(['id', 'status', 'error'])
      .where('id', 'in', [stale.id, live.id])
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(stale.id)?.status).toBe('failed');
    expect(byId.get(stale.id)?.error?.code).toBe('SYNC_INTERRUPTED');
    expect(byId.get(live.id)?.status).toBe('running');
    await store.db.deleteFrom('syncRuns').where('id', '=', live.id).execute();
  });

  it('auto rostering off refuses the sync', async () => {
    const { org, sync } = await connectedOrg();
    await store.db
      .updateTable('organizations')
      .set({ autoRostering: false })
      .where('id', '=', org.id)
      .execute();
    await expect(sync()).rejects.toMatchObject({ code: 'SYNC_AUTO_ROSTERING_OFF' });
  });

  const classroomA = (orgId: string) =>
    store.db
      .selectFrom('classrooms')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('sourcedId', '=', 'cA')
      .executeTakeFirstOrThrow();

  it('local classroom name survives syncs', async () => {
    const { org, emulator, sync } = await connectedOrg({ allowClassroomRename: true });
    await sync();
    const classroom = await classroomA(org.id);
    await renameClassroom(store.db, {
      orgId: org.id,
      classroomId: classroom.id,
      name: 'Sunflowers',
      actor: 'educator',
    });
    emulator.controls.putRecord('classes', { sourcedId: 'cA', title: 'PK-A Bears 2027' });

    const report = await sync();
    expect(report.counts.classrooms.updated).toBe(1);
    const after = await classroomA(org.id);
    expect(after.displayName).toBe('Sunflowers');
    expect(after.rosterName).toBe('PK-A Bears 2027');
  });

  it('roster name applies with renames off', async () => {
    const { org, sync } = await connectedOrg({ allowClassroomRename: true });
    await sync();
    const classroom = await classroomA(org.id);
    await renameClassroom(store.db, {
      orgId: org.id,
      classroomId: classroom.id,
      name: 'Sunflowers',
      actor: 'educator',
    });
    await store.db
      .updateTable('syncSettings')
      .set({ allowClassroomRename: false })
      .where('orgId', '=', org.id)
      .execute();

    await expect(
      renameClassroom(store.db, {
        orgId: org.id,
        classroomId: classroom.id,
        name: 'Daisies',
        actor: 'educator',
      }),
    ).rejects.toMatchObject({ code: 'CLASSROOM_RENAME_NOT_ALLOWED' });
    await sync();
    expect((await classroomA(org.id)).displayName).toBeNull();
  });
});
