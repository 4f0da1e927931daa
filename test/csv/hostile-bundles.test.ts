/**
 * Hostile CSV bundles: inputs built to exhaust memory or confuse the reader. Each case is built
 * here in a temporary folder, so no file of ours is large on disk.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Zip, ZipDeflate, strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isAppError } from '../../src/core/errors.ts';
import type { AppError } from '../../src/core/errors.ts';
import { openCsvBundle } from '../../src/oneroster/csv/bundle.ts';
import { readBundle } from './read-bundle.ts';

const manifest11 = 'propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,bulk\n';
const usersHeader = 'sourcedId,status,role,givenName,familyName\n';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'rostersync-hostile-csv-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folder(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir);
  for (const [file, content] of Object.entries(files)) await writeFile(path.join(dir, file), content);
  return dir;
}

async function zipFile(name: string, files: Record<string, string>): Promise<string> {
  const entries = Object.fromEntries(Object.entries(files).map(([file, text]) => [file, strToU8(text)]));
  const file = path.join(root, name);
  await writeFile(file, zipSync(entries));
  return file;
}

/**
 * Writes a zip whose `users.csv` inflates to `head` followed by `repeats` MiB of `filler`, built
 * chunk by chunk so that the inflated text never exists in this process.
 */
async function zipBomb(name: string, head: string, filler: string, repeats: number): Promise<string> {
  const file = path.join(root, name);
  const out = createWriteStream(file);
  const closed = new Promise<void>((resolve) => out.on('close', () => resolve()));
  const zip = new Zip((error, data, final) => {
    if (error) throw error;
    out.write(data);
    if (final) out.end();
  });
  const entry = new ZipDeflate('users.csv', { level: 9 });
  zip.add(entry);
  entry.push(strToU8(head));
  const chunk = strToU8(filler.repeat(Math.ceil((1 << 20) / filler.length)));
  for (let i = 0; i < repeats; i += 1) entry.push(chunk);
  entry.push(new Uint8Array(0), true);
  zip.end();
  await closed;
  return file;
}

describe('hostile CSV bundles', () => {
  it('zip bomb with one endless cell stops at the record size limit', async () => {
    const file = await zipBomb('cell-bomb.zip', `${usersHeader}u1,active,student,`, 'a', 20);

    const result = await readBundle(file);

    expect(result.records.users).toHaveLength(0);
    expect(result.outcomes.users.complete).toBe(false);
    expect(result.outcomes.users.reason).toMatch(/maximum/i);
    expect(result.issues.map((issue) => issue.code)).toContain('CSV_SYNTAX');
  });

  it('zip bomb with an unclosed quote stops at the record size limit', async () => {
    const file = await zipBomb('quote-bomb.zip', `${usersHeader}u1,active,student,"`, 'b,\n', 20);

    const result = await readBundle(file);

    expect(result.outcomes.users.complete).toBe(false);
    expect(result.outcomes.users.reason).toMatch(/maximum/i);
  });

  it('accepts a 5 MB cell below the limit', async () => {
    const dir = await folder('big-cell', {
      'manifest.csv': manifest11,
      'users.csv': `${usersHeader}u1,active,student,${'a'.repeat(5_000_000)},Lee\nu2,active,student,Bo,Lee\n`,
    });

    const result = await readBundle(dir);

    expect(result.records.users.map((user) => user.sourcedId)).toEqual(['u1', 'u2']);
    expect(result.outcomes.users.complete).toBe(true);
  });

  it('yields issue-only rows in bounded pages', async () => {
    const rows = Array.from({ length: 3000 }, () => 'u1,active,student,Ann,Lee\n').join('');
    const dir = await folder('repeats', { 'manifest.csv': manifest11, 'users.csv': usersHeader + rows });

    const bundle = await openCsvBundle(dir, { pageSize: 100 });
    const pull = bundle.pull('users');
    const issueCounts: number[] = [];
    let records = 0;
    for await (const page of pull) {
      issueCounts.push(page.issues.length);
      records += page.records.length;
    }

    expect(records).toBe(1);
    expect(issueCounts.reduce((sum, count) => sum + count, 0)).toBe(2999);
    expect(Math.max(...issueCounts)).toBeLessThanOrEqual(100);
    expect(pull.outcome().complete).toBe(true);
  });

  it('manifest with an unclosed quote is a bundle error', async () => {
    const dir = await folder('manifest-quote', {
      'manifest.csv': 'propertyName,value\n"oneroster.version,1.1\nfile.users,bulk\n',
      'users.csv': `${usersHeader}u1,active,student,Ann,Lee\n`,
    });

    const error: unknown = await openCsvBundle(dir).catch((caught: unknown) => caught);

    expect(isAppError(error)).toBe(true);
    expect((error as AppError).code).toBe('CSV_BUNDLE_INVALID');
    expect(String((error as Error).message)).toContain('manifest.csv');
  });

  it('manifest with thousands of properties is rejected', async () => {
    const rows = Array.from({ length: 1001 }, (_, index) => `custom.property${index},x\n`).join('');
    const dir = await folder('manifest-huge', {
      'manifest.csv': manifest11 + rows,
      'users.csv': `${usersHeader}u1,active,student,Ann,Lee\n`,
    });

    const error: unknown = await openCsvBundle(dir).catch((caught: unknown) => caught);

    expect((error as AppError).code).toBe('CSV_BUNDLE_INVALID');
    expect((error as AppError).message).toContain('1000 properties');
  });

  it('page size below 1 is rejected', async () => {
    const dir = await folder('page-size', { 'users.csv': `${usersHeader}u1,active,student,Ann,Lee\n` });

    for (const pageSize of [0, -1, Number.NaN, 1.5]) {
      const error: unknown = await openCsvBundle(dir, { pageSize }).catch((caught: unknown) => caught);
      expect((error as AppError).code).toBe('INVALID_INPUT');
    }
  });

  it('header-only file without sourcedId is rejected', async () => {
    const dir = await folder('wrong-header-only', { 'manifest.csv': manifest11, 'users.csv': 'foo,bar\n' });

    const bundle = await openCsvBundle(dir);
    const error: unknown = await (async () => {
      for await (const page of bundle.pull('users')) void page;
    })().catch((caught: unknown) => caught);

    expect((error as AppError).code).toBe('CSV_FILE_INVALID');
  });

  it('header with BOM and spaces maps its columns', async () => {
    const dir = await folder('bom-spaces', {
      'manifest.csv': manifest11,
      'users.csv':
        '\uFEFF sourcedId , status , role ,givenName, familyName \r\nu1,active,student,Ann,Lee\r\n',
    });

    const result = await readBundle(dir);

    expect(result.records.users).toMatchObject([{ sourcedId: 'u1', givenName: 'Ann', familyName: 'Lee' }]);
  });

  it('NUL bytes never reach the normalized records', async () => {
    const dir = await folder('nul', {
      'manifest.csv': manifest11,
      'users.csv': `${usersHeader}u\u00001,active,student,An\u0000n,Lee\u0000\n`,
    });

    const result = await readBundle(dir);

    expect(result.records.users).toHaveLength(1);
    expect(JSON.stringify(result.records.users[0])).not.toContain('\\u0000');
    expect(result.records.users[0]).toMatchObject({ sourcedId: 'u1', givenName: 'Ann', familyName: 'Lee' });
  });

  it('invalid UTF-8 is reported per row', async () => {
    const latin1Name = Buffer.from([0x4a, 0x6f, 0x73, 0xe9]);
    const dir = await folder('latin1', {
      'manifest.csv': manifest11,
      'users.csv': Buffer.concat([
        Buffer.from(`${usersHeader}u1,active,student,`),
        latin1Name,
        Buffer.from(',Lee\nu2,active,student,Ann,Lee\n'),
      ]),
    });

    const result = await readBundle(dir);
    const garbled = result.issues.filter((issue) => issue.code === 'INVALID_UTF8');

    expect(result.records.users).toHaveLength(2);
    expect(garbled).toHaveLength(1);
    expect(garbled[0]?.sourcedId).toBe('u1');
    expect(garbled[0]?.message).toContain('givenName');
  });

  it('repeated header column is reported', async () => {
    const dir = await folder('repeated-column', {
      'manifest.csv': manifest11,
      'users.csv': 'sourcedId,status,role,givenName,familyName,sourcedId\nu1,active,student,Ann,Lee,\n',
    });

    const result = await readBundle(dir);
    const repeated = result.issues.filter((issue) => issue.code === 'REPEATED_COLUMN');

    expect(repeated).toHaveLength(1);
    expect(repeated[0]?.message).toContain('sourcedId 2 times');
    // The empty last sourcedId column wins, so the row is dropped and the file reads as empty.
    expect(result.records.users).toHaveLength(0);
    expect(result.outcomes.users.complete).toBe(true);
  });

  it('repeated sourcedIds keep the first row', async () => {
    const dir = await folder('duplicates', {
      'manifest.csv': manifest11,
      'users.csv': `${usersHeader}u1,active,student,Ann,Lee\nu1,active,student,Bo,Lee\n`,
    });

    const result = await readBundle(dir);

    expect(result.records.users).toMatchObject([{ givenName: 'Ann' }]);
    expect(result.issues.map((issue) => issue.code)).toContain('DUPLICATE_SOURCED_ID');
  });

  it('zip entry names with ../ are read by base name only', async () => {
    const file = await zipFile('traversal.zip', {
      '../manifest.csv': manifest11,
      '../../users.csv': `${usersHeader}u1,active,student,Ann,Lee\n`,
    });

    const result = await readBundle(file);

    expect(result.records.users).toHaveLength(1);
  });

  it('empty zip is a bundle error', async () => {
    const file = path.join(root, 'empty.zip');
    await writeFile(file, zipSync({}));

    const error: unknown = await openCsvBundle(file).catch((caught: unknown) => caught);

    expect((error as AppError).code).toBe('CSV_BUNDLE_INVALID');
  });

  it('manifest naming a missing file marks it incomplete', async () => {
    const dir = await folder('missing-file', {
      'manifest.csv': `${manifest11}file.orgs,bulk\n`,
      'users.csv': `${usersHeader}u1,active,student,Ann,Lee\n`,
    });

    const result = await readBundle(dir);

    expect(result.outcomes.orgs.complete).toBe(false);
    expect(result.issues.map((issue) => issue.code)).toContain('FILE_MISSING');
    expect(result.outcomes.users.complete).toBe(true);
  });

  it('folder without manifest reads as the 1.0 layout', async () => {
    const dir = await folder('no-manifest', { 'users.csv': `${usersHeader}u1,active,student,Ann,Lee\n` });

    const bundle = await openCsvBundle(dir);

    expect(bundle.manifest.fromManifest).toBe(false);
    expect(bundle.manifest.files.users).toBe('bulk');
    expect(bundle.manifest.files.orgs).toBe('absent');
  });
});
