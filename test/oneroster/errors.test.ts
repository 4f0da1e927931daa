import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { createOneRosterClient } from '../../src/oneroster/client.ts';
import type { OneRosterClient } from '../../src/oneroster/client.ts';
import { parseImsxStatus } from '../../src/oneroster/errors.ts';
import { startRosterServer } from './support/roster-server.ts';
import type { Handler, TestServer } from './support/roster-server.ts';

const minorObject = (value: string) => ({
  imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: value }],
});

describe('parseImsxStatus', () => {
  it('reads bare fields', () => {
    expect(
      parseImsxStatus({
        imsx_codeMajor: 'failure',
        imsx_severity: 'error',
        imsx_description: 'Authentication failed',
        imsx_CodeMinor: minorObject('unauthorisedrequest'),
      }),
    ).toEqual({
      codeMajor: 'failure',
      severity: 'error',
      description: 'Authentication failed',
      codeMinor: ['unauthorisedrequest'],
    });
  });

  it('reads the imsx_statusInfo wrapper', () => {
    const status = parseImsxStatus({
      imsx_statusInfo: { imsx_codeMajor: 'failure', imsx_codeMinor: minorObject('forbidden') },
    });
    expect(status?.codeMajor).toBe('failure');
    expect(status?.codeMinor).toEqual(['forbidden']);
  });

  it('reads the 1.1 statusInfoSet array', () => {
    const status = parseImsxStatus({
      statusInfoSet: [{ imsx_codeMajor: 'failure', imsx_description: 'Unknown object' }],
    });
    expect(status?.description).toBe('Unknown object');
  });

  it('reads a code-minor string', () => {
    expect(
      parseImsxStatus({ imsx_codeMajor: 'failure', imsx_CodeMinor: 'invalid_value' })?.codeMinor,
    ).toEqual(['invalid_value']);
  });

  it('survives malformed bodies', () => {
    expect(parseImsxStatus(null)).toBeNull();
    expect(parseImsxStatus('text')).toBeNull();
    expect(parseImsxStatus({ users: [] })).toBeNull();
    expect(parseImsxStatus({ imsx_statusInfo: 'broken' })).toBeNull();
    expect(parseImsxStatus({ imsx_codeMajor: 42, imsx_CodeMinor: { imsx_codeMinorField: 'x' } })).toEqual({
      codeMajor: null,
      severity: null,
      description: null,
      codeMinor: [],
    });
  });
});

const errorsFolder = resolve(process.cwd(), '../shared/realdata/oneroster-errors');
const errorsPresent = existsSync(errorsFolder);
if (!errorsPresent)
  console.warn(
    `Real OneRoster error shape tests skipped: ${errorsFolder} is absent (a fresh clone has no realdata).`,
  );

describe.skipIf(!errorsPresent)('real error shapes', () => {
  const expected: Record<string, { codeMajor: string | null; codeMinor: string[] }> = {
    '01_v1p2_spec_shape_imsx_CodeMinor_object.json': {
      codeMajor: 'failure',
      codeMinor: ['unauthorisedrequest'],
    },
    '02_catalyst_v1p2_wrapped_in_imsx_statusInfo.json': {
      codeMajor: 'failure',
      codeMinor: ['unauthorisedrequest'],
    },
    '03_catalyst_v1p2_success_with_statusInfo_and_users.json': { codeMajor: 'success', codeMinor: [] },
    '04_catalyst_invalid_codeMajor.json': { codeMajor: 'invalid_value', codeMinor: [] },
    '05_catalyst_invalid_severity.json': { codeMajor: 'success', codeMinor: [] },
    '06_catalyst_codeMinor_is_string.json': { codeMajor: 'failure', codeMinor: ['invalid_value'] },
    '07_v1p1_statusInfoSet_array.json': { codeMajor: 'failure', codeMinor: ['unknownobject'] },
  };
  const files = errorsPresent ? readdirSync(errorsFolder).filter((name) => name.endsWith('.json')) : [];

  it('knows every file', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(expected[file], file).toBeDefined();
  });

  for (const file of files) {
    it(`parses ${file}`, () => {
      const status = parseImsxStatus(JSON.parse(readFileSync(resolve(errorsFolder, file), 'utf8')));
      expect(status?.codeMajor).toBe(expected[file]?.codeMajor);
      expect(status?.codeMinor).toEqual(expected[file]?.codeMinor);
    });
  }
});

describe('HTTP failures as registry errors', () => {
  let server: TestServer | undefined;
  let client: OneRosterClient | undefined;

  afterEach(async () => {
    await client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  async function failureOf(
    handler: Handler,
    call: (client: OneRosterClient) => Promise<unknown>,
  ): Promise<AppError> {
    server = await startRosterServer(handler);
    client = createOneRosterClient({
      endpointUrl: `${server.url}/ims/oneroster`,
      version: '1.1',
      auth: { kind: 'oauth1', key: 'district-key', secret: 'district-secret' },
      allowPrivateEndpoints: true,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    try {
      await call(client);
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
    throw new Error('expected the call to fail');
  }

  const pullAll = async (source: OneRosterClient, collection: 'users' | 'demographics' = 'users') => {
    for await (const _page of source.pull(collection));
  };

  it('maps 401 to rejected credentials with imsx details', async () => {
    const error = await failureOf(
      () => ({
        status: 401,
        json: {
          imsx_codeMajor: 'failure',
          imsx_severity: 'error',
          imsx_description: 'Authentication failed',
          imsx_CodeMinor: minorObject('unauthorisedrequest'),
        },
      }),
      pullAll,
    );
    expect(error.code).toBe('ONEROSTER_AUTH_REJECTED');
    expect(error.message).toContain('rejected the key or secret');
    expect(error.message).toContain('Authentication failed');
    expect(error.details.status).toBe(401);
    expect(error.details.imsx).toMatchObject({ codeMinor: ['unauthorisedrequest'] });
    expect(String(error.details.url)).toContain('/ims/oneroster/v1p1/users?limit=1000');
    expect(JSON.stringify(error.details)).not.toContain('oauth_signature');
    expect(JSON.stringify(error.details)).not.toContain('district-secret');
  });

  it('maps 403 to forbidden', async () => {
    const error = await failureOf(
      () => ({ status: 403, json: { imsx_statusInfo: { imsx_codeMajor: 'failure' } } }),
      pullAll,
    );
    expect(error.code).toBe('ONEROSTER_FORBIDDEN');
  });

  it('maps 404 on a collection to a wrong endpoint', async () => {
    const error = await failureOf(() => ({ status: 404, text: 'Not Found' }), pullAll);
    expect(error.code).toBe('ONEROSTER_ENDPOINT_NOT_FOUND');
    expect(error.message).toMatch(/endpoint URL or the version is wrong/);
  });

  it('maps 404 on one record to not found', async () => {
    const error = await failureOf(
      () => ({
        status: 404,
        json: { statusInfoSet: [{ imsx_codeMajor: 'failure', imsx_description: 'Unknown object' }] },
      }),
      (source) => source.get('users', 'gone'),
    );
    expect(error.code).toBe('ONEROSTER_NOT_FOUND');
    expect(error.details.imsx).toMatchObject({ description: 'Unknown object' });
  });

  it('maps other 4xx to a bad request', async () => {
    const error = await failureOf(
      () => ({ status: 400, json: { imsx_codeMajor: 'failure', imsx_CodeMinor: 'invalid_filter_field' } }),
      pullAll,
    );
    expect(error.code).toBe('ONEROSTER_BAD_REQUEST');
    expect(error.details.imsx).toMatchObject({ codeMinor: ['invalid_filter_field'] });
  });

  it('reports a redirect without following it', async () => {
    const error = await failureOf(
      () => ({ status: 302, headers: { location: 'https://elsewhere.test/' } }),
      pullAll,
    );
    expect(error.code).toBe('ONEROSTER_UNEXPECTED_RESPONSE');
    expect(error.message).toContain('redirected to https://elsewhere.test/');
    expect(server?.requests).toHaveLength(1);
  });

  it('maps a malformed error body without crashing', async () => {
    const error = await failureOf(() => ({ status: 500, text: '{"imsx_statusInfo": ' }), pullAll);
    expect(error.code).toBe('ONEROSTER_SERVER_ERROR');
    expect(error.details.imsx).toBeUndefined();
  });
});
