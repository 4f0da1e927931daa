/**
 * A class whose school is an org of another type, such as a department (as in the Moodle sample
 * bundle), belongs to the school above it; with none, the run warns and names the org.
 */
import { afterEach, expect, it } from 'vitest';

import type { RunningEmulator } from '../../src/emulator/server.ts';
import type { AnyRecord } from '../../src/oneroster/types.ts';
import { runSync } from '../../src/sync/run.ts';
import { describeEachStore } from '../support/stores.ts';
import { connectEmulator, smallDistrict } from '../sync/support/district.ts';
import { createTestOrg, syncDeps } from '../sync/support/harness.ts';

describeEachStore('class in a department', ({ store }) => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('warns about the missing school', async () => {
    const data = smallDistrict();
    const template = data.orgs.find((org) => org.sourcedId === 'sch1')!;
    data.orgs.push({
      ...template,
      sourcedId: 'dept1',
      name: 'History Department',
      type: 'department',
    });
    const classC = data.classes.find((record) => record.sourcedId === 'cC') as AnyRecord & {
      schoolSourcedId: string;
    };
    classC.schoolSourcedId = 'dept1';

    const org = await createTestOrg(store, {});
    emulator = await connectEmulator(store, org.slug, data);
    const report = await runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });

    expect(report.status).toBe('succeeded');
    const aboutClass = report.warnings.filter((warning) => warning.sourcedId === 'cC');
    expect(aboutClass.map((warning) => warning.message).join('\n')).toContain('dept1');
    expect(aboutClass.map((warning) => warning.code)).toContain('CLASSROOM_SCHOOL_UNKNOWN');
  });

  it('places a department class in the school above it', async () => {
    const data = smallDistrict();
    const template = data.orgs.find((org) => org.sourcedId === 'sch1')!;
    data.orgs.push({
      ...template,
      sourcedId: 'dept2',
      name: 'Arts',
      type: 'department',
      parentSourcedId: 'sch1',
    });
    const classC = data.classes.find((record) => record.sourcedId === 'cC') as AnyRecord & {
      schoolSourcedId: string;
    };
    classC.schoolSourcedId = 'dept2';

    const org = await createTestOrg(store, {});
    emulator = await connectEmulator(store, org.slug, data);
    const report = await runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });

    expect(report.status).toBe('succeeded');
    expect(report.warnings.filter((warning) => warning.code === 'CLASSROOM_SCHOOL_UNKNOWN')).toEqual([]);
    const row = await store.db
      .selectFrom('classrooms as c')
      .innerJoin('schools as s', 's.id', 'c.schoolId')
      .select('s.sourcedId')
      .where('c.orgId', '=', org.id)
      .where('c.sourcedId', '=', 'cC')
      .executeTakeFirst();
    expect(row?.sourcedId).toBe('sch1');
  });
});
