import { type Kysely, sql } from 'kysely';

import { copyInto } from '../../db/copy.ts';
import { copyField } from '../../db/copy-text.ts';
import { json } from '../../db/json.ts';
import { snakeCase } from '../../db/quote.ts';
import type { Database } from '../../db/schema.ts';
import { columnTypes, jsonColumns } from './columns.ts';
import type { RowValues } from './types.ts';

/** PostgreSQL allows 65,535 parameters per statement; stay well below. */
const maxParameters = 30_000;

export type WritableTable =
  | 'schools'
  | 'classrooms'
  | 'educators'
  | 'children'
  | 'familyContacts'
  | 'memberships'
  | 'childContacts'
  | 'duplicateReviews';

function toParameter(column: string, value: unknown): unknown {
  if (value === undefined) return null;
  if (jsonColumns.has(column) || column === 'candidateIds') return json(value);
  return value;
}

/** Rows per chunk of COPY text, which bounds the text kept in memory at once. */
const rowsPerCopyChunk = 5000;

/**
 * Inserts rows with `COPY ... FROM STDIN` (see `copyInto`) on the connection of `db`, so inside
 * its transaction. The columns are the union of the rows' keys, and a row that lacks one writes
 * null there.
 * Returns the number of rows written. Throws PostgreSQL's error when a row breaks a constraint,
 * which aborts the transaction.
 */
export async function insertRows(
  db: Kysely<Database>,
  table: WritableTable,
  rows: readonly RowValues[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const columns = columnsOfRows(rows);
  return copyInto(db, snakeCase(table), columns.map(snakeCase), copyChunks(table, columns, rows));
}

/** Encodes rows as COPY text, `rowsPerCopyChunk` at a time, lazily as the copy reads them. */
function* copyChunks(
  table: WritableTable,
  columns: readonly string[],
  rows: readonly RowValues[],
): Generator<string> {
  const names = columns.map((column) => `${snakeCase(table)}.${snakeCase(column)}`);
  for (let start = 0; start < rows.length; start += rowsPerCopyChunk) {
    const end = Math.min(rows.length, start + rowsPerCopyChunk);
    // One array of fields serves every row, and each line is joined once: this allocates far less
    // than concatenating field by field.
    const fields = new Array<string>(columns.length);
    const lines = new Array<string>(end - start);
    for (let index = start; index < end; index += 1) {
      const row = rows[index]!;
      for (let position = 0; position < columns.length; position += 1) {
        const column = columns[position]!;
        fields[position] = copyField(toParameter(column, row[column]), names[position]!);
      }
      lines[index - start] = fields.join('\t');
    }
    yield `${lines.join('\n')}\n`;
  }
}

/** Returns the union of the rows' columns, in the order they first appear. */
function columnsOfRows(rows: readonly RowValues[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) for (const column in row) columns.add(column);
  return [...columns];
}

/**
 * Updates rows by id in multi-row `UPDATE ... FROM (VALUES ...)` statements. Rows are grouped by
 * the set of columns they change, so each row writes only its own changed fields (plus `common`).
 * Returns the number of rows written.
 */
export async function updateRows(
  db: Kysely<Database>,
  table: WritableTable,
  rows: readonly { id: string; set: RowValues }[],
  common: RowValues,
): Promise<number> {
  const groups = new Map<string, { columns: string[]; rows: { id: string; set: RowValues }[] }>();
  for (const row of rows) {
    const columns = [...new Set([...Object.keys(row.set), ...Object.keys(common)])].sort();
    const key = columns.join(',');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { columns, rows: [] }));
    group.rows.push(row);
  }

  let written = 0;
  for (const { columns, rows: groupRows } of groups.values()) {
    const perStatement = Math.max(1, Math.floor(maxParameters / (columns.length + 1)));
    for (let start = 0; start < groupRows.length; start += perStatement) {
      const chunk = groupRows.slice(start, start + perStatement);
      const tuples = chunk.map((row) => {
        const cells = columns.map((column) => {
          const value = column in row.set ? row.set[column] : common[column];
          return sql`${toParameter(column, value)}::${sql.raw(columnTypes[column] ?? 'text')}`;
        });
        return sql`(${sql.join([sql`${row.id}::uuid`, ...cells])})`;
      });
      const assignments = columns.map((column) => sql.raw(`${snakeCase(column)} = v.${snakeCase(column)}`));
      const names = sql.raw(['id', ...columns.map(snakeCase)].join(', '));
      const result = await sql`update ${sql.raw(snakeCase(table))} as t set ${sql.join(assignments)}
        from (values ${sql.join(tuples)}) as v(${names}) where t.id = v.id`.execute(db);
      written += Number(result.numAffectedRows ?? 0);
    }
  }
  return written;
}

/** Sets the same values on every row of `ids`, in statements of up to 5,000 ids. Returns the rows written. */
export async function updateRowsById(
  db: Kysely<Database>,
  table: WritableTable,
  ids: readonly string[],
  set: RowValues,
): Promise<number> {
  let written = 0;
  const values: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(set)) values[column] = toParameter(column, value);
  for (let start = 0; start < ids.length; start += 5000) {
    const result = await db
      .updateTable(table)
      .set(values as never)
      .where('id', 'in', ids.slice(start, start + 5000))
      .executeTakeFirst();
    written += Number(result.numUpdatedRows ?? 0);
  }
  return written;
}
