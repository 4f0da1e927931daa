import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { type CliResult, runCli } from '../support/cli.ts';

import type { RunReport } from '../../src/sync/report.ts';

const root = path.resolve(import.meta.dirname, '../..');
const realdata = path.resolve(root, '../shared/realdata/oneroster-1.1-csv');
const present = existsSync(realdata);
if (!present)
  console.log(`Real OneRoster bundles not found at ${realdata}; the sync command tests did not run.`);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rostersync-cli-'));

/** Runs `rostersync ARGS` on this file's embedded store, with room for a loaded machine. */
function rostersync(...args: string[]): Promise<CliResult> {
  return runCli(args, { ROSTERSYNC_DATA_DIR: dataDir, LOG_LEVEL: 'error' }, 240_000);
}

describe.skipIf(!present)('sync and runs commands', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('sync, history, hold and reject', async () => {
    const edfi = path.join(realdata, 'edfi-sample');
    expect(
      (await rostersync('org', 'create', '--name', 'CLI District', '--slug', 'cli-district')).status,
    ).toBe(0);

    const first = await rostersync('sync', '--org', 'cli-district', '--from-csv', edfi, '--json');
    expect(first.status).toBe(0);
    const report = JSON.parse(first.stdout) as RunReport;
    expect(report.status).toBe('succeeded');
    expect(report.org).toBe('cli-district');
    expect(report.counts.children.created).toBe(8);
    expect(first.stderr).toContain('sync: fetching');

    const second = await rostersync('sync', '--org', 'cli-district', '--from-csv', edfi, '--json');
    const again = JSON.parse(second.stdout) as RunReport;
    expect(again.counts.children.unchanged).toBe(8);
    expect(again.counts.children.created + again.counts.children.updated).toBe(0);

    const history = await rostersync('runs', '--org', 'cli-district', '--json');
    const runs = JSON.parse(history.stdout) as RunReport[];
    expect(runs.map((run) => run.runId)).toEqual([again.runId, report.runId]);

    const shown = await rostersync('runs', 'show', report.runId, '--json');
    expect((JSON.parse(shown.stdout) as RunReport).warnings.map((warning) => warning.code)).toContain(
      'EXTRA_EMPTY_FIELDS',
    );

    await rostersync('org', 'set', '--org', 'cli-district', '--allow-removal', 'on');
    const held = await rostersync(
      'sync',
      '--org',
      'cli-district',
      '--from-csv',
      path.join(realdata, 'moodle-full'),
    );
    expect(held.status).toBe(3);
    expect(held.stdout).toContain('held_for_review');
    const heldId = /Run ([0-9a-f-]{36})/.exec(held.stdout)?.[1] ?? '';

    const review = await rostersync('runs', 'show', heldId);
    expect(review.stdout).toContain('Plan:');
    expect(review.stdout).toContain('- deactivate children 604863 (no longer in the roster source)');

    const rejected = await rostersync('runs', 'reject', heldId);
    expect(rejected.status).toBe(0);
    expect(rejected.stdout).toContain('rejected');
    const twice = await rostersync('runs', 'approve', heldId);
    expect(twice.status).toBe(1);
    expect(twice.stderr).toContain('RUN_NOT_HELD');
    // Each command starts a process that opens the embedded store from disk: seconds apiece.
  }, 300_000);
});
