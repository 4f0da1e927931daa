/**
 * A class whose schoolSourcedId names an org of type department (as in the Moodle sample bundle)
 * lands in a classroom with no school and the run reports nothing about it. Expected: a warning
 * naming the class and the org, so the admin learns why the classroom has no school.
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
  });
});
