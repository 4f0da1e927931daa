import { AppError } from './errors.ts';

/**
 * Line breaks (CR, LF, NEL, LS, PS) and other control characters. Any of them in a value that
 * reaches an e-mail header could start a new header, so such values are rejected when saved.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Maximum address length SMTP can carry (the RFC 5321 path limit minus the angle brackets). */
const maxAddressLength = 254;

/**
 * A pragmatic address check: a dot-atom local part, `@`, and a domain of letter-digit-hyphen
 * labels with a top-level label of at least two letters. Quoted local parts and address
 * literals such as `user@[192.0.2.1]` are valid in RFC 5322 but rejected here, because admins
 * never need them and they are a common vehicle for injection.
 */
const addressPattern =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Returns whether `value` contains a line break or another control character. */
export function hasControlCharacters(value: string): boolean {
  return controlCharacters.test(value);
}

/**
 * Throws `EMAIL_HEADER_INJECTION` when `value` contains a line break or another control
 * character. `field` names the value in the message, such as "The organization name".
 */
export function assertNoControlCharacters(field: string, value: string): void {
  if (hasControlCharacters(value)) {
    throw new AppError(
      'EMAIL_HEADER_INJECTION',
      `${field} ${JSON.stringify(value)} contains a line break or control character, which e-mail headers do not allow.`,
    );
  }
}

/**
 * Returns the address trimmed of surrounding spaces. Throws `EMAIL_HEADER_INJECTION` for a line
 * break or control character anywhere in it, and `EMAIL_ADDRESS_INVALID` naming the address when
 * it is not of the form `name@example.org` or longer than 254 characters.
 */
export function normalizeEmailAddress(value: string): string {
  assertNoControlCharacters('The e-mail address', value);
  const address = value.trim();
  if (address.length > maxAddressLength || !addressPattern.test(address)) {
    throw new AppError(
      'EMAIL_ADDRESS_INVALID',
      `${JSON.stringify(value)} is not a valid e-mail address: use the form name@district.org.`,
    );
  }
  return address;
}

/**
 * Validates every address with `normalizeEmailAddress` and drops repeats, comparing without
 * regard to case. Keeps the first spelling and the given order. Throws on the first invalid entry.
 */
export function normalizeEmailList(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const addresses: string[] = [];
  for (const value of values) {
    const address = normalizeEmailAddress(value);
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    addresses.push(address);
  }
  return addresses;
}
