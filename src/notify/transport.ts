import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { trackResource, untrackResource } from '../core/resources.ts';

/** A message ready for the wire. Every field was checked for line breaks before it got here. */
export interface OutgoingMail {
  /** Outbox row id, sent as the `X-Rostersync-Message` header and logged. */
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** The outcome of a message the transport accepted. */
export type DeliveryResult = { kind: 'sent'; accepted: string[]; rejected: string[] } | { kind: 'stored' };

/** Sends mail over SMTP, or keeps it in the outbox table when no mail server is configured. */
export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  /** The mail destination, without credentials, for logs. */
  readonly description: string;
  /**
   * Hands the message over. Throws `SMTP_FAILED` when the server cannot be reached, refuses the
   * message, or accepts none of the recipients; the message names the server, never the password.
   */
  deliver(mail: OutgoingMail): Promise<DeliveryResult>;
  close(): Promise<void>;
}

export interface SmtpTimeouts {
  /** Milliseconds to wait for the TCP (or TLS) connection. Default 10 000. */
  connectionMs?: number;
  /** Milliseconds to wait for the server's greeting after connecting. Default 10 000. */
  greetingMs?: number;
  /** Milliseconds of inactivity before the connection is dropped. Default 30 000. */
  socketMs?: number;
}

/**
 * Creates the transport the configuration selects: SMTP over `config.smtpUrl`, or the outbox
 * when it is null. `smtp://` connects in plain text and upgrades with STARTTLS when the server
 * offers it; `smtps://` uses TLS from the first byte. Credentials come from the URL's user and
 * password; query parameters such as `?tls.rejectUnauthorized=false` go to nodemailer as options.
 */
export function createMailTransport(
  config: Pick<Config, 'smtpUrl'>,
  logger: Logger,
  timeouts: SmtpTimeouts = {},
): MailTransport {
  if (config.smtpUrl === null) return createOutboxTransport(logger);
  return createSmtpTransport(config.smtpUrl, logger, timeouts);
}

function createOutboxTransport(logger: Logger): MailTransport {
  return {
    kind: 'outbox',
    description: 'the outbox table (SMTP_URL is not set)',
    async deliver(mail) {
      logger.info(
        { messageId: mail.id, recipients: mail.to.length, subject: mail.subject },
        'Stored e-mail in the outbox because SMTP_URL is not set',
      );
      return { kind: 'stored' };
    },
    async close() {},
  };
}

function createSmtpTransport(smtpUrl: string, logger: Logger, timeouts: SmtpTimeouts): MailTransport {
  const description = describeSmtpUrl(smtpUrl);
  const options: SMTPTransport.Options & { url: string } = {
    url: smtpUrl,
    connectionTimeout: timeouts.connectionMs ?? 10_000,
    greetingTimeout: timeouts.greetingMs ?? 10_000,
    socketTimeout: timeouts.socketMs ?? 30_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const transporter = nodemailer.createTransport(options);

  const transport: MailTransport = {
    kind: 'smtp',
    description,
    async deliver(mail) {
      let info: SMTPTransport.SentMessageInfo;
      try {
        info = await transporter.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: { 'X-Rostersync-Message': mail.id },
        });
      } catch (cause) {
        throw new AppError(
          'SMTP_FAILED',
          `The mail server ${description} did not accept the message: ${safeReason(cause, smtpUrl)}`,
          {
            cause,
          },
        );
      }

      const accepted = info.accepted.map(addressText);
      const rejected = info.rejected.map(addressText);
      if (accepted.length === 0) {
        throw new AppError(
          'SMTP_FAILED',
          `The mail server ${description} rejected every recipient: ${rejected.join(', ')}.`,
        );
      }
      if (rejected.length > 0) {
        logger.warn({ messageId: mail.id, rejected }, 'The mail server rejected some recipients');
      }
      return { kind: 'sent', accepted, rejected };
    },
    async close() {
      untrackResource(transport);
      transporter.close();
    },
  };
  trackResource(transport, `SMTP transport (${description})`);
  return transport;
}

/** `smtp://host:port` without the user name, password or query, for logs and messages. */
export function describeSmtpUrl(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    return `${url.protocol}//${url.host}`;
  } catch {
    return 'SMTP server (unparsable SMTP_URL)';
  }
}

/**
 * Returns the failure's own text with the URL's password blanked out. Servers and nodemailer do
 * not echo the password today, but the text lands in logs and the outbox table.
 */
export function safeReason(error: unknown, smtpUrl: string): string {
  let reason = error instanceof Error ? error.message : String(error);
  for (const secret of urlCredentials(smtpUrl)) reason = reason.split(secret).join('[redacted]');
  return reason.replace(/\s+/g, ' ').trim().slice(0, 500);
}

function urlCredentials(smtpUrl: string): string[] {
  try {
    const url = new URL(smtpUrl);
    return [url.password, decodeURIComponent(url.password)].filter((value) => value.length >= 3);
  } catch {
    return [];
  }
}

function addressText(address: string | { address: string }): string {
  return typeof address === 'string' ? address : address.address;
}
