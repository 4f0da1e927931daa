import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateDistrict } from '../../src/emulator/generate/district.ts';
import { createCsvFolderSink } from '../../src/emulator/generate/sink.ts';
import type { RunningEmulator } from '../../src/emulator/server.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import { collectionNames } from '../../src/oneroster/types.ts';
import { bearerGet, bearerToken, randomNonce, signedGet } from './client.ts';

let emulator: RunningEmulator;
let bundleDir = '';

beforeAll(async () => {
  bundleDir = await mkdtemp(path.join(tmpdir(), 'rostersync-emulator-'));
  await generateDistrict({ students: 150, seed: 'auth' }, await createCsvFolderSink(bundleDir));
  emulator = await startEmulator({ data: bundleDir });
});

afterAll(async () => {
  await emulator.close();
  await rm(bundleDir, { recursive: true, force: true });
});

async function imsxDescription(response: Response): Promise<string> {
  const body = (await response.json()) as { imsx_codeMajor: string; imsx_description: string };
  expect(body.imsx_codeMajor).toBe('failure');
  return body.imsx_description;
}

describe('emulator OAuth 1.0a', () => {
  it('pages every record exactly once', async () => {
    for (const collection of collectionNames) {
      const seen: string[] = [];
      let url: string | null = `${emulator.url11}/${collection}?limit=37`;
      while (url !== null) {
        const response = await signedGet(emulator, url);
        expect(response.status).toBe(200);
        const body = (await response.json()) as Record<string, Array<{ sourcedId: string }>>;
        seen.push(...(body[collection] ?? []).map((record) => record.sourcedId));
        const next = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '');
        url = next?.[1] ?? null;
      }
      const expected = emulator.store.list(collection).map((record) => record.sourcedId);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });

  it('accepts HMAC-SHA1 signatures', async () => {
    const response = await signedGet(emulator, `${emulator.url11}/orgs`, { hash: 'HMAC-SHA1' });
    expect(response.status).toBe(200);
  });

  it('signs filter values with quotes and spaces', async () => {
    const filter = encodeURIComponent("givenName~'a' AND status='active'");
    const response = await signedGet(emulator, `${emulator.url11}/users?limit=5&filter=${filter}`);
    expect(response.status).toBe(200);
  });

  it('rejects a wrong secret', async () => {
    const response = await signedGet(emulator, `${emulator.url11}/orgs`, { secret: 'not-the-secret' });
    expect(response.status).toBe(401);
    expect(await imsxDescription(response)).toMatch(/signature/);
  });

  it('rejects a stale timestamp', async () => {
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const response = await signedGet(emulator, `${emulator.url11}/orgs`, { timestamp: stale });
    expect(response.status).toBe(401);
    expect(await imsxDescription(response)).toMatch(/oauth_timestamp/);
  });

  it('rejects a reused nonce', async () => {
    const nonce = randomNonce();
    const first = await signedGet(emulator, `${emulator.url11}/orgs`, { nonce });
    expect(first.status).toBe(200);
    const second = await signedGet(emulator, `${emulator.url11}/orgs`, { nonce });
    expect(second.status).toBe(401);
    expect(await imsxDescription(second)).toMatch(/oauth_nonce was already used/);
  });

  it('rejects a missing Authorization header', async () => {
    const response = await fetch(`${emulator.url11}/orgs`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('OAuth');
  });
});

describe('emulator OAuth 2', () => {
  it('issues a token that reads 1.2 paths', async () => {
    const token = await bearerToken(emulator);
    const response = await bearerGet(`${emulator.url12}/orgs`, token);
    expect(response.status).toBe(200);
  });

  it('rejects a wrong client secret', async () => {
    const basic = Buffer.from(`${emulator.key}:wrong`).toString('base64');
    const response = await fetch(emulator.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('rejects other grant types', async () => {
    const response = await fetch(emulator.tokenUrl, { method: 'POST', body: 'grant_type=password' });
    expect(response.status).toBe(400);
  });

  it('rejects unknown and expired tokens', async () => {
    const unknown = await bearerGet(`${emulator.url12}/orgs`, 'made-up');
    expect(unknown.status).toBe(401);

    const token = await bearerToken(emulator);
    const expire = await fetch(`${emulator.adminUrl}/tokens/expire`, { method: 'POST' });
    expect(await expire.json()).toMatchObject({ expired: expect.any(Number) });
    const expired = await bearerGet(`${emulator.url12}/orgs`, token);
    expect(expired.status).toBe(401);
  });
});
