import { AppError } from '../core/errors.ts';

/**
 * Checks the form of a pasted URL that is used as given (the OAuth 2 token URL): an absolute
 * http(s) URL without credentials. Returns it trimmed. Throws `ENDPOINT_URL_INVALID` naming the
 * value otherwise. Endpoint URLs go through `normalizeEndpointUrl` instead.
 */
export function checkEndpointUrlSyntax(input: string, what = 'endpoint URL'): string {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new AppError('ENDPOINT_URL_INVALID', `The ${what} ${JSON.stringify(input)} is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError(
      'ENDPOINT_URL_INVALID',
      `The ${what} ${JSON.stringify(input)} uses ${url.protocol.replace(':', '')}; only https (or http for testing) is supported.`,
    );
  }
  if (url.username || url.password) {
    throw new AppError(
      'ENDPOINT_URL_INVALID',
      `The ${what} must not contain a user name or password; enter the key and secret separately.`,
    );
  }
  return trimmed;
}
