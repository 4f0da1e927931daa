import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';

import { migrateToLatest } from '../../src/db/migrate.ts';
import { openStore, quoteIdentifier, type Store, type StoreKind } from '../../src/db/store.ts';

/** The stores the suite runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function storeKinds(): StoreKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * Opens a fresh, migrated store: PGlite in memory, or a new schema in the TEST_DATABASE_URL
 * database. Closing it drops the schema.
 */
export async function createTestStore(kind: StoreKind, options: { migrate?: boolean } = {}): Promise<Store> {
  if (kind === 'pglite') {
    const store = await openStore({ databaseUrl: null, dataDir: null });
    if (options.migrate !== false) await migrateToLatest(store);
    return store;
  }

  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(databaseUrl, `create schema ${quoteIdentifier(schema)}`);
  const store = await openStore({ databaseUrl, dataDir: null, schema, poolSize: 4 });
  if (options.migrate !== false) await migrateToLatest(store);

  const close = store.close.bind(store);
  return Object.assign(store, {
    schema,
    async close() {
      await close();
      await adminQuery(databaseUrl, `drop schema if exists ${quoteIdentifier(schema)} cascade`);
    },
  });
}

export async function adminQuery(databaseUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export interface StoreContext {
  readonly kind: StoreKind;
  /**
   * The block's store, open between `beforeAll` and `afterAll`. It is a stand-in that forwards to
   * the open store, so destructuring `({ store })` in the block body is safe.
   */
  readonly store: Store;
}

/**
 * Declares the same tests once per store kind, as Kysely loops over dialects. Each kind gets its
 * own fresh store for the block.
 */
export function describeEachStore(title: string, body: (context: StoreContext) => void): void {
  for (const kind of storeKinds()) {
    describe(`${title} [${kind}]`, () => {
      let store: Store | undefined;
      beforeAll(async () => {
        store = await createTestStore(kind);
      });
      afterAll(async () => {
        await store?.close();
      });
      const standIn = new Proxy({} as Store, {
        get(_target, property) {
          if (!store) throw new Error('the store is open only inside tests and hooks');
          return Reflect.get(store, property) as unknown;
        },
      });
      body({ kind, store: standIn });
    });
  }
}
