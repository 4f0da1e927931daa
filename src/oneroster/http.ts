/**
 * The HTTP transport of the roster client, on `node:http` and `node:https`: per-request timeout,
 * `AbortSignal`, retries for 429, 5xx, resets and timeouts only, a per-host concurrency limit, and
 * the address check on every connection. Redirects are returned, never followed, so a server
 * cannot send the client (and its credentials) to another host.
 */
import { isAscii } from 'node:buffer';
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { createGuardedLookup } from './address-guard.ts';
import type { LookupFunction } from './address-guard.ts';
import { assertEndpointAllowed, redactCredentials } from './endpoint.ts';
import { errorForNetwork, isConnectionReset, timeoutError } from './errors.ts';
import { HostLimiter } from './limiter.ts';
import { credentialsInHeader, redactSecrets } from './redact.ts';
import { backoffDelay, parseRetryAfter, resolveRetryOptions, sleep } from './retry.ts';
import type { ResolvedRetryOptions, RetryOptions } from './retry.ts';

export interface HttpClientOptions {
  /** Allow http and private, loopback and link-local hosts. Default false. */
  allowPrivateEndpoints?: boolean;
  /** Time allowed for one request, response body included, in milliseconds. Default 60,000. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Requests in flight at once per host. Default 4. */
  maxConcurrentPerHost?: number;
  /** Largest response body accepted, in bytes after decompression. Default 512 MiB. */
  maxResponseBytes?: number;
  /** Replaces DNS resolution (tests map names to loopback); the address check still applies. */
  lookup?: LookupFunction;
  logger?: Logger;
  /** Called before each wait for a retry. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  url: string;
  /** The attempt that failed, 1-based. */
  attempt: number;
  delayMs: number;
  /** `HTTP 429`, `HTTP 503`, `ECONNRESET`, `timeout`... */
  reason: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Returns the auth headers of one attempt; called again for each retry (OAuth 1.0a needs a fresh nonce). */
  authorize?: (method: string, url: string, signal?: AbortSignal) => Promise<Record<string, string>>;
  /** Called once on a 401; when it returns true the request is sent again with fresh credentials. */
  refreshOnUnauthorized?: (signal?: AbortSignal) => Promise<boolean>;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text. Outside 2xx, any credential the request sent is replaced by `[redacted]`. */
  body: string;
  /** The request URL without credentials, for messages. */
  url: string;
  /** Requests made, retries included. */
  attempts: number;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

class AttemptTimeout extends Error {}

/**
 * Sends requests with retries. `send` returns the final response whatever its status: a 429 or
 * 5xx after the retries ran out, any other status at once. It throws `ONEROSTER_UNREACHABLE`,
 * `ONEROSTER_TLS_FAILED` or `ONEROSTER_TIMEOUT` when no response came, and `ENDPOINT_NOT_ALLOWED`
 * for a blocked address. When the caller aborts, it rejects with the signal's reason.
 */
export class HttpClient {
  readonly #options: HttpClientOptions;
  readonly #retry: ResolvedRetryOptions;
  readonly #timeoutMs: number;
  readonly #limiter: HostLimiter;
  readonly #lookup: ReturnType<typeof createGuardedLookup> | undefined;
  readonly #agents: { http: http.Agent; https: https.Agent };
  /** Aborted by `close()`, so that no request goes on retrying after its client is gone. */
  readonly #closed = new AbortController();

  constructor(options: HttpClientOptions = {}) {
    this.#options = options;
    this.#retry = resolveRetryOptions(options.retry);
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    const maxConcurrent = options.maxConcurrentPerHost ?? 4;
    this.#limiter = new HostLimiter(maxConcurrent);

    // With private endpoints allowed, a test lookup still maps names but nothing is blocked.
    const blockPrivate = options.allowPrivateEndpoints !== true;
    if (blockPrivate || options.lookup !== undefined)
      this.#lookup = createGuardedLookup(options.lookup, blockPrivate);

    const agentOptions = { keepAlive: true, maxSockets: maxConcurrent, lookup: this.#lookup };
    this.#agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  }

  async send(callerRequest: HttpRequest): Promise<HttpResponse> {
    const url = new URL(callerRequest.url);
    assertEndpointAllowed(url.href, { allowPrivateEndpoints: this.#options.allowPrivateEndpoints === true });
    const safeUrl = redactCredentials(url);
    const signal =
      callerRequest.signal === undefined
        ? this.#closed.signal
        : AbortSignal.any([callerRequest.signal, this.#closed.signal]);
    const request = { ...callerRequest, signal };

    let attempts = 0;
    let waitedMs = 0;
    let refreshed = false;
    const secrets = new Set<string>();
    for (;;) {
      signal?.throwIfAborted();
      attempts += 1;

      let response: RawResponse;
      try {
        response = await this.#attemptWithSlot(url, request, secrets);
        // Error bodies become messages and logs, and some servers echo the Authorization header.
        if (response.status >= 300) response = { ...response, body: redactSecrets(response.body, secrets) };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const retryable = error instanceof AttemptTimeout || isConnectionReset(error);
        const delayMs = backoffDelay(attempts, this.#retry);
        if (!retryable || !this.#mayRetry(attempts, waitedMs, delayMs)) {
          throw error instanceof AttemptTimeout
            ? timeoutError(safeUrl, this.#timeoutMs, attempts)
            : errorForNetwork(error, safeUrl, attempts);
        }
        const reason =
          error instanceof AttemptTimeout ? 'timeout' : String((error as { code?: unknown }).code);
        waitedMs += await this.#waitToRetry(safeUrl, attempts, delayMs, reason, signal);
        continue;
      }

      if (response.status === 401 && !refreshed && request.refreshOnUnauthorized !== undefined) {
        refreshed = true;
        if (await request.refreshOnUnauthorized(signal)) continue;
      }
      if (response.status !== 429 && response.status < 500) return { ...response, url: safeUrl, attempts };

      const delayMs = parseRetryAfter(response.headers['retry-after']) ?? backoffDelay(attempts, this.#retry);
      if (!this.#mayRetry(attempts, waitedMs, delayMs)) return { ...response, url: safeUrl, attempts };
      waitedMs += await this.#waitToRetry(safeUrl, attempts, delayMs, `HTTP ${response.status}`, signal);
    }
  }

  /** Closes the kept-alive sockets. Requests in flight, and their retries, reject with an `AbortError`. */
  close(): void {
    this.#closed.abort(new DOMException('The OneRoster client was closed.', 'AbortError'));
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  #mayRetry(attempts: number, waitedMs: number, delayMs: number): boolean {
    return attempts < this.#retry.maxAttempts && waitedMs + delayMs <= this.#retry.maxTotalWaitMs;
  }

  async #waitToRetry(
    url: string,
    attempt: number,
    delayMs: number,
    reason: string,
    signal?: AbortSignal,
  ): Promise<number> {
    const event: RetryEvent = { url, attempt, delayMs, reason };
    this.#options.logger?.warn(event, 'Retrying a OneRoster request');
    this.#options.onRetry?.(event);
    await sleep(delayMs, signal);
    return delayMs;
  }

  async #attemptWithSlot(url: URL, request: HttpRequest, secrets: Set<string>): Promise<RawResponse> {
    // Credentials come before the slot: an OAuth 2 token request to the same host needs a slot too.
    const authHeaders =
      request.authorize === undefined
        ? {}
        : await request.authorize(request.method, url.href, request.signal);
    const headers = {
      accept: 'application/json',
      'accept-encoding': 'gzip, deflate, br',
      'user-agent': 'rostersync',
      ...request.headers,
      ...authHeaders,
    };
    for (const credentials of [request.headers?.authorization, authHeaders.authorization]) {
      if (credentials !== undefined) for (const value of credentialsInHeader(credentials)) secrets.add(value);
    }

    const release = await this.#limiter.acquire(url.host, request.signal);
    try {
      return await this.#attempt(url, request.method, headers, request.body, request.signal);
    } finally {
      release();
    }
  }

  #attempt(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal?: AbortSignal,
  ) {
    const transport = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.#agents.https : this.#agents.http;
    const maxBytes = this.#options.maxResponseBytes ?? 512 * 1024 * 1024;

    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: unknown, response?: RawResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (response === undefined) {
          request.destroy();
          reject(error);
        } else {
          resolve(response);
        }
      };

      const request = transport.request(url, { method, headers, agent, lookup: this.#lookup }, (message) => {
        readBody(message, maxBytes, redactCredentials(url)).then(
          (text) => finish(null, { status: message.statusCode ?? 0, headers: message.headers, body: text }),
          (error: unknown) => finish(error),
        );
      });
      const timer = setTimeout(() => finish(new AttemptTimeout()), this.#timeoutMs);
      const onAbort = () => finish(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });

      request.on('error', (error) => finish(error));
      request.end(body);
    });
  }
}

/**
 * Reads a response body as UTF-8 text, decompressing gzip, deflate and br, up to `maxBytes`.
 * Throws `ONEROSTER_UNEXPECTED_RESPONSE` for a larger body or one that cannot be decompressed,
 * and the socket's own error (a reset, which may be retried) when the connection drops.
 */
async function readBody(message: IncomingMessage, maxBytes: number, url: string): Promise<string> {
  const encoding = String(message.headers['content-encoding'] ?? '').toLowerCase();
  let stream: Readable = message;
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = message.pipe(createGunzip());
  else if (encoding === 'deflate') stream = message.pipe(createInflate());
  else if (encoding === 'br') stream = message.pipe(createBrotliDecompress());
  // A reset socket errors the message, not the decompressor: forward it.
  let socketFailed = false;
  if (stream !== message) {
    message.on('error', (error) => {
      socketFailed = true;
      stream.destroy(error);
    });
  }

  const chunks: Buffer[] = [];
  let size = 0;
  let ascii = true;
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > maxBytes) {
        message.destroy();
        throw new AppError(
          'ONEROSTER_UNEXPECTED_RESPONSE',
          `The response body from ${url} is larger than ${maxBytes} bytes.`,
          { details: { url, maxBytes } },
        );
      }
      chunks.push(buffer);
      if (ascii) ascii = isAscii(buffer);
    }
  } catch (error) {
    if (stream === message || socketFailed || error instanceof AppError) throw error;
    message.destroy();
    // The server answered, so this is a bad response, not an unreachable server.
    throw new AppError(
      'ONEROSTER_UNEXPECTED_RESPONSE',
      `The roster server sent a ${encoding} body from ${url} that cannot be decompressed: ${(error as Error).message}.`,
      { cause: error, details: { url, contentEncoding: encoding } },
    );
  }
  return ascii ? joinAscii(chunks) : Buffer.concat(chunks).toString('utf8');
}

/**
 * Decodes ASCII chunks one by one. ASCII bytes decode the same in latin1 and UTF-8, and latin1
 * decoding is a plain copy, so the body is neither joined into one buffer nor validated as UTF-8.
 */
function joinAscii(chunks: readonly Buffer[]): string {
  let text = '';
  for (const chunk of chunks) text += chunk.toString('latin1');
  return text;
}
