import { existsSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Demographics, User } from '../../src/oneroster/types.ts';
import { readBundle } from './read-bundle.ts';

const realdata = path.resolve(import.meta.dirname, '../../../shared/realdata');
const present = existsSync(realdata);
if (!present)
  console.log(`Real OneRoster bundles not found at ${realdata}; the real-data CSV tests did not run.`);

describe.skipIf(!present)('CSV reader on real bundles', () => {
  const bundle = (relative: string): string => path.join(realdata, relative);

  it('loads the Ed-Fi 1.1 bundle, reporting its long rows', async () => {
    const read = await readBundle(bundle('oneroster-1.1-csv/edfi-sample'));
    expect(read.records.users).toHaveLength(10);
    expect(read.records.enrollments).toHaveLength(24);
    expect(read.records.demographics).toHaveLength(8);
    expect(read.issues.map((issue) => [issue.code, issue.file, issue.line])).toEqual([
      ['EXTRA_EMPTY_FIELDS', 'users.csv', 10],
      ['EXTRA_EMPTY_FIELDS', 'users.csv', 11],
    ]);
    expect(Object.values(read.outcomes).every((outcome) => outcome.complete)).toBe(true);
  });

  it('loads the Ed-Fi 1.0 bundle without a manifest', async () => {
    const read = await readBundle(bundle('oneroster-1.0-csv/edfi-sample'));
    const demographics = read.records.demographics as Demographics[];
    expect(demographics).toHaveLength(8);
    expect(demographics[0]).toMatchObject({ sourcedId: '604863', birthDate: '1997-05-30', sex: 'female' });
    expect(read.records.classes[0]).toMatchObject({ grades: ['9'] });
    expect(read.issues).toEqual([]);
  });

  it('loads the Moodle bundles from a folder and a zip alike', async () => {
    const fromFolder = await readBundle(bundle('oneroster-1.1-csv/moodle-full'));
    const fromZip = await readBundle(bundle('oneroster-1.1-csv/moodle-full.zip'));
    expect(fromZip.records).toEqual(fromFolder.records);

    const users = fromFolder.records.users as User[];
    const parent = users.find((user) => user.role === 'parent');
    expect(parent?.userIds.map((id) => id.type)).toEqual(['LDAP', 'LTI', 'Fed']);
    expect(parent?.agentSourcedIds).toEqual(['usr-222-66778899']);
    expect(fromFolder.outcomes.courses).toMatchObject({
      complete: false,
      reason: 'the manifest marks courses.csv absent',
    });

    const statuses = fromFolder.records.academicSessions.map((session) => session.status);
    expect(statuses).toEqual(['tobedeleted', 'active', 'tobedeleted', 'active', 'active']);
  });

  it('loads the minimal Moodle bundle', async () => {
    const read = await readBundle(bundle('oneroster-1.1-csv/moodle-minimal'));
    expect(read.records.users).toHaveLength(6);
    expect(read.records.enrollments).toHaveLength(6);
    expect(read.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
  });
});
