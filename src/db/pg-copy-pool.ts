import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

import { copyInputOf, type CopyInput } from './copy.ts';

/**
 * Presents a `pg` pool to Kysely's PostgresDialect with one addition: a query whose only
 * parameter is a `CopyInput` (see `copyInto`) runs as `COPY ... FROM STDIN` on the client that
 * Kysely holds, so it belongs to the same transaction as the queries around it. Every other
 * query goes to the `pg` client unchanged.
 */
export class PgCopyPool implements PostgresPool {
  readonly #pool: pg.Pool;
  /** One wrapper per `pg` client, because Kysely keeps one connection object per client. */
  readonly #clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.#pool.connect();
    let wrapper = this.#clients.get(client);
    if (!wrapper) {
      wrapper = wrapClient(client);
      this.#clients.set(client, wrapper);
    }
    return wrapper;
  }

  end(): Promise<void> {
    return this.#pool.end();
  }
}

/**
 * Ignores the `error` event of a client whose connection broke while lent out (the server
 * restarted, or an administrator terminated the backend). The pool listens only to idle clients,
 * and an `error` event without a listener ends the process. The query in progress rejects with
 * the same error, so the caller reports it.
 */
function ignoreClientError(): void {}

function wrapClient(client: pg.PoolClient): PostgresPoolClient {
  client.on('error', ignoreClientError);
  const wrapper = {
    query(text: string | PostgresCursor<unknown>, parameters?: readonly unknown[]): unknown {
      const input = copyInputOf(parameters);
      if (input && typeof text === 'string') return copyFromStdin(client, text, input);
      return (client.query as (...args: unknown[]) => unknown)(text, parameters);
    },
    release(destroy?: boolean) {
      client.release(destroy);
    },
  };
  return wrapper as PostgresPoolClient;
}

/**
 * Streams the input's chunks into `COPY ... FROM STDIN`. If producing a chunk throws, the stream
 * is destroyed, which sends CopyFail: PostgreSQL then rejects the COPY and the error is thrown.
 * The result reads as an INSERT, so that Kysely reports the row count as `numAffectedRows`.
 */
async function copyFromStdin(
  client: pg.PoolClient,
  text: string,
  input: CopyInput,
): Promise<PostgresQueryResult<never>> {
  const stream = client.query(copyStreams.from(text));
  // A high-water mark of one chunk keeps the source from encoding chunks ahead of the socket.
  await pipeline(Readable.from(input.chunks, { highWaterMark: 1 }), stream);
  return { command: 'INSERT', rowCount: stream.rowCount, rows: [] };
}
