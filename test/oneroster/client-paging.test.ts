import { afterEach, describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { verifyAuthorizationHeader } from '../../src/oneroster/auth/oauth1.ts';
import { createOneRosterClient } from '../../src/oneroster/client.ts';
import type { OneRosterClient, OneRosterClientOptions } from '../../src/oneroster/client.ts';
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
  server = await startRosterServer(handler);
  client = createOneRosterClient({
    endpointUrl: `${server.url}/ims/oneroster/`,
    version: '1.1',
    auth: { kind: 'oauth1', key: 'district-key', secret: 'district-secret' },
    allowPrivateEndpoints: true,
    pageSize: 3,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  return { server, client };
}

async function drain(pull: AsyncIterable<{ records: Array<{ sourcedId: string }> }>) {
  const ids: string[] = [];
  for await (const page of pull) ids.push(...page.records.map((record) => record.sourcedId));
  return ids;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  return undefined;
}

describe('OneRoster client paging', () => {
  it('pulls every page and stops on a short page', async () => {
    const users = makeUsers(7);
    const { server, client } = await setUp((request) => pageOf('users', users, request));

    const pull = client.pull('users');
    expect(await drain(pull)).toEqual(users.map((user) => user.sourcedId));
    expect(pull.outcome()).toEqual({ complete: true, reason: null, received: 7, reportedTotal: 7 });
    expect(server.requests.map((request) => request.url.searchParams.get('offset'))).toEqual(['0', '3', '6']);
    expect(server.requests[0]?.url.pathname).toBe('/ims/oneroster/v1p1/users');
  });

  it('stops on an empty page after full pages', async () => {
    const users = makeUsers(6);
    const { server, client } = await setUp((request) =>
      pageOf('users', users, request, { totalCount: null }),
    );

    const pull = client.pull('users');
    expect(await drain(pull)).toHaveLength(6);
    expect(pull.outcome().complete).toBe(true);
    expect(pull.outcome().reportedTotal).toBeNull();
    expect(server.requests).toHaveLength(3);
  });

  it('signs every request so the server can verify it', async () => {
    const users = makeUsers(4);
    const verified: boolean[] = [];
    const { client } = await setUp((request) => {
      verified.push(
        verifyAuthorizationHeader({
          method: request.method,
          url: request.url.href,
          authorization: String(request.headers.authorization),
          consumerSecret: 'district-secret',
        }),
      );
      return pageOf('users', users, request);
    });

    await drain(client.pull('users', { modifiedSince: new Date('2025-02-03T04:05:06Z') }));
    expect(verified).toEqual([true, true]);
  });

  it('sends the delta filter', async () => {
    const { server, client } = await setUp((request) => pageOf('users', [], request));
    await drain(client.pull('users', { modifiedSince: new Date('2025-02-03T04:05:06Z') }));
    expect(server.requests[0]?.url.searchParams.get('filter')).toBe(
      "dateLastModified>'2025-02-03T04:05:06.000Z'",
    );
  });

  it('continues when the server caps the page size', async () => {
    const users = makeUsers(5);
    const { server, client } = await setUp((request) => pageOf('users', users, request, { maxPage: 2 }), {
      pageSize: 10,
    });

    const pull = client.pull('users');
    expect(await drain(pull)).toHaveLength(5);
    expect(pull.outcome().complete).toBe(true);
    expect(server.requests.map((request) => request.url.searchParams.get('offset'))).toEqual(['0', '2', '4']);
  });

  it('reports a lying count header', async () => {
    const users = makeUsers(4);
    const { client } = await setUp((request) => pageOf('users', users, request, { totalCount: 9 }));

    const pull = client.pull('users');
    expect(await drain(pull)).toHaveLength(4);
    const outcome = pull.outcome();
    expect(outcome.complete).toBe(false);
    expect(outcome.reportedTotal).toBe(9);
    expect(outcome.received).toBe(4);
    expect(outcome.reason).toMatch(/reported 9 records .* but sent 4/);
  });

  it('reports a count that changes mid-pull', async () => {
    const users = makeUsers(5);
    const { client } = await setUp((request, index) =>
      pageOf('users', users, request, { totalCount: index === 0 ? 5 : 6 }),
    );

    const pull = client.pull('users');
    await drain(pull);
    expect(pull.outcome().complete).toBe(false);
    expect(pull.outcome().reason).toMatch(/changed from 5 to 6/);
  });

  it('reports a repeated sourcedId', async () => {
    const users = makeUsers(5);
    const { client } = await setUp((request) => {
      const reply = pageOf('users', users, request);
      // The second page repeats the last user of the first.
      if (request.url.searchParams.get('offset') === '3') return { json: { users: [users[2], users[4]] } };
      return reply;
    });

    const pull = client.pull('users');
    await drain(pull);
    expect(pull.outcome().complete).toBe(false);
    expect(pull.outcome().reason).toMatch(/1 sourcedIds arrived twice/);
  });

  it('reports a repeat among unordered sourcedIds', async () => {
    const users = makeUsers(6);
    const pages = [
      [users[3], users[0], users[4]],
      [users[5], users[0]],
    ];
    const { client } = await setUp((request) => ({
      json: { users: pages[Number(request.url.searchParams.get('offset')) / 3] ?? [] },
    }));

    const pull = client.pull('users');
    expect(await drain(pull)).toEqual(['u4', 'u1', 'u5', 'u6', 'u1']);
    expect(pull.outcome().reason).toMatch(/^1 sourcedIds arrived twice \(at offset 3\)\.$/);
  });

  it('accepts unordered sourcedIds without repeats', async () => {
    const users = makeUsers(5);
    const order = [users[2], users[4], users[0], users[1], users[3]];
    const { client } = await setUp((request) => pageOf('users', order, request));

    const pull = client.pull('users');
    expect(await drain(pull)).toEqual(['u3', 'u5', 'u1', 'u2', 'u4']);
    expect(pull.outcome()).toEqual({ complete: true, reason: null, received: 5, reportedTotal: 5 });
  });

  it('decodes UTF-8 after many ASCII chunks', async () => {
    const users = makeUsers(400).map((user, index) =>
      index < 390
        ? { ...user, familyName: 'F'.repeat(1000) }
        : { ...user, familyName: `Çelik-山田-${index}` },
    );
    const { client } = await setUp((request) => pageOf('users', users, request), { pageSize: 1000 });

    const names: string[] = [];
    for await (const page of client.pull('users')) names.push(...page.records.map((user) => user.familyName));
    expect(names).toHaveLength(400);
    expect(names[0]).toBe('F'.repeat(1000));
    expect(names.slice(390)).toEqual(users.slice(390).map((user) => user.familyName));
  });

  it('stops when the server ignores the offset', async () => {
    const users = makeUsers(3);
    const { server, client } = await setUp(() => ({ json: { users } }));

    const pull = client.pull('users');
    await drain(pull);
    expect(server.requests).toHaveLength(2);
    expect(pull.outcome().reason).toMatch(/same page again/);
  });

  it('throws on a page missing its envelope key', async () => {
    const users = makeUsers(5);
    const { client } = await setUp((request, index) =>
      index === 1
        ? { json: { imsx_statusInfo: { imsx_codeMajor: 'success' } } }
        : pageOf('users', users, request),
    );

    const pull = client.pull('users');
    expect(await codeOf(drain(pull))).toBe('ONEROSTER_UNEXPECTED_RESPONSE');
    expect(pull.outcome().complete).toBe(false);
    expect(pull.outcome().reason).toMatch(/no "users" or "students" or "teachers" key/);
  });

  it('throws on a body that is not JSON', async () => {
    const { client } = await setUp(() => ({ text: '<html>Maintenance</html>' }));
    expect(await codeOf(drain(client.pull('orgs')))).toBe('ONEROSTER_UNEXPECTED_RESPONSE');
  });

  it('accepts an alternative envelope key', async () => {
    const { client } = await setUp(() => ({
      json: { schools: [{ sourcedId: 's1', name: 'North', type: 'school' }] },
    }));
    const pull = client.pullPath('orgs', '/schools');
    expect(await drain(pull)).toEqual(['s1']);
    expect(pull.outcome().complete).toBe(true);
  });

  it('reports demographics refused with 403', async () => {
    const { client } = await setUp(() => ({
      status: 403,
      json: { imsx_codeMajor: 'failure', imsx_description: 'No access' },
    }));
    const pull = client.pull('demographics');
    expect(await drain(pull)).toEqual([]);
    const outcome = pull.outcome();
    expect(outcome.forbidden).toBe(true);
    expect(outcome.complete).toBe(false);
    expect(outcome.received).toBe(0);
    expect(outcome.reason).toMatch(/not shared demographics/);
  });

  it('keeps invalid records out with issues', async () => {
    const { client } = await setUp(() => ({ json: { users: [{ sourcedId: '' }, makeUsers(1)[0]] } }));
    const issues: string[] = [];
    for await (const page of client.pull('users')) issues.push(...page.issues.map((issue) => issue.code));
    expect(issues).toEqual(['MISSING_SOURCED_ID']);
  });

  it('reads one record', async () => {
    const { server, client } = await setUp(() => ({ json: { user: makeUsers(1)[0] } }));
    const user = await client.get('users', 'u 1');
    expect(user.givenName).toBe('Given1');
    expect(server.requests[0]?.url.pathname).toBe('/ims/oneroster/v1p1/users/u%201');
  });

  it('uses the 1.2 base path', async () => {
    const { server, client } = await setUp((request) => pageOf('orgs', [], request), { version: '1.2' });
    await drain(client.pull('orgs'));
    expect(server.requests[0]?.url.pathname).toBe('/ims/oneroster/rostering/v1p2/orgs');
  });

  it('counts with X-Total-Count or by paging', async () => {
    const users = makeUsers(7);
    const { server, client } = await setUp((request) =>
      pageOf('users', users, request, { totalCount: request.url.pathname.endsWith('/students') ? 7 : null }),
    );
    expect(await client.count('users', '/students')).toBe(7);
    expect(server.requests).toHaveLength(1);
    expect(await client.count('users', '/teachers')).toBe(7);
  });
});
