import { expect, it } from 'vitest';

import { fixedClock } from '../../src/core/clock.ts';
import { openResources } from '../../src/core/resources.ts';
import { maxDeliveryAttempts, retryPendingMessages } from '../../src/notify/delivery.ts';
import { notifyRunOutcome, type NotifyResult } from '../../src/notify/notify.ts';
import { sendRunNotice } from '../../src/notify/index.ts';
import { createMailTransport } from '../../src/notify/transport.ts';
import { describeEachStore } from '../support/stores.ts';
import {
  buildReport,
  captureLogger,
  createTestOrg,
  insertRun,
  notifyDeps,
  testConfig,
} from './support/fixtures.ts';
import { startSmtpServer, unusedPort } from './support/smtp-server.ts';

function messageIdOf(result: NotifyResult): string {
  if (!('messageId' in result)) throw new Error(`expected a message, got ${result.status}`);
  return result.messageId;
}

const quickTimeouts = { connectionMs: 2_000, greetingMs: 2_000, socketMs: 5_000 };

describeEachStore('e-mail delivery', (context) => {
  it('outbox stores messages without SMTP_URL', async () => {
    const { db } = context.store;
    const { logger, output } = captureLogger();
    const transport = createMailTransport({ smtpUrl: null }, logger);
    const org = await createTestOrg(db, { slug: 'outbox', admins: ['admin@outbox.example.org'] });
    const runId = await insertRun(db, org.id, 'succeeded');

    const result = await notifyRunOutcome(
      notifyDeps(db, transport, logger),
      buildReport({ runId, org: 'outbox' }),
    );
    await transport.close();

    expect(transport.kind).toBe('outbox');
    expect(result.status).toBe('stored');
    const row = await db
      .selectFrom('emailMessages')
      .selectAll()
      .where('id', '=', messageIdOf(result))
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('stored');
    expect(row.recipients).toEqual(['admin@outbox.example.org']);
    expect(row.subject).toBe('Roster Sync: District outbox: sync succeeded');
    expect(row.textBody).toContain('succeeded');
    expect(row.htmlBody).toContain('<html lang="en">');
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(output()).toContain('Stored e-mail in the outbox because SMTP_URL is not set');
    expect(output()).toContain(row.id);
  });

  it('server down keeps message pending until it returns', async () => {
    const { db } = context.store;
    const { logger, output } = captureLogger();
    const port = await unusedPort();
    const password = 'smtp-Pass-8812';
    const transport = createMailTransport(
      { smtpUrl: `smtp://mailer:${password}@127.0.0.1:${port}` },
      logger,
      quickTimeouts,
    );
    const org = await createTestOrg(db, { slug: 'down', admins: ['admin@down.example.org'] });

    // The run itself is over: the notice fails quietly and the report is untouched.
    const failedRun = await insertRun(db, org.id, 'failed');
    const first = await notifyRunOutcome(
      notifyDeps(db, transport, logger),
      buildReport({
        runId: failedRun,
        org: 'down',
        status: 'failed',
        error: { code: 'ONEROSTER_UNREACHABLE', message: 'x', hint: 'y' },
      }),
    );
    expect(first.status).toBe('pending');
    const pending = await db
      .selectFrom('emailMessages')
      .selectAll()
      .where('id', '=', messageIdOf(first))
      .executeTakeFirstOrThrow();
    expect(pending.status).toBe('pending');
    expect(pending.attempts).toBe(1);
    expect(pending.lastError).toContain(`smtp://127.0.0.1:${port}`);
    expect(pending.lastError).not.toContain(password);
    expect(pending.lockedUntil).toBeNull();
    expect(output()).toContain('Sending e-mail failed; it stays pending for a retry');
    expect(output()).not.toContain(password);

    // The server comes back on the same port; the next notice goes out and flushes the first.
    const server = await startSmtpServer({ port, credentials: { user: 'mailer', pass: password } });
    try {
      const succeededRun = await insertRun(db, org.id, 'succeeded');
      const second = await notifyRunOutcome(
        notifyDeps(db, transport, logger),
        buildReport({ runId: succeededRun, org: 'down' }),
      );
      expect(second.status).toBe('sent');

      const firstMail = await server.waitForMessage(messageIdOf(first));
      const secondMail = await server.waitForMessage(messageIdOf(second));
      expect(firstMail.parsed.subject).toBe('Roster Sync: District down: sync failed');
      expect(secondMail.parsed.subject).toBe('Roster Sync: District down: sync succeeded');
      expect(firstMail.user).toBe('mailer');

      const rows = await db
        .selectFrom('emailMessages')
        .select(['id', 'status', 'attempts', 'lastError'])
        .where('orgId', '=', org.id)
        .orderBy('createdAt')
        .execute();
      expect(rows.map((row) => row.status)).toEqual(['sent', 'sent']);
      expect(rows[0]?.attempts).toBe(2);
      expect(rows[0]?.lastError).toBeNull();
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('retry pass sends what is pending', async () => {
    const { db } = context.store;
    const { logger } = captureLogger();
    const port = await unusedPort();
    const down = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}` }, logger, quickTimeouts);
    const org = await createTestOrg(db, { slug: 'retry-pass', admins: ['admin@retry.example.org'] });
    const result = await notifyRunOutcome(
      notifyDeps(db, down, logger),
      buildReport({ runId: await insertRun(db, org.id, 'succeeded'), org: 'retry-pass' }),
    );
    await down.close();
    expect(result.status).toBe('pending');

    const server = await startSmtpServer({ port });
    const up = createMailTransport({ smtpUrl: server.url() }, logger, quickTimeouts);
    try {
      const summary = await retryPendingMessages({
        db,
        transport: up,
        logger,
        clock: fixedClock(new Date()),
        mailFrom: 'rostersync@platform.example.org',
      });
      expect(summary.delivered).toBeGreaterThanOrEqual(1);
      expect(summary.pending).toBe(0);
      await server.waitForMessage(messageIdOf(result));
    } finally {
      await up.close();
      await server.close();
    }
  });

  it('gives up after the last attempt', async () => {
    const { db } = context.store;
    const { logger, output } = captureLogger();
    const port = await unusedPort();
    const down = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}` }, logger, quickTimeouts);
    const org = await createTestOrg(db, { slug: 'give-up', admins: ['admin@giveup.example.org'] });
    const result = await notifyRunOutcome(
      notifyDeps(db, down, logger),
      buildReport({ runId: await insertRun(db, org.id, 'succeeded'), org: 'give-up' }),
    );
    const id = messageIdOf(result);
    const deps = { db, transport: down, logger, clock: fixedClock(new Date()), mailFrom: 'a@b.example.org' };
    try {
      for (let attempt = 2; attempt < maxDeliveryAttempts; attempt += 1) {
        const summary = await retryPendingMessages(deps);
        expect(summary.pending).toBeGreaterThanOrEqual(1);
      }
      const last = await retryPendingMessages(deps);
      expect(last.failed).toBe(1);
    } finally {
      await down.close();
    }

    const row = await db
      .selectFrom('emailMessages')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(maxDeliveryAttempts);
    expect(row.lastError).toContain('did not accept the message');
    expect(output()).toContain('Gave up sending e-mail after the last attempt');
  });

  it('one-shot notice closes its transport', async () => {
    const { db } = context.store;
    const { logger } = captureLogger();
    const server = await startSmtpServer();
    try {
      const org = await createTestOrg(db, { slug: 'one-shot', admins: ['admin@oneshot.example.org'] });
      const result = await sendRunNotice(
        { config: { ...testConfig, smtpUrl: server.url() }, logger, db },
        buildReport({ runId: await insertRun(db, org.id, 'succeeded'), org: 'one-shot' }),
      );
      expect(result.status).toBe('sent');
      await server.waitForMessage(messageIdOf(result));
      expect(openResources().filter((resource) => resource.startsWith('SMTP transport'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
