/**
 * The credentials a roster connection uses, and the headers they add to each request.
 */
import type { HttpClient } from '../http.ts';
import { buildAuthorizationHeader } from './oauth1.ts';
import type { OAuth1SignatureMethod } from './oauth1.ts';
import { OAuth2TokenSource } from './oauth2.ts';

export type AuthOptions =
  /** OAuth 1.0a two-legged, as ClassLink Roster Server uses for 1.1. */
  | { kind: 'oauth1'; key: string; secret: string; signatureMethod?: OAuth1SignatureMethod }
  /** OAuth 2 client credentials. */
  | { kind: 'oauth2'; clientId: string; clientSecret: string; tokenUrl: string; scopes?: string[] }
  /** A fixed bearer token, as ClassLink's OAuth 2 proxy hands out. */
  | { kind: 'bearer'; token: string };

export interface Authenticator {
  /** Returns the headers for one attempt of a request. */
  authorize(method: string, url: string, signal?: AbortSignal): Promise<Record<string, string>>;
  /** Renews credentials after a 401; returns true when a retry may succeed. */
  refreshOnUnauthorized?(signal?: AbortSignal): Promise<boolean>;
}

/** Creates the authenticator of a connection; `now` lets tests move the OAuth 2 token clock. */
export function createAuthenticator(auth: AuthOptions, http: HttpClient, now?: () => number): Authenticator {
  switch (auth.kind) {
    case 'oauth1':
      return {
        authorize: async (method, url) => ({
          authorization: buildAuthorizationHeader({
            method,
            url,
            consumerKey: auth.key,
            consumerSecret: auth.secret,
            signatureMethod: auth.signatureMethod,
          }),
        }),
      };

    case 'oauth2': {
      const tokens = new OAuth2TokenSource({ ...auth, now }, http);
      return {
        authorize: async (_method, _url, signal) => ({
          authorization: `Bearer ${await tokens.token(signal)}`,
        }),
        refreshOnUnauthorized: async () => {
          tokens.invalidate();
          return true;
        },
      };
    }

    case 'bearer':
      return { authorize: async () => ({ authorization: `Bearer ${auth.token}` }) };
  }
}
