/**
 * OneRoster failures turned into registry errors an admin can act on. Reads the `imsx_*` status
 * fields from every shape servers send them in, and maps HTTP statuses and socket errors to codes.
 */
import { AppError } from '../core/errors.ts';
import type { ErrorCode } from '../core/errors.ts';

/** The OneRoster status fields of an error body, as text; any of them may be missing. */
export interface ImsxStatus {
  codeMajor: string | null;
  severity: string | null;
  description: string | null;
  /** Code-minor values (`unauthorisedrequest`, `unknownobject`...), from an object or a plain string. */
  codeMinor: string[];
}

const maxFieldLength = 500;

/**
 * Finds the `imsx_*` status in a parsed JSON body: bare fields, an `imsx_statusInfo` wrapper, or
 * a 1.1 `statusInfoSet` array (the first entry is returned). Field names match in any case, and
 * values of the wrong type are ignored, so a malformed body returns what can be read or null.
 */
export function parseImsxStatus(body: unknown): ImsxStatus | null {
  return findStatus(body, 0);
}

function findStatus(value: unknown, depth: number): ImsxStatus | null {
  if (depth > 3) return null;
  if (Array.isArray(value)) {
    for (const entry of value) {
      const status = findStatus(entry, depth + 1);
      if (status !== null) return status;
    }
    return null;
  }
  if (!isObject(value)) return null;

  const fields = lowerCaseKeys(value);
  if ('imsx_codemajor' in fields || 'imsx_severity' in fields || 'imsx_description' in fields) {
    return readStatus(fields);
  }
  for (const wrapper of ['imsx_statusinfo', 'statusinfoset', 'statusinfo', 'imsx_statusinfoset']) {
    if (wrapper in fields) {
      const status = findStatus(fields[wrapper], depth + 1);
      if (status !== null) return status;
    }
  }
  return null;
}

function readStatus(fields: Record<string, unknown>): ImsxStatus {
  return {
    codeMajor: readText(fields.imsx_codemajor),
    severity: readText(fields.imsx_severity),
    description: readText(fields.imsx_description),
    codeMinor: readCodeMinor(fields.imsx_codeminor),
  };
}

function readCodeMinor(value: unknown): string[] {
  const text = readText(value);
  if (text !== null) return [text];
  if (!isObject(value)) return [];

  const minorFields = lowerCaseKeys(value).imsx_codeminorfield;
  const entries = Array.isArray(minorFields) ? minorFields : [minorFields];
  const values: string[] = [];
  for (const entry of entries) {
    if (!isObject(entry)) continue;
    const minor = readText(lowerCaseKeys(entry).imsx_codeminorfieldvalue);
    if (minor !== null) values.push(minor);
  }
  return values;
}

function readText(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  return value.length > maxFieldLength ? `${value.slice(0, maxFieldLength)}…` : value.trim();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lowerCaseKeys(value: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) fields[key.toLowerCase()] = field;
  return fields;
}

/** What was requested, which decides how a 403 or 404 reads. */
export type RequestTarget = 'collection' | 'record' | 'demographics' | 'token';

export interface ResponseFailure {
  status: number;
  /** The request URL without credentials. */
  url: string;
  body: string;
  target: RequestTarget;
  /** Requests made, retries included. */
  attempts: number;
  /** Response headers; a redirect's `Location` is named in the message, never followed. */
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * Maps an unsuccessful HTTP response to a registry error. `details` carry the status, the URL,
 * the attempts and the `imsx_*` fields; the message names the URL and quotes the server's `imsx_description`.
 */
export function errorForResponse(failure: ResponseFailure): AppError {
  const imsx = parseImsxStatus(tryParseJson(failure.body));
  const serverSaid = imsx?.description ? ` The server said: ${imsx.description}` : '';
  const code = codeForStatus(failure.status, failure.target);
  const details: Record<string, unknown> = {
    status: failure.status,
    url: failure.url,
    attempts: failure.attempts,
    ...(imsx === null ? {} : { imsx }),
  };

  const message = `${messageFor(code, failure)} (HTTP ${failure.status} from ${failure.url}).${serverSaid}`;
  return new AppError(code, message, { details });
}

function codeForStatus(status: number, target: RequestTarget): ErrorCode {
  if (status === 401) return 'ONEROSTER_AUTH_REJECTED';
  if (status === 403)
    return target === 'demographics' ? 'ONEROSTER_DEMOGRAPHICS_FORBIDDEN' : 'ONEROSTER_FORBIDDEN';
  if (status === 404) return target === 'record' ? 'ONEROSTER_NOT_FOUND' : 'ONEROSTER_ENDPOINT_NOT_FOUND';
  if (status === 429) return 'ONEROSTER_RATE_LIMITED';
  if (status >= 500) return 'ONEROSTER_SERVER_ERROR';
  if (status >= 400) return target === 'token' ? 'ONEROSTER_AUTH_REJECTED' : 'ONEROSTER_BAD_REQUEST';
  return 'ONEROSTER_UNEXPECTED_RESPONSE';
}

function messageFor(code: ErrorCode, failure: ResponseFailure): string {
  switch (code) {
    case 'ONEROSTER_AUTH_REJECTED':
      return failure.target === 'token'
        ? 'The OAuth 2 token server rejected the client id or secret'
        : 'The roster server rejected the key or secret';
    case 'ONEROSTER_FORBIDDEN':
      return 'The roster server refused access to this data';
    case 'ONEROSTER_DEMOGRAPHICS_FORBIDDEN':
      return 'The district has not shared demographics with the app';
    case 'ONEROSTER_ENDPOINT_NOT_FOUND':
      return 'The roster server has no OneRoster API at this URL, so the endpoint URL or the version is wrong';
    case 'ONEROSTER_NOT_FOUND':
      return 'The roster server does not have the requested record';
    case 'ONEROSTER_RATE_LIMITED':
      return `The roster server still responded that it is busy (429) after ${failure.attempts} attempts${retryAfterNote(failure)}`;
    case 'ONEROSTER_SERVER_ERROR':
      return `The roster server still failed after ${failure.attempts} attempts${retryAfterNote(failure)}`;
    case 'ONEROSTER_BAD_REQUEST':
      return 'The roster server rejected the request as invalid';
    default: {
      const location = failure.headers?.location;
      return typeof location === 'string'
        ? `The roster server redirected to ${location}, which Roster Sync does not follow; use that URL as the endpoint if it is right`
        : 'The roster server sent an unexpected response';
    }
  }
}

/** Names the server's last `Retry-After`, because a wait beyond the retry budget ends the retries early. */
function retryAfterNote(failure: ResponseFailure): string {
  const value = failure.headers?.['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return '';
  return `; its last Retry-After asked for ${JSON.stringify(value.trim().slice(0, 40))}, and retries stop once the total wait would pass the limit`;
}

const tlsErrorPattern =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** Tells whether a socket error is a reset or a close mid-request, which is worth retrying. */
export function isConnectionReset(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && resetCodes.has(code);
}

/**
 * Maps a socket, DNS, TLS or HTTP parse failure to a registry error naming the URL. An `AppError` (such as
 * `ENDPOINT_NOT_ALLOWED` from the address check) passes through unchanged.
 */
export function errorForNetwork(error: unknown, url: string, attempts: number): AppError {
  if (error instanceof AppError) return error;

  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const reason = error instanceof Error ? error.message : String(error);
  const details = { url, attempts, cause: code || reason };

  if (tlsErrorPattern.test(code)) {
    return new AppError('ONEROSTER_TLS_FAILED', `The secure connection to ${url} failed: ${reason}.`, {
      cause: error,
      details,
    });
  }
  if (code.startsWith('HPE_')) {
    // Node's HTTP parser failed: the server was reached but did not speak valid HTTP.
    return new AppError(
      'ONEROSTER_UNEXPECTED_RESPONSE',
      `The roster server at ${url} sent a response that is not valid HTTP: ${reason}.`,
      { cause: error, details },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new AppError('ONEROSTER_UNREACHABLE', `The roster server host in ${url} was not found in DNS.`, {
      cause: error,
      details,
    });
  }
  if (isConnectionReset(error)) {
    return new AppError(
      'ONEROSTER_UNREACHABLE',
      `The connection to ${url} was reset ${attempts} times; the last time: ${reason}.`,
      {
        cause: error,
        details,
      },
    );
  }
  return new AppError(
    'ONEROSTER_UNREACHABLE',
    `The roster server at ${url} could not be reached: ${reason}.`,
    {
      cause: error,
      details,
    },
  );
}

/** Creates the timeout error for a request that got no complete response within `timeoutMs`. */
export function timeoutError(url: string, timeoutMs: number, attempts: number): AppError {
  return new AppError(
    'ONEROSTER_TIMEOUT',
    `The roster server did not respond to ${url} within ${timeoutMs} ms (${attempts} attempts).`,
    {
      details: { url, timeoutMs, attempts },
    },
  );
}

export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
