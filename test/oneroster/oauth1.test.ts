import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import OAuth from 'oauth-1.0a';
import { describe, expect, it } from 'vitest';

import { isAppError } from '../../src/core/errors.ts';
import {
  buildAuthorizationHeader,
  computeSignature,
  parseAuthorizationHeader,
  percentEncode,
  signatureBaseString,
  verifyAuthorizationHeader,
} from '../../src/oneroster/auth/oauth1.ts';

interface Vector {
  id: string;
  method: string;
  base_url: string;
  request_url?: string;
  params: [string, string][];
  consumer_secret: string;
  token_secret: string;
  base_string?: string;
  expected_signature: string;
  expected_authorization_header?: string;
}

const vectorsPath = resolve(process.cwd(), '../shared/realdata/oauth1/vectors.json');
const vectorsPresent = existsSync(vectorsPath);
if (!vectorsPresent)
  console.warn(`OAuth 1.0a vector tests skipped: ${vectorsPath} is absent (a fresh clone has no realdata).`);

describe('percentEncode', () => {
  it('keeps unreserved characters', () => {
    expect(percentEncode('AZaz09-._~')).toBe('AZaz09-._~');
  });

  it('encodes reserved and sub-delimiter characters', () => {
    expect(percentEncode("'!()* +=&/")).toBe('%27%21%28%29%2A%20%2B%3D%26%2F');
  });

  it('encodes UTF-8 bytes in upper-case hex', () => {
    expect(percentEncode('é☃')).toBe('%C3%A9%E2%98%83');
  });

  it('rejects a lone surrogate', () => {
    expect(() => percentEncode('\ud800')).toThrow(/not valid Unicode/);
  });
});

describe.skipIf(!vectorsPresent)('OAuth 1.0a vectors', () => {
  const vectors: Vector[] = vectorsPresent
    ? (JSON.parse(readFileSync(vectorsPath, 'utf8')) as { vectors: Vector[] }).vectors
    : [];

  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThan(0);
  });

  for (const vector of vectors) {
    it(`matches ${vector.id}`, () => {
      const baseString = signatureBaseString(vector.method, vector.base_url, vector.params);
      if (vector.base_string !== undefined) expect(baseString).toBe(vector.base_string);

      const signature = computeSignature(
        baseString,
        vector.consumer_secret,
        vector.token_secret,
        'HMAC-SHA256',
      );
      expect(signature).toBe(vector.expected_signature);
    });

    if (vector.request_url !== undefined && vector.expected_authorization_header !== undefined) {
      it(`builds the header of ${vector.id}`, () => {
        const params = new Map(vector.params);
        const header = buildAuthorizationHeader({
          method: vector.method,
          url: vector.request_url!,
          consumerKey: params.get('oauth_consumer_key')!,
          consumerSecret: vector.consumer_secret,
          nonce: params.get('oauth_nonce')!,
          timestamp: Number(params.get('oauth_timestamp')),
          includeVersion: params.has('oauth_version'),
        });
        expect(header).toBe(vector.expected_authorization_header);
      });
    }
  }
});

describe('buildAuthorizationHeader', () => {
  const base = {
    method: 'GET',
    consumerKey: 'district-key',
    consumerSecret: 'district secret+/=',
    nonce: 'abc123',
    timestamp: 1_700_000_000,
  };

  it('defaults to HMAC-SHA256 without oauth_version', () => {
    const header = parseAuthorizationHeader(buildAuthorizationHeader({ ...base, url: 'https://x.test/a' }));
    expect(header.get('oauth_signature_method')).toBe('HMAC-SHA256');
    expect(header.has('oauth_version')).toBe(false);
    expect(header.get('oauth_consumer_key')).toBe('district-key');
  });

  it('signs with HMAC-SHA1 when chosen', () => {
    const url = 'https://x.test/a?limit=5';
    const header = buildAuthorizationHeader({ ...base, url, signatureMethod: 'HMAC-SHA1' });
    const params = parseAuthorizationHeader(header);
    expect(params.get('oauth_signature_method')).toBe('HMAC-SHA1');
    expect(Buffer.from(params.get('oauth_signature')!, 'base64')).toHaveLength(20);
    expect(
      verifyAuthorizationHeader({
        method: 'GET',
        url,
        authorization: header,
        consumerSecret: base.consumerSecret,
      }),
    ).toBe(true);
  });

  it('signs every query parameter', () => {
    const signed = buildAuthorizationHeader({ ...base, url: 'https://x.test/users?limit=10&offset=0' });
    const other = buildAuthorizationHeader({ ...base, url: 'https://x.test/users?limit=10&offset=10' });
    expect(parseAuthorizationHeader(signed).get('oauth_signature')).not.toBe(
      parseAuthorizationHeader(other).get('oauth_signature'),
    );
    expect(
      verifyAuthorizationHeader({
        method: 'GET',
        url: 'https://x.test/users?limit=10&offset=10',
        authorization: signed,
        consumerSecret: base.consumerSecret,
      }),
    ).toBe(false);
  });

  it('ignores case of scheme and host and the default port', () => {
    const a = buildAuthorizationHeader({ ...base, url: 'HTTPS://X.Test:443/users?limit=1' });
    const b = buildAuthorizationHeader({ ...base, url: 'https://x.test/users?limit=1' });
    expect(a).toBe(b);
  });

  it('uses a fresh nonce each time', () => {
    const { nonce: _nonce, ...withoutNonce } = base;
    const first = parseAuthorizationHeader(
      buildAuthorizationHeader({ ...withoutNonce, url: 'https://x.test/' }),
    );
    const second = parseAuthorizationHeader(
      buildAuthorizationHeader({ ...withoutNonce, url: 'https://x.test/' }),
    );
    expect(first.get('oauth_nonce')).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(first.get('oauth_nonce')).not.toBe(second.get('oauth_nonce'));
  });
});

describe('agreement with the oauth-1.0a package', () => {
  const filters = [
    "givenName='O''Brien'",
    "familyName='Mary Ann' AND role='student'",
    "identifier='a=b+c'",
    "dateLastModified>'2025-01-01T00:00:00.000Z' OR status='tobedeleted'",
    "email~'+tag@district.org'",
    'title=\'"quoted" (draft) * !\'',
  ];

  for (const method of ['HMAC-SHA256', 'HMAC-SHA1'] as const) {
    for (const filter of filters) {
      it(`agrees on ${method} with filter ${filter}`, () => {
        // Lower-case host: oauth-1.0a (2.2.6) signs the URL as given and skips host normalization.
        const url = `https://district.example.com/ims/oneroster/v1p1/users?limit=100&offset=200&filter=${percentEncode(filter)}&sort=familyName`;
        const consumer = { key: 'key with space', secret: 'sec+ret/=' };
        const reference = new OAuth({
          consumer,
          signature_method: method,
          hash_function: (text, key) =>
            createHmac(method === 'HMAC-SHA256' ? 'sha256' : 'sha1', key)
              .update(text)
              .digest('base64'),
        });
        const referenceData = reference.authorize({ url, method: 'GET' });

        const ours = buildAuthorizationHeader({
          method: 'GET',
          url,
          consumerKey: consumer.key,
          consumerSecret: consumer.secret,
          signatureMethod: method,
          nonce: referenceData.oauth_nonce,
          timestamp: referenceData.oauth_timestamp,
          includeVersion: true,
        });
        expect(parseAuthorizationHeader(ours).get('oauth_signature')).toBe(referenceData.oauth_signature);
        expect(ours).toBe(reference.toHeader(referenceData).Authorization);
      });
    }
  }
});

describe('parseAuthorizationHeader', () => {
  it('decodes quoted and bare values', () => {
    const params = parseAuthorizationHeader(
      'OAuth realm="Example",oauth_consumer_key=a%20b ,  oauth_signature="x%2By%3D"',
    );
    expect(params.get('realm')).toBe('Example');
    expect(params.get('oauth_consumer_key')).toBe('a b');
    expect(params.get('oauth_signature')).toBe('x+y=');
  });

  const garbage = [
    '',
    'Bearer abc',
    'OAuth',
    'OAuth oauth_nonce',
    'OAuth oauth_nonce="a" oauth_timestamp="1"',
    'OAuth oauth_nonce="a",',
    'OAuth oauth_nonce="%E0%A4%A"',
    'OAuth oauth_nonce="a", oauth_nonce="b"',
    'OAuth oauth_nonce="unterminated',
  ];
  for (const header of garbage) {
    it(`rejects ${JSON.stringify(header)}`, () => {
      let caught: unknown;
      try {
        parseAuthorizationHeader(header);
      } catch (error) {
        caught = error;
      }
      expect(isAppError(caught)).toBe(true);
      expect((caught as { code?: string }).code).toBe('INVALID_INPUT');
    });
  }
});
