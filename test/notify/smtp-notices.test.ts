import { afterAll, beforeAll, expect, it } from 'vitest';

import { notifyRunOutcome } from '../../src/notify/notify.ts';
import { createMailTransport, type MailTransport } from '../../src/notify/transport.ts';
import { json } from '../../src/db/json.ts';
import { emptyRunCounts } from '../../src/sync/report.ts';
import { describeEachStore } from '../support/stores.ts';
import { buildReport, captureLogger, createTestOrg, insertRun, notifyDeps } from './support/fixtures.ts';
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from './support/smtp-server.ts';

/** Collects every decoded part and header of a received message, for searching. */
function everyPart(mail: ReceivedMail): string[] {
  return [
    mail.raw,
    mail.parsed.subject ?? '',
    mail.parsed.text ?? '',
    typeof mail.parsed.html === 'string' ? mail.parsed.html : '',
    ...mail.parsed.headerLines.map((header) => header.line),
    ...mail.parsed.attachments.map((attachment) => attachment.content.toString('utf8')),
  ];
}

describeEachStore('run notices over SMTP', (context) => {
  let server: TestSmtpServer;
  let transport: MailTransport;
  const { logger, output } = captureLogger();

  beforeAll(async () => {
    server = await startSmtpServer();
    transport = createMailTransport({ smtpUrl: server.url() }, logger);
  });
  afterAll(async () => {
    await transport.close();
    await server.close();
  });

  it('succeeded notice reaches admins and extras', async () => {
    const { db } = context.store;
    const org = await createTestOrg(db, {
      slug: 'ok-district',
      name: 'Maple Valley Schools',
      admins: ['ada@maple.example.org', 'ben@maple.example.org'],
      extraEmails: ['office@maple.example.org', 'ADA@maple.example.org'],
    });
    await db
      .insertInto('appUsers')
      .values({ email: 'gone@maple.example.org', role: 'org-admin', orgId: org.id, disabled: true })
      .execute();
    await db
      .insertInto('appUsers')
      .values({ email: 'teacher@maple.example.org', role: 'educator', orgId: org.id })
      .execute();

    const runId = await insertRun(db, org.id, 'succeeded');
    const counts = emptyRunCounts();
    counts.children = { ...counts.children, created: 12, updated: 3, deactivated: 2 };
    counts.classrooms = { ...counts.classrooms, created: 4 };
    const warnings = [
      ...Array.from({ length: 4 }, (_, index) => ({
        code: 'CHILD_MISSING_BIRTH_DATE',
        sourcedId: `s${index}`,
        message: `Child s${index} has no birth date.`,
      })),
      { code: 'CLASSROOM_OVER_SIZE', sourcedId: 'c1', message: 'Classroom c1 has 40 children.' },
    ];
    const report = buildReport({ runId, org: 'ok-district', counts, warnings });

    const result = await notifyRunOutcome(notifyDeps(db, transport, logger), report);
    expect(result.status).toBe('sent');
    if (!('messageId' in result)) throw new Error('no message id');
    const mail = await server.waitForMessage(result.messageId);

    expect(mail.envelopeTo.sort()).toEqual([
      'ada@maple.example.org',
      'ben@maple.example.org',
      'office@maple.example.org',
    ]);
    expect(mail.parsed.subject).toBe('Roster Sync: Maple Valley Schools: sync succeeded');
    expect(mail.parsed.from?.text).toContain('rostersync@platform.example.org');

    const text = mail.parsed.text ?? '';
    const html = String(mail.parsed.html);
    expect(text).toMatch(/Children\s+12\s+3\s+2/);
    expect(text).toMatch(/Classrooms\s+4\s+0\s+0/);
    expect(text).toContain('Started by');
    expect(text).toContain('the schedule');
    expect(text).toContain('Friday 4 December 2026, 09:00 CST');
    expect(text).toContain('Friday 4 December 2026, 09:02 CST');
    expect(text).toContain('2 min 5 s');
    expect(text).toContain('Warnings: 5');
    expect(text).toContain('CHILD_MISSING_BIRTH_DATE (4), for example: Child s0 has no birth date.');
    expect(text).toContain('CLASSROOM_OVER_SIZE (1)');
    expect(text).toContain(`https://roster.example.org/roster/sync-status/runs/${runId}`);
    expect(html).toContain(`href="https://roster.example.org/roster/sync-status/runs/${runId}"`);
    expect(html).toContain('Maple Valley Schools');
    expect(html).toMatch(/<td[^>]*>Children<\/td><td[^>]*>12<\/td>/);

    const row = await db
      .selectFrom('emailMessages')
      .selectAll()
      .where('id', '=', result.messageId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    expect(row.runId).toBe(runId);
    expect(row.kind).toBe('run_succeeded');
    expect(row.attempts).toBe(1);
    expect(row.sentAt).toBeInstanceOf(Date);
  });

  it('failed notice never carries the secret', async () => {
    const { db } = context.store;
    const secret = 'Zq9-very-secret-Value-4471';
    const org = await createTestOrg(db, { slug: 'bad-key', admins: ['admin@bad.example.org'] });
    const runId = await insertRun(db, org.id, 'failed');
    const report = buildReport({
      runId,
      org: 'bad-key',
      status: 'failed',
      trigger: 'manual',
      warnings: [{ code: 'DEBUG', sourcedId: null, message: `secret was ${secret}` }],
      // A careless thrower could put the secret, a token or a stack into the report; none may reach the e-mail.
      error: {
        code: 'ONEROSTER_AUTH_REJECTED',
        message: `401 from https://x.oneroster.com/?oauth_signature=${secret} Bearer tok_${secret}\n    at sign (oauth1.ts:10:5)`,
        hint: `Secret ${secret} was rejected`,
      },
    });

    const result = await notifyRunOutcome(notifyDeps(db, transport, logger), report);
    expect(result.status).toBe('sent');
    if (!('messageId' in result)) throw new Error('no message id');
    const mail = await server.waitForMessage(result.messageId);

    for (const part of everyPart(mail)) {
      expect(part).not.toContain(secret);
      expect(part).not.toContain('tok_');
      expect(part).not.toContain('oauth1.ts');
      expect(part).not.toMatch(/\n\s+at \S+ \(/);
    }
    const row = await db
      .selectFrom('emailMessages')
      .selectAll()
      .where('id', '=', result.messageId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(output()).not.toContain(secret);

    const text = mail.parsed.text ?? '';
    expect(mail.parsed.subject).toBe('Roster Sync: District bad-key: sync failed');
    expect(text).toContain(
      'The roster server rejected the key or secret. (error code ONEROSTER_AUTH_REJECTED)',
    );
    expect(text).toContain('What to check on the Roster Sync Settings page');
    expect(text).toContain('Key and Secret: they must be the pair ClassLink shows for this app');
    expect(text).toContain('https://roster.example.org/roster/sync-settings');
    expect(text).toContain(`write to help@platform.example.org and give the run id ${runId}`);
    expect(text).toContain('Sync Now');
    expect(text).toContain('Nothing in the roster was changed');
  });

  it('held notice lists changes and review links', async () => {
    const { db } = context.store;
    const org = await createTestOrg(db, { slug: 'held', admins: ['admin@held.example.org'] });
    const runId = await insertRun(db, org.id, 'held_for_review');
    const counts = emptyRunCounts();
    counts.children = { ...counts.children, deactivated: 57, updated: 8 };
    counts.memberships = { ...counts.memberships, deactivated: 60 };
    const report = buildReport({ runId, org: 'held', status: 'held_for_review', counts });

    const result = await notifyRunOutcome(notifyDeps(db, transport, logger), report);
    expect(result.status).toBe('sent');
    if (!('messageId' in result)) throw new Error('no message id');
    const mail = await server.waitForMessage(result.messageId);
    const text = mail.parsed.text ?? '';
    const html = String(mail.parsed.html);

    expect(mail.parsed.subject).toBe('Roster Sync: District held: sync held for your review');
    expect(text).toContain('nothing has changed yet');
    expect(text).toContain('more than 10 % or change more than 75 %');
    expect(text).toContain('deactivate 117 records in all');
    expect(text).toMatch(/Children\s+57\s+8\s+0/);
    expect(text).toMatch(/Classroom memberships\s+60\s+0\s+0/);
    const runUrl = `https://roster.example.org/roster/sync-status/runs/${runId}`;
    expect(text).toContain(`${runUrl}/review?decision=approve`);
    expect(text).toContain(`${runUrl}/review?decision=reject`);
    expect(html).toContain(`href="${runUrl}/review?decision=approve"`);
    expect(html).toContain(`href="${runUrl}/review?decision=reject"`);
  });

  it('rejected run gets a short notice', async () => {
    const { db } = context.store;
    const org = await createTestOrg(db, { slug: 'rejected', admins: ['admin@rej.example.org'] });
    const runId = await insertRun(db, org.id, 'rejected');
    const result = await notifyRunOutcome(
      notifyDeps(db, transport, logger),
      buildReport({ runId, org: 'rejected', status: 'rejected' }),
    );
    if (!('messageId' in result)) throw new Error(`no message: ${result.status}`);
    const mail = await server.waitForMessage(result.messageId);
    expect(mail.parsed.subject).toBe('Roster Sync: District rejected: held sync rejected');
    expect(mail.parsed.text).toContain('changes were discarded');
  });

  it('send emails off sends nothing', async () => {
    const { db } = context.store;
    const org = await createTestOrg(db, {
      slug: 'quiet',
      admins: ['admin@quiet.example.org'],
      sendEmails: false,
    });
    const before = server.received.length;
    const result = await notifyRunOutcome(
      notifyDeps(db, transport, logger),
      buildReport({ runId: await insertRun(db, org.id, 'failed'), org: 'quiet', status: 'failed' }),
    );
    expect(result.status).toBe('disabled');
    const rows = await db.selectFrom('emailMessages').select('id').where('orgId', '=', org.id).execute();
    expect(rows).toHaveLength(0);
    expect(server.received.length).toBe(before);
  });

  it('running run sends nothing', async () => {
    const { db } = context.store;
    const org = await createTestOrg(db, { slug: 'busy', admins: ['admin@busy.example.org'] });
    const result = await notifyRunOutcome(
      notifyDeps(db, transport, logger),
      buildReport({ runId: await insertRun(db, org.id, 'running'), org: 'busy', status: 'running' }),
    );
    expect(result.status).toBe('not_final');
  });

  it('no recipients is reported, not thrown', async () => {
    const { db } = context.store;
    await createTestOrg(db, { slug: 'nobody' });
    const result = await notifyRunOutcome(
      notifyDeps(db, transport, logger),
      buildReport({ runId: 'not-a-run', org: 'nobody' }),
    );
    expect(result.status).toBe('no_recipients');
  });

  it('unknown organization is logged, not thrown', async () => {
    const result = await notifyRunOutcome(
      notifyDeps(context.store.db, transport, logger),
      buildReport({ runId: 'x', org: 'no-such-org' }),
    );
    expect(result.status).toBe('error');
    expect(output()).toContain('Failed to send the e-mail notice of a sync run');
  });

  it('organization name is escaped in HTML', async () => {
    const { db } = context.store;
    await createTestOrg(db, {
      slug: 'escape',
      name: 'Tots & <b>Kids</b> "Center"',
      admins: ['admin@esc.example.org'],
    });
    const warnings = [{ code: 'ODD_NAME', sourcedId: 'x', message: '<img src=x onerror=alert(1)>' }];
    const result = await notifyRunOutcome(
      notifyDeps(db, transport, logger),
      buildReport({ runId: 'r', org: 'escape', warnings }),
    );
    if (!('messageId' in result)) throw new Error(`no message: ${result.status}`);
    const mail = await server.waitForMessage(result.messageId);
    const html = String(mail.parsed.html);

    expect(mail.parsed.subject).toBe('Roster Sync: Tots & <b>Kids</b> "Center": sync succeeded');
    expect(html).toContain('Tots &amp; &lt;b&gt;Kids&lt;/b&gt; &quot;Center&quot;');
    expect(html).not.toContain('<b>Kids</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    expect(mail.parsed.text).toContain('Tots & <b>Kids</b> "Center"');
  });

  it('legacy rows cannot inject headers', async () => {
    const { db } = context.store;
    const org = await createTestOrg(db, { slug: 'legacy', admins: ['admin@legacy.example.org'] });
    // Rows written before the save-time checks existed, bypassing them.
    await db
      .updateTable('organizations')
      .set({ name: 'Legacy\r\nBcc: thief@evil.example.org' })
      .where('id', '=', org.id)
      .execute();
    await db
      .updateTable('syncSettings')
      .set({
        extraEmails: json([
          'extra@legacy.example.org\r\nBcc: thief@evil.example.org',
          'ok@legacy.example.org',
        ]),
      })
      .where('orgId', '=', org.id)
      .execute();

    const result = await notifyRunOutcome(
      notifyDeps(db, transport, logger),
      buildReport({ runId: await insertRun(db, org.id, 'failed'), org: 'legacy', status: 'failed' }),
    );
    if (!('messageId' in result)) throw new Error(`no message: ${result.status}`);
    const mail = await server.waitForMessage(result.messageId);

    expect(mail.envelopeTo.sort()).toEqual(['admin@legacy.example.org', 'ok@legacy.example.org']);
    expect(mail.parsed.subject).toBe('Roster Sync: Legacy Bcc: thief@evil.example.org: sync failed');
    expect(mail.parsed.headers.has('bcc')).toBe(false);
    expect(mail.parsed.headerLines.some((header) => /^bcc:/i.test(header.line))).toBe(false);
    expect(output()).toContain('Skipped an invalid e-mail recipient');
  });
});
