import { describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { createMailTransport, describeSmtpUrl, safeReason } from '../../src/notify/transport.ts';
import { captureLogger } from './support/fixtures.ts';
import { startSmtpServer, unusedPort } from './support/smtp-server.ts';

const mail = {
  id: '00000000-0000-4000-8000-000000000001',
  from: 'Roster Sync <rostersync@platform.example.org>',
  to: ['admin@district.example.org'],
  subject: 'Roster Sync: test',
  text: 'plain part',
  html: '<p>html part</p>',
};

// smtp-server's built-in certificate is self-signed, so the client must accept it.
const acceptSelfSigned = '?tls.rejectUnauthorized=false';

describe('SMTP transport', () => {
  it('logs in with URL credentials over STARTTLS', async () => {
    const server = await startSmtpServer({
      credentials: { user: 'mail user', pass: 'p@ss:word/1' },
      startTls: true,
    });
    const { logger } = captureLogger();
    const transport = createMailTransport({ smtpUrl: server.url(acceptSelfSigned) }, logger);
    try {
      const result = await transport.deliver(mail);
      expect(result).toEqual({ kind: 'sent', accepted: ['admin@district.example.org'], rejected: [] });
      const received = await server.waitForMessage(mail.id);
      expect(received.secure).toBe(true);
      expect(received.user).toBe('mail user');
      expect(received.parsed.text?.trim()).toBe('plain part');
      expect(received.parsed.html).toContain('<p>html part</p>');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('speaks TLS from the start with smtps', async () => {
    const server = await startSmtpServer({ secure: true, credentials: { user: 'u', pass: 'secret-pw' } });
    const { logger } = captureLogger();
    const transport = createMailTransport({ smtpUrl: server.url(acceptSelfSigned) }, logger);
    try {
      await transport.deliver(mail);
      const received = await server.waitForMessage(mail.id);
      expect(received.secure).toBe(true);
      expect(received.user).toBe('u');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('wrong password fails without echoing it', async () => {
    const server = await startSmtpServer({ credentials: { user: 'u', pass: 'right-password' } });
    const { logger } = captureLogger();
    const transport = createMailTransport(
      { smtpUrl: `smtp://u:wrong-password-77@127.0.0.1:${server.port}` },
      logger,
    );
    try {
      const error = await transport.deliver(mail).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('SMTP_FAILED');
      expect((error as AppError).message).toContain(`smtp://127.0.0.1:${server.port}`);
      expect((error as AppError).message).not.toContain('wrong-password-77');
      expect(server.received).toHaveLength(0);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('refused connection is SMTP_FAILED', async () => {
    const port = await unusedPort();
    const { logger } = captureLogger();
    const transport = createMailTransport({ smtpUrl: `smtp://127.0.0.1:${port}` }, logger);
    try {
      await expect(transport.deliver(mail)).rejects.toMatchObject({ code: 'SMTP_FAILED' });
    } finally {
      await transport.close();
    }
  });

  it('describes the server without credentials', () => {
    expect(describeSmtpUrl('smtps://user:hunter22@mail.example.org:465?x=1')).toBe(
      'smtps://mail.example.org:465',
    );
    expect(describeSmtpUrl('not a url')).toBe('SMTP server (unparsable SMTP_URL)');
  });

  it('blanks the password in failure text', () => {
    const reason = safeReason(
      new Error('AUTH failed for p%40ss and p@ss\nline two'),
      'smtp://u:p%40ss@mail.example.org',
    );
    expect(reason).toBe('AUTH failed for [redacted] and [redacted] line two');
  });
});
