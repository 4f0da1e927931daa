import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { openCsvBundle } from '../../src/oneroster/csv/bundle.ts';
import type { Class, User } from '../../src/oneroster/types.ts';
import { readBundle } from './read-bundle.ts';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const fixture = (name: string): string => path.join(fixtures, name);

describe('CSV bundle line endings', () => {
  it('reads BOM, CRLF, bare CR and no final newline', async () => {
    const bundle = await readBundle(fixture('line-endings'));
    const users = bundle.records.users as User[];
    expect(users.map((user) => user.sourcedId)).toEqual(['u1', 'u2']);
    expect(users[1]?.familyName).toBe('Okafor');
    expect(users[0]?.dateLastModified).toBe('2024-05-01T18:25:43.511Z');
    expect(bundle.records.orgs.map((org) => org.sourcedId)).toEqual(['d1', 's1']);
    expect(bundle.records.academicSessions).toHaveLength(1);
    expect(bundle.issues).toEqual([]);
  });

  it('reads inactive and tobedeleted as tobedeleted', async () => {
    const bundle = await readBundle(fixture('line-endings'));
    expect(bundle.records.orgs.map((org) => org.status)).toEqual(['active', 'tobedeleted']);
    expect(bundle.records.academicSessions[0]?.status).toBe('tobedeleted');
  });

  it('treats a header-only file as complete and empty', async () => {
    const bundle = await readBundle(fixture('line-endings'));
    expect(bundle.records.enrollments).toEqual([]);
    expect(bundle.outcomes.enrollments).toMatchObject({ complete: true, received: 0 });
  });
});

describe('CSV bundle cells', () => {
  it('splits quoted multi-value cells', async () => {
    const bundle = await readBundle(fixture('multi-value'));
    const [parent, child] = bundle.records.users as User[];
    expect(parent?.userIds).toEqual([
      { type: 'LDAP', identifier: '12' },
      { type: 'LTI', identifier: '15' },
      { type: 'Fed', identifier: '23' },
    ]);
    expect(parent?.orgSourcedIds).toEqual(['s1', 's2']);
    expect(parent?.agentSourcedIds).toEqual(['c1', 'c2']);
    expect(child?.givenName).toBe('Jones, Jr.');
    expect(child?.grades).toEqual(['PK', 'TK']);

    const [room] = bundle.records.classes as Class[];
    expect(room?.title).toBe('Ladybugs, Room 2');
    expect(room?.termSourcedIds).toEqual(['t1', 't2']);
    expect(room?.subjects).toEqual(['Early Learning', 'Literacy']);
    expect(room?.periods).toEqual(['1', '2']);
  });

  it('keeps metadata and ext columns but drops passwords', async () => {
    const bundle = await readBundle(fixture('multi-value'));
    const [parent] = bundle.records.users as User[];
    expect(parent?.extensions).toMatchObject({ nickname: 'PJ', ext_badge: 'gold' });
    expect(JSON.stringify(bundle.records.users)).not.toContain('hunter2');
  });
});

describe('CSV bundle field counts', () => {
  it('reports bad rows by file and line and loads the rest', async () => {
    const bundle = await readBundle(fixture('field-counts'));
    expect(bundle.records.users.map((user) => user.sourcedId)).toEqual(['u1', 'u2', 'u4', 'u5']);
    const summary = bundle.issues.map((issue) => [issue.code, issue.severity, issue.file, issue.line]);
    expect(summary).toEqual([
      ['EXTRA_EMPTY_FIELDS', 'warning', 'users.csv', 3],
      ['TOO_MANY_FIELDS', 'error', 'users.csv', 4],
      ['TOO_FEW_FIELDS', 'warning', 'users.csv', 5],
      ['MISSING_NAME', 'warning', 'users.csv', 5],
      ['DUPLICATE_SOURCED_ID', 'error', 'users.csv', 7],
    ]);
    expect(bundle.outcomes.users.complete).toBe(true);
  });

  it('stops at an unclosed quote and marks the file incomplete', async () => {
    const bundle = await readBundle(fixture('broken-quote'));
    expect(bundle.records.users.map((user) => user.sourcedId)).toEqual(['u1']);
    const syntax = bundle.issues.find((issue) => issue.code === 'CSV_SYNTAX');
    expect(syntax).toMatchObject({ file: 'users.csv', line: 3, severity: 'error' });
    expect(bundle.outcomes.users.complete).toBe(false);
    expect(bundle.outcomes.users.reason).toContain('users.csv');
  });

  it('rejects a file without a sourcedId column', async () => {
    const bundle = await openCsvBundle(fixture('no-sourcedid'));
    const read = async (): Promise<void> => {
      for await (const page of bundle.pull('orgs')) void page;
    };
    await expect(read()).rejects.toThrow(AppError);
    await expect(read()).rejects.toThrow(/orgs\.csv .* has no sourcedId column/);
  });
});

describe('CSV bundle manifest', () => {
  it('maps bulk, delta, absent and missing files to outcomes', async () => {
    const bundle = await readBundle(fixture('manifest-modes'));
    expect(bundle.outcomes.orgs).toMatchObject({ complete: true, received: 1 });
    expect(bundle.outcomes.users).toMatchObject({ complete: false, delta: true, received: 1 });
    expect(bundle.records.users[0]?.status).toBe('tobedeleted');

    expect(bundle.records.demographics).toEqual([]);
    expect(bundle.outcomes.demographics).toMatchObject({
      complete: false,
      reason: 'the manifest marks demographics.csv absent',
    });

    expect(bundle.outcomes.courses.complete).toBe(false);
    expect(bundle.outcomes.courses.reason).toBe('courses.csv is missing although the manifest marks it bulk');
    expect(bundle.issues.find((issue) => issue.code === 'FILE_MISSING')?.file).toBe('courses.csv');
  });

  it('reads an unknown file mode as absent', async () => {
    const bundle = await openCsvBundle(fixture('manifest-modes'));
    expect(bundle.manifest.files.classes).toBe('absent');
    expect(bundle.manifest.problems).toEqual([
      'manifest.csv gives file.classes the mode "partial"; it is read as absent.',
    ]);
  });

  it('reads the 1.0 layout without a manifest', async () => {
    const bundle = await readBundle(fixture('v1p0'));
    const [user] = bundle.records.users as User[];
    expect(user?.status).toBe('tobedeleted');
    expect(user?.agentSourcedIds).toEqual(['p1']);
    expect(user?.userIds).toEqual([{ type: 'unspecified', identifier: 'A-17' }]);
    expect(bundle.records.demographics[0]).toMatchObject({
      sourcedId: 'u1',
      birthDate: '2021-02-03',
      sex: 'female',
      asian: true,
    });
    expect(bundle.records.classes[0]).toMatchObject({ grades: ['PK'], termSourcedIds: ['t1', 't2'] });
    expect(bundle.records.courses[0]).toMatchObject({ schoolYearSourcedId: 'sy1', grades: ['PK'] });
    expect(bundle.outcomes.orgs).toMatchObject({ complete: false, reason: 'the bundle has no orgs.csv' });
  });

  it('joins 1.2 roles.csv into users', async () => {
    const bundle = await readBundle(fixture('v1p2'));
    const [teacher] = bundle.records.users as User[];
    expect(teacher?.role).toBe('teacher');
    expect(teacher?.roles.map((role) => [role.roleType, role.role, role.orgSourcedId])).toEqual([
      ['primary', 'teacher', 's2'],
      ['secondary', 'aide', 's1'],
    ]);
    expect(teacher?.primaryOrgSourcedId).toBe('s2');
    expect(teacher?.preferredGivenName).toBe('Maggie');
    expect(bundle.issues).toEqual([]);
  });
});

describe('CSV bundle paging and zip', () => {
  let workDir = '';
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'rostersync-csv-'));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('yields pages of the stated size', async () => {
    const bundle = await readBundle(fixture('field-counts'), { pageSize: 2 });
    expect(bundle.pages.users).toBe(3);
    expect(bundle.records.users).toHaveLength(4);
  });

  it('reads a zip with the bundle in a sub-folder', async () => {
    const entries: Record<string, Uint8Array> = {};
    for (const name of await readdir(fixture('line-endings'))) {
      entries[`export/${name}`] = new Uint8Array(await readFile(path.join(fixture('line-endings'), name)));
    }
    const zipPath = path.join(workDir, 'bundle.zip');
    await writeFile(zipPath, zipSync(entries, { level: 6 }));

    const fromZip = await readBundle(zipPath);
    const fromFolder = await readBundle(fixture('line-endings'));
    expect(fromZip.records).toEqual(fromFolder.records);
    expect(fromZip.outcomes).toEqual(fromFolder.outcomes);
  });

  it('marks an empty file incomplete', async () => {
    const folder = path.join(workDir, 'empty-file');
    await mkdir(folder);
    await writeFile(path.join(folder, 'orgs.csv'), '');
    const bundle = await readBundle(folder);
    expect(bundle.outcomes.orgs).toMatchObject({
      complete: false,
      reason: 'orgs.csv is empty: it has no header row',
    });
    expect(bundle.issues.map((issue) => [issue.code, issue.file])).toEqual([['FILE_EMPTY', 'orgs.csv']]);
  });

  it('rejects a path that does not exist', async () => {
    await expect(openCsvBundle(path.join(workDir, 'nowhere'))).rejects.toThrow(/was not found/);
  });

  it('rejects a file that is not a zip', async () => {
    const notZip = path.join(workDir, 'not-a.zip');
    await writeFile(notZip, 'hello');
    await expect(openCsvBundle(notZip)).rejects.toMatchObject({ code: 'CSV_BUNDLE_INVALID' });
  });
});
