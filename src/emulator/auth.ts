import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { Clock } from '../core/clock.ts';
import { isAppError } from '../core/errors.ts';
import { parseAuthorizationHeader, verifyAuthorizationHeader } from '../oneroster/auth/oauth1.ts';

export interface AuthOptions {
  key: string;
  secret: string;
  clock: Clock;
  /** Largest allowed distance between `oauth_timestamp` and the clock, in seconds. Default 300. */
  timestampWindowSeconds?: number;
  /** Lifetime of OAuth 2 access tokens, in seconds. Default 3600. */
  tokenTtlSeconds?: number;
}

/** The outcome of checking a request's credentials: null when accepted, else why not. */
export type AuthFailure = string | null;

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * Checks OneRoster requests as a provider does: OAuth 1.0a signatures (HMAC-SHA256 or
 * HMAC-SHA1, a timestamp within the window, each nonce used once) or OAuth 2 bearer tokens
 * issued by `issueToken`. Messages name what failed, never the secret or the token.
 */
export class EmulatorAuth {
  private readonly nonces = new Map<string, number>();
  private readonly tokens = new Map<string, number>();
  private lastPrune = 0;
  private readonly windowMs: number;
  private readonly tokenTtlSeconds: number;

  constructor(private readonly options: AuthOptions) {
    this.windowMs = (options.timestampWindowSeconds ?? 300) * 1000;
    this.tokenTtlSeconds = options.tokenTtlSeconds ?? 3600;
  }

  /** Checks the `Authorization` header of a request whose full URL is `url`. */
  check(request: IncomingMessage, url: string): AuthFailure {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') return 'The request has no Authorization header.';
    if (/^bearer\s/i.test(header)) return this.checkBearer(header.replace(/^bearer\s+/i, '').trim());
    if (/^oauth\s/i.test(header)) return this.checkOAuth1(request.method ?? 'GET', url, header);
    return 'The Authorization header is neither OAuth nor Bearer.';
  }

  /**
   * Issues a client-credentials token for an `Authorization: Basic` header, or for
   * `client_id`/`client_secret` form fields. Returns null when the credentials are wrong.
   */
  issueToken(basicHeader: string | undefined, form: URLSearchParams): IssuedToken | null {
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    if (basicHeader !== undefined && /^basic\s/i.test(basicHeader)) {
      const decoded = Buffer.from(basicHeader.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return null;
      // RFC 6749 section 2.3.1 form-encodes both parts before joining them.
      clientId = formDecode(decoded.slice(0, colon));
      clientSecret = formDecode(decoded.slice(colon + 1));
    }
    if (
      clientId !== this.options.key ||
      clientSecret === null ||
      !sameText(clientSecret, this.options.secret)
    )
      return null;

    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, this.now() + this.tokenTtlSeconds * 1000);
    const scope = form.get('scope') ?? 'https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly';
    return { access_token: token, token_type: 'Bearer', expires_in: this.tokenTtlSeconds, scope };
  }

  /** Makes every issued token expire now, so that tests can exercise a client's refresh. */
  expireTokens(): number {
    const count = this.tokens.size;
    this.tokens.clear();
    return count;
  }

  private checkBearer(token: string): AuthFailure {
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return 'The bearer token is unknown.';
    if (expiresAt <= this.now()) {
      this.tokens.delete(token);
      return 'The bearer token has expired.';
    }
    return null;
  }

  private checkOAuth1(method: string, url: string, header: string): AuthFailure {
    let params: Map<string, string>;
    try {
      params = parseAuthorizationHeader(header);
    } catch (error) {
      if (isAppError(error)) return error.message;
      throw error;
    }

    if (params.get('oauth_consumer_key') !== this.options.key) return 'The oauth_consumer_key is unknown.';
    const signatureMethod = params.get('oauth_signature_method');
    if (signatureMethod !== 'HMAC-SHA256' && signatureMethod !== 'HMAC-SHA1') {
      return `The oauth_signature_method ${JSON.stringify(signatureMethod ?? '')} is not supported; use HMAC-SHA256 or HMAC-SHA1.`;
    }

    const timestamp = Number(params.get('oauth_timestamp'));
    if (!Number.isInteger(timestamp)) return 'The oauth_timestamp is missing or not a whole number.';
    const skewMs = Math.abs(this.now() - timestamp * 1000);
    if (skewMs > this.windowMs)
      return `The oauth_timestamp is ${Math.round(skewMs / 1000)} s away from the server clock.`;

    const nonce = params.get('oauth_nonce');
    if (nonce === undefined || nonce === '') return 'The oauth_nonce is missing.';
    if (this.nonces.has(nonce)) return 'The oauth_nonce was already used.';

    const valid = verifyAuthorizationHeader({
      method,
      url,
      authorization: header,
      consumerSecret: this.options.secret,
    });
    if (!valid) return 'The oauth_signature does not match the request.';

    this.rememberNonce(nonce, timestamp * 1000);
    return null;
  }

  /** Keeps a nonce until its timestamp leaves the window; older requests are rejected anyway. */
  private rememberNonce(nonce: string, timestampMs: number): void {
    const now = this.now();
    this.nonces.set(nonce, timestampMs + this.windowMs);
    if (now - this.lastPrune < 10_000) return;
    this.lastPrune = now;
    for (const [key, expiresAt] of this.nonces) if (expiresAt < now) this.nonces.delete(key);
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }
}

function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
