/**
 * NUL characters and huge cells in CSV rows. PostgreSQL rejects NUL in text, so a NUL that
 * reached a stored warning failed the whole run, and a cell that swallowed the rest of the file
 * through an unclosed quote was copied whole into a warning message.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { createOrganization } from '../../src/roster/organizations.ts';
import { insertRunningRun, insertRunWarnings, listRunWarnings } from '../../src/db/queries/sync-runs.ts';
import { describeEachStore } from '../support/stores.ts';
import { readBundle } from './read-bundle.ts';

const manifest = 'propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,bulk\n';
const header = 'sourcedId,status,role,givenName,familyName\n';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rostersync-nul-csv-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

it('row issues carry no NUL in the sourcedId', async () => {
  await writeFile(path.join(root, 'manifest.csv'), manifest);
  await writeFile(
    path.join(root, 'users.csv'),
    `${header}\u0000stu-1,active,student\nstu-2,active,student,Ann,Lee\n`,
  );

  const bundle = await readBundle(root);
  const rowIssue = bundle.issues.find((issue) => issue.code === 'TOO_FEW_FIELDS');

  expect(rowIssue?.sourcedId).toBe('stu-1');
});

it('status warning shortens a huge value', async () => {
  const huge = `x${'y'.repeat(20_000)}`;
  await writeFile(path.join(root, 'users.csv'), `${header}stu-3,${huge},student,Ann,Lee\n`);

  const bundle = await readBundle(root);
  const statusIssue = bundle.issues.find((issue) => issue.code === 'INVALID_STATUS');

  expect(statusIssue).toBeDefined();
  expect(statusIssue!.message.length).toBeLessThan(400);
  expect(statusIssue!.message).toContain('xyyy');
});

describeEachStore('run warnings with NUL', ({ store }) => {
  it('stores them without the NUL', async () => {
    const org = await createOrganization(store.db, { name: 'Nul', slug: 'nul', actor: 'test' });
    const run = await insertRunningRun(store.db, {
      orgId: org.id,
      trigger: 'cli',
      mode: 'full',
      source: 'csv',
      dryRun: false,
      workerId: 'test',
      now: new Date(),
    });

    await insertRunWarnings(store.db, run.id, [
      { code: 'TOO_FEW_FIELDS', sourcedId: '\u0000stu-1', message: 'line 2 \u0000 is short' },
    ]);
    const [stored] = await listRunWarnings(store.db, run.id);

    expect(stored?.sourcedId).toBe('stu-1');
    expect(stored?.message).toBe('line 2  is short');
  });
});
