import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { GenerationResult } from '../../src/emulator/generate/district.ts';
import { generateDistrict, messRates } from '../../src/emulator/generate/district.ts';
import { gradeMix } from '../../src/emulator/generate/plan.ts';
import { createCsvFolderSink } from '../../src/emulator/generate/sink.ts';
import type { Class, Demographics, Enrollment, User } from '../../src/oneroster/types.ts';
import type { ReadBundle } from '../csv/read-bundle.ts';
import { readBundle } from '../csv/read-bundle.ts';

let workDir = '';

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'rostersync-generate-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function generate(
  name: string,
  students: number,
  seed: string,
): Promise<{ dir: string; result: GenerationResult }> {
  const dir = path.join(workDir, name);
  const result = await generateDistrict({ students, seed }, await createCsvFolderSink(dir));
  return { dir, result };
}

async function filesOf(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) files[name] = await readFile(path.join(dir, name), 'utf8');
  return files;
}

describe('district generator determinism', () => {
  it('writes the same bytes for the same seed', async () => {
    const first = await generate('a1', 300, 'same');
    const second = await generate('a2', 300, 'same');
    expect(await filesOf(second.dir)).toEqual(await filesOf(first.dir));
    expect(second.result).toEqual(first.result);
  });

  it('writes another district for another seed', async () => {
    const first = await generate('b1', 300, 'one');
    const second = await generate('b2', 300, 'two');
    expect((await filesOf(second.dir))['users.csv']).not.toBe((await filesOf(first.dir))['users.csv']);
  });

  it('rejects a student count below one', async () => {
    await expect(
      generateDistrict({ students: 0 }, await createCsvFolderSink(path.join(workDir, 'none'))),
    ).rejects.toThrow(/at least 1/);
  });
});

describe('district generator content', () => {
  let generated: { dir: string; result: GenerationResult };
  let read: ReadBundle;

  beforeAll(async () => {
    generated = await generate('content', 1200, 'content');
    read = await readBundle(generated.dir);
  });

  it('reads back with no issues', () => {
    expect(read.issues).toEqual([]);
    expect(Object.values(read.outcomes).every((outcome) => outcome.complete)).toBe(true);
    expect(read.records.users).toHaveLength(generated.result.counts['users.csv']);
  });

  it('writes one district, schools and a school year', () => {
    const types = read.records.orgs.map((org) => (org as { type: string }).type);
    expect(types.filter((type) => type === 'district')).toHaveLength(1);
    expect(types.filter((type) => type === 'school').length).toBeGreaterThan(1);
    expect(read.records.academicSessions).toEqual([
      expect.objectContaining({ type: 'schoolYear', schoolYear: '2026' }),
    ]);
  });

  it('gives children birth dates that fit their grade', () => {
    const users = read.records.users as User[];
    const demographics = new Map(
      (read.records.demographics as Demographics[]).map((record) => [record.sourcedId, record]),
    );
    const students = users.filter((user) => user.role === 'student');
    expect(students).toHaveLength(1200);
    for (const child of students) {
      const birthDate = demographics.get(child.sourcedId)?.birthDate;
      if (birthDate === null || birthDate === undefined) continue;
      const entry = gradeMix.find((grade) => grade.grade === child.grades[0]);
      const start = new Date('2025-09-01T00:00:00Z');
      const born = new Date(`${birthDate}T00:00:00Z`);
      const months =
        (start.getUTCFullYear() - born.getUTCFullYear()) * 12 + start.getUTCMonth() - born.getUTCMonth();
      expect(months).toBeGreaterThanOrEqual((entry?.ageMonths[0] ?? 0) - 1);
      expect(months).toBeLessThanOrEqual((entry?.ageMonths[1] ?? 0) + 1);
    }
  });

  it('links parents and children both ways', () => {
    const users = read.records.users as User[];
    const byId = new Map(users.map((user) => [user.sourcedId, user]));
    const adults = users.filter((user) => user.role === 'parent' || user.role === 'guardian');
    expect(adults.some((adult) => adult.role === 'guardian')).toBe(true);
    for (const adult of adults) {
      for (const childId of adult.agentSourcedIds)
        expect(byId.get(childId)?.agentSourcedIds).toContain(adult.sourcedId);
    }
  });

  it('gives classrooms lead teachers, co-teachers and aides', () => {
    const enrollments = read.records.enrollments as Enrollment[];
    const staff = enrollments.filter((enrollment) => enrollment.role !== 'student');
    const classes = read.records.classes as Class[];
    for (const room of classes) {
      const leads = staff.filter(
        (e) => e.classSourcedId === room.sourcedId && e.role === 'teacher' && e.primary,
      );
      expect(leads).toHaveLength(1);
    }
    expect(staff.some((e) => e.role === 'teacher' && !e.primary)).toBe(true);
    expect(staff.some((e) => e.role === 'aide')).toBe(true);
    const grades = new Set(classes.flatMap((room) => room.grades));
    expect([...grades].sort()).toEqual(['01', 'IT', 'KG', 'PK', 'PR', 'TK']);
  });

  it('places the stated mess where the result says', () => {
    const { mess } = generated.result;
    const users = read.records.users as User[];
    const byId = new Map(users.map((user) => [user.sourcedId, user]));
    const enrollments = read.records.enrollments as Enrollment[];
    const demographics = new Map(
      (read.records.demographics as Demographics[]).map((record) => [record.sourcedId, record]),
    );

    expect(generated.result.rates).toEqual(messRates);
    expect(mess.childrenInTwoClasses).toHaveLength(12);
    for (const id of mess.childrenInTwoClasses) {
      expect(enrollments.filter((e) => e.userSourcedId === id)).toHaveLength(2);
    }
    expect(mess.missingBirthDates).toHaveLength(12);
    for (const id of mess.missingBirthDates) expect(demographics.get(id)?.birthDate).toBeNull();
    const withoutBirthDate = [...demographics.values()].filter((record) => record.birthDate === null);
    expect(withoutBirthDate).toHaveLength(12);

    expect(mess.sameNamePairs.length).toBeGreaterThan(0);
    for (const [a, b] of mess.sameNamePairs) {
      expect(byId.get(b)?.givenName).toBe(byId.get(a)?.givenName);
      expect(byId.get(b)?.familyName).toBe(byId.get(a)?.familyName);
    }
    const names = users
      .filter((user) => user.role === 'student')
      .map((user) => `${user.givenName}|${user.familyName}`);
    expect(names.length - new Set(names).size).toBe(mess.sameNamePairs.length);

    for (const id of mess.emptyClassrooms) {
      expect(enrollments.filter((e) => e.classSourcedId === id && e.role === 'student')).toEqual([]);
    }
    expect(mess.emptyClassrooms.length).toBeGreaterThan(0);

    for (const id of mess.teachersInTwoSchools) expect(byId.get(id)?.orgSourcedIds).toHaveLength(2);
    expect(mess.teachersInTwoSchools.length).toBeGreaterThan(0);

    expect(mess.tobedeleted).toHaveLength(12);
    for (const id of mess.tobedeleted) expect(byId.get(id)?.status).toBe('tobedeleted');

    expect(mess.unknownUserEnrollments.length).toBeGreaterThan(0);
    const unknown = enrollments.filter((e) => !byId.has(e.userSourcedId)).map((e) => e.sourcedId);
    expect(unknown).toEqual(mess.unknownUserEnrollments);
  });
});
