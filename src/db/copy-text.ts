/**
 * PostgreSQL's COPY text format: one line per row, fields separated by tabs, `\N` for null, and
 * backslash escapes for backslashes, tabs, newlines and carriage returns inside a value. Each
 * column's own input function reads the field, as it reads a quoted literal, so the field of a
 * uuid, date or timestamptz is its usual text form.
 */

/** The field of a SQL null. An empty field is the empty string, not null. */
export const copyNull = '\\N';

const special = /[\\\t\n\r]/;
const specials = /[\\\t\n\r]/g;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Encodes one value as a COPY text field: null and undefined as null, strings escaped, booleans
 * as `t`/`f`, numbers and bigints in decimal, dates as ISO 8601 timestamps in UTC. Values of a
 * jsonb column must arrive as their JSON text. Throws for any other value (an array or object),
 * naming `column`, because COPY text has no single form for them.
 */
export function copyField(value: unknown, column: string): string {
  if (value === null || value === undefined) return copyNull;
  switch (typeof value) {
    case 'string':
      return special.test(value)
        ? value.replace(specials, (character) => escapes[character] ?? character)
        : value;
    case 'boolean':
      return value ? 't' : 'f';
    case 'number':
    case 'bigint':
      return String(value);
  }
  if (value instanceof Date) return value.toISOString();
  throw new TypeError(
    `Cannot write ${Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`} to column ${column} with COPY; only jsonb columns take arrays and objects, as JSON text.`,
  );
}
