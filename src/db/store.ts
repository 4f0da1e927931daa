import fs from 'node:fs';
import path from 'node:path';

import type { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { trackResource, untrackResource } from '../core/resources.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { PgCopyPool } from './pg-copy-pool.ts';
import { PgliteSerialPool } from './pglite-pool.ts';
import { quoteIdentifier } from './quote.ts';
import type { Database } from './schema.ts';

export { quoteIdentifier } from './quote.ts';

export type StoreKind = 'postgres' | 'pglite';

/** An open database: Kysely for our queries, raw SQL for libraries that bring their own. */
export interface Store {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  /** Location of the data, without credentials, for logs and messages. */
  readonly description: string;
  /** Runs one SQL text with positional parameters (pg-boss's `db` adapter uses this). */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `postgres://` URL; null opens the embedded PGlite store. */
  databaseUrl: string | null;
  /** Folder of the embedded store; null keeps it in memory (tests). */
  dataDir: string | null;
  /** PostgreSQL schema to work in (tests use one per file). Default: the server's search path. */
  schema?: string;
  /** Maximum PostgreSQL connections. Default 10. */
  poolSize?: number;
  logger?: Logger;
}

/** Folder inside the data folder that contains PGlite's files. The key file is beside it. */
const databaseFolder = 'pgdata';

const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;

/**
 * Opens PostgreSQL or PGlite with the same type mapping on both: `bigint` and `numeric` as
 * numbers, `date` as `YYYY-MM-DD` strings, `timestamptz` as `Date`, `jsonb` parsed. Throws
 * `DB_UNREACHABLE` when PostgreSQL does not accept a connection.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl
    ? await openPostgres(options, options.databaseUrl)
    : await openPglite(options);
  trackResource(store, `database store (${store.description})`);
  return store;
}

async function openPostgres(options: StoreOptions, databaseUrl: string): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    options: options.schema ? `-c search_path=${quoteIdentifier(options.schema)}` : undefined,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
        if (oid === DATE) return (value: string) => value;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  pool.on('error', (error) => options.logger?.error({ err: error }, 'Idle PostgreSQL connection failed'));

  const description = describePostgres(databaseUrl, options.schema);
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end();
    throw new AppError('DB_UNREACHABLE', `Could not connect to ${description}: ${(cause as Error).message}`, {
      cause,
    });
  }

  const db = new Kysely<Database>({
    // The wrapper lets `copyInto` run COPY on the connection of Kysely's transaction.
    dialect: new PostgresDialect({ pool: new PgCopyPool(pool) }),
    plugins: [new CamelCasePlugin()],
  });
  const store: Store = {
    kind: 'postgres',
    db,
    description,
    async executeSql(text, values = []) {
      const result = await pool.query(text, values);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
    async close() {
      untrackResource(store);
      await db.destroy();
    },
  };
  return store;
}

async function openPglite(options: StoreOptions): Promise<Store> {
  let release = () => {};
  let databaseDir: string | undefined;
  if (options.dataDir) {
    fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    release = lockDataDir(options.dataDir);
    databaseDir = path.join(options.dataDir, databaseFolder);
  }

  let pglite: PGlite;
  try {
    // Loaded on first use: the module costs about 40 MB of memory that PostgreSQL deployments never need.
    const { PGlite, types: pgliteTypes } = await import('@electric-sql/pglite');
    pglite = await PGlite.create({
      ...(databaseDir ? { dataDir: databaseDir } : {}),
      parsers: {
        [INT8]: (value: string) => Number(value),
        [NUMERIC]: (value: string) => Number(value),
        [DATE]: (value: string) => value,
        [pgliteTypes.TIMESTAMPTZ]: (value: string) => new Date(value),
      },
    });
  } catch (cause) {
    release();
    // PGlite throws plain objects (such as its ExitStatus) as well as errors.
    const reason = cause instanceof Error || isMessage(cause) ? cause.message : String(cause);
    throw new AppError(
      'DB_UNREACHABLE',
      `Could not open the embedded store in ${databaseDir ?? 'memory'}: ${reason}`,
      {
        cause,
        hint: 'Check that the folder is readable and writable and holds only Roster Sync data; move it aside to start with an empty store.',
      },
    );
  }
  const pool = new PgliteSerialPool(pglite);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new CamelCasePlugin()],
  });
  const store: Store = {
    kind: 'pglite',
    db,
    description: options.dataDir ? `embedded store in ${options.dataDir}` : 'embedded store in memory',
    executeSql: (text, values) => pool.run(text, values),
    async close() {
      untrackResource(store);
      await db.destroy();
      await pglite.close();
      release();
    },
  };
  return store;
}

function isMessage(value: unknown): value is { message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

function describePostgres(databaseUrl: string, schema: string | undefined): string {
  try {
    const url = new URL(databaseUrl);
    const where = `PostgreSQL at ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
    return schema ? `${where} (schema ${schema})` : where;
  } catch {
    return 'PostgreSQL (unparsable DATABASE_URL)';
  }
}
