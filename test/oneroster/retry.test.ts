import { afterEach, describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { createOneRosterClient } from '../../src/oneroster/client.ts';
import type { OneRosterClient, OneRosterClientOptions } from '../../src/oneroster/client.ts';
import type { RetryEvent } from '../../src/oneroster/http.ts';
import { backoffDelay, parseRetryAfter, resolveRetryOptions } from '../../src/oneroster/retry.ts';
import { makeUsers, pageOf, startRosterServer } from './support/roster-server.ts';
import type { Handler, TestServer } from './support/roster-server.ts';

let server: TestServer | undefined;
let client: OneRosterClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function setUp(handler: Handler, options: Partial<OneRosterClientOptions> = {}) {
  const retries: RetryEvent[] = [];
  server = await startRosterServer(handler);
  client = createOneRosterClient({
    endpointUrl: server.url,
    version: '1.1',
    auth: { kind: 'bearer', token: 'static-token' },
    allowPrivateEndpoints: true,
    pageSize: 2,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    onRetry: (event) => retries.push(event),
    ...options,
  });
  return { server, client, retries };
}

async function drain(pull: AsyncIterable<{ records: Array<{ sourcedId: string }> }>) {
  const ids: string[] = [];
  for await (const page of pull) ids.push(...page.records.map((record) => record.sourcedId));
  return ids;
}

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('retries', () => {
  it('honours Retry-After seconds mid-paging', async () => {
    const users = makeUsers(5);
    const { server, client, retries } = await setUp((request, index) =>
      index === 1 ? { status: 429, headers: { 'retry-after': '0' } } : pageOf('users', users, request),
    );

    const pull = client.pull('users');
    expect(await drain(pull)).toHaveLength(5);
    expect(pull.outcome().complete).toBe(true);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.reason).toBe('HTTP 429');
    expect(retries[0]?.delayMs).toBe(0);
    expect(server.requests.map((request) => request.url.searchParams.get('offset'))).toEqual([
      '0',
      '2',
      '2',
      '4',
    ]);
  });

  it('waits the Retry-After seconds it is given', async () => {
    const users = makeUsers(3);
    const { client, retries } = await setUp((request, index) =>
      index === 1 ? { status: 429, headers: { 'retry-after': '1' } } : pageOf('users', users, request),
    );

    expect(await drain(client.pull('users'))).toHaveLength(3);
    expect(retries.map((event) => event.delayMs)).toEqual([1000]);
  });

  it('backs off with jitter without Retry-After', async () => {
    const users = makeUsers(5);
    const { client, retries } = await setUp((request, index) =>
      index === 2 || index === 3 ? { status: 429 } : pageOf('users', users, request),
    );

    expect(await drain(client.pull('users'))).toHaveLength(5);
    expect(retries.map((event) => event.attempt)).toEqual([1, 2]);
    for (const event of retries) expect(event.delayMs).toBeLessThanOrEqual(5);
  });

  it('retries a 503', async () => {
    const { server, client } = await setUp((request, index) =>
      index === 0 ? { status: 503, text: 'busy' } : pageOf('orgs', [], request),
    );
    await drain(client.pull('orgs'));
    expect(server.requests).toHaveLength(2);
  });

  it('retries a connection reset', async () => {
    const users = makeUsers(3);
    const { client, retries } = await setUp((request, index) =>
      index === 1 ? { reset: true } : pageOf('users', users, request),
    );

    expect(await drain(client.pull('users'))).toHaveLength(3);
    expect(retries[0]?.reason).toBe('ECONNRESET');
  });

  it('retries a timeout, then gives up', async () => {
    const { server, client } = await setUp(() => ({ hang: true }), {
      timeoutMs: 50,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const error = await errorOf(drain(client.pull('orgs')));
    expect(error.code).toBe('ONEROSTER_TIMEOUT');
    expect(server.requests).toHaveLength(2);
  });

  it('never retries other 4xx', async () => {
    for (const status of [400, 401, 403, 404, 422]) {
      const setup = await setUp(() => ({ status, json: {} }));
      await errorOf(drain(setup.client.pull('classes')));
      expect(setup.server.requests, `HTTP ${status}`).toHaveLength(1);
      await setup.client.close();
      await setup.server.close();
      client = undefined;
      server = undefined;
    }
  });

  it('gives up on 429 after the attempt cap', async () => {
    const { server, client } = await setUp(() => ({ status: 429 }));
    const error = await errorOf(drain(client.pull('users')));
    expect(error.code).toBe('ONEROSTER_RATE_LIMITED');
    expect(error.details.attempts).toBe(4);
    expect(server.requests).toHaveLength(4);
  });

  it('gives up when Retry-After exceeds the wait cap', async () => {
    const { server, client } = await setUp(() => ({ status: 429, headers: { 'retry-after': '3600' } }));
    const error = await errorOf(drain(client.pull('users')));
    expect(error.code).toBe('ONEROSTER_RATE_LIMITED');
    expect(server.requests).toHaveLength(1);
  });

  it('gives up on 5xx after the attempt cap', async () => {
    const { client } = await setUp(() => ({
      status: 500,
      json: { imsx_codeMajor: 'failure', imsx_description: 'db down' },
    }));
    const error = await errorOf(drain(client.pull('users')));
    expect(error.code).toBe('ONEROSTER_SERVER_ERROR');
    expect(error.message).toMatch(/db down/);
  });

  it('stops at once when the signal aborts', async () => {
    const controller = new AbortController();
    const { client } = await setUp(() => {
      controller.abort(new Error('stopped by test'));
      return { hang: true };
    });
    await expect(drain(client.pull('users', { signal: controller.signal }))).rejects.toThrow(
      'stopped by test',
    );
  });

  it('limits concurrent requests per host', async () => {
    // Requests are held until a third arrives (the limit failed) or none came for 30 ms.
    const pending: Array<() => void> = [];
    let quiet: NodeJS.Timeout | undefined;
    const releaseAll = () => pending.splice(0).forEach((done) => done());
    const { server, client } = await setUp(
      () =>
        new Promise((resolve) => {
          pending.push(() => resolve({ json: { orgs: [] } }));
          clearTimeout(quiet);
          if (pending.length > 2) releaseAll();
          else quiet = setTimeout(releaseAll, 30);
        }),
      { maxConcurrentPerHost: 2 },
    );

    const results = await Promise.all([1, 2, 3, 4, 5].map(() => drain(client.pull('orgs'))));
    expect(results).toHaveLength(5);
    expect(server.requests).toHaveLength(5);
    expect(server.maxInFlight).toBe(2);
  });
});

describe('retry timing rules', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('caps exponential backoff', () => {
    const options = resolveRetryOptions({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect(backoffDelay(1, options, () => 0.999)).toBe(99);
    expect(backoffDelay(3, options, () => 0.999)).toBe(399);
    expect(backoffDelay(10, options, () => 0.999)).toBe(999);
    expect(backoffDelay(10, options, () => 0)).toBe(0);
  });
});
