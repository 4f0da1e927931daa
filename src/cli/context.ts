import { type Config, loadConfig } from '../core/config.ts';
import { resolveSecretKey, type SecretKey } from '../core/crypto.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { migrateToLatest, type MigrationOutcome } from '../db/migrate.ts';
import { openStore, type Store } from '../db/store.ts';

/**
 * What a command needs, opened lazily: a command that never touches the database never opens
 * it. `close()` releases whatever was opened.
 */
export interface CliContext {
  readonly config: Config;
  readonly logger: Logger;
  /** The migrated store (migrations run on first use). */
  store(): Promise<Store>;
  /** What migrating the store did, once `store()` has resolved. */
  migration(): MigrationOutcome | null;
  /** The key that encrypts roster secrets (created in the data folder for the embedded store). */
  secretKey(): SecretKey;
  /** Writes a line to standard output (data: JSON, tables, file lists). */
  print(text: string): void;
  close(): Promise<void>;
}

export function createCliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const config = loadConfig(env);
  const logger = createLogger({ level: config.logLevel });
  let storePromise: Promise<Store> | null = null;
  let key: SecretKey | null = null;
  let migration: MigrationOutcome | null = null;

  return {
    config,
    logger,
    store() {
      storePromise ??= (async () => {
        const store = await openStore({
          databaseUrl: config.databaseUrl,
          dataDir: config.databaseUrl ? null : config.dataDir,
          logger,
        });
        try {
          migration = await migrateToLatest(store, logger);
        } catch (error) {
          await store.close();
          throw error;
        }
        return store;
      })();
      return storePromise;
    },
    migration: () => migration,
    secretKey() {
      key ??= resolveSecretKey({
        secretKey: config.secretKey,
        dataDir: config.dataDir,
        embedded: config.databaseUrl === null,
        logger,
      });
      return key;
    },
    print(text) {
      process.stdout.write(`${text}\n`);
    },
    async close() {
      if (storePromise) {
        const store = await storePromise.catch(() => null);
        await store?.close();
      }
      logger.flush();
    },
  };
}
