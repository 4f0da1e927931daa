import { randomUUID } from 'node:crypto';

/** A new random id (UUID v4) for rows the service creates. */
export function newId(): string {
  return randomUUID();
}

const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** Whether `value` is a valid organization slug: lowercase letters, digits and inner hyphens, 1 to 64 long. */
export function isValidSlug(value: string): boolean {
  return slugPattern.test(value);
}
