import { randomBytes } from 'node:crypto';

import { afterEach, expect, it } from 'vitest';

import { loadConfig } from '../../src/core/config.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import { type JobProcess, startWorker } from '../../src/jobs/processes.ts';
import { loadJobSettings } from '../../src/jobs/settings.ts';
import { enqueueSync } from '../../src/jobs/sync-job.ts';
import { updateSettings } from '../../src/roster/organizations.ts';
import { waitFor } from '../jobs/support.ts';
import { describeEachStore } from '../support/stores.ts';
import { connectEmulator } from '../sync/support/district.ts';
import { createTestOrg, testSecretKey } from '../sync/support/harness.ts';
import { captureLogger } from './support/fixtures.ts';
import { startSmtpServer, type TestSmtpServer } from './support/smtp-server.ts';

describeEachStore('notices from worker runs', ({ store }) => {
  let emulator: RunningEmulator | undefined;
  let worker: JobProcess | undefined;
  let server: TestSmtpServer | undefined;
  let schema: string | undefined;

  afterEach(async () => {
    await worker?.stop();
    await emulator?.close();
    await server?.close();
    if (schema) await store.executeSql(`drop schema if exists ${schema} cascade`);
    worker = emulator = server = schema = undefined;
  });

  it('scheduled run mails its outcome', async () => {
    server = await startSmtpServer();
    const org = await createTestOrg(store);
    const admin = `admin@${org.slug}.example.org`;
    await store.db
      .insertInto('appUsers')
      .values({ email: admin, role: 'org-admin', orgId: org.id })
      .execute();
    await updateSettings(store.db, org.slug, { sendEmails: true }, 'test');
    emulator = await connectEmulator(store, org.slug);

    schema = `pgboss_notify_${randomBytes(5).toString('hex')}`;
    worker = await startWorker({
      store,
      config: {
        ...loadConfig({}),
        allowPrivateEndpoints: true,
        smtpUrl: server.url(),
        databaseUrl: store.kind === 'postgres' ? (process.env.TEST_DATABASE_URL ?? null) : null,
      },
      logger: captureLogger().logger,
      secretKey: () => testSecretKey,
      settings: { ...loadJobSettings({}), workerConcurrency: 1 },
      queueSchema: schema,
      pollingIntervalSeconds: 0.5,
    });
    await enqueueSync(worker.queue, { orgId: org.id, trigger: 'scheduled' });

    await waitFor(() => server!.received.length > 0, 60_000, 'the notice of the scheduled run');
    const mail = server.received[0]!;
    expect(mail.envelopeTo).toEqual([admin]);
    expect(mail.parsed.subject).toMatch(/: sync succeeded$/);
    expect(mail.parsed.text).toContain('the schedule');
  });
});
