import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from './store.ts';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const migrationFile = /^(\d{4}_[a-z0-9_]+)\.ts$/;

/** Returns the migration names in this code, in order. The last one is the code's schema version. */
export function knownMigrations(): string[] {
  return fs
    .readdirSync(migrationsDir)
    .map((file) => migrationFile.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

/** Reads the migrations folder: every `NNNN_name.ts` file exporting `up` (and optionally `down`). */
class FolderMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const name of knownMigrations()) {
      const module = (await import(pathToFileURL(path.join(migrationsDir, `${name}.ts`)).href)) as Migration;
      migrations[name] = module;
    }
    return migrations;
  }
}

export interface MigrationOutcome {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** The schema version after the call. */
  version: string | null;
}

/**
 * Brings the schema to this code's version. Rejects a database whose schema is newer than the
 * code with `DB_SCHEMA_NEWER`, naming both versions. A failing migration is rolled back and
 * reported as `DB_MIGRATION_FAILED` with its name.
 */
export async function migrateToLatest(store: Store, logger?: Logger): Promise<MigrationOutcome> {
  const known = knownMigrations();
  const codeVersion = known.at(-1) ?? null;
  const applied = await appliedMigrations(store);
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new AppError(
      'DB_SCHEMA_NEWER',
      `The database schema is at version ${applied.at(-1)}, but this Roster Sync knows versions up to ${codeVersion}; unknown migrations: ${unknown.join(', ')}.`,
    );
  }

  // Without a schema, Kysely looks for its migration tables in every schema, so in a database
  // shared by several schemas (one per test file) it would find another schema's tables.
  const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
  // Migrations from parallel branches may land out of name order; each is still applied once.
  const migrator = new Migrator({
    db: store.db,
    provider: new FolderMigrationProvider(),
    allowUnorderedMigrations: true,
    migrationTableSchema: current.rows[0]?.schema,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const done = results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
  for (const name of done) logger?.info({ migration: name }, 'Applied database migration');
  if (error) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError(
      'DB_MIGRATION_FAILED',
      `Database migration ${failed} failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return { applied: done, version: codeVersion };
}

/** Names of the migrations recorded in the database, in order; empty for a new database. */
export async function appliedMigrations(store: Store): Promise<string[]> {
  const exists = await sql<{
    present: boolean;
  }>`select to_regclass('kysely_migration') is not null as present`.execute(store.db);
  if (!exists.rows[0]?.present) return [];
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
  return rows.rows.map((row) => row.name);
}
