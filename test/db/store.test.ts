import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { appliedMigrations, knownMigrations, migrateToLatest } from '../../src/db/migrate.ts';
import { openStore } from '../../src/db/store.ts';
import { createTestStore, describeEachStore, storeKinds } from '../support/stores.ts';

describeEachStore('store', ({ store }) => {
  it('maps types the same way on both stores', async () => {
    const org = await store.db
      .insertInto('organizations')
      .values({ slug: 'types', name: 'Types' })
      .returning(['id', 'createdAt'])
      .executeTakeFirstOrThrow();
    expect(org.createdAt).toBeInstanceOf(Date);

    const row = await sql<{ n: number; d: string; j: string[] }>`
      select count(*) as n, date '2024-02-29' as d, '["PK","KG"]'::jsonb as j from organizations`.execute(
      store.db,
    );
    expect(row.rows[0]).toEqual({ n: 1, d: '2024-02-29', j: ['PK', 'KG'] });
  });

  it('runs raw SQL for libraries', async () => {
    const result = await store.executeSql('select $1::int + 1 as value', [41]);
    expect(result.rows).toEqual([{ value: 42 }]);
  });

  it('keeps a failed transaction out of the data', async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx.insertInto('organizations').values({ slug: 'rolled-back', name: 'X' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const found = await store.db
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', 'rolled-back')
      .execute();
    expect(found).toEqual([]);
  });

  it('enforces one running sync per organization', async () => {
    const org = await store.db
      .insertInto('organizations')
      .values({ slug: 'one-run', name: 'X' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const run = { orgId: org.id, trigger: 'cli', mode: 'full', status: 'running' } as const;
    await store.db.insertInto('syncRuns').values(run).execute();
    await expect(store.db.insertInto('syncRuns').values(run).execute()).rejects.toThrow();
  });
});

describe('migrations', () => {
  for (const kind of storeKinds()) {
    it(`refuses a schema newer than the code [${kind}]`, async () => {
      const store = await createTestStore(kind);
      try {
        expect(await appliedMigrations(store)).toEqual(knownMigrations());
        await sql`insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01')`.execute(
          store.db,
        );

        const error = await migrateToLatest(store).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('DB_SCHEMA_NEWER');
        expect((error as AppError).message).toContain('9999_from_the_future');
        expect((error as AppError).message).toContain(knownMigrations().at(-1));
      } finally {
        await store.close();
      }
    });

    it(`is idempotent [${kind}]`, async () => {
      const store = await createTestStore(kind);
      try {
        expect((await migrateToLatest(store)).applied).toEqual([]);
      } finally {
        await store.close();
      }
    });
  }

  it('reports an unreachable PostgreSQL server', async () => {
    const error = await openStore({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', dataDir: null }).catch(
      (caught: unknown) => caught,
    );
    expect((error as AppError).code).toBe('DB_UNREACHABLE');
    expect((error as AppError).message).toContain('PostgreSQL at 127.0.0.1:1/none');
  });
});

describe('embedded store folder', () => {
  it('keeps PGlite files in a subfolder and refuses a second opener', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rostersync-lock-'));
    fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'an admin file');
    try {
      const first = await openStore({ databaseUrl: null, dataDir });
      try {
        expect(fs.existsSync(path.join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
        const error = await openStore({ databaseUrl: null, dataDir }).catch((caught: unknown) => caught);
        expect((error as AppError).code).toBe('DB_UNREACHABLE');
        expect((error as AppError).message).toContain(`is in use by process ${process.pid}`);
      } finally {
        await first.close();
      }
      expect(fs.existsSync(path.join(dataDir, 'store.lock'))).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('takes over a lock left by a dead process', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rostersync-lock-'));
    // Process ids are below 2^22 on Linux, so this one cannot be running.
    fs.writeFileSync(path.join(dataDir, 'store.lock'), '4194305\n');
    try {
      const store = await openStore({ databaseUrl: null, dataDir });
      await store.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
