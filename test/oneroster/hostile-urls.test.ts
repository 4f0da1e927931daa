/**
 * Hostile endpoint URLs: loopback and metadata addresses in their many spellings, other schemes,
 * and credentials that must never reach an error message.
 */
import { describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { createOneRosterClient } from '../../src/oneroster/client.ts';
import type { LookupFunction } from '../../src/oneroster/address-guard.ts';
import { assertEndpointAllowed, normalizeEndpointUrl } from '../../src/oneroster/endpoint.ts';

function rejectionOf(input: string): AppError {
  try {
    const url = normalizeEndpointUrl(input, '1.1');
    assertEndpointAllowed(url, { allowPrivateEndpoints: false });
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`${input} was allowed`);
}

describe('hostile endpoint URLs', () => {
  it.each([
    ['http://[::1]', 'ENDPOINT_NOT_ALLOWED'],
    ['https://[::1]', 'ENDPOINT_NOT_ALLOWED'],
    ['https://0x7f.1', 'ENDPOINT_NOT_ALLOWED'],
    ['https://2130706433', 'ENDPOINT_NOT_ALLOWED'],
    ['https://127.1', 'ENDPOINT_NOT_ALLOWED'],
    ['https://0177.0.0.1', 'ENDPOINT_NOT_ALLOWED'],
    ['https://127.0.0.1.', 'ENDPOINT_NOT_ALLOWED'],
    ['https://[::ffff:127.0.0.1]', 'ENDPOINT_NOT_ALLOWED'],
    ['https://[::ffff:a9fe:a9fe]', 'ENDPOINT_NOT_ALLOWED'],
    ['https://[::ffff:0:127.0.0.1]', 'ENDPOINT_NOT_ALLOWED'],
    ['https://[2002:7f00:1::]', 'ENDPOINT_NOT_ALLOWED'],
    ['https://[2002:a9fe:a9fe::1]', 'ENDPOINT_NOT_ALLOWED'],
    ['https://169.254.169.254/latest', 'ENDPOINT_NOT_ALLOWED'],
    ['https://0', 'ENDPOINT_NOT_ALLOWED'],
    ['javascript:alert(1)', 'ENDPOINT_URL_INVALID'],
    ['javascript://alert(1)', 'ENDPOINT_URL_INVALID'],
    ['file:///etc/passwd', 'ENDPOINT_URL_INVALID'],
  ])('%s is rejected', (input, code) => {
    expect(rejectionOf(input).code).toBe(code);
  });

  it.each(['https://[2002:0808:0808::]', 'https://[::ffff:0:808:808]', 'https://8.8.8.8'])(
    '%s is allowed',
    (input) => {
      expect(() =>
        assertEndpointAllowed(normalizeEndpointUrl(input, '1.1'), { allowPrivateEndpoints: false }),
      ).not.toThrow();
    },
  );

  it.each([
    'https://roster-key:s3cret-pass@district.example/ims/oneroster',
    'ftp://roster-key:s3cret-pass@district.example/',
    'https://roster-key:s3cret-pass@dis trict.example/',
    'https://roster-key:s3cret/pass@district.example/',
    'roster-key:s3cret-pass@[::1',
  ])('credentials in %s stay out of the error', (input) => {
    const error = rejectionOf(input);

    expect(error.code).toBe('ENDPOINT_URL_INVALID');
    expect(error.message).not.toContain('s3cret');
    expect(JSON.stringify(error.details)).not.toContain('s3cret');
    expect(error.cause).toBeUndefined();
  });

  it('name resolving to the metadata address is blocked', async () => {
    const lookup: LookupFunction = (_hostname, _options, callback) =>
      callback(null, [{ address: '169.254.169.254', family: 4 }]);
    const client = createOneRosterClient({
      endpointUrl: 'https://169.254.169.254.nip.io/ims/oneroster',
      version: '1.1',
      auth: { kind: 'bearer', token: 'token-1234' },
      lookup,
      retry: { maxAttempts: 1 },
    });

    const error: unknown = await client.count('orgs', '/orgs').catch((caught: unknown) => caught);
    await client.close();

    expect((error as AppError).code).toBe('ENDPOINT_NOT_ALLOWED');
    expect((error as AppError).message).toContain('169.254.169.254');
  });
});
