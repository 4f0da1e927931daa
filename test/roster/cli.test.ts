import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { type CliResult, runCli } from '../support/cli.ts';

import type { RunReport } from '../../src/sync/report.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rostersync-rules-cli-'));
const filesDir = mkdtempSync(path.join(os.tmpdir(), 'rostersync-rules-files-'));

/** Runs a command that must succeed; fails with its standard error otherwise. */
async function ok(...args: string[]): Promise<string> {
  const result = await rostersync(...args);
  expect(result.status, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** Runs `rostersync ARGS` on this file's embedded store, with room for a loaded machine. */
function rostersync(...args: string[]): Promise<CliResult> {
  return runCli(args, { ROSTERSYNC_DATA_DIR: dataDir, LOG_LEVEL: 'error' }, 240_000);
}

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(filesDir, { recursive: true, force: true });
});

it('licences, journeys, reviews and archive commands', { timeout: 240_000 }, async () => {
  const bundle = path.join(filesDir, 'bundle');
  const out = path.join(filesDir, 'export');
  await ok('generate', '--students', '40', '--seed', 'cli', '--out', bundle);
  await ok('org', 'create', '--name', 'Rules District', '--slug', 'rules');
  await ok('products', 'add', '--code', 'assess', '--name', 'Assessment');

  const unknown = await rostersync('org', 'licence', '--org', 'rules', '--product', 'nope', '--seats', '5');
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toContain('PRODUCT_NOT_FOUND');
  expect(
    (await rostersync('org', 'licence', '--org', 'rules', '--product', 'assess', '--seats', '10')).status,
  ).toBe(0);
  await ok('org', 'set', '--org', 'rules', '--journey', 'assess');

  const synced = await rostersync('sync', '--org', 'rules', '--from-csv', bundle, '--json');
  expect(synced.status).toBe(0);
  const report = JSON.parse(synced.stdout) as RunReport;
  const codes = new Set(report.warnings.map((warning) => warning.code));
  expect(codes).toContain('CHILD_MULTIPLE_CLASSROOMS');
  expect(codes).toContain('PRODUCT_SEATS_EXCEEDED');

  const licences = await rostersync('org', 'licences', '--org', 'rules', '--json');
  const [licence] = JSON.parse(licences.stdout) as { productCode: string; seats: number; used: number }[];
  expect(licence?.used).toBe(report.counts.children.created);

  const bulk = await rostersync('journeys', 'set', '--org', 'rules', '--journey', 'assess', '--grade', 'K');
  expect(bulk.status).toBe(0);
  expect(bulk.stdout).toMatch(/^Changed the journey of 0 of \d+ children\.$/m);

  const reviews = await rostersync('review', 'list', '--org', 'rules', '--json');
  expect(reviews.status).toBe(0);
  expect(JSON.parse(reviews.stdout)).toEqual([]);

  const archived = await rostersync('org', 'archive', '--org', 'rules', '--school-year', '2026');
  expect(archived.status).toBe(0);
  expect(archived.stdout).toContain(
    `Archived the 2025-26 school year of rules: ${report.counts.children.created} children`,
  );

  await ok('export', '--org', 'rules', '--out', out);
  expect(readFileSync(path.join(out, 'children.csv'), 'utf8').trim().split('\n')).toHaveLength(1);
});
