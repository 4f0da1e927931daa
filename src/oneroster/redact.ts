/**
 * Removal of credentials from text that a roster server sends back. Some servers echo the
 * request's `Authorization` header in an error description, and that description becomes an error
 * message, a log line and a report entry.
 */
import { parseAuthorizationHeader } from './auth/oauth1.ts';

export const redactedMark = '[redacted]';

// Shorter values are too likely to match ordinary words of a message.
const minSecretLength = 4;

/**
 * Returns the secret parts of an `Authorization` header value: the value itself, a Bearer token,
 * the Basic credentials with the client id and secret inside them, and an OAuth 1.0a consumer key
 * and signature (as sent and percent-decoded). A header that cannot be read returns the value only.
 */
export function credentialsInHeader(header: string): string[] {
  const values = [header];
  const [scheme = '', rest = ''] = header.trim().split(/\s+(.*)/s);

  switch (scheme.toLowerCase()) {
    case 'bearer':
      values.push(rest);
      break;
    case 'basic':
      values.push(rest, ...basicParts(rest));
      break;
    case 'oauth':
      values.push(...oauthParts(header));
      break;
  }
  return values.filter((value) => value.length >= minSecretLength);
}

/**
 * Replaces every occurrence of each secret in `text` with `[redacted]`, longest secrets first.
 * Each secret is also looked for as a JSON string escapes it, because error bodies are JSON.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const variants = [...secrets].flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]);
  const ordered = [...new Set(variants)].sort((a, b) => b.length - a.length);
  let result = text;
  for (const secret of ordered) {
    if (secret.length >= minSecretLength && result.includes(secret)) {
      result = result.replaceAll(secret, redactedMark);
    }
  }
  return result;
}

function basicParts(encoded: string): string[] {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return [decoded];

  const parts = [decoded.slice(0, separator), decoded.slice(separator + 1)];
  // RFC 6749 form-encodes the id and secret before Basic encoding, so servers may echo either form.
  return [...parts, ...parts.map(formDecode)];
}

function oauthParts(header: string): string[] {
  let params: Map<string, string>;
  try {
    params = parseAuthorizationHeader(header);
  } catch {
    return [];
  }

  const values: string[] = [];
  for (const name of ['oauth_consumer_key', 'oauth_signature', 'oauth_token']) {
    const value = params.get(name);
    if (value !== undefined) values.push(value, encodeURIComponent(value));
  }
  return values;
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
