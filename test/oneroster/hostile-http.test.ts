/**
 * Hostile roster servers on loopback: responses that hang, never end, lie, redirect or echo the
 * credentials back. Each server here writes raw HTTP, so it can misbehave in ways a framework
 * would prevent.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';

import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { redactedPaths } from '../../src/core/logger.ts';
import { trackResource, untrackResource } from '../../src/core/resources.ts';
import { parseAuthorizationHeader } from '../../src/oneroster/auth/oauth1.ts';
import { createOneRosterClient } from '../../src/oneroster/client.ts';
import { testConnection } from '../../src/oneroster/connection-test.ts';
import type { OneRosterClient, OneRosterClientOptions } from '../../src/oneroster/client.ts';
import { HttpClient } from '../../src/oneroster/http.ts';
import { makeUsers, startRosterServer } from './support/roster-server.ts';

type RawHandler = (request: IncomingMessage, response: ServerResponse, index: number) => void;

interface RawServer {
  url: string;
  requests: URL[];
  /** Sockets the server still has open. */
  openSockets: Set<Socket>;
  close(): Promise<void>;
}

const servers: RawServer[] = [];
let client: OneRosterClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  for (const server of servers.splice(0)) await server.close();
});

async function startRawServer(handler: RawHandler): Promise<RawServer> {
  const openSockets = new Set<Socket>();
  const requests: URL[] = [];
  const server = http.createServer((request, response) => {
    const index = requests.push(new URL(request.url ?? '/', 'http://127.0.0.1')) - 1;
    handler(request, response, index);
  });
  server.on('connection', (socket: Socket) => {
    openSockets.add(socket);
    socket.on('close', () => openSockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));

  const state: RawServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    openSockets,
    close: async () => {
      untrackResource(state);
      for (const socket of openSockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  trackResource(state, `hostile roster server at ${state.url}`);
  servers.push(state);
  return state;
}

const key = 'consumer-key-7f3a9c';
const secret = 'consumer-secret-b81d2e';

function connect(server: RawServer, options: Partial<OneRosterClientOptions> = {}): OneRosterClient {
  client = createOneRosterClient({
    endpointUrl: `${server.url}/ims/oneroster`,
    version: '1.1',
    auth: { kind: 'oauth1', key, secret },
    allowPrivateEndpoints: true,
    timeoutMs: 2_000,
    retry: { maxAttempts: 2, baseDelayMs: 5 },
    ...options,
  });
  return client;
}

async function pullAll(source: OneRosterClient, signal?: AbortSignal) {
  const pull = source.pull('users', { signal });
  let records = 0;
  for await (const page of pull) records += page.records.length;
  return { records, outcome: pull.outcome() };
}

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`Expected an AppError, got ${String(error)}`);
  return error;
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

describe('hostile roster server responses', () => {
  it('hang after headers times out', async () => {
    const server = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"users":[');
    });

    const error = await failureOf(pullAll(connect(server, { timeoutMs: 200, retry: { maxAttempts: 1 } })));

    expect(error.code).toBe('ONEROSTER_TIMEOUT');
  });

  it('endless body stops at the size limit', async () => {
    const server = await startRawServer((_request, response) => {
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 32);
      const write = () => {
        while (response.write(chunk));
      };
      response.on('drain', write);
      write();
    });
    const transport = new HttpClient({ allowPrivateEndpoints: true, maxResponseBytes: 1 << 20 });
    trackResource(transport, 'hostile test transport');

    const error = await failureOf(transport.send({ method: 'GET', url: `${server.url}/users` }));
    transport.close();
    untrackResource(transport);

    expect(error.code).toBe('ONEROSTER_UNEXPECTED_RESPONSE');
    expect(error.message).toContain(String(1 << 20));
  });

  it('gzip bomb stops at the size limit', async () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20, 32));
    const server = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      response.end(bomb);
    });
    const transport = new HttpClient({ allowPrivateEndpoints: true, maxResponseBytes: 1 << 20 });
    trackResource(transport, 'hostile test transport');

    const error = await failureOf(transport.send({ method: 'GET', url: `${server.url}/users` }));
    transport.close();
    untrackResource(transport);

    expect(bomb.length).toBeLessThan(1 << 20);
    expect(error.code).toBe('ONEROSTER_UNEXPECTED_RESPONSE');
  });

  it('200 with HTML is an unexpected response', async () => {
    const server = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>Sign in</body></html>');
    });

    const error = await failureOf(pullAll(connect(server)));

    expect(error.code).toBe('ONEROSTER_UNEXPECTED_RESPONSE');
  });

  it('reply that is not HTTP is an unexpected response', async () => {
    for (const reply of [
      'HELLO THIS IS NOT HTTP\r\n\r\n',
      `HTTP/1.1 200 OK\r\nX-Pad: ${'a'.repeat(100_000)}\r\n\r\n`,
    ]) {
      const server = net.createServer((socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => socket.end(reply));
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      const port = (server.address() as AddressInfo).port;
      const transport = new HttpClient({ allowPrivateEndpoints: true });

      const error = await failureOf(transport.send({ method: 'GET', url: `http://127.0.0.1:${port}/users` }));
      transport.close();
      await new Promise<void>((done) => server.close(() => done()));

      expect(error.code).toBe('ONEROSTER_UNEXPECTED_RESPONSE');
      expect(error.message).toContain('not valid HTTP');
    }
  });

  it('gzip garbage is an unexpected response', async () => {
    const server = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip' });
      response.end('this is not gzip');
    });

    const error = await failureOf(pullAll(connect(server)));

    expect(error.code).toBe('ONEROSTER_UNEXPECTED_RESPONSE');
    expect(error.message).toContain('gzip');
    expect(server.requests).toHaveLength(1);
  });

  it('redirects are never followed', async () => {
    const target = await startRawServer((_request, response) => json(response, 200, { users: [] }));
    for (const location of [
      'http://169.254.169.254/latest/meta-data/',
      `${target.url}/ims/oneroster/v1p1/users`,
    ]) {
      const server = await startRawServer((_request, response) => {
        response.writeHead(302, { location });
        response.end();
      });

      const error = await failureOf(pullAll(connect(server)));
      await client?.close();

      expect(error.code).toBe('ONEROSTER_UNEXPECTED_RESPONSE');
      expect(error.message).toContain(location);
    }
    expect(target.requests).toHaveLength(0);
  });

  it('Retry-After of a year is never waited', async () => {
    const server = await startRawServer((_request, response) =>
      json(response, 429, {}, { 'retry-after': String(365 * 24 * 3600) }),
    );
    const delays: number[] = [];

    const error = await failureOf(
      pullAll(connect(server, { retry: { maxAttempts: 5 }, onRetry: (event) => delays.push(event.delayMs) })),
    );

    expect(error.code).toBe('ONEROSTER_RATE_LIMITED');
    expect(error.message).toContain('Retry-After asked for "31536000"');
    expect(delays).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('Link to the same page ends paging', async () => {
    const server = await startRawServer((request, response) =>
      json(response, 200, { users: makeUsers(2) }, { link: `<http://127.0.0.1${request.url}>; rel="next"` }),
    );

    const { outcome } = await pullAll(connect(server));

    expect(outcome.complete).toBe(false);
    expect(outcome.reason).toContain('same page again');
    expect(server.requests).toHaveLength(2);
  });

  it('same page of invalid records ends paging', async () => {
    const invalid = Array.from({ length: 10 }, () => ({ givenName: 'No id' }));
    const server = await startRawServer((_request, response) => json(response, 200, { users: invalid }));

    const { records, outcome } = await pullAll(connect(server, { pageSize: 10 }));

    expect(records).toBe(0);
    expect(outcome.complete).toBe(false);
    expect(server.requests).toHaveLength(2);
  });

  it('invalid X-Total-Count values are ignored', async () => {
    for (const count of ['-1', 'NaN', '1e3', '']) {
      const server = await startRawServer((request, response) => {
        const offset = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('offset'));
        json(response, 200, { users: offset === 0 ? makeUsers(3) : [] }, { 'x-total-count': count });
      });

      const { records, outcome } = await pullAll(connect(server));
      await client?.close();

      expect(records).toBe(3);
      expect(outcome.reportedTotal).toBeNull();
      expect(outcome.complete).toBe(true);
    }
  });

  it('page larger than the limit is kept whole', async () => {
    const users = makeUsers(10_001);
    const server = await startRawServer((request, response) => {
      const offset = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('offset'));
      json(response, 200, { users: offset === 0 ? users : [] });
    });

    const { records, outcome } = await pullAll(connect(server, { pageSize: 10_000 }));

    expect(records).toBe(10_001);
    expect(outcome.complete).toBe(true);
    expect(server.requests[1]?.searchParams.get('offset')).toBe('10001');
  });

  it('connection dropped mid-body is retried, then unreachable', async () => {
    const server = await startRawServer((_request, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write('{"users":[{"sourcedId":"u1"');
      setImmediate(() => response.socket?.destroy());
    });

    const error = await failureOf(pullAll(connect(server)));

    expect(error.code).toBe('ONEROSTER_UNREACHABLE');
    expect(server.requests).toHaveLength(2);
  });

  it('get rejects dot-segment sourcedIds', async () => {
    const server = await startRawServer((_request, response) =>
      json(response, 200, { user: makeUsers(1)[0] }),
    );
    const source = connect(server);

    for (const sourcedId of ['.', '..', '']) {
      const error = await failureOf(source.get('users', sourcedId));
      expect(error.code).toBe('INVALID_INPUT');
    }
    expect(server.requests).toHaveLength(0);
  });

  it('abort mid-paging closes the socket', async () => {
    const controller = new AbortController();
    const server = await startRawServer((request, response) => {
      const offset = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('offset'));
      if (offset === 0) json(response, 200, { users: makeUsers(2) }, { 'x-total-count': '4' });
      else controller.abort(new Error('stopped by the test'));
    });
    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

    const error: unknown = await pullAll(connect(server), controller.signal).catch(
      (caught: unknown) => caught,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const timersAfter = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

    expect((error as Error).message).toBe('stopped by the test');
    expect(server.requests).toHaveLength(2);
    expect(server.openSockets.size).toBe(0);
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);
  });
});

describe('OAuth 2 token requests', () => {
  it('one caller aborting keeps the shared token request', async () => {
    const controller = new AbortController();
    const server = await startRawServer((request, response) => {
      if (request.url !== '/token') {
        json(response, 200, { users: [], orgs: [] });
        return;
      }
      // The first caller gives up while the token request is in flight.
      controller.abort(new Error('first caller aborted'));
      setImmediate(() => json(response, 200, { access_token: 'access-token-9911', expires_in: 3600 }));
    });
    const source = connect(server, {
      auth: {
        kind: 'oauth2',
        clientId: 'client-4411',
        clientSecret: 'secret-5678',
        tokenUrl: `${server.url}/token`,
      },
    });

    const [first, second] = await Promise.allSettled([
      pullAll(source, controller.signal),
      (async () => {
        for await (const page of source.pull('orgs')) void page;
      })(),
    ]);

    expect(first.status).toBe('rejected');
    expect(second.status).toBe('fulfilled');
    expect(server.requests.filter((url) => url.pathname === '/token')).toHaveLength(1);
  });

  it('token with unreadable expires_in is used', async () => {
    for (const expiresIn of [null, 0, -5, 'soon']) {
      const server = await startRawServer((request, response) => {
        if (request.url === '/token')
          json(response, 200, { access_token: 'access-token-9911', expires_in: expiresIn });
        else json(response, 200, { users: makeUsers(1) });
      });
      const source = connect(server, {
        auth: {
          kind: 'oauth2',
          clientId: 'client-4411',
          clientSecret: 'secret-5678',
          tokenUrl: `${server.url}/token`,
        },
      });

      const { records } = await pullAll(source);
      await source.close();

      expect(records).toBe(1);
    }
  });
});

describe('cancellation and close', () => {
  it('connection test failure stops sibling retries', async () => {
    const server = await startRawServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      if (path.endsWith('/schools')) json(response, 200, { orgs: [] });
      else if (path.endsWith('/classes')) json(response, 401, {});
      else json(response, 503, {});
    });

    const result = await testConnection({
      endpointUrl: server.url,
      version: '1.1',
      auth: { kind: 'bearer', token: 'token-1234' },
      allowPrivateEndpoints: true,
      retry: { maxAttempts: 50, baseDelayMs: 20 },
    });
    // Requests already sent when the test failed may still arrive; retries of them must not.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const paths = server.requests.map((url) => url.pathname);

    expect(result.error?.code).toBe('ONEROSTER_AUTH_REJECTED');
    expect(paths.length).toBeGreaterThan(1);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('close rejects a request waiting to retry', async () => {
    const server = await startRawServer((_request, response) => json(response, 503, {}));
    const transport = new HttpClient({
      allowPrivateEndpoints: true,
      retry: { maxAttempts: 5, baseDelayMs: 60_000 },
    });

    const pending = transport
      .send({ method: 'GET', url: `${server.url}/users` })
      .catch((caught: unknown) => caught);
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    transport.close();
    const error = await pending;

    expect((error as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(1);
  });
});

describe('credentials in failures', () => {
  function captureLogger() {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    return { lines, logger: pino({ redact: { paths: redactedPaths, censor: '[redacted]' } }, stream) };
  }

  function echoServer(status: number, received: string[]) {
    return startRawServer((request, response) => {
      const header = request.headers.authorization ?? '';
      received.push(header);
      const signature = parseAuthorizationHeader(header).get('oauth_signature') ?? '';
      json(response, status, {
        imsx_codeMajor: 'failure',
        imsx_description: `Rejected header ${header}, signature ${signature}, key ${key}`,
      });
    });
  }

  function expectNoSecret(text: string, secrets: string[]) {
    for (const value of secrets) expect(text).not.toContain(value);
  }

  it('OAuth 1.0a key and signature never reach errors or logs', async () => {
    for (const status of [401, 500]) {
      const received: string[] = [];
      const server = await echoServer(status, received);
      const { lines, logger } = captureLogger();
      const source = connect(server, { logger });

      const error = await failureOf(pullAll(source));
      await source.close();
      const signatures = received.map(
        (header) => parseAuthorizationHeader(header).get('oauth_signature') ?? '',
      );

      const text = `${error.message} ${JSON.stringify(error.details)} ${lines.join('')}`;
      expect(error.message).toContain('[redacted]');
      expect(signatures.length).toBeGreaterThan(0);
      expectNoSecret(text, [key, secret, 'oauth_nonce', ...signatures]);
    }
  });

  it('timeout and TLS failures carry no credentials', async () => {
    const tlsServer = await startRosterServer(() => ({ json: { users: [] } }), { tls: true });
    const hanging = await startRawServer(() => undefined);
    const failures: AppError[] = [];
    try {
      for (const endpointUrl of [`https://localhost:${tlsServer.port}`, hanging.url]) {
        const { lines, logger } = captureLogger();
        const source = createOneRosterClient({
          endpointUrl,
          version: '1.1',
          auth: { kind: 'oauth1', key, secret },
          allowPrivateEndpoints: true,
          timeoutMs: 200,
          retry: { maxAttempts: 2, baseDelayMs: 1 },
          logger,
        });
        failures.push(await failureOf(pullAll(source)));
        await source.close();
        expectNoSecret(lines.join(''), [key, secret]);
      }
    } finally {
      await tlsServer.close();
    }

    expect(failures.map((error) => error.code)).toEqual(['ONEROSTER_TLS_FAILED', 'ONEROSTER_TIMEOUT']);
    for (const error of failures) {
      expectNoSecret(`${error.message} ${JSON.stringify(error.details)}`, [key, secret, 'oauth_signature']);
    }
  });

  it('OAuth 2 client secret and token never reach errors', async () => {
    const token = 'access-token-5d91c0e4';
    const server = await startRawServer((request, response) => {
      if (request.url === '/token') {
        const basic = request.headers.authorization ?? '';
        const decoded = Buffer.from(basic.replace(/^Basic /, ''), 'base64').toString('utf8');
        if (decoded.endsWith('wrong-secret-1234')) {
          json(response, 401, { error: 'invalid_client', error_description: `bad ${basic} ${decoded}` });
          return;
        }
        json(response, 200, { access_token: token, expires_in: 3600 });
        return;
      }
      json(response, 403, {
        imsx_codeMajor: 'failure',
        imsx_description: `denied ${request.headers.authorization}`,
      });
    });

    const rejected = await failureOf(
      pullAll(
        connect(server, {
          auth: {
            kind: 'oauth2',
            clientId: 'client-4411',
            clientSecret: 'wrong-secret-1234',
            tokenUrl: `${server.url}/token`,
          },
        }),
      ),
    );
    await client?.close();
    const forbidden = await failureOf(
      pullAll(
        connect(server, {
          auth: {
            kind: 'oauth2',
            clientId: 'client-4411',
            clientSecret: 'right-secret-5678',
            tokenUrl: `${server.url}/token`,
          },
        }),
      ),
    );

    expect(rejected.code).toBe('ONEROSTER_AUTH_REJECTED');
    expect(forbidden.code).toBe('ONEROSTER_FORBIDDEN');
    for (const error of [rejected, forbidden]) {
      const text = `${error.message} ${JSON.stringify(error.details)}`;
      expectNoSecret(text, ['wrong-secret-1234', 'right-secret-5678', token, 'client-4411']);
    }
  });
});
