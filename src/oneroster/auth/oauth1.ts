/**
 * OAuth 1.0a, two-legged (no token), as ClassLink Roster Server and other OneRoster 1.1 providers
 * expect it: the signature goes in the `Authorization` header and covers every query parameter.
 * Signing follows RFC 5849 section 3.4; percent-encoding follows section 3.6.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { AppError } from '../../core/errors.ts';

export type OAuth1SignatureMethod = 'HMAC-SHA256' | 'HMAC-SHA1';

/** A decoded name and value, as a query string or an `Authorization` header carries it. */
export type OAuthParam = readonly [string, string];

const hashOf: Record<OAuth1SignatureMethod, 'sha256' | 'sha1'> = {
  'HMAC-SHA256': 'sha256',
  'HMAC-SHA1': 'sha1',
};

/**
 * Percent-encodes a string by RFC 5849 section 3.6: the unreserved characters `A-Z a-z 0-9 - . _ ~`
 * stay, every other UTF-8 byte becomes `%XX` in upper case. So `'`, `!`, `(`, `)`, `*` and the space
 * are encoded, and `+` becomes `%2B`. Throws `INVALID_INPUT` on a string with a lone surrogate,
 * which has no UTF-8 form.
 */
export function percentEncode(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch (cause) {
    throw new AppError(
      'INVALID_INPUT',
      `Cannot percent-encode ${JSON.stringify(value)}: it is not valid Unicode.`,
      {
        cause,
      },
    );
  }
  // encodeURIComponent keeps these five, which RFC 5849 requires encoded.
  return encoded.replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Normalizes a request URL into the base string URI of RFC 5849 section 3.4.1.2: scheme and host
 * in lower case, the default port (80 for http, 443 for https) dropped, query and fragment removed.
 * Throws `INVALID_INPUT` when the value is not an absolute http(s) URL.
 */
export function normalizeBaseUrl(url: string): string {
  const parsed = parseUrl(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AppError(
      'INVALID_INPUT',
      `Cannot sign a request to ${parsed.protocol} URL; use http or https.`,
    );
  }
  // WHATWG URL parsing already lowercases scheme and host and drops the default port.
  return `${parsed.protocol}//${parsed.host}${parsed.pathname || '/'}`;
}

/**
 * Builds the signature base string of RFC 5849 section 3.4.1. `params` are the decoded name and
 * value pairs of the query and the `oauth_*` protocol parameters; `oauth_signature` is left out if
 * present. Pairs are sorted by encoded name, then by encoded value, so repeated names are kept.
 */
export function signatureBaseString(
  method: string,
  baseUrl: string,
  params: ReadonlyArray<OAuthParam>,
): string {
  const encodedPairs = params
    .filter(([name]) => name !== 'oauth_signature')
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const);

  encodedPairs.sort(
    ([nameA, valueA], [nameB, valueB]) => compareCodeUnits(nameA, nameB) || compareCodeUnits(valueA, valueB),
  );
  const parameterString = encodedPairs.map(([name, value]) => `${name}=${value}`).join('&');

  return [
    method.toUpperCase(),
    percentEncode(normalizeBaseUrl(baseUrl)),
    percentEncode(parameterString),
  ].join('&');
}

/** Computes the base64 HMAC signature of a base string with the key `consumerSecret&tokenSecret`. */
export function computeSignature(
  baseString: string,
  consumerSecret: string,
  tokenSecret: string,
  method: OAuth1SignatureMethod,
): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  return createHmac(hashOf[method], key).update(baseString, 'utf8').digest('base64');
}

/**
 * Reads the decoded query parameters of a URL in order, repeats kept. A `+` in the raw query is
 * read as a space, because form decoding (RFC 5849 section 3.4.1.3.1) and most servers read it so.
 * Send a literal plus as `%2B`, as `percentEncode` does.
 */
export function queryParams(url: string): OAuthParam[] {
  return [...new URLSearchParams(parseUrl(url).search)];
}

export interface AuthorizationHeaderOptions {
  method: string;
  /** The full request URL, query included; every query parameter is signed. */
  url: string;
  consumerKey: string;
  consumerSecret: string;
  /** Default `HMAC-SHA256`. */
  signatureMethod?: OAuth1SignatureMethod;
  /** Default: 32 random alphanumeric characters. */
  nonce?: string;
  /** Seconds since the Unix epoch; default now. */
  timestamp?: number;
  /** Send `oauth_version="1.0"`. Default false, as ClassLink's reference signer sends none. */
  includeVersion?: boolean;
}

/**
 * Signs a two-legged request and returns the `Authorization` header value
 * (`OAuth oauth_consumer_key="…", …, oauth_signature="…"`), parameters in name order.
 */
export function buildAuthorizationHeader(options: AuthorizationHeaderOptions): string {
  const signatureMethod = options.signatureMethod ?? 'HMAC-SHA256';
  const protocolParams: OAuthParam[] = [
    ['oauth_consumer_key', options.consumerKey],
    ['oauth_nonce', options.nonce ?? createNonce()],
    ['oauth_signature_method', signatureMethod],
    ['oauth_timestamp', String(options.timestamp ?? Math.floor(Date.now() / 1000))],
  ];
  if (options.includeVersion === true) protocolParams.push(['oauth_version', '1.0']);

  const baseString = signatureBaseString(options.method, options.url, [
    ...queryParams(options.url),
    ...protocolParams,
  ]);
  const signature = computeSignature(baseString, options.consumerSecret, '', signatureMethod);

  const headerParams = [...protocolParams, ['oauth_signature', signature] as const];
  headerParams.sort(([a], [b]) => compareCodeUnits(a, b));
  return `OAuth ${headerParams.map(([name, value]) => `${percentEncode(name)}="${percentEncode(value)}"`).join(', ')}`;
}

/**
 * Parses an `OAuth …` header value into decoded parameters (RFC 5849 section 3.5.1), `realm`
 * included when sent. Accepts quoted or bare values and any spacing around commas. Throws
 * `INVALID_INPUT` on another scheme, a malformed pair, a repeated name or a bad percent escape.
 */
export function parseAuthorizationHeader(header: string): Map<string, string> {
  const match = /^\s*OAuth\s+(.*?)\s*$/is.exec(header);
  if (!match) throw invalidHeader(header, 'it does not start with "OAuth "');

  const params = new Map<string, string>();
  const pairPattern = /\s*([^\s=,]+)\s*=\s*(?:"([^"]*)"|([^\s,"]*))\s*(,|$)/y;
  const body = match[1] ?? '';
  let position = 0;
  while (position < body.length) {
    pairPattern.lastIndex = position;
    const pair = pairPattern.exec(body);
    if (!pair) throw invalidHeader(header, `it has a malformed parameter at character ${position + 1}`);

    const name = decodeComponent(pair[1] ?? '', header);
    const value = decodeComponent(pair[2] ?? pair[3] ?? '', header);
    if (params.has(name)) throw invalidHeader(header, `the parameter ${name} appears twice`);
    params.set(name, value);
    position = pairPattern.lastIndex;
    if (pair[4] === ',' && position >= body.length) throw invalidHeader(header, 'it ends with a comma');
  }
  if (params.size === 0) throw invalidHeader(header, 'it has no parameters');
  return params;
}

export interface VerifyOptions {
  method: string;
  /** The full request URL as the server received it, with scheme and host. */
  url: string;
  authorization: string;
  consumerSecret: string;
  tokenSecret?: string;
}

/**
 * Checks an OAuth 1.0a signed request: recomputes the signature over the query parameters and
 * the header's `oauth_*` parameters (not `realm`) and compares in constant time. Returns false on
 * a wrong signature or an unsupported signature method; throws `INVALID_INPUT` on a malformed
 * header. Timestamps and nonces are not checked here: that needs state the caller holds.
 */
export function verifyAuthorizationHeader(options: VerifyOptions): boolean {
  const header = parseAuthorizationHeader(options.authorization);
  const signature = header.get('oauth_signature');
  const method = header.get('oauth_signature_method');
  if (signature === undefined || (method !== 'HMAC-SHA256' && method !== 'HMAC-SHA1')) return false;

  const protocolParams = [...header].filter(([name]) => name !== 'realm' && name !== 'oauth_signature');
  const baseString = signatureBaseString(options.method, options.url, [
    ...queryParams(options.url),
    ...protocolParams,
  ]);
  const expected = Buffer.from(
    computeSignature(baseString, options.consumerSecret, options.tokenSecret ?? '', method),
  );
  const received = Buffer.from(signature);
  return expected.length === received.length && timingSafeEqual(expected, received);
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch (cause) {
    throw new AppError('INVALID_INPUT', `Cannot sign a request to ${JSON.stringify(url)}: it is not a URL.`, {
      cause,
    });
  }
}

function createNonce(): string {
  return randomBytes(24).toString('base64url').replace(/[-_]/g, '').slice(0, 32).padEnd(32, '0');
}

/** Orders by UTF-16 code units, which for percent-encoded ASCII is the byte order RFC 5849 requires. */
function compareCodeUnits(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function decodeComponent(value: string, header: string): string {
  try {
    return decodeURIComponent(value);
  } catch (cause) {
    throw invalidHeader(header, `the value ${JSON.stringify(value)} has a bad percent escape`, cause);
  }
}

function invalidHeader(header: string, reason: string, cause?: unknown): AppError {
  // The header may hold a signature: show only its start.
  const preview = header.length > 40 ? `${header.slice(0, 40)}…` : header;
  return new AppError(
    'INVALID_INPUT',
    `Invalid OAuth Authorization header ${JSON.stringify(preview)}: ${reason}.`,
    {
      cause,
    },
  );
}
