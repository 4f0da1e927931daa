/** Quotes a PostgreSQL identifier (schema, table or column name) for use in SQL text. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
