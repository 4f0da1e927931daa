import { afterEach, describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { blockedAddressReason } from '../../src/oneroster/address-guard.ts';
import type { LookupFunction } from '../../src/oneroster/address-guard.ts';
import { createOneRosterClient } from '../../src/oneroster/client.ts';
import type { OneRosterClient } from '../../src/oneroster/client.ts';
import { normalizeEndpointUrl } from '../../src/oneroster/endpoint.ts';
import { startRosterServer } from './support/roster-server.ts';
import type { TestServer } from './support/roster-server.ts';

function errorOf(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function asyncErrorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('normalizeEndpointUrl', () => {
  const host = 'https://district-ca-v2.oneroster.com';
  const pasted = [
    `${host}`,
    `${host}/`,
    `${host}/ims/oneroster`,
    `${host}/ims/oneroster/`,
    `  ${host}/ims/oneroster/v1p1/  `,
    `${host}/ims/oneroster/rostering/v1p2`,
    `${host}/IMS/OneRoster/V1P1`,
    `${host}/ims/oneroster/v1p2/`,
    'district-ca-v2.oneroster.com/ims/oneroster/',
    'HTTPS://District-CA-v2.OneRoster.com:443/ims/oneroster/',
  ];

  for (const input of pasted) {
    it(`builds both versions from ${JSON.stringify(input)}`, () => {
      expect(normalizeEndpointUrl(input, '1.1')).toBe(`${host}/ims/oneroster/v1p1`);
      expect(normalizeEndpointUrl(input, '1.2')).toBe(`${host}/ims/oneroster/rostering/v1p2`);
    });
  }

  it('keeps a path prefix and a port', () => {
    expect(normalizeEndpointUrl('https://roster.example.org:8443/api/ims/oneroster/v1p1', '1.2')).toBe(
      'https://roster.example.org:8443/api/ims/oneroster/rostering/v1p2',
    );
  });

  it('is idempotent across versions', () => {
    const base = normalizeEndpointUrl('https://x.example.org/ims/oneroster/', '1.1');
    expect(normalizeEndpointUrl(base, '1.1')).toBe(base);
    expect(normalizeEndpointUrl(normalizeEndpointUrl(base, '1.2'), '1.1')).toBe(base);
  });

  it('rejects ftp with a clear message', () => {
    const error = errorOf(() => normalizeEndpointUrl('ftp://x', '1.1'));
    expect(error.code).toBe('ENDPOINT_URL_INVALID');
    expect(error.message).toContain('"ftp://x"');
    expect(error.message).toContain('it uses ftp');
  });

  it('rejects credentials without echoing them', () => {
    const error = errorOf(() =>
      normalizeEndpointUrl('https://district-key:Zq93xv@x.example.org/ims/oneroster', '1.1'),
    );
    expect(error.code).toBe('ENDPOINT_URL_INVALID');
    expect(error.message).not.toContain('Zq93xv');
    expect(error.message).not.toContain('district-key');
    expect(error.message).toContain('user name or password');
  });

  it('rejects empty and unparsable values', () => {
    expect(errorOf(() => normalizeEndpointUrl('   ', '1.1')).code).toBe('ENDPOINT_URL_INVALID');
    expect(errorOf(() => normalizeEndpointUrl('https://exa mple.org', '1.1')).code).toBe(
      'ENDPOINT_URL_INVALID',
    );
  });
});

describe('blockedAddressReason', () => {
  const cases: Array<[string, string | null]> = [
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', null],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00::1', 'private'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['8.8.8.8', null],
    ['2606:4700::1111', null],
    ['::ffff:8.8.8.8', null],
  ];
  for (const [address, reason] of cases) {
    it(`classifies ${address}`, () => {
      expect(blockedAddressReason(address)).toBe(reason);
    });
  }
});

describe('private endpoint refusal', () => {
  let server: TestServer | undefined;
  let client: OneRosterClient | undefined;

  afterEach(async () => {
    await client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  const auth = { kind: 'bearer', token: 't' } as const;

  it('rejects http without the allowance', () => {
    const error = errorOf(() =>
      createOneRosterClient({ endpointUrl: 'http://127.0.0.1', version: '1.1', auth }),
    );
    expect(error.code).toBe('ENDPOINT_NOT_ALLOWED');
  });

  it('rejects a loopback IP literal over https', () => {
    for (const endpointUrl of [
      'https://127.0.0.1/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://169.254.169.254/',
    ]) {
      const error = errorOf(() => createOneRosterClient({ endpointUrl, version: '1.1', auth }));
      expect(error.code, endpointUrl).toBe('ENDPOINT_NOT_ALLOWED');
    }
  });

  it('rejects a name resolving to loopback at connect time', async () => {
    server = await startRosterServer(() => ({ json: { orgs: [] } }));
    const resolved: string[] = [];
    const lookup: LookupFunction = (hostname, _options, callback) => {
      resolved.push(hostname);
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    };
    client = createOneRosterClient({
      endpointUrl: `https://roster.district.test:${server.port}`,
      version: '1.1',
      auth,
      lookup,
    });

    const error = await asyncErrorOf(client.count('orgs', '/orgs'));
    expect(error.code).toBe('ENDPOINT_NOT_ALLOWED');
    expect(error.message).toContain('127.0.0.1');
    expect(resolved).toEqual(['roster.district.test']);
    expect(server.connections).toBe(0);
  });

  it('rejects a name when any resolved address is private', async () => {
    server = await startRosterServer(() => ({ json: { orgs: [] } }));
    const lookup: LookupFunction = (_hostname, _options, callback) =>
      callback(null, [
        { address: '2606:4700::1111', family: 6 },
        { address: '10.0.0.7', family: 4 },
      ]);
    client = createOneRosterClient({
      endpointUrl: `https://rebind.district.test:${server.port}`,
      version: '1.1',
      auth,
      lookup,
    });

    const error = await asyncErrorOf(client.count('orgs', '/orgs'));
    expect(error.code).toBe('ENDPOINT_NOT_ALLOWED');
    expect(server.connections).toBe(0);
  });

  it('reports a certificate failure as TLS', async () => {
    server = await startRosterServer(() => ({ json: { orgs: [] } }), { tls: true });
    client = createOneRosterClient({
      endpointUrl: `https://localhost:${server.port}`,
      version: '1.1',
      auth,
      allowPrivateEndpoints: true,
    });

    const error = await asyncErrorOf(client.count('orgs', '/orgs'));
    expect(error.code).toBe('ONEROSTER_TLS_FAILED');
    expect(server.requests).toHaveLength(0);
  });

  it('reports a DNS failure as unreachable', async () => {
    const lookup: LookupFunction = (hostname, _options, callback) =>
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    client = createOneRosterClient({
      endpointUrl: 'https://no-such-district.test',
      version: '1.1',
      auth,
      lookup,
    });

    const error = await asyncErrorOf(client.count('orgs', '/orgs'));
    expect(error.code).toBe('ONEROSTER_UNREACHABLE');
    expect(error.message).toContain('was not found in DNS');
  });

  it('reports a closed port as unreachable', async () => {
    server = await startRosterServer(() => ({ json: {} }));
    const port = server.port;
    await server.close();
    server = undefined;
    client = createOneRosterClient({
      endpointUrl: `http://127.0.0.1:${port}`,
      version: '1.1',
      auth,
      allowPrivateEndpoints: true,
    });

    const error = await asyncErrorOf(client.count('orgs', '/orgs'));
    expect(error.code).toBe('ONEROSTER_UNREACHABLE');
  });
});
