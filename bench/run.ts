/**
 * Runs the benchmarks: `npm run bench -- --students N [--suite parse|emulator|sync|all] [--json]`.
 *
 * The sync suite (the default) runs `bench/sync.ts` once per store in its own process, on the
 * embedded PGlite store and, when TEST_DATABASE_URL is set, on PostgreSQL, and prints a JSON list
 * with one object per store. The parse and emulator suites run the benchmarks of the OneRoster
 * parser and of the emulator. Timings depend on the machine: compare ratios measured in one run.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { benchEmulator } from './emulator.ts';
import { benchOneRosterParse } from './oneroster-parse.ts';
import type { SyncBenchResult } from './sync.ts';

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '2000' },
    seed: { type: 'string', default: 'bench' },
    suite: { type: 'string', default: 'sync' },
    json: { type: 'boolean', default: false },
  },
});

const students = Number(values.students);
if (!Number.isInteger(students) || students < 1) {
  process.stderr.write(
    `--students must be a whole number above 0, not ${JSON.stringify(values.students)}.\n`,
  );
  process.exit(2);
}
const suite = values.suite ?? 'sync';
if (!['parse', 'emulator', 'sync', 'all'].includes(suite)) {
  process.stderr.write(`--suite must be parse, emulator, sync or all, not ${JSON.stringify(suite)}.\n`);
  process.exit(2);
}

/** Runs the sync benchmark for one store in a child process and returns its result. */
function runSyncBench(store: 'pglite' | 'postgres'): Promise<SyncBenchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(import.meta.dirname, 'sync.ts'),
        '--store',
        store,
        '--students',
        String(students),
        '--seed',
        values.seed ?? 'bench',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`The ${store} sync benchmark exited with status ${code}.`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as SyncBenchResult);
    });
  });
}

const output: unknown[] = [];
if (suite === 'parse' || suite === 'all') output.push(benchOneRosterParse({ records: students }));
if (suite === 'emulator' || suite === 'all') output.push(await benchEmulator({ students }));
if (suite === 'sync' || suite === 'all') {
  const stores: ('pglite' | 'postgres')[] = process.env.TEST_DATABASE_URL
    ? ['pglite', 'postgres']
    : ['pglite'];
  for (const store of stores) {
    process.stderr.write(`sync benchmark on ${store} with ${students} children...\n`);
    output.push(await runSyncBench(store));
  }
}

if (values.json) {
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
} else {
  for (const result of output) process.stdout.write(`${JSON.stringify(result)}\n`);
}
