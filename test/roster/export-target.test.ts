import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { exportRoster } from '../../src/roster/export.ts';
import { createOrganization } from '../../src/roster/organizations.ts';
import { describeEachStore } from '../support/stores.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'rostersync-export-target-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeEachStore('export target', ({ store }) => {
  it('names a file in the way of the folder', async () => {
    await createOrganization(store.db, { name: 'Target', slug: 'target', actor: 'test' });
    const file = path.join(root, 'not-a-folder');
    writeFileSync(file, 'x');

    const error = await exportRoster(store.db, 'target', file).then(
      () => null,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_INPUT');
    expect((error as AppError).message).toContain(file);
  });
});
