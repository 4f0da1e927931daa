/**
 * A small scripted HTTP server on loopback for the OneRoster client tests. Each test gives a
 * handler that decides the response to every request, so faults (429, resets, missing envelope
 * keys, lying counts) can be placed exactly.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';

import { trackResource, untrackResource } from '../../../src/core/resources.ts';

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Reply =
  | { status?: number; headers?: Record<string, string>; json?: unknown; text?: string }
  /** Destroys the socket without a response (a connection reset). */
  | { reset: true }
  /** Never responds (for timeouts). The socket is closed when the server stops. */
  | { hang: true };

export type Handler = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export interface TestServer {
  /** Base URL such as `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Maximum number of requests in flight at once, seen so far. */
  maxInFlight: number;
  /** TCP connections accepted. */
  connections: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Serve https with a self-signed certificate for localhost. */
  tls?: boolean;
}

export async function startRosterServer(handler: Handler, options: ServerOptions = {}): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let inFlight = 0;

  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        url: new URL(request.url ?? '/', state.url),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = state.requests.push(recorded) - 1;
      inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);

      void Promise.resolve(handler(recorded, index)).then((reply) => {
        if ('hang' in reply) return;
        inFlight -= 1;
        if ('reset' in reply) {
          request.socket.destroy();
          return;
        }
        const body = reply.json === undefined ? (reply.text ?? '') : JSON.stringify(reply.json);
        response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
        response.end(body);
      });
    });
  };

  const server = options.tls
    ? https.createServer(
        {
          key: readFileSync(resolve(import.meta.dirname, 'self-signed.key')),
          cert: readFileSync(resolve(import.meta.dirname, 'self-signed.crt')),
        },
        onRequest,
      )
    : http.createServer(onRequest);
  server.on('connection', (socket: Socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  const state: TestServer = {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests: [],
    maxInFlight: 0,
    connections: 0,
    close: async () => {
      untrackResource(state);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done())));
    },
  };
  trackResource(state, `OneRoster test server at ${state.url}`);
  return state;
}

/** Answers a collection request from `rows` by its `limit` and `offset`, as a well-behaved server does. */
export function pageOf(
  key: string,
  rows: readonly unknown[],
  request: RecordedRequest,
  options: { totalCount?: number | null; maxPage?: number } = {},
): Reply {
  const limit = Math.min(Number(request.url.searchParams.get('limit') ?? 100), options.maxPage ?? Infinity);
  const offset = Number(request.url.searchParams.get('offset') ?? 0);
  const headers: Record<string, string> = {};
  const total = options.totalCount === undefined ? rows.length : options.totalCount;
  if (total !== null) headers['x-total-count'] = String(total);
  return { json: { [key]: rows.slice(offset, offset + limit) }, headers };
}

/** Builds `count` minimal 1.1 users with ids `u1`, `u2`... */
export function makeUsers(count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, index) => ({
    sourcedId: `u${index + 1}`,
    status: 'active',
    dateLastModified: '2025-01-01T00:00:00.000Z',
    enabledUser: 'true',
    givenName: `Given${index + 1}`,
    familyName: 'Family',
    role: 'student',
    orgs: [{ sourcedId: 'school-1', type: 'org' }],
  }));
}
