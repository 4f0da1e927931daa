import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { expect, it } from 'vitest';

import { migrateToLatest } from '../../src/db/migrate.ts';
import { openStore, type Store } from '../../src/db/store.ts';
import { recoverInterruptedRuns } from '../../src/sync/recover.ts';
import { runSync } from '../../src/sync/run.ts';
import { createTestStore, storeKinds } from '../support/stores.ts';
import { connectEmulator } from './support/district.ts';
import { createTestOrg, snapshotRoster, syncDeps } from './support/harness.ts';

const child = path.join(import.meta.dirname, 'support', 'kill-during-apply.ts');

function runChild(env: Record<string, string>): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    process_.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    process_.on('error', reject);
    process_.on('exit', (_code, signal) => resolve({ signal, stdout }));
  });
}

for (const kind of storeKinds()) {
  it(`process killed during apply leaves the roster unchanged [${kind}]`, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rostersync-kill-'));
    let store: Store =
      kind === 'pglite' ? await openStore({ databaseUrl: null, dataDir }) : await createTestStore('postgres');
    if (kind === 'pglite') await migrateToLatest(store);
    const org = await createTestOrg(store, { allowRemoval: true, maxDeactivateRatio: 1, maxChangeRatio: 1 });
    const emulator = await connectEmulator(store, org.slug);
    try {
      expect((await runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' })).status).toBe(
        'succeeded',
      );
      emulator.controls.removeRecord('users', 's4');
      emulator.controls.putRecord('users', { sourcedId: 's2', givenName: 'Changed' });
      emulator.controls.putRecord('classes', {
        sourcedId: 'cD',
        title: 'New class',
        schoolSourcedId: 'sch1',
      });
      const before = await snapshotRoster(store, org.id);

      const env: Record<string, string> = { KILL_TEST_ORG_ID: org.id };
      if (kind === 'pglite') {
        await store.close();
        env.KILL_TEST_DATA_DIR = dataDir;
      } else {
        env.KILL_TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? '';
        env.KILL_TEST_SCHEMA = (store as Store & { schema: string }).schema;
      }
      const result = await runChild(env);
      expect(result.stdout).toBe('');
      expect(result.signal).toBe('SIGKILL');

      if (kind === 'pglite') store = await openStore({ databaseUrl: null, dataDir });
      expect(await snapshotRoster(store, org.id)).toEqual(before);
      const interrupted = await store.db
        .selectFrom('syncRuns')
        .selectAll()
        .where('status', '=', 'running')
        .execute();
      expect(interrupted).toHaveLength(1);

      expect(await recoverInterruptedRuns(store)).toEqual([interrupted[0]!.id]);
      const failed = await store.db
        .selectFrom('syncRuns')
        .selectAll()
        .where('id', '=', interrupted[0]!.id)
        .executeTakeFirstOrThrow();
      expect(failed.status).toBe('failed');
      expect(failed.error?.code).toBe('SYNC_INTERRUPTED');
      const staged = await store.db.selectFrom('stagingRecords').select('runId').execute();
      expect(staged).toEqual([]);

      const next = await runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });
      expect(next.status).toBe('succeeded');
      expect(next.counts.children.deactivated).toBe(1);
      expect(next.counts.children.updated).toBe(1);
      expect(next.counts.classrooms.created).toBe(1);
    } finally {
      await emulator.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
