import { afterEach, expect, it } from 'vitest';

import type { RunningEmulator } from '../../src/emulator/server.ts';
import { nameKey } from '../../src/roster/names.ts';
import { archiveSchoolYear } from '../../src/roster/archive.ts';
import { json } from '../../src/db/json.ts';
import type { AnyRecord } from '../../src/oneroster/types.ts';
import { saveProduct, setLicence } from '../../src/roster/products.ts';
import { updateSettings } from '../../src/roster/organizations.ts';
import { runSync } from '../../src/sync/run.ts';
import { describeEachStore } from '../support/stores.ts';
import { connectEmulator, smallDistrict } from '../sync/support/district.ts';
import { createTestOrg, syncDeps } from '../sync/support/harness.ts';

describeEachStore('roster rules in a sync', ({ store }) => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  async function setUp(settings: Record<string, unknown> = {}, data = smallDistrict()) {
    const org = await createTestOrg(store, {
      allowRemoval: true,
      maxDeactivateRatio: 1,
      maxChangeRatio: 1,
      ...settings,
    });
    emulator = await connectEmulator(store, org.slug, data);
    const sync = () => runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });
    return { org, emulator, sync };
  }

  const children = (orgId: string) =>
    store.db
      .selectFrom('children')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('archivedAt', 'is', null)
      .where('mergedIntoId', 'is', null)
      .orderBy('sourcedId')
      .execute();

  it('places new children and keeps a moved level', async () => {
    const { org, sync } = await setUp();
    await saveProduct(store.db, { code: 'assess', name: 'Assessment' }, 'test');
    await setLicence(store.db, org.slug, 'assess', 3, 'test');
    await updateSettings(store.db, org.slug, { defaultJourney: ['assess'] }, 'test');

    const first = await sync();
    expect(first.status).toBe('succeeded');
    const rows = await children(org.id);
    expect(rows.map((row) => [row.level, row.levelSetBy, row.journey])).toEqual(
      rows.map(() => ['prek-4', 'placement', ['assess']]),
    );
    expect(first.warnings.filter((w) => w.code === 'PRODUCT_SEATS_EXCEEDED')).toHaveLength(1);

    await store.db
      .updateTable('children')
      .set({ level: 'kindergarten', levelSetBy: 'educator' })
      .where('id', '=', rows[0]!.id)
      .execute();
    await sync();
    const after = await store.db
      .selectFrom('children')
      .select(['level', 'levelSetBy'])
      .where('id', '=', rows[0]!.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ level: 'kindergarten', levelSetBy: 'educator' });
  });

  it('follows a changed sourcedId by identifier', async () => {
    const { org, emulator, sync } = await setUp();
    await sync();
    const before = (await children(org.id)).find((row) => row.sourcedId === 's4')!;

    const data = smallDistrict();
    for (const collection of ['users', 'demographics'] as const) {
      const record = (data[collection] as AnyRecord[]).find((r) => r.sourcedId === 's4')!;
      record.sourcedId = 's4-new';
    }
    const enrollment = data.enrollments.find((r) => r.sourcedId === 'e-s4-B')!;
    enrollment.userSourcedId = 's4-new';
    emulator.store.replace(data);

    const report = await sync();
    expect(report.counts.children.created).toBe(0);
    const after = (await children(org.id)).find((row) => row.id === before.id)!;
    expect(after.sourcedId).toBe('s4-new');
    expect(report.warnings.map((w) => [w.code, w.sourcedId])).toContainEqual([
      'CHILD_SOURCED_ID_CHANGED',
      's4-new',
    ]);
  });

  it('first sync matches 30 hand-entered children', async () => {
    const data = smallDistrict();
    const template = data.users.find((u) => u.sourcedId === 's1')!;
    const demographics = data.demographics.find((d) => d.sourcedId === 's1')!;
    const org = await createTestOrg(store, {});
    for (let i = 0; i < 30; i += 1) {
      const sourcedId = `hand-${i}`;
      const givenName = `Élodie${i}`;
      const familyName = i % 2 === 0 ? "D'Souza-Ruiz" : 'Nuñez';
      const birthDate = `2021-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
      data.users.push({
        ...template,
        sourcedId,
        givenName: givenName.toUpperCase(),
        familyName,
        identifier: null,
        userIds: [],
        agentSourcedIds: [],
      });
      data.demographics.push({ ...demographics, sourcedId, birthDate });
      await store.db
        .insertInto('children')
        .values({
          orgId: org.id,
          origin: 'manual',
          givenName,
          familyName: familyName.replace(/[-']/g, ' '),
          nameKey: nameKey(givenName, familyName),
          birthDate,
          journey: json(['kept']),
          userIds: json([]),
        })
        .execute();
    }
    emulator = await connectEmulator(store, org.slug, data);

    const report = await runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });
    expect(report.status).toBe('succeeded');
    expect(report.counts.children.created).toBe(4);
    expect(report.warnings.filter((w) => w.code === 'CHILD_MATCHED_BY_NAME')).toHaveLength(30);
    const linked = await store.db
      .selectFrom('children')
      .select(['sourcedId', 'journey'])
      .where('orgId', '=', org.id)
      .where('origin', '=', 'manual')
      .execute();
    expect(linked.filter((row) => row.sourcedId?.startsWith('hand-'))).toHaveLength(30);
    expect(linked.every((row) => row.journey[0] === 'kept')).toBe(true);
  });

  it('raises a review for one name without birth dates', async () => {
    const org = await createTestOrg(store, {});
    const data = smallDistrict();
    data.demographics = data.demographics.filter((d) => d.sourcedId !== 's4');
    for (const birthDate of [null, null]) {
      await store.db
        .insertInto('children')
        .values({
          orgId: org.id,
          origin: 'manual',
          givenName: 'Noah',
          familyName: 'Kim',
          nameKey: nameKey('Noah', 'Kim'),
          birthDate,
          userIds: json([]),
        })
        .execute();
    }
    emulator = await connectEmulator(store, org.slug, data);

    const report = await runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });
    expect(report.counts.children.created).toBe(4);
    expect(report.warnings.map((w) => [w.code, w.sourcedId])).toContainEqual([
      'CHILD_POSSIBLE_DUPLICATE',
      's4',
    ]);
    const reviews = await store.db
      .selectFrom('duplicateReviews')
      .selectAll()
      .where('orgId', '=', org.id)
      .execute();
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.candidateIds).toHaveLength(2);
  });

  for (const carryover of [true, false]) {
    it(`archive then sync with carryover ${carryover ? 'on' : 'off'}`, async () => {
      const { org, sync } = await setUp({ carryover });
      await sync();
      const before = await children(org.id);
      await store.db
        .updateTable('children')
        .set({ level: 'tk', levelSetBy: 'educator' })
        .where('id', '=', before[0]!.id)
        .execute();
      const archived = await archiveSchoolYear(store.db, org.id, 2026, 'test');
      expect(archived.children).toBe(4);
      expect(await children(org.id)).toEqual([]);

      const report = await sync();
      expect(report.status).toBe('succeeded');
      const after = await children(org.id);
      expect(after).toHaveLength(4);
      expect(report.counts.classrooms.created).toBe(3);
      if (carryover) {
        expect(report.counts.children.created).toBe(0);
        expect(report.counts.children.reactivated).toBe(4);
        expect(after.map((row) => row.id).sort()).toEqual(before.map((row) => row.id).sort());
        expect(after.find((row) => row.id === before[0]!.id)?.level).toBe('tk');
        expect(report.warnings.filter((w) => w.code === 'CHILD_RESTORED_FROM_ARCHIVE')).toHaveLength(4);
        const classroom = await store.db
          .selectFrom('classrooms')
          .select('archivedAt')
          .where('id', '=', after[0]!.classroomId!)
          .executeTakeFirstOrThrow();
        expect(classroom.archivedAt).toBeNull();
      } else {
        expect(report.counts.children.created).toBe(4);
        expect(after.some((row) => before.some((old) => old.id === row.id))).toBe(false);
      }
      const second = await sync();
      expect(
        second.counts.children.created + second.counts.children.updated + second.counts.children.reactivated,
      ).toBe(0);
    });
  }
});
