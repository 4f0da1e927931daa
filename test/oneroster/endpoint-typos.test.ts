import { describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { normalizeEndpointUrl } from '../../src/oneroster/endpoint.ts';

function errorOf(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('normalizeEndpointUrl typos', () => {
  // Without these checks "htp:/x y" became https://htp/x%20y and was looked up in DNS.
  const typos: Array<[string, string]> = [
    ['htp:/x y', 'it uses htp'],
    ['htps://x.example.org/ims/oneroster/', 'it uses htps'],
    ['https//x.example.org/ims/oneroster/', 'the colon after https is missing'],
    ['https:x.example.org/ims/oneroster/', 'the "//" after https: is missing'],
    ['https://x.example.org/ims/one roster/', 'it contains a space'],
  ];

  for (const [input, reason] of typos) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      const error = errorOf(() => normalizeEndpointUrl(input, '1.1'));
      expect(error.code).toBe('ENDPOINT_URL_INVALID');
      expect(error.message).toContain(JSON.stringify(input));
      expect(error.message).toContain(reason);
    });
  }

  it('still accepts a host with a port and no scheme', () => {
    expect(normalizeEndpointUrl('x.example.org:8443/ims/oneroster/', '1.1')).toBe(
      'https://x.example.org:8443/ims/oneroster/v1p1',
    );
  });

  it('still accepts a bare host', () => {
    expect(normalizeEndpointUrl('x.example.org', '1.1')).toBe('https://x.example.org/ims/oneroster/v1p1');
  });
});
