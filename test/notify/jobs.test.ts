import { expect, it } from 'vitest';

import { fixedClock, systemClock } from '../../src/core/clock.ts';
import { AppError } from '../../src/core/errors.ts';
import { emailDeliveryJob, jobRetryQueue, queuePendingMessages } from '../../src/notify/jobs.ts';
import { notifyRunOutcome } from '../../src/notify/notify.ts';
import { createMailTransport } from '../../src/notify/transport.ts';
import { openTestQueue, waitFor } from '../jobs/support.ts';
import { describeEachStore } from '../support/stores.ts';
import { buildReport, captureLogger, createTestOrg, insertRun, testConfig } from './support/fixtures.ts';
import { startSmtpServer, unusedPort } from './support/smtp-server.ts';

const quickTimeouts = { connectionMs: 2_000, greetingMs: 2_000, socketMs: 5_000 };

describeEachStore('e-mail retries through the job queue', (context) => {
  it('queued retry sends once the server returns', async () => {
    const { db } = context.store;
    const { logger } = captureLogger();
    const port = await unusedPort();
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}` }, logger, quickTimeouts);
    const { queue, close } = await openTestQueue(context.store);
    let server: Awaited<ReturnType<typeof startSmtpServer>> | null = null;

    try {
      const delivery = { db, transport, logger, clock: systemClock, mailFrom: testConfig.mailFrom };
      await queue.registerJob({ ...emailDeliveryJob(delivery), pollingIntervalSeconds: 0.5 });
      // A retry queue whose clock runs a minute behind, so the retry job is due at once.
      const retryQueue = jobRetryQueue(queue, fixedClock(new Date(Date.now() - 60_000)));

      const org = await createTestOrg(db, { slug: 'queued', admins: ['admin@queued.example.org'] });
      const runId = await insertRun(db, org.id, 'failed');
      const result = await notifyRunOutcome(
        { db, transport, logger, config: testConfig, retryQueue },
        buildReport({ runId, org: 'queued', status: 'failed' }),
      );
      expect(result.status).toBe('pending');
      if (!('messageId' in result)) throw new Error('no message id');

      server = await startSmtpServer({ port });
      await queue.startWorkers();
      const mail = await server.waitForMessage(result.messageId);
      expect(mail.parsed.subject).toBe('Roster Sync: District queued: sync failed');

      await waitFor(
        async () => {
          const row = await db
            .selectFrom('emailMessages')
            .select('status')
            .where('id', '=', result.messageId)
            .executeTakeFirst();
          return row?.status === 'sent';
        },
        20_000,
        'the message to be marked sent',
      );
    } finally {
      await close();
      await transport.close();
      await server?.close();
    }
  });

  it('job fails while the message stays pending', async () => {
    const { db } = context.store;
    const { logger } = captureLogger();
    const port = await unusedPort();
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}` }, logger, quickTimeouts);
    try {
      const delivery = { db, transport, logger, clock: systemClock, mailFrom: testConfig.mailFrom };
      const org = await createTestOrg(db, { slug: 'still-down', admins: ['admin@down.example.org'] });
      const result = await notifyRunOutcome(
        { db, transport, logger, config: testConfig },
        buildReport({ runId: await insertRun(db, org.id, 'succeeded'), org: 'still-down' }),
      );
      if (!('messageId' in result)) throw new Error('no message id');

      const job = emailDeliveryJob(delivery);
      const attempt = job.handler({
        id: 'job-1',
        name: job.name,
        data: { messageId: result.messageId },
        retryCount: 0,
        signal: new AbortController().signal,
        logger,
      });
      await expect(attempt).rejects.toBeInstanceOf(AppError);
      await expect(attempt).rejects.toMatchObject({ code: 'SMTP_FAILED' });

      const row = await db
        .selectFrom('emailMessages')
        .select(['status', 'attempts'])
        .where('id', '=', result.messageId)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'pending', attempts: 2 });
    } finally {
      await transport.close();
    }
  });

  it('worker start queues leftover pending messages', async () => {
    const { db } = context.store;
    const { queue, close } = await openTestQueue(context.store);
    try {
      const pending = await db
        .selectFrom('emailMessages')
        .select('id')
        .where('status', '=', 'pending')
        .execute();
      expect(pending.length).toBeGreaterThan(0);
      const { logger } = captureLogger();
      const outbox = createMailTransport({ smtpUrl: null }, logger);
      await queue.registerJob(
        emailDeliveryJob({
          db,
          transport: outbox,
          logger,
          clock: systemClock,
          mailFrom: testConfig.mailFrom,
        }),
      );
      expect(await queuePendingMessages(queue, db, systemClock)).toBe(pending.length);
    } finally {
      await close();
    }
  });
});
