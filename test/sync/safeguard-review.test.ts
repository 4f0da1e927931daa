import { afterEach, expect, it } from 'vitest';

import type { RunningEmulator } from '../../src/emulator/server.ts';
import { approveRun, rejectRun } from '../../src/sync/review.ts';
import { runSync } from '../../src/sync/run.ts';
import { describeEachStore } from '../support/stores.ts';
import { connectEmulator } from './support/district.ts';
import { createTestOrg, snapshotRoster, syncDeps } from './support/harness.ts';

describeEachStore('safeguard and review', ({ store }) => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  /** A synced organization with default thresholds, then two of four children gone upstream. */
  async function heldRun() {
    const org = await createTestOrg(store, { allowRemoval: true });
    emulator = await connectEmulator(store, org.slug);
    const sync = () => runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });
    expect((await sync()).status).toBe('succeeded');
    emulator.controls.removeRecord('users', 's3');
    emulator.controls.removeRecord('users', 's4');
    const before = await snapshotRoster(store, org.id);
    const held = await sync();
    return { org, sync, held, before };
  }

  const activeChildren = async (orgId: string) =>
    (
      await store.db
        .selectFrom('children')
        .select('sourcedId')
        .where('orgId', '=', orgId)
        .where('status', '=', 'active')
        .orderBy('sourcedId')
        .execute()
    ).map((row) => row.sourcedId);

  it('holds a run beyond the thresholds', async () => {
    const { org, held, before } = await heldRun();
    expect(held.status).toBe('held_for_review');
    expect(held.counts.children.deactivated).toBe(2);
    expect(
      held.warnings.some(
        (warning) => warning.code === 'SYNC_HELD_FOR_REVIEW' && warning.message.includes('children'),
      ),
    ).toBe(true);
    expect(await snapshotRoster(store, org.id)).toEqual(before);
  });

  it('approve applies the stored plan', async () => {
    const { org, held } = await heldRun();
    const approved = await approveRun(syncDeps(store), held.runId, 'admin@example.org');
    expect(approved.status).toBe('succeeded');
    expect(await activeChildren(org.id)).toEqual(['s1', 's2']);
    const run = await store.db
      .selectFrom('syncRuns')
      .selectAll()
      .where('id', '=', held.runId)
      .executeTakeFirstOrThrow();
    expect(run.reviewedBy).toBe('admin@example.org');
    await expect(approveRun(syncDeps(store), held.runId, 'again')).rejects.toMatchObject({
      code: 'RUN_NOT_HELD',
    });
  });

  it('reject discards the plan', async () => {
    const { org, held, before } = await heldRun();
    const rejected = await rejectRun(syncDeps(store), held.runId, 'admin@example.org');
    expect(rejected.status).toBe('rejected');
    expect(await snapshotRoster(store, org.id)).toEqual(before);
    const plan = await store.db
      .selectFrom('syncRunPlans')
      .select('runId')
      .where('runId', '=', held.runId)
      .execute();
    expect(plan).toEqual([]);
  });

  it('approve of a stale plan fails', async () => {
    const { org, held } = await heldRun();
    await store.db
      .updateTable('classrooms')
      .set({ updatedAt: new Date('2030-01-01T00:00:00Z') })
      .where('orgId', '=', org.id)
      .where('sourcedId', '=', 'cA')
      .execute();
    await expect(approveRun(syncDeps(store), held.runId, 'admin')).rejects.toMatchObject({
      code: 'SYNC_PLAN_STALE',
    });
    const run = await store.db
      .selectFrom('syncRuns')
      .select('status')
      .where('id', '=', held.runId)
      .executeTakeFirstOrThrow();
    expect(run.status).toBe('held_for_review');
    expect(await activeChildren(org.id)).toEqual(['s1', 's2', 's3', 's4']);
  });

  it('dry run stores the plan and changes nothing', async () => {
    const org = await createTestOrg(store, { allowRemoval: true });
    emulator = await connectEmulator(store, org.slug);
    const report = await runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', dryRun: true });
    expect(report.status).toBe('succeeded');
    expect(report.counts.children.created).toBe(4);
    expect(await activeChildren(org.id)).toEqual([]);
    const plan = await store.db
      .selectFrom('syncRunPlans')
      .select('runId')
      .where('runId', '=', report.runId)
      .execute();
    expect(plan).toHaveLength(1);
    expect(report.warnings.map((warning) => warning.code)).toContain('SYNC_DRY_RUN');
  });
});
