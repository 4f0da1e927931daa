import { afterEach, expect, it } from 'vitest';

import type { RunningEmulator } from '../../src/emulator/server.ts';
import { saveRosterConnection } from '../../src/roster/organizations.ts';
import { runSync } from '../../src/sync/run.ts';
import { describeEachStore } from '../support/stores.ts';
import { connectEmulator, smallDistrict } from './support/district.ts';
import { createTestOrg, snapshotRoster, syncDeps, testSecretKey } from './support/harness.ts';

const settings = { allowRemoval: true, maxDeactivateRatio: 1, maxChangeRatio: 1 };

/** Each fault, set after a good first sync, and the error code the failed run must carry. */
const faults: { name: string; fault: string; code: string }[] = [
  { name: '500 mid-paging', fault: '500=1,only=enrollments', code: 'ONEROSTER_SERVER_ERROR' },
  { name: '429 storm beyond the retry budget', fault: '429=1,retry-after=0', code: 'ONEROSTER_RATE_LIMITED' },
  {
    name: 'page without its envelope key',
    fault: 'noenvelope=1,only=users',
    code: 'ONEROSTER_UNEXPECTED_RESPONSE',
  },
  { name: 'invalid JSON', fault: 'badjson=1,only=classes', code: 'ONEROSTER_UNEXPECTED_RESPONSE' },
  { name: 'lying count header', fault: 'lietotal=1,only=users', code: 'ONEROSTER_INCOMPLETE' },
];

describeEachStore('sync against a failing roster server', ({ store }) => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  async function syncedOrg() {
    const org = await createTestOrg(store, settings);
    // Pages of three records, so every collection arrives over several requests.
    emulator = await connectEmulator(store, org.slug, smallDistrict(), { maxPage: 3 });
    const sync = () => runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });
    const first = await sync();
    expect(first.status).toBe('succeeded');
    return { org, emulator, sync, before: await snapshotRoster(store, org.id) };
  }

  for (const { name, fault, code } of faults) {
    it(`${name} fails the run`, async () => {
      const { org, emulator, sync, before } = await syncedOrg();
      emulator.setFaults(fault);

      const report = await sync();
      expect(report.status).toBe('failed');
      expect(report.error?.code).toBe(code);
      expect(report.error?.message.length).toBeGreaterThan(10);
      expect(report.error?.hint.length).toBeGreaterThan(10);
      expect(await snapshotRoster(store, org.id)).toEqual(before);
    });
  }

  it('rejected key fails the run', async () => {
    const { org, emulator, sync, before } = await syncedOrg();
    await saveRosterConnection(
      store.db,
      org.slug,
      {
        endpointUrl: emulator.baseUrl,
        version: '1.1',
        authKind: 'oauth1',
        key: emulator.key,
        secret: 'wrong',
        actor: 'test',
      },
      testSecretKey,
    );
    const report = await sync();
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('ONEROSTER_AUTH_REJECTED');
    expect(report.error?.message).not.toContain('wrong');
    expect(await snapshotRoster(store, org.id)).toEqual(before);
  });

  it('empty collection fails the run', async () => {
    const { org, emulator, sync, before } = await syncedOrg();
    for (const enrollment of smallDistrict().enrollments)
      emulator.controls.removeRecord('enrollments', enrollment.sourcedId);
    const report = await sync();
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('ONEROSTER_INCOMPLETE');
    expect(report.error?.message).toContain('enrollments');
    expect(await snapshotRoster(store, org.id)).toEqual(before);
  });

  it('next run after a failure succeeds', async () => {
    const { emulator, sync } = await syncedOrg();
    emulator.setFaults('500=1,only=users');
    expect((await sync()).status).toBe('failed');
    emulator.setFaults('');
    const report = await sync();
    expect(report.status).toBe('succeeded');
    expect(report.counts.children.unchanged).toBe(4);
  });
});
