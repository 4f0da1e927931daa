/**
 * Child process for the killed-apply test: opens the store named by the environment, runs a sync,
 * and kills itself with SIGKILL right after the first statement of the apply transaction.
 */
import { openStore } from '../../../src/db/store.ts';
import { runSync } from '../../../src/sync/run.ts';
import { syncDeps } from './harness.ts';

const store = await openStore({
  databaseUrl: process.env.KILL_TEST_DATABASE_URL || null,
  dataDir: process.env.KILL_TEST_DATA_DIR || null,
  schema: process.env.KILL_TEST_SCHEMA || undefined,
});
await runSync(syncDeps(store), {
  orgId: process.env.KILL_TEST_ORG_ID ?? '',
  trigger: 'cli',
  mode: 'full',
  onProgress: (progress) => {
    if (progress.phase === 'applying' && (progress.done ?? 0) >= 1) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('the sync finished without being killed\n');
await store.close();
