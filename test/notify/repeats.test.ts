import { afterAll, beforeAll, expect, it } from 'vitest';

import { fixedClock } from '../../src/core/clock.ts';
import type { ErrorCode } from '../../src/core/errors.ts';
import { notifyRunOutcome } from '../../src/notify/notify.ts';
import { createMailTransport, type MailTransport } from '../../src/notify/transport.ts';
import type { RunStatus } from '../../src/sync/report.ts';
import { describeEachStore } from '../support/stores.ts';
import { buildReport, captureLogger, createTestOrg, insertRun, notifyDeps } from './support/fixtures.ts';
import { startSmtpServer, type TestSmtpServer } from './support/smtp-server.ts';

const hour = 60 * 60_000;

describeEachStore('repeated failure notices', (context) => {
  let server: TestSmtpServer;
  let transport: MailTransport;
  const { logger } = captureLogger();

  beforeAll(async () => {
    server = await startSmtpServer();
    transport = createMailTransport({ smtpUrl: server.url() }, logger);
  });
  afterAll(async () => {
    await transport.close();
    await server.close();
  });

  /** Notifies one run of `slug` at the clock's time and returns the result's status. */
  async function runAndNotify(
    slug: string,
    clock: ReturnType<typeof fixedClock>,
    status: RunStatus,
    code?: ErrorCode,
  ): Promise<string> {
    const { db } = context.store;
    const org = await db
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
    const runId = await insertRun(db, org.id, status);
    const error = code ? { code, message: 'x', hint: 'y' } : null;
    const report = buildReport({ runId, org: slug, status, error });
    const result = await notifyRunOutcome(notifyDeps(db, transport, logger, { clock }), report);
    if ('messageId' in result && result.status === 'sent') await server.waitForMessage(result.messageId);
    return result.status;
  }

  it('same failure is sent once a day', async () => {
    await createTestOrg(context.store.db, { slug: 'flaky', admins: ['admin@flaky.example.org'] });
    const clock = fixedClock(new Date('2026-12-01T02:00:00Z'));

    expect(await runAndNotify('flaky', clock, 'failed', 'ONEROSTER_AUTH_REJECTED')).toBe('sent');
    clock.advance(1 * hour);
    expect(await runAndNotify('flaky', clock, 'failed', 'ONEROSTER_AUTH_REJECTED')).toBe('suppressed');
    clock.advance(22 * hour);
    expect(await runAndNotify('flaky', clock, 'failed', 'ONEROSTER_AUTH_REJECTED')).toBe('suppressed');
    clock.advance(1 * hour);
    expect(await runAndNotify('flaky', clock, 'failed', 'ONEROSTER_AUTH_REJECTED')).toBe('sent');

    const rows = await context.store.db
      .selectFrom('emailMessages')
      .innerJoin('organizations', 'organizations.id', 'emailMessages.orgId')
      .select(['emailMessages.status', 'emailMessages.dedupeKey'])
      .where('organizations.slug', '=', 'flaky')
      .orderBy('emailMessages.createdAt')
      .execute();
    expect(rows.map((row) => row.status)).toEqual(['sent', 'suppressed', 'suppressed', 'sent']);
    expect(new Set(rows.map((row) => row.dedupeKey))).toEqual(
      new Set(['run_failed:ONEROSTER_AUTH_REJECTED']),
    );
  });

  it('different failure is sent at once', async () => {
    await createTestOrg(context.store.db, { slug: 'changing', admins: ['admin@changing.example.org'] });
    const clock = fixedClock(new Date('2026-12-01T02:00:00Z'));

    expect(await runAndNotify('changing', clock, 'failed', 'ONEROSTER_AUTH_REJECTED')).toBe('sent');
    clock.advance(hour);
    expect(await runAndNotify('changing', clock, 'failed', 'ONEROSTER_UNREACHABLE')).toBe('sent');
    clock.advance(hour);
    expect(await runAndNotify('changing', clock, 'failed', 'ONEROSTER_UNREACHABLE')).toBe('suppressed');
  });

  it('success in between ends the repeat', async () => {
    await createTestOrg(context.store.db, { slug: 'recovered', admins: ['admin@recovered.example.org'] });
    const clock = fixedClock(new Date('2026-12-01T02:00:00Z'));

    expect(await runAndNotify('recovered', clock, 'failed', 'ONEROSTER_SERVER_ERROR')).toBe('sent');
    clock.advance(hour);
    expect(await runAndNotify('recovered', clock, 'succeeded')).toBe('sent');
    clock.advance(hour);
    expect(await runAndNotify('recovered', clock, 'failed', 'ONEROSTER_SERVER_ERROR')).toBe('sent');
  });

  it('repeats are counted per organization', async () => {
    await createTestOrg(context.store.db, { slug: 'first-org', admins: ['admin@first.example.org'] });
    await createTestOrg(context.store.db, { slug: 'second-org', admins: ['admin@second.example.org'] });
    const clock = fixedClock(new Date('2026-12-01T02:00:00Z'));

    expect(await runAndNotify('first-org', clock, 'failed', 'ONEROSTER_TIMEOUT')).toBe('sent');
    expect(await runAndNotify('second-org', clock, 'failed', 'ONEROSTER_TIMEOUT')).toBe('sent');
  });

  it('successes are never suppressed', async () => {
    await createTestOrg(context.store.db, { slug: 'steady', admins: ['admin@steady.example.org'] });
    const clock = fixedClock(new Date('2026-12-01T02:00:00Z'));
    expect(await runAndNotify('steady', clock, 'succeeded')).toBe('sent');
    clock.advance(hour);
    expect(await runAndNotify('steady', clock, 'succeeded')).toBe('sent');
  });
});
