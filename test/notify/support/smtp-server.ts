import type { AddressInfo } from 'node:net';

import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

import { trackResource, untrackResource } from '../../../src/core/resources.ts';

/** A message the test server accepted, parsed back with mailparser. */
export interface ReceivedMail {
  /** The SMTP envelope's recipients (`RCPT TO`). */
  envelopeTo: string[];
  /** The raw message as it came over the wire: headers, every part, every encoding. */
  raw: string;
  parsed: ParsedMail;
  /** Whether the session was encrypted (smtps or STARTTLS). */
  secure: boolean;
  /** The user name the client logged in with, if any. */
  user: string | null;
}

export interface TestSmtpServer {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** `smtp://` URL of the server, with credentials when it requires them. */
  url(query?: string): string;
  /** Resolves once `count` messages in all have arrived. */
  waitForMessages(count: number): Promise<ReceivedMail[]>;
  /** Resolves with the message whose `X-Rostersync-Message` header is the outbox id. */
  waitForMessage(messageId: string): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** Listen on this port instead of a free one (to bring a "down" server back). */
  port?: number;
  /** Require AUTH with these credentials. */
  credentials?: { user: string; pass: string };
  /** TLS from the first byte (smtps) with smtp-server's built-in self-signed certificate. */
  secure?: boolean;
  /** Offer STARTTLS (with the built-in certificate). Default false. */
  startTls?: boolean;
}

/** Starts an in-process SMTP server on 127.0.0.1 that keeps every message it receives. */
export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];

  const serverOptions: SMTPServerOptions = {
    secure: options.secure ?? false,
    disabledCommands: [
      ...(options.startTls || options.secure ? [] : ['STARTTLS']),
      ...(options.credentials ? [] : ['AUTH']),
    ],
    allowInsecureAuth: true,
    authOptional: !options.credentials,
    logger: false,
    onAuth(auth, _session, callback) {
      const expected = options.credentials;
      if (expected && auth.username === expected.user && auth.password === expected.pass) {
        callback(null, { user: auth.username });
        return;
      }
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        void simpleParser(raw).then((parsed) => {
          received.push({
            envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address),
            raw,
            parsed,
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : null,
          });
          for (const waiter of waiters.filter((entry) => received.length >= entry.count)) waiter.resolve();
          callback();
        }, callback);
      });
    },
  };
  const server = new SMTPServer(serverOptions);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  const handle: TestSmtpServer = {
    port,
    received,
    url(query = '') {
      const scheme = options.secure ? 'smtps' : 'smtp';
      const credentials = options.credentials
        ? `${encodeURIComponent(options.credentials.user)}:${encodeURIComponent(options.credentials.pass)}@`
        : '';
      return `${scheme}://${credentials}127.0.0.1:${port}${query}`;
    },
    waitForMessages(count) {
      if (received.length >= count) return Promise.resolve(received.slice());
      return new Promise((resolve) => waiters.push({ count, resolve: () => resolve(received.slice()) }));
    },
    async waitForMessage(messageId) {
      const find = () =>
        received.find((mail) => mail.parsed.headers.get('x-rostersync-message') === messageId);
      for (;;) {
        const mail = find();
        if (mail) return mail;
        await handle.waitForMessages(received.length + 1);
      }
    },
    async close() {
      untrackResource(handle);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  trackResource(handle, `test SMTP server on port ${port}`);
  return handle;
}

/** Finds a port that was free a moment ago and has nothing listening on it now. */
export async function unusedPort(): Promise<number> {
  const server = await startSmtpServer();
  const port = server.port;
  await server.close();
  return port;
}
