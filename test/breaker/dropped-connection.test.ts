/**
 * A PostgreSQL connection that breaks while a transaction uses it (an administrator terminates
 * the backend, the server restarts) fails that transaction, and the process goes on. Before, the
 * `pg` client's unheard `error` event ended the whole process, workers included.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isConnectionLost } from '../../src/db/connection-errors.ts';
import { copyInto } from '../../src/db/copy.ts';
import type { Database } from '../../src/db/schema.ts';
import type { Store } from '../../src/db/store.ts';
import { adminQuery, createTestStore, storeKinds } from '../support/stores.ts';

const databaseUrl = process.env.TEST_DATABASE_URL;

/** Terminates the backend of `pid` from a connection of its own. */
async function terminate(pid: number): Promise<void> {
  await adminQuery(databaseUrl!, `select pg_terminate_backend(${pid})`);
}

async function backendPid(db: Store['db']): Promise<number> {
  const result = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
  return result.rows[0]!.pid;
}

// Only PostgreSQL has a connection to lose; PGlite runs in the process.
for (const kind of storeKinds().filter((candidate) => candidate === 'postgres')) {
  describe(`a dropped connection [${kind}]`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await createTestStore(kind);
    });
    afterAll(async () => {
      await store.close();
    });

    it('fails the transaction of a query whose backend is terminated', async () => {
      const attempt = store.db.transaction().execute(async (trx) => {
        const pid = await backendPid(trx);
        await Promise.all([sql`select pg_sleep(30)`.execute(trx), terminate(pid)]);
      });

      await expect(attempt).rejects.toSatisfy(isConnectionLost);
      expect(await backendPid(store.db)).toBeGreaterThan(0);
    });

    it('fails the transaction of a COPY whose backend is terminated', async () => {
      await sql`create table copy_target (value text not null)`.execute(store.db);
      const attempt = store.db.transaction().execute(async (trx) => {
        const pid = await backendPid(trx);
        let chunks = 0;
        function* lines(): Generator<string> {
          for (;;) {
            chunks += 1;
            // Terminate once the COPY is under way, then keep sending until the write fails.
            if (chunks === 2) void terminate(pid);
            yield `${'x'.repeat(4096)}\n`.repeat(64);
          }
        }
        await copyInto<Database>(trx, 'copy_target', ['value'], lines());
      });

      await expect(attempt).rejects.toSatisfy(isConnectionLost);
      const rows = await sql<{ count: number }>`select count(*)::int as count from copy_target`.execute(
        store.db,
      );
      expect(rows.rows[0]!.count).toBe(0);
    });

    it('tells a constraint violation from a lost connection', async () => {
      await sql`create table unique_target (value text primary key)`.execute(store.db);
      const attempt = store.db.transaction().execute(async (trx) => {
        await sql`insert into unique_target values ('a'), ('a')`.execute(trx);
      });

      await expect(attempt).rejects.toThrow(/duplicate key/);
      await expect(attempt).rejects.not.toSatisfy(isConnectionLost);
    });
  });
}
