import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

import { copyInputOf, type CopyInput } from './copy.ts';

/**
 * Presents one PGlite instance as the `pg` pool that Kysely's PostgresDialect expects. PGlite is a
 * single connection, so a client is handed out to one borrower at a time: a transaction holds it
 * from BEGIN to COMMIT and every other query waits. Code must therefore never query through the
 * root `db` while it holds a transaction, or it waits for itself.
 *
 * A query whose only parameter is a `CopyInput` (see `copyInto`) runs as COPY on the borrowed
 * client, so inside the borrower's transaction.
 */
export class PgliteSerialPool implements PostgresPool {
  readonly #pglite: PGlite;
  #tail: Promise<void> = Promise.resolve();

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async connect(): Promise<PostgresPoolClient> {
    const release = await this.#acquire();
    const pglite = this.#pglite;
    let released = false;
    const client = {
      async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
        const input = copyInputOf(parameters);
        if (input) return { command: 'INSERT', rowCount: await copyFromBlobs(pglite, input), rows: [] };
        const result = await pglite.query<R>(sql, parameters as unknown[], { rowMode: 'object' });
        const command = commandOf(sql);
        return {
          command,
          rowCount: result.affectedRows ?? result.rows.length,
          rows: result.rows,
        };
      },
      release() {
        if (released) return;
        released = true;
        release();
      },
    };
    // Kysely calls the cursor overload only for `.stream()`, which this pool does not support.
    return client as PostgresPoolClient;
  }

  /**
   * Runs SQL for a library that brings its own statements (pg-boss), in turn with Kysely's
   * queries. SQL with several statements and no parameters goes through PGlite's `exec`, which
   * is the only PGlite call that accepts several statements.
   */
  async run(text: string, values: unknown[] = []): Promise<{ rows: unknown[]; rowCount: number }> {
    const release = await this.#acquire();
    try {
      if (values.length === 0 && hasSeveralStatements(text)) {
        const results = await this.#pglite.exec(text);
        const last = results.at(-1);
        return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0 };
      }
      const result = await this.#pglite.query(text, values, { rowMode: 'object' });
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    } finally {
      release();
    }
  }

  async end(): Promise<void> {
    const release = await this.#acquire();
    release();
  }

  async #acquire(): Promise<() => void> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    await previous;
    return release;
  }
}

/**
 * Runs one `COPY ... FROM '/dev/blob'` per chunk: PGlite reads COPY input from a Blob passed with
 * the query, so each chunk is its own statement. Returns the rows written.
 * NOTE: outside a transaction, a failing chunk leaves the chunks before it written.
 */
async function copyFromBlobs(pglite: PGlite, input: CopyInput): Promise<number> {
  const statement = `copy ${input.target} from '/dev/blob'`;
  let written = 0;
  for (const chunk of input.chunks) {
    const result = await pglite.query(statement, [], { blob: new Blob([chunk]) });
    written += result.affectedRows ?? 0;
  }
  return written;
}

function commandOf(sql: string): 'INSERT' | 'UPDATE' | 'DELETE' | 'SELECT' | 'MERGE' {
  const match = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge)\b/i.exec(sql);
  return (match?.[1]?.toUpperCase() as 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE' | undefined) ?? 'SELECT';
}

function hasSeveralStatements(text: string): boolean {
  return text.trim().replace(/;\s*$/, '').includes(';');
}
