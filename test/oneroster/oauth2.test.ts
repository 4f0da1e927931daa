import { afterEach, describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { createOneRosterClient } from '../../src/oneroster/client.ts';
import type { OneRosterClient } from '../../src/oneroster/client.ts';
import { startRosterServer } from './support/roster-server.ts';
import type { RecordedRequest, TestServer } from './support/roster-server.ts';

let server: TestServer | undefined;
let client: OneRosterClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

const scope = 'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly';

/** Starts a token server and API on one port. `/token` issues `token-1`, `token-2`... and the API accepts tokens that pass `valid`. */
async function setUp(options: { expiresIn?: number; valid?: (token: string) => boolean } = {}) {
  let issued = 0;
  const tokenRequests: RecordedRequest[] = [];
  let clock = Date.parse('2025-01-01T00:00:00Z');

  server = await startRosterServer((request) => {
    if (request.url.pathname === '/token') {
      tokenRequests.push(request);
      if (
        request.headers.authorization !==
        `Basic ${Buffer.from('client+id:s%C3%A9cret%26').toString('base64')}`
      ) {
        return { status: 401, json: { error: 'invalid_client' } };
      }
      issued += 1;
      return {
        json: {
          access_token: `token-${issued}`,
          token_type: 'bearer',
          expires_in: options.expiresIn ?? 3600,
        },
      };
    }
    const token = String(request.headers.authorization).replace(/^Bearer /, '');
    if (!(options.valid ?? (() => true))(token)) return { status: 401, json: { imsx_codeMajor: 'failure' } };
    return { json: { orgs: [] }, headers: { 'x-total-count': '0' } };
  });

  client = createOneRosterClient({
    endpointUrl: server.url,
    version: '1.2',
    auth: {
      kind: 'oauth2',
      clientId: 'client id',
      clientSecret: 'sécret&',
      tokenUrl: `${server.url}/token`,
      scopes: [scope],
    },
    allowPrivateEndpoints: true,
    retry: { baseDelayMs: 1 },
    now: () => clock,
  });
  return {
    server,
    client,
    tokenRequests,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const apiTokens = (target: TestServer) =>
  target.requests
    .filter((request) => request.url.pathname !== '/token')
    .map((request) => request.headers.authorization);

describe('OAuth 2 client credentials', () => {
  it('sends Basic credentials, grant type and scope', async () => {
    const { client, tokenRequests } = await setUp();
    await client.count('orgs', '/orgs');

    expect(tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(tokenRequests[0]?.body);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe(scope);
    expect(tokenRequests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('caches the token until shortly before expiry', async () => {
    const { server, client, tokenRequests, advance } = await setUp({ expiresIn: 3600 });
    await client.count('orgs', '/orgs');
    advance(3_500_000);
    await client.count('orgs', '/orgs');
    expect(tokenRequests).toHaveLength(1);

    advance(60_000);
    await client.count('orgs', '/orgs');
    expect(tokenRequests).toHaveLength(2);
    expect(apiTokens(server)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
  });

  it('shares one token request between concurrent calls', async () => {
    const { client, tokenRequests } = await setUp();
    await Promise.all([1, 2, 3].map(() => client.count('orgs', '/orgs')));
    expect(tokenRequests).toHaveLength(1);
  });

  it('refreshes once on a 401', async () => {
    const { server, client, tokenRequests } = await setUp({ valid: (token) => token !== 'token-1' });
    expect(await client.count('orgs', '/orgs')).toBe(0);
    expect(tokenRequests).toHaveLength(2);
    expect(apiTokens(server)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('fails after one refresh when the API keeps rejecting', async () => {
    const { server, client, tokenRequests } = await setUp({ valid: () => false });
    const error = await client.count('orgs', '/orgs').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('ONEROSTER_AUTH_REJECTED');
    expect(tokenRequests).toHaveLength(2);
    expect(apiTokens(server)).toHaveLength(2);
  });

  it('reports a rejected client as rejected credentials', async () => {
    server = await startRosterServer(() => ({ status: 401, json: { error: 'invalid_client' } }));
    client = createOneRosterClient({
      endpointUrl: server.url,
      version: '1.2',
      auth: {
        kind: 'oauth2',
        clientId: 'x',
        clientSecret: 'wrong-secret-value',
        tokenUrl: `${server.url}/token`,
      },
      allowPrivateEndpoints: true,
    });
    const error = (await client.count('orgs', '/orgs').catch((caught: unknown) => caught)) as AppError;
    expect(error.code).toBe('ONEROSTER_AUTH_REJECTED');
    expect(error.message).toContain('token server rejected the client id or secret');
    expect(error.message).not.toContain('wrong-secret-value');
  });

  it('rejects a token response without access_token', async () => {
    server = await startRosterServer(() => ({ json: { token_type: 'bearer' } }));
    client = createOneRosterClient({
      endpointUrl: server.url,
      version: '1.2',
      auth: { kind: 'oauth2', clientId: 'x', clientSecret: 'y', tokenUrl: `${server.url}/token` },
      allowPrivateEndpoints: true,
    });
    const error = (await client.count('orgs', '/orgs').catch((caught: unknown) => caught)) as AppError;
    expect(error.code).toBe('ONEROSTER_UNEXPECTED_RESPONSE');
  });

  it('sends a static bearer token', async () => {
    server = await startRosterServer(() => ({ json: { orgs: [] } }));
    client = createOneRosterClient({
      endpointUrl: server.url,
      version: '1.1',
      auth: { kind: 'bearer', token: 'proxy-token' },
      allowPrivateEndpoints: true,
    });
    await client.count('orgs', '/orgs');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer proxy-token');
  });
});
