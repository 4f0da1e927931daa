import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { formatConnectionTest } from '../../src/cli/commands/org-connect-test.ts';
import { testConnection } from '../../src/oneroster/connection-test.ts';
import type { OneRosterClientOptions } from '../../src/oneroster/client.ts';
import { runCli } from '../support/cli.ts';
import { makeUsers, pageOf, startRosterServer } from './support/roster-server.ts';
import type { Handler, RecordedRequest, TestServer } from './support/roster-server.ts';

const schools = [
  { sourcedId: 's1', name: 'North Elementary', type: 'school' },
  { sourcedId: 's2', name: 'South Preschool', type: 'school' },
];

/** A district: counts via X-Total-Count except for enrollments, which must be paged. */
function district(options: { demographics?: 'rows' | 'none' | 403 } = {}): Handler {
  return (request: RecordedRequest) => {
    const path = request.url.pathname.replace(/^\/ims\/oneroster\/v1p1/, '');
    switch (path) {
      case '/schools':
        return pageOf('orgs', schools, request);
      case '/classes':
        return pageOf('classes', [], request, { totalCount: 12 });
      case '/students':
        return pageOf('users', makeUsers(3), request, { totalCount: 240 });
      case '/teachers':
        return pageOf('users', makeUsers(3), request, { totalCount: 15 });
      case '/enrollments':
        return pageOf(
          'enrollments',
          [{ sourcedId: 'e1', user: 'u1', class: 'c1', role: 'student' }],
          request,
          {
            totalCount: null,
          },
        );
      case '/demographics':
        if (options.demographics === 403) return { status: 403, json: { imsx_codeMajor: 'failure' } };
        return {
          json: {
            demographics:
              options.demographics === 'none' ? [] : [{ sourcedId: 'u1', birthDate: '2020-01-02' }],
          },
        };
      default:
        return { status: 404, text: 'Not Found' };
    }
  };
}

let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function optionsFor(target: TestServer, auth?: OneRosterClientOptions['auth']): OneRosterClientOptions {
  return {
    endpointUrl: `${target.url}/ims/oneroster/`,
    version: '1.1',
    auth: auth ?? { kind: 'oauth1', key: 'k', secret: 's' },
    allowPrivateEndpoints: true,
    retry: { baseDelayMs: 1, maxAttempts: 2 },
  };
}

describe('testConnection', () => {
  it('lists schools, counts and demographics', async () => {
    server = await startRosterServer(district());
    const result = await testConnection(optionsFor(server));
    expect(result).toEqual({
      ok: true,
      schools: [
        { sourcedId: 's1', name: 'North Elementary' },
        { sourcedId: 's2', name: 'South Preschool' },
      ],
      counts: { classes: 12, students: 240, teachers: 15, enrollments: 1 },
      demographics: 'readable',
      error: null,
    });
  });

  it('reports forbidden and empty demographics', async () => {
    server = await startRosterServer(district({ demographics: 403 }));
    expect((await testConnection(optionsFor(server))).demographics).toBe('forbidden');
    await server.close();

    server = await startRosterServer(district({ demographics: 'none' }));
    const result = await testConnection(optionsFor(server));
    expect(result.ok).toBe(true);
    expect(result.demographics).toBe('empty');
  });

  it('reports rejected credentials', async () => {
    server = await startRosterServer(() => ({
      status: 401,
      json: { imsx_codeMajor: 'failure', imsx_description: 'bad key' },
    }));
    const result = await testConnection(optionsFor(server));
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('ONEROSTER_AUTH_REJECTED');
    expect(result.error?.hint).toMatch(/key and secret/);
    expect(result.schools).toEqual([]);
  });

  it('reports an invalid endpoint URL', async () => {
    const result = await testConnection({
      endpointUrl: 'ftp://x',
      version: '1.1',
      auth: { kind: 'bearer', token: 't' },
    });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('ENDPOINT_URL_INVALID');
  });
});

describe('org connect --test', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'rostersync-connect-'));
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => ({ ROSTERSYNC_DATA_DIR: dataDir, ROSTERSYNC_ALLOW_PRIVATE_ENDPOINTS: 'true' });

  it('prints the JSON result and saves', async () => {
    server = await startRosterServer(district());
    const created = await runCli(
      ['org', 'create', '--name', 'Test District', '--slug', 'test-district'],
      env(),
    );
    expect(created.status, created.stderr).toBe(0);

    const args = [
      'org',
      'connect',
      '--org',
      'test-district',
      '--url',
      `${server.url}/ims/oneroster/`,
      '--key',
      'k',
      '--secret',
      's',
    ];
    const connected = await runCli([...args, '--test', '--json'], env());
    expect(connected.status, connected.stderr).toBe(0);
    const output = JSON.parse(connected.stdout) as { ok: boolean; counts: { students: number } };
    expect(output.ok).toBe(true);
    expect(output.counts.students).toBe(240);
    expect(connected.stderr).toContain('Saved the roster connection');
  });

  it('exits non-zero and saves nothing on failure', async () => {
    server = await startRosterServer(() => ({ status: 401, json: {} }));
    const args = [
      'org',
      'connect',
      '--org',
      'test-district',
      '--url',
      `${server.url}/ims/oneroster/`,
      '--key',
      'k',
      '--secret',
      'wrong',
    ];

    const asJson = await runCli([...args, '--test', '--json'], env());
    expect(asJson.status).toBe(1);
    expect((JSON.parse(asJson.stdout) as { error: { code: string } }).error.code).toBe(
      'ONEROSTER_AUTH_REJECTED',
    );
    expect(asJson.stderr).toContain('Nothing was saved');
  });

  it('formats a readable summary', async () => {
    server = await startRosterServer(district({ demographics: 403 }));
    const passed = formatConnectionTest(await testConnection(optionsFor(server)));
    expect(passed).toContain('Connection test passed: 2 schools shared.');
    expect(passed).toContain('North Elementary (s1)');
    expect(passed).toContain('students: 240');
    expect(passed).toContain('demographics are NOT shared');

    const failed = formatConnectionTest(
      await testConnection({ endpointUrl: 'ftp://x', version: '1.1', auth: { kind: 'bearer', token: 't' } }),
    );
    expect(failed).toContain('Connection test failed [ENDPOINT_URL_INVALID]');
  });
});
