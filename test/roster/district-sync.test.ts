import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { startEmulator, type RunningEmulator } from '../../src/emulator/server.ts';
import { exportRoster } from '../../src/roster/export.ts';
import { saveRosterConnection } from '../../src/roster/organizations.ts';
import type { RunReport } from '../../src/sync/report.ts';
import { runSync } from '../../src/sync/run.ts';
import { describeEachStore } from '../support/stores.ts';
import { createTestOrg, syncDeps, testSecretKey } from '../sync/support/harness.ts';

/** Reads an exported CSV file as rows keyed by header. */
function readCsv(folder: string, file: string): Record<string, string>[] {
  return parse(fs.readFileSync(path.join(folder, file), 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
}

describeEachStore('generated district sync', ({ store }) => {
  let emulator: RunningEmulator;
  let report: RunReport;
  let orgSlug = '';
  let outDir = '';

  beforeAll(async () => {
    // 450 children make three schools, so some teachers work in two of them.
    emulator = await startEmulator({ generate: { students: 450, seed: 'roster-rules' } });
    const org = await createTestOrg(store, { allowRemoval: true });
    orgSlug = org.slug;
    await saveRosterConnection(
      store.db,
      org.slug,
      {
        endpointUrl: emulator.baseUrl,
        version: '1.1',
        authKind: 'oauth1',
        key: emulator.key,
        secret: emulator.secret,
        actor: 'test',
      },
      testSecretKey,
    );
    report = await runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', mode: 'full' });
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rostersync-export-'));
    await exportRoster(store.db, org.slug, outDir);
  });

  afterAll(async () => {
    await emulator?.close();
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  const warned = (code: string) =>
    new Set(report.warnings.filter((w) => w.code === code).map((w) => w.sourcedId));

  it('succeeds', () => {
    expect(report.status).toBe('succeeded');
    expect(orgSlug).not.toBe('');
  });

  it('reports each mess under its code', () => {
    const mess = emulator.generation!.mess;
    const cases: [string, string[]][] = [
      ['CHILD_MULTIPLE_CLASSROOMS', mess.childrenInTwoClasses.filter((id) => !mess.tobedeleted.includes(id))],
      ['EDUCATOR_MULTIPLE_SCHOOLS', mess.teachersInTwoSchools],
      ['CHILD_MISSING_BIRTH_DATE', mess.missingBirthDates.filter((id) => !mess.tobedeleted.includes(id))],
      ['CHILD_SAME_NAME', mess.sameNamePairs.flat().filter((id) => !mess.tobedeleted.includes(id))],
      ['MEMBERSHIP_SKIPPED', mess.unknownUserEnrollments],
    ];
    for (const [code, ids] of cases) {
      expect(ids.length, `the generator made no ${code} case`).toBeGreaterThan(0);
      const got = warned(code);
      for (const id of ids) expect(got.has(id), `${code} for ${id}`).toBe(true);
    }
    expect(report.counts.children.skipped).toBeGreaterThanOrEqual(mess.tobedeleted.length);
  });

  it('exports one classroom per child', () => {
    const memberships = readCsv(outDir, 'memberships.csv');
    const children = readCsv(outDir, 'children.csv');
    const childIds = new Set(children.map((row) => row.sourcedId));
    const classroomsOf = new Map<string, Set<string>>();
    for (const row of memberships) {
      if (row.role !== 'student') continue;
      expect(childIds.has(row.personSourcedId!)).toBe(true);
      const set = classroomsOf.get(row.personSourcedId!) ?? new Set();
      set.add(row.classroomSourcedId!);
      classroomsOf.set(row.personSourcedId!, set);
    }
    for (const [child, classrooms] of classroomsOf) expect(classrooms.size, child).toBe(1);
    for (const row of children) {
      const classrooms = classroomsOf.get(row.sourcedId!);
      if (classrooms) expect([...classrooms]).toEqual([row.classroomSourcedId]);
    }
  });

  it('exports one school per educator', () => {
    const educators = readCsv(outDir, 'educators.csv');
    const classrooms = readCsv(outDir, 'classrooms.csv');
    const memberships = readCsv(outDir, 'memberships.csv');
    const schoolOfClassroom = new Map(classrooms.map((row) => [row.sourcedId, row.schoolSourcedId]));
    const schoolOfEducator = new Map(educators.map((row) => [row.sourcedId, row.schoolSourcedId]));
    for (const row of educators) expect(row.schoolSourcedId, row.sourcedId).not.toBe('');

    const classroomsOf = new Map<string, Set<string>>();
    for (const row of memberships) {
      if (row.role === 'student') continue;
      const school = schoolOfEducator.get(row.personSourcedId!);
      expect(
        schoolOfClassroom.get(row.classroomSourcedId!),
        `${row.personSourcedId} in ${row.classroomSourcedId}`,
      ).toBe(school);
      const set = classroomsOf.get(row.personSourcedId!) ?? new Set();
      set.add(row.classroomSourcedId!);
      classroomsOf.set(row.personSourcedId!, set);
    }
    for (const [educator, set] of classroomsOf) expect(set.size, educator).toBeLessThanOrEqual(10);
  });

  it('places every child', async () => {
    const rows = await store.db.selectFrom('children').select(['level', 'grade']).execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.level).not.toBeNull();
    const kindergarten = rows.filter((row) => row.grade === 'KG');
    expect(kindergarten.every((row) => row.level === 'kindergarten')).toBe(true);
  });
});
