import { CompiledQuery, type Kysely } from 'kysely';

import { quoteIdentifier } from './quote.ts';

/**
 * Rows for one `COPY ... FROM STDIN`, in PostgreSQL's COPY text format (see `copy-text.ts`), as
 * chunks of whole lines. The stores read the chunks one at a time as they send them, so a large
 * copy keeps about one chunk of text in memory.
 */
export class CopyInput {
  /** `"table" ("column", ...)`, the target of the COPY statement. */
  readonly target: string;
  readonly chunks: Iterable<string>;

  constructor(table: string, columns: readonly string[], chunks: Iterable<string>) {
    this.target = `${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')})`;
    this.chunks = chunks;
  }
}

/** Returns the `CopyInput` of a query whose only parameter is one, else undefined. */
export function copyInputOf(parameters: readonly unknown[] | undefined): CopyInput | undefined {
  const first = parameters?.[0];
  return parameters?.length === 1 && first instanceof CopyInput ? first : undefined;
}

/**
 * Writes rows into `table` with `COPY ... FROM STDIN` on the connection that `db` runs on, so
 * inside a transaction when `db` is one. `table` and `columns` are the database's (snake-case)
 * names; `chunks` are lines of COPY text format, in the order of `columns`.
 *
 * The COPY travels through Kysely as a query whose only parameter is a `CopyInput`. The pools of
 * both stores (`pg-copy-pool.ts`, `pglite-pool.ts`) recognize it and stream the chunks on the
 * connection they lent out. Returns the number of rows written. A row PostgreSQL rejects
 * (a constraint, a malformed value) throws PostgreSQL's error, with its SQLSTATE `code`, and
 * aborts the transaction. An error thrown while the chunks are produced does the same.
 */
export async function copyInto<DB>(
  db: Kysely<DB>,
  table: string,
  columns: readonly string[],
  chunks: Iterable<string>,
): Promise<number> {
  const input = new CopyInput(table, columns, chunks);
  const result = await db.executeQuery(CompiledQuery.raw(`copy ${input.target} from stdin`, [input]));
  return Number(result.numAffectedRows ?? 0);
}
