/**
 * A name with a lone UTF-16 surrogate (JSON can escape one) is stored with U+FFFD in its place,
 * as PostgreSQL stores it, so a later run finds the stored name equal and changes nothing.
 */
import { afterEach, expect, it } from 'vitest';

import type { RunningEmulator } from '../../src/emulator/server.ts';
import type { AnyRecord } from '../../src/oneroster/types.ts';
import { runSync } from '../../src/sync/run.ts';
import { describeEachStore } from '../support/stores.ts';
import { connectEmulator, smallDistrict } from '../sync/support/district.ts';
import { createTestOrg, syncDeps } from '../sync/support/harness.ts';

describeEachStore('lone surrogate in a name', ({ store }) => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('stores U+FFFD and changes nothing after', async () => {
    const data = smallDistrict();
    const student = data.users.find((user) => user.sourcedId === 's1') as AnyRecord & { givenName: string };
    student.givenName = 'Em\ud800ma';

    const org = await createTestOrg(store, {});
    emulator = await connectEmulator(store, org.slug, data);
    const first = await runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });
    const second = await runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });

    expect(first.status).toBe('succeeded');
    expect(second.status).toBe('succeeded');
    expect(second.counts.children.updated).toBe(0);
    const child = await store.db
      .selectFrom('children')
      .select('givenName')
      .where('sourcedId', '=', 's1')
      .executeTakeFirstOrThrow();
    expect(child.givenName).toBe('Em\ufffdma');
  });
});
