/**
 * Endpoint URLs as admins paste them, turned into the base path of a OneRoster version.
 */
import { AppError } from '../core/errors.ts';
import { assertHostAllowed } from './address-guard.ts';
import type { OneRosterVersion } from './types.ts';

/** Base path of the rostering service per version, after the host and any prefix. */
export const versionBasePaths: Record<OneRosterVersion, string> = {
  '1.1': '/ims/oneroster/v1p1',
  '1.2': '/ims/oneroster/rostering/v1p2',
};

// Suffixes an admin may paste, longest first; all are removed to find the server's prefix.
const versionSuffixes = ['/rostering/v1p2', '/v1p2', '/v1p1', '/rostering'];
const serviceSuffix = '/ims/oneroster';

/**
 * Builds the versioned base URL from what an admin pastes: with or without `/ims/oneroster`,
 * `/v1p1` or `/rostering/v1p2`, a trailing slash, surrounding spaces, or the `https://` scheme
 * (added when missing). Query and fragment are dropped. Normalizing the result again, for either
 * version, gives the base URL of that version.
 *
 * For example `https://district-ca-v2.oneroster.com/ims/oneroster/` becomes
 * `https://district-ca-v2.oneroster.com/ims/oneroster/v1p1` for 1.1.
 *
 * Throws `ENDPOINT_URL_INVALID`, naming the value, for an empty or unparsable value, a space, a
 * scheme other than http or https, a scheme without "://", or a URL with a user name or password.
 */
export function normalizeEndpointUrl(input: string, version: OneRosterVersion): string {
  const trimmed = input.trim();
  if (trimmed === '') throw invalidUrl(input, 'it is empty');

  const typo = schemeTypo(trimmed);
  if (typo) throw invalidUrl(trimmed, typo);

  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    // Not passed on as the cause: Node's URL error keeps the raw input, credentials included.
    throw invalidUrl(trimmed, 'it is not a URL');
  }

  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidUrl(
      trimmed,
      `it uses ${url.protocol.slice(0, -1)}; the roster endpoint must be an https URL`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidUrl(
      redactCredentials(url),
      'it contains a user name or password; give the key and secret separately',
    );
  }
  if (url.hostname === '') throw invalidUrl(trimmed, 'it has no host');

  const prefix = stripServicePath(url.pathname);
  return `${url.protocol}//${url.host}${prefix}${versionBasePaths[version]}`;
}

/**
 * Returns why a pasted value cannot be the endpoint before it is parsed, or null. The URL parser
 * would otherwise read "htp:/x" or "https//x" as a path on the host "htp" or "https" and send
 * the sync to a name in DNS.
 */
function schemeTypo(value: string): string | null {
  const scheme = /^([a-z][a-z0-9+.-]*):(?!\d)/i.exec(value)?.[1];
  if (scheme !== undefined && !/^https?$/i.test(scheme)) {
    return `it uses ${scheme}; the roster endpoint must be an https URL`;
  }
  if (scheme !== undefined && !value.slice(scheme.length + 1).startsWith('//')) {
    return `the "//" after ${scheme}: is missing`;
  }
  const bareScheme = /^(https?)\/\//i.exec(value)?.[1];
  if (bareScheme !== undefined) return `the colon after ${bareScheme} is missing`;
  if (/\s/.test(value)) return 'it contains a space';
  return null;
}

function stripServicePath(pathname: string): string {
  let path = pathname.replace(/\/+$/, '');
  const lower = () => path.toLowerCase();

  for (const suffix of versionSuffixes) {
    if (lower().endsWith(suffix)) {
      path = path.slice(0, -suffix.length);
      break;
    }
  }
  if (lower().endsWith(serviceSuffix)) path = path.slice(0, -serviceSuffix.length);
  return path.replace(/\/+$/, '');
}

export interface EndpointPolicy {
  /** Allow http and private, loopback and link-local hosts (ROSTERSYNC_ALLOW_PRIVATE_ENDPOINTS). */
  allowPrivateEndpoints: boolean;
}

/**
 * Checks what can be checked before connecting: https, and a host that is not a blocked IP
 * literal. Host names are checked again at connect time on every resolved address. Throws
 * `ENDPOINT_NOT_ALLOWED`. Does nothing when private endpoints are allowed.
 */
export function assertEndpointAllowed(url: string, policy: EndpointPolicy): void {
  if (policy.allowPrivateEndpoints) return;

  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') {
    throw new AppError('ENDPOINT_NOT_ALLOWED', `The roster endpoint ${parsed.origin} must use https.`, {
      hint: 'Use the https endpoint URL of the roster server. Plain http is allowed only when the operator sets ROSTERSYNC_ALLOW_PRIVATE_ENDPOINTS.',
      details: { url: parsed.origin },
    });
  }
  assertHostAllowed(parsed.hostname);
}

/** Returns the URL with user name and password masked, for messages. */
export function redactCredentials(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username !== '') copy.username = '***';
  if (copy.password !== '') copy.password = '***';
  return copy.href;
}

function invalidUrl(value: string, reason: string): AppError {
  // The value may not parse as a URL, so everything up to the last `@` is masked: a password may
  // itself contain `/` or `@`, and masking part of a path is harmless in a message.
  const masked = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/is, '$1***@');
  return new AppError(
    'ENDPOINT_URL_INVALID',
    `The rostering endpoint URL ${JSON.stringify(masked)} is invalid: ${reason}.`,
    { details: { url: masked } },
  );
}
