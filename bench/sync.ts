/**
 * The sync benchmark for one store, run in its own process so that its peak resident memory is
 * its own: `node --import tsx bench/sync.ts --store pglite|postgres --students N [--seed S]`.
 * Prints one JSON object. `bench/run.ts` runs it once per store.
 *
 * It starts the emulator as a separate process serving a generated district, then measures in
 * one run: the wire floor (fetching and `JSON.parse`-ing every page the sync reads, with the same
 * page size and OAuth 1.0a signing), a full first sync, a no-change re-sync (counting the roster
 * rows it wrote), and a delta sync after 1% of the children changed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { sql } from 'kysely';

import { loadConfig } from '../src/core/config.ts';
import { parseSecretKey } from '../src/core/crypto.ts';
import { silentLogger } from '../src/core/logger.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openStore, quoteIdentifier, type Store } from '../src/db/store.ts';
import { createOneRosterClient } from '../src/oneroster/client.ts';
import { createOrganization, saveRosterConnection } from '../src/roster/organizations.ts';
import { runSync, type SyncDeps } from '../src/sync/run.ts';
import { syncedCollections } from '../src/sync/steps/fetch.ts';

export interface SyncBenchResult {
  store: 'pglite' | 'postgres';
  students: number;
  floorSeconds: number;
  full: { seconds: number; ratio: number; peakRssMb: number };
  /**
   * The database's own share of a full sync: the seconds PostgreSQL (or PGlite) takes to insert the
   * rows the full sync created, with the same indexes and foreign keys, and `ratio` to the wire
   * floor. A sync cannot apply its creates faster than this.
   */
  writeFloor: { seconds: number; ratio: number; rows: number };
  noop: { seconds: number; ratio: number; rowsWritten: number };
  delta: { seconds: number; ratioToFull: number };
  /** One-minute load average when the run ended: timings on a busy machine run long. */
  loadAverage: number;
}

const pageSize = 1000;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const secretKey = parseSecretKey(randomBytes(32).toString('hex'));

interface Emulator {
  baseUrl: string;
  adminUrl: string;
  process: ChildProcess;
}

/** Starts `rostersync emulator` in a child process and reads its URLs from standard output. */
async function startEmulatorProcess(students: number, seed: string): Promise<Emulator> {
  const root = path.resolve(import.meta.dirname, '..');
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'bin/rostersync.js'),
      'emulator',
      '--generate',
      String(students),
      '--seed',
      seed,
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  const lines = createInterface({ input: child.stdout! });
  let baseUrl = '';
  for await (const line of lines) {
    if (!baseUrl) baseUrl = line.trim();
    const admin = /^Admin endpoint[^:]*: (\S+)/.exec(line);
    if (admin) return { baseUrl, adminUrl: admin[1]!.replace(/\/$/, ''), process: child };
  }
  throw new Error('The emulator exited before printing its URLs.');
}

async function openBenchStore(
  kind: 'pglite' | 'postgres',
): Promise<{ store: Store; cleanUp: () => Promise<void> }> {
  if (kind === 'pglite') {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rostersync-bench-'));
    const store = await openStore({ databaseUrl: null, dataDir });
    await migrateToLatest(store);
    return { store, cleanUp: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = await openStore({ databaseUrl, dataDir: null });
  await admin.executeSql(`create schema ${quoteIdentifier(schema)}`);
  const store = await openStore({ databaseUrl, dataDir: null, schema });
  await migrateToLatest(store);
  return {
    store,
    cleanUp: async () => {
      await admin.executeSql(`drop schema ${quoteIdentifier(schema)} cascade`);
      await admin.close();
    },
  };
}

/** Fetches and parses every page of every collection the sync reads; returns the seconds taken. */
async function measureWireFloor(baseUrl: string): Promise<number> {
  const client = createOneRosterClient({
    endpointUrl: baseUrl,
    version: '1.1',
    auth: { kind: 'oauth1', key: 'emulator-key', secret: 'emulator-secret' },
    allowPrivateEndpoints: true,
  });
  const started = performance.now();
  try {
    for (const collection of syncedCollections) {
      for (let offset = 0; ; offset += pageSize) {
        const response = await client.fetch(`/${collection}?limit=${pageSize}&offset=${offset}`);
        const body = JSON.parse(response.body) as Record<string, unknown[]>;
        if ((body[collection]?.length ?? 0) < pageSize) break;
      }
    }
  } finally {
    await client.close();
  }
  return (performance.now() - started) / 1000;
}

/**
 * Measures the wire floor in a child process, so that the pages it parses do not count in the
 * sync's peak memory. The child reads everything once untimed, because the emulator renders a
 * record on its first request only, and then times a second pass.
 */
async function measureFloorInChild(baseUrl: string): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--floor', baseUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (status !== 0) throw new Error(`The wire floor measurement exited with status ${status}.`);
  return Number(stdout.trim());
}

/** Changes the given name of every hundredth child through the emulator's admin endpoint. */
async function changeOnePercent(adminUrl: string, students: number): Promise<void> {
  for (let index = 1; index <= students; index += 100) {
    const sourcedId = `stu-${String(index).padStart(6, '0')}`;
    const response = await fetch(`${adminUrl}/records/users/${sourcedId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sourcedId, givenName: `Changed${index}` }),
    });
    if (!response.ok) throw new Error(`The emulator refused the change of ${sourcedId}: ${response.status}`);
  }
}

async function timed<T>(body: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await body();
  return { seconds: (performance.now() - started) / 1000, value };
}

export async function benchSync(
  kind: 'pglite' | 'postgres',
  students: number,
  seed: string,
): Promise<SyncBenchResult> {
  const emulator = await startEmulatorProcess(students, seed);
  const { store, cleanUp } = await openBenchStore(kind);
  try {
    const deps: SyncDeps = {
      store,
      config: { ...loadConfig({}), allowPrivateEndpoints: true },
      logger: silentLogger(),
      secretKey: () => secretKey,
    };
    const org = await createOrganization(store.db, { name: 'Bench District', slug: 'bench', actor: 'bench' });
    await saveRosterConnection(
      store.db,
      'bench',
      {
        endpointUrl: emulator.baseUrl,
        version: '1.1',
        authKind: 'oauth1',
        key: 'emulator-key',
        secret: 'emulator-secret',
        actor: 'bench',
      },
      secretKey,
    );
    // A live district always has some record modified lately; the generated one dates every
    // record to the same day, so one record is touched to give the watermark a recent value.
    await touchRecord(emulator.adminUrl, 'stu-000001');

    const sync = (mode: 'full' | 'delta') => {
      const started = performance.now();
      const phases: string[] = [];
      let last = '';
      return runSync(deps, {
        orgId: org.id,
        trigger: 'cli',
        mode,
        onProgress: (progress) => {
          const step = progress.phase;
          if (step === last) return;
          last = step;
          const { rss, heapUsed } = process.memoryUsage();
          const seconds = ((performance.now() - started) / 1000).toFixed(2);
          phases.push(`${step} at ${seconds}s (rss ${mb(rss)} MB, heap ${mb(heapUsed)} MB)`);
        },
      }).finally(() => {
        if (process.env.BENCH_PHASES) process.stderr.write(`${kind} ${mode}: ${phases.join(', ')}\n`);
      });
    };

    // Measured first, so that the emulator has rendered every record before any timed read.
    const floorSeconds = await measureFloorInChild(emulator.baseUrl);
    const full = await timed(() => sync('full'));
    assertSucceeded('full', full.value.status);
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

    const writeFloor = await measureWriteFloor(store, org.id);

    const noop = await timed(() => sync('full'));
    assertSucceeded('no-change', noop.value.status);
    const noopRun = await store.db
      .selectFrom('syncRuns')
      .select('progress')
      .where('id', '=', noop.value.runId)
      .executeTakeFirstOrThrow();

    await changeOnePercent(emulator.adminUrl, students);
    const delta = await timed(() => sync('delta'));
    assertSucceeded('delta', delta.value.status);

    const round = (value: number) => Math.round(value * 1000) / 1000;
    return {
      store: kind,
      students,
      floorSeconds: round(floorSeconds),
      full: { seconds: round(full.seconds), ratio: round(full.seconds / floorSeconds), peakRssMb },
      writeFloor: {
        seconds: round(writeFloor.seconds),
        ratio: round(writeFloor.seconds / floorSeconds),
        rows: writeFloor.rows,
      },
      noop: {
        seconds: round(noop.seconds),
        ratio: round(noop.seconds / floorSeconds),
        rowsWritten: Number(noopRun.progress.rowsWritten ?? -1),
      },
      delta: { seconds: round(delta.seconds), ratioToFull: round(delta.seconds / full.seconds) },
      loadAverage: round(os.loadavg()[0] ?? 0),
    };
  } finally {
    await store.close();
    await cleanUp();
    emulator.process.kill('SIGTERM');
  }
}

/** Roster tables in the order a sync writes them. */
const rosterTables = [
  'schools',
  'classrooms',
  'educators',
  'children',
  'family_contacts',
  'memberships',
  'child_contacts',
];

/**
 * Measures how long the database takes to write an organization's roster rows as they are: inside
 * a transaction that is then rolled back, the rows are copied aside, deleted, and inserted again
 * with one `insert ... select` per table, so every index and foreign key is checked as in the
 * sync's own writes. Only the inserts are timed.
 */
async function measureWriteFloor(store: Store, orgId: string): Promise<{ seconds: number; rows: number }> {
  let rows = 0;
  let seconds = 0;
  const rollBack = new Error('roll back the write floor');
  try {
    await store.db.transaction().execute(async (trx) => {
      for (const table of rosterTables) {
        await sql`create temporary table ${sql.raw(`floor_${table}`)} on commit drop as
          select * from ${sql.raw(table)} where org_id = ${orgId}`.execute(trx);
      }
      for (const table of [...rosterTables].reverse()) {
        await sql`delete from ${sql.raw(table)} where org_id = ${orgId}`.execute(trx);
      }
      const started = performance.now();
      for (const table of rosterTables) {
        const result = await sql`insert into ${sql.raw(table)}
          select * from ${sql.raw(`floor_${table}`)}`.execute(trx);
        rows += Number(result.numAffectedRows ?? 0);
      }
      seconds = (performance.now() - started) / 1000;
      throw rollBack;
    });
  } catch (error) {
    if (error !== rollBack) throw error;
  }
  return { seconds, rows };
}

/** Touches one existing record: even an empty patch sets its `dateLastModified` to now. */
async function touchRecord(adminUrl: string, sourcedId: string): Promise<void> {
  await fetch(`${adminUrl}/records/users/${sourcedId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sourcedId }),
  });
}

function assertSucceeded(name: string, status: string): void {
  if (status !== 'succeeded') throw new Error(`The ${name} sync ended ${status}; see the run report.`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      floor: { type: 'string' },
      store: { type: 'string', default: 'pglite' },
      students: { type: 'string', default: '2000' },
      seed: { type: 'string', default: 'bench' },
    },
  });
  if (values.floor) {
    await measureWireFloor(values.floor);
    process.stdout.write(`${await measureWireFloor(values.floor)}\n`);
    process.exit(0);
  }
  const kind = values.store === 'postgres' ? 'postgres' : 'pglite';
  const result = await benchSync(kind, Number(values.students), values.seed);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
