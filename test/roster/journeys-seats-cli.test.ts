import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { type CliResult, runCli } from '../support/cli.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rostersync-seats-cli-'));
const filesDir = mkdtempSync(path.join(os.tmpdir(), 'rostersync-seats-files-'));

/** Runs `rostersync ARGS` on this file's embedded store, with room for a loaded machine. */
function rostersync(...args: string[]): Promise<CliResult> {
  return runCli(args, { ROSTERSYNC_DATA_DIR: dataDir, LOG_LEVEL: 'error' }, 240_000);
}

async function ok(...args: string[]): Promise<string> {
  const result = await rostersync(...args);
  expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(filesDir, { recursive: true, force: true });
});

it('journeys set warns above the seats', { timeout: 240_000 }, async () => {
  const bundle = path.join(filesDir, 'bundle');
  await ok('generate', '--students', '12', '--seed', 'seats', '--out', bundle);
  await ok('org', 'create', '--name', 'Seats District', '--slug', 'seats');
  await ok('products', 'add', '--code', 'assess', '--name', 'Assessment');
  await ok('org', 'licence', '--org', 'seats', '--product', 'assess', '--seats', '2');
  await ok('sync', '--org', 'seats', '--from-csv', bundle);

  const bulk = await rostersync(
    'journeys',
    'set',
    '--org',
    'seats',
    '--journey',
    'assess',
    '--school',
    'sch-001',
  );

  expect(bulk.status).toBe(0);
  expect(bulk.stdout).toMatch(/^Changed the journey of \d+ of \d+ children\.$/m);
  expect(bulk.stderr).toContain('PRODUCT_SEATS_EXCEEDED');
  expect(bulk.stderr).toContain('the licence has 2 seats');
});
