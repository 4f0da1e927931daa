/**
 * The OneRoster REST client: a `RosterSource` over a provider's API, with single-record reads and
 * counts for the connection test.
 */
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { trackResource, untrackResource } from '../core/resources.ts';
import type { LookupFunction } from './address-guard.ts';
import { createAuthenticator } from './auth/index.ts';
import type { AuthOptions, Authenticator } from './auth/index.ts';
import { assertEndpointAllowed, normalizeEndpointUrl } from './endpoint.ts';
import { listEnvelopeKeys, readEnvelope, singleEnvelopeKeys } from './envelope.ts';
import { errorForResponse } from './errors.ts';
import { HttpClient } from './http.ts';
import type { HttpResponse, RetryEvent } from './http.ts';
import { normalizeRecord } from './parse/index.ts';
import { RestCollectionPull } from './pull.ts';
import { buildQueryString, modifiedSinceFilter } from './query.ts';
import type { Filter } from './query.ts';
import type { RetryOptions } from './retry.ts';
import type { CollectionPull, PullOptions, RosterSource } from './source.ts';
import type { CollectionName, OneRosterVersion, RecordOf } from './types.ts';

export type { AuthOptions } from './auth/index.ts';

export const defaultPageSize = 1000;
/** ClassLink Roster Server accepts pages of up to 10,000 records. */
export const maxPageSize = 10_000;

export interface OneRosterClientOptions {
  /** The endpoint URL as the admin pasted it; see `normalizeEndpointUrl`. */
  endpointUrl: string;
  version: OneRosterVersion;
  auth: AuthOptions;
  /** Records per page, 1 to 10,000. Default 1,000. */
  pageSize?: number;
  /** Allow http and private, loopback and link-local hosts. Default false. */
  allowPrivateEndpoints?: boolean;
  /** Time allowed for one request, in milliseconds. Default 60,000. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Requests in flight at once per host. Default 4. */
  maxConcurrentPerHost?: number;
  logger?: Logger;
  onRetry?: (event: RetryEvent) => void;
  /** Replaces DNS resolution; the address check still applies. For tests. */
  lookup?: LookupFunction;
  /** Clock for OAuth 2 token expiry, in milliseconds since the epoch. For tests. */
  now?: () => number;
}

export interface CollectionPathOptions extends PullOptions {
  /** A filter of the caller's own; combined with `modifiedSince` it may exceed the 1.1 limit of two conditions. */
  filter?: Filter;
}

export interface OneRosterClient extends RosterSource {
  readonly kind: 'rest';
  /** The versioned base URL, e.g. `https://host/ims/oneroster/v1p1`. */
  readonly baseUrl: string;
  readonly version: OneRosterVersion;
  /** Streams a collection from another path, e.g. `users` from `/students` or `classes` from `/schools/{id}/classes`. */
  pullPath<C extends CollectionName>(
    collection: C,
    path: string,
    options?: CollectionPathOptions,
  ): CollectionPull<C>;
  /**
   * Reads one record by `sourcedId`. Throws `ONEROSTER_NOT_FOUND` when the server has none. Throws
   * `INVALID_INPUT` for an empty id, `.` or `..`, because a path cannot carry them.
   */
  get<C extends CollectionName>(
    collection: C,
    sourcedId: string,
    options?: { signal?: AbortSignal },
  ): Promise<RecordOf[C]>;
  /**
   * Counts the records at a collection path: one request with `limit=1` when the server sends
   * `X-Total-Count`, otherwise by paging through. Throws like `pull`.
   */
  count(collection: CollectionName, path: string, options?: { signal?: AbortSignal }): Promise<number>;
  /** Sends an authorized GET to a path under the base URL and returns the response whatever its status. */
  fetch(pathAndQuery: string, options?: { signal?: AbortSignal }): Promise<HttpResponse>;
}

/**
 * Creates a client. Throws `ENDPOINT_URL_INVALID` for an unusable endpoint URL and
 * `ENDPOINT_NOT_ALLOWED` for a plain-http or blocked-address one (unless private endpoints are
 * allowed), and `INVALID_INPUT` for a page size outside 1 to 10,000. Nothing is sent until a
 * method is called. Call `close()` when done.
 */
export function createOneRosterClient(options: OneRosterClientOptions): OneRosterClient {
  const baseUrl = normalizeEndpointUrl(options.endpointUrl, options.version);
  const allowPrivateEndpoints = options.allowPrivateEndpoints === true;
  assertEndpointAllowed(baseUrl, { allowPrivateEndpoints });

  const pageSize = options.pageSize ?? defaultPageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    throw new AppError(
      'INVALID_INPUT',
      `The page size ${pageSize} is not a whole number from 1 to ${maxPageSize}.`,
    );
  }

  const http = new HttpClient({
    allowPrivateEndpoints,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    maxConcurrentPerHost: options.maxConcurrentPerHost,
    logger: options.logger,
    onRetry: options.onRetry,
    lookup: options.lookup,
  });
  const authenticator = createAuthenticator(options.auth, http, options.now);
  const fetcher = { get: (url: string, signal?: AbortSignal) => sendGet(http, authenticator, url, signal) };

  const pullPath = <C extends CollectionName>(
    collection: C,
    path: string,
    pullOptions: CollectionPathOptions = {},
  ) => {
    return new RestCollectionPull(
      {
        collection,
        url: `${baseUrl}${path}`,
        version: options.version,
        pageSize,
        filter: filterFor(pullOptions),
        signal: pullOptions.signal,
      },
      fetcher,
    );
  };

  const client: OneRosterClient = {
    kind: 'rest',
    description: baseUrl,
    baseUrl,
    version: options.version,

    pull: (collection, pullOptions) => pullPath(collection, `/${collection}`, pullOptions),
    pullPath,

    async get(collection, sourcedId, { signal } = {}) {
      // URL parsing resolves a `.` or `..` segment even when percent-encoded, so such an id
      // would request another path.
      if (sourcedId === '.' || sourcedId === '..' || sourcedId === '') {
        throw new AppError(
          'INVALID_INPUT',
          `The sourcedId ${JSON.stringify(sourcedId)} cannot be requested by path.`,
        );
      }
      const response = await fetcher.get(`${baseUrl}/${collection}/${encodeURIComponent(sourcedId)}`, signal);
      if (response.status !== 200) throw errorForResponse({ ...response, target: 'record' });

      const raw = readEnvelope(response.body, singleEnvelopeKeys[collection], response.url);
      const { record, issues } = normalizeRecord(collection, raw, options.version);
      if (record === null) {
        throw new AppError(
          'ONEROSTER_UNEXPECTED_RESPONSE',
          `The record from ${response.url} is invalid: ${issues[0]?.message ?? 'unknown reason'}`,
          {
            details: { url: response.url },
          },
        );
      }
      return record;
    },

    async count(collection, path, { signal } = {}) {
      const response = await fetcher.get(
        `${baseUrl}${path}?${buildQueryString({ limit: 1, offset: 0 })}`,
        signal,
      );
      if (response.status !== 200) throw errorForResponse({ ...response, target: 'collection' });
      readEnvelope(
        response.body,
        [path.split('/').pop() ?? collection, ...listEnvelopeKeys[collection]],
        response.url,
      );

      const header = response.headers['x-total-count'];
      const total = typeof header === 'string' && /^\s*\d+\s*$/.test(header) ? Number(header) : null;
      if (total !== null) return total;

      let counted = 0;
      for await (const page of pullPath(collection, path, { signal })) counted += page.records.length;
      return counted;
    },

    fetch: (pathAndQuery, { signal } = {}) => fetcher.get(`${baseUrl}${pathAndQuery}`, signal),

    async close() {
      http.close();
      untrackResource(client);
    },
  };
  trackResource(client, `OneRoster client for ${baseUrl}`);
  return client;
}

function filterFor(options: CollectionPathOptions): Filter | undefined {
  const since = options.modifiedSince;
  if (since === undefined) return options.filter;
  if (options.filter === undefined) return modifiedSinceFilter(since);
  return options.filter.and('dateLastModified', '>', since.toISOString());
}

function sendGet(
  http: HttpClient,
  authenticator: Authenticator,
  url: string,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  return http.send({
    method: 'GET',
    url,
    signal,
    authorize: (method, requestUrl, requestSignal) =>
      authenticator.authorize(method, requestUrl, requestSignal),
    refreshOnUnauthorized: authenticator.refreshOnUnauthorized?.bind(authenticator),
  });
}
