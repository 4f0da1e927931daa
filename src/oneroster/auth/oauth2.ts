/**
 * OAuth 2 client credentials (RFC 6749 section 4.4), as OneRoster 1.2 and some 1.1 providers use
 * it: the client id and secret go by HTTP Basic to the token URL, and the access token is cached
 * until shortly before it expires.
 */
import { z } from 'zod';

import { AppError } from '../../core/errors.ts';
import { errorForResponse, tryParseJson } from '../errors.ts';
import type { HttpClient } from '../http.ts';

export interface OAuth2Options {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
  /** Scopes to request, e.g. `https://purl.imsglobal.org/spec/or/v1p1/scope/roster-core.readonly`. */
  scopes?: string[];
  /** Milliseconds since the epoch; tests replace it to move time. Default `Date.now`. */
  now?: () => number;
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  // A missing, null, zero or unreadable expires_in is read as absent, not as a response without
  // a token: the default lifetime applies, and a 401 fetches a new token sooner.
  expires_in: z.coerce.number().positive().optional().catch(undefined),
});

// NOTE: a token response without expires_in is assumed to last an hour; a 401 refreshes it sooner.
const defaultLifetimeMs = 3_600_000;
const refreshMarginMs = 60_000;

interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * Fetches and caches access tokens. Concurrent callers share one token request. A token is
 * renewed 60 seconds before it expires, or at 90% of its lifetime when that is shorter.
 */
export class OAuth2TokenSource {
  readonly #options: OAuth2Options;
  readonly #http: HttpClient;
  readonly #now: () => number;
  #cached: CachedToken | null = null;
  #pending: Promise<CachedToken> | null = null;

  constructor(options: OAuth2Options, http: HttpClient) {
    this.#options = options;
    this.#http = http;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Returns a valid access token, fetching one when none is cached or the cached one is about to
   * expire. Throws `ONEROSTER_AUTH_REJECTED` when the token server rejects the client, and
   * `ONEROSTER_UNEXPECTED_RESPONSE` when its response has no access token.
   */
  async token(signal?: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached !== null && this.#now() < cached.expiresAt) return cached.value;

    // The shared request takes no caller's signal: one caller aborting must not fail the others.
    // Each caller stops waiting on its own signal; the request is bounded by the client's timeout.
    if (this.#pending === null) {
      const pending = this.#fetchToken()
        .then((token) => {
          this.#cached = token;
          return token;
        })
        .finally(() => {
          this.#pending = null;
        });
      // Every caller may have aborted by the time it settles; its rejection is theirs to handle.
      pending.catch(() => undefined);
      this.#pending = pending;
    }
    return (await untilAborted(this.#pending, signal)).value;
  }

  /** Drops the cached token, so that the next call fetches a new one. */
  invalidate(): void {
    this.#cached = null;
  }

  async #fetchToken(): Promise<CachedToken> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    const scopes = this.#options.scopes ?? [];
    if (scopes.length > 0) body.set('scope', scopes.join(' '));

    const requestedAt = this.#now();
    const response = await this.#http.send({
      method: 'POST',
      url: this.#options.tokenUrl,
      headers: {
        authorization: basicCredentials(this.#options.clientId, this.#options.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: body.toString(),
    });
    if (response.status !== 200) {
      throw errorForResponse({ ...response, target: 'token' });
    }

    const parsed = tokenResponseSchema.safeParse(tryParseJson(response.body));
    if (!parsed.success) {
      throw new AppError(
        'ONEROSTER_UNEXPECTED_RESPONSE',
        `The token server at ${response.url} sent no access_token.`,
        {
          details: { url: response.url, status: response.status },
        },
      );
    }

    const lifetimeMs = (parsed.data.expires_in ?? defaultLifetimeMs / 1000) * 1000;
    const marginMs = Math.min(refreshMarginMs, lifetimeMs / 10);
    return { value: parsed.data.access_token, expiresAt: requestedAt + lifetimeMs - marginMs };
  }
}

/** Waits for `promise`, or rejects with the signal's reason as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);

  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

/** Builds an HTTP Basic header; id and secret are form-encoded first, as RFC 6749 section 2.3.1 requires. */
function basicCredentials(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
