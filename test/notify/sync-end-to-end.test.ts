import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

import type { RunningEmulator } from '../../src/emulator/server.ts';
import { type Notifier, openNotifier } from '../../src/notify/index.ts';
import { saveRosterConnection, updateSettings } from '../../src/roster/organizations.ts';
import { approveRun } from '../../src/sync/review.ts';
import { runSync } from '../../src/sync/run.ts';
import { describeEachStore } from '../support/stores.ts';
import { connectEmulator } from '../sync/support/district.ts';
import { createTestOrg, syncDeps, testSecretKey } from '../sync/support/harness.ts';
import { captureLogger, testConfig } from './support/fixtures.ts';
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from './support/smtp-server.ts';

/** Returns the mail the notice of `result` produced, failing when no message was sent. */
async function mailOf(server: TestSmtpServer, result: { status: string }): Promise<ReceivedMail> {
  if (!('messageId' in result) || typeof result.messageId !== 'string') {
    throw new Error(`expected a sent notice, got ${result.status}`);
  }
  expect(result.status).toBe('sent');
  return server.waitForMessage(result.messageId);
}

describeEachStore('notices of real sync runs', ({ store }) => {
  let server: TestSmtpServer;
  let notifier: Notifier;
  let emulator: RunningEmulator | undefined;
  const { logger } = captureLogger();

  beforeAll(async () => {
    server = await startSmtpServer();
    notifier = openNotifier({ config: { ...testConfig, smtpUrl: server.url() }, logger, db: store.db });
  });
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  afterAll(async () => {
    await notifier.close();
    await server.close();
  });

  async function emailedOrg(settings: Record<string, unknown> = {}) {
    const org = await createTestOrg(store, settings);
    const admin = `admin@${org.slug}.example.org`;
    await store.db
      .insertInto('appUsers')
      .values({ email: admin, role: 'org-admin', orgId: org.id })
      .execute();
    await updateSettings(store.db, org.slug, { sendEmails: true }, 'test');
    emulator = await connectEmulator(store, org.slug);
    const sync = () => runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });
    return { org, admin, emulator, sync };
  }

  it('succeeded sync mails its counts', async () => {
    const { admin, sync } = await emailedOrg();
    const report = await sync();
    expect(report.error).toBeNull();
    expect(report.status).toBe('succeeded');

    const mail = await mailOf(server, await notifier.notifyRunOutcome(report));
    expect(mail.envelopeTo).toEqual([admin]);
    expect(mail.parsed.subject).toMatch(/: sync succeeded$/);
    const text = mail.parsed.text ?? '';
    const { created, updated, deactivated } = report.counts.children;
    expect(created).toBeGreaterThan(0);
    expect(text).toMatch(new RegExp(`Children\\s+${created}\\s+${updated}\\s+${deactivated}`));
    expect(text).toContain('the command line');
    expect(text).toContain(`/roster/sync-status/runs/${report.runId}`);
  });

  it('rejected secret mails the cause only', async () => {
    const { org, emulator, sync } = await emailedOrg();
    const secret = 'Wrong-Secret-5521-qx';
    await saveRosterConnection(
      store.db,
      org.slug,
      {
        endpointUrl: emulator.baseUrl,
        version: '1.1',
        authKind: 'oauth1',
        key: emulator.key,
        secret,
        actor: 'test',
      },
      testSecretKey,
    );
    const report = await sync();
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('ONEROSTER_AUTH_REJECTED');

    const mail = await mailOf(server, await notifier.notifyRunOutcome(report));
    const parts = [mail.raw, mail.parsed.subject ?? '', mail.parsed.text ?? '', String(mail.parsed.html)];
    for (const part of parts) expect(part).not.toContain(secret);
    expect(mail.parsed.text).toContain('The roster server rejected the key or secret.');
  });

  it('held and approved runs both mail', async () => {
    const { admin, emulator, sync } = await emailedOrg({ allowRemoval: true });
    expect((await sync()).status).toBe('succeeded');
    emulator.controls.removeRecord('users', 's3');
    emulator.controls.removeRecord('users', 's4');

    const held = await sync();
    expect(held.status).toBe('held_for_review');
    const heldMail = await mailOf(server, await notifier.notifyRunOutcome(held));
    expect(heldMail.parsed.subject).toMatch(/: sync held for your review$/);
    expect(heldMail.parsed.text).toMatch(/Children\s+2\s+/);
    expect(heldMail.parsed.text).toContain(`/roster/sync-status/runs/${held.runId}/review?decision=approve`);

    const approved = await approveRun(syncDeps(store), held.runId, admin);
    expect(approved.status).toBe('succeeded');
    const approvedMail = await mailOf(server, await notifier.notifyRunOutcome(approved));
    expect(approvedMail.parsed.subject).toMatch(/: sync succeeded$/);
  });

  it('dry run mails nothing', async () => {
    const { org } = await emailedOrg();
    const report = await runSync(syncDeps(store), {
      orgId: org.id,
      trigger: 'cli',
      mode: 'full',
      dryRun: true,
    });
    expect((await notifier.notifyRunOutcome(report)).status).toBe('dry_run');
  });
});
