import { createHmac, randomBytes } from 'node:crypto';

import OAuth from 'oauth-1.0a';

import type { RunningEmulator } from '../../src/emulator/server.ts';

export interface SignOptions {
  secret?: string;
  hash?: 'HMAC-SHA256' | 'HMAC-SHA1';
  timestamp?: number;
  nonce?: string;
}

/**
 * Builds an `Authorization` header with the `oauth-1.0a` npm package, a signer we did not write,
 * so the emulator's verification is checked against an outside implementation.
 */
export function signWithOAuthPackage(
  emulator: RunningEmulator,
  url: string,
  options: SignOptions = {},
): string {
  const hash = options.hash ?? 'HMAC-SHA256';
  const oauth = new OAuth({
    consumer: { key: emulator.key, secret: options.secret ?? emulator.secret },
    signature_method: hash,
    hash_function: (base, key) =>
      createHmac(hash === 'HMAC-SHA256' ? 'sha256' : 'sha1', key)
        .update(base)
        .digest('base64'),
  });
  if (options.timestamp !== undefined) oauth.getTimeStamp = () => options.timestamp ?? 0;
  if (options.nonce !== undefined) oauth.getNonce = () => options.nonce ?? '';
  const data = oauth.authorize({ url, method: 'GET' });
  return oauth.toHeader(data).Authorization;
}

/** GETs a URL signed by the `oauth-1.0a` package. */
export function signedGet(
  emulator: RunningEmulator,
  url: string,
  options: SignOptions = {},
): Promise<Response> {
  return fetch(url, { headers: { authorization: signWithOAuthPackage(emulator, url, options) } });
}

/** Gets an OAuth 2 bearer token from the emulator. */
export async function bearerToken(emulator: RunningEmulator): Promise<string> {
  const basic = Buffer.from(`${emulator.key}:${emulator.secret}`).toString('base64');
  const response = await fetch(emulator.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

/** GETs a URL with a bearer token. */
export function bearerGet(url: string, token: string): Promise<Response> {
  return fetch(url, { headers: { authorization: `Bearer ${token}` } });
}

export function randomNonce(): string {
  return randomBytes(12).toString('hex');
}
