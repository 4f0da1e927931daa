/**
 * Serializes a value for a `jsonb` parameter. Always use this for jsonb: the `pg` driver would
 * send a JavaScript array as a PostgreSQL array, which a jsonb column rejects.
 */
export function json(value: unknown): string {
  return JSON.stringify(value);
}
