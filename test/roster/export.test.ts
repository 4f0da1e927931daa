import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { json } from '../../src/db/json.ts';
import { exportRoster } from '../../src/roster/export.ts';
import { createOrganization, updateSettings } from '../../src/roster/organizations.ts';
import { describeEachStore } from '../support/stores.ts';

const outRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'rostersync-export-'));
afterAll(() => fs.rmSync(outRoot, { recursive: true, force: true }));

function readCsv(dir: string, file: string): string[] {
  return fs.readFileSync(path.join(dir, file), 'utf8').trimEnd().split('\r\n');
}

describeEachStore('export', ({ store, kind }) => {
  it('writes the roster as it stands', async () => {
    const org = await createOrganization(store.db, { name: 'Export', slug: 'export', actor: 'test' });
    const orgId = org.id;
    const school = await store.db
      .insertInto('schools')
      .values({ orgId, sourcedId: 's1', name: 'Oak, "North" Campus' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const room = await store.db
      .insertInto('classrooms')
      .values({
        orgId,
        sourcedId: 'c1',
        schoolId: school.id,
        rosterName: 'PK-A',
        displayName: 'Butterflies',
        grades: json(['PK']),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const child = await store.db
      .insertInto('children')
      .values({
        orgId,
        sourcedId: 'u1',
        schoolId: school.id,
        classroomId: room.id,
        givenName: 'Ana',
        familyName: 'López',
        nameKey: 'ana lopez',
        birthDate: '2021-03-04',
        grade: 'PK',
        journey: json(['literacy', 'math']),
        level: 'prek-4',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await store.db
      .insertInto('children')
      .values({
        orgId,
        sourcedId: 'u2',
        givenName: 'Gone',
        familyName: 'Away',
        nameKey: 'gone away',
        status: 'inactive',
      })
      .execute();
    const teacher = await store.db
      .insertInto('educators')
      .values({
        orgId,
        sourcedId: 't1',
        schoolId: school.id,
        givenName: 'Tess',
        familyName: 'Ng',
        email: 'tess@example.org',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await store.db
      .insertInto('memberships')
      .values([
        { orgId, sourcedId: 'e1', classroomId: room.id, childId: child.id, role: 'student' },
        {
          orgId,
          sourcedId: 'e2',
          classroomId: room.id,
          educatorId: teacher.id,
          role: 'teacher',
          isPrimary: true,
        },
      ])
      .execute();
    const contact = await store.db
      .insertInto('familyContacts')
      .values({ orgId, sourcedId: 'p1', givenName: 'Rosa', familyName: 'López', relationship: 'parent' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await store.db
      .insertInto('childContacts')
      .values({ orgId, childId: child.id, contactId: contact.id })
      .execute();

    const outDir = path.join(outRoot, kind);
    const summary = await exportRoster(store.db, 'export', outDir);
    expect(summary.map((entry) => [entry.file, entry.rows])).toEqual([
      ['schools.csv', 1],
      ['classrooms.csv', 1],
      ['educators.csv', 1],
      ['children.csv', 1],
      ['memberships.csv', 2],
      ['contacts.csv', 1],
    ]);
    expect(readCsv(outDir, 'schools.csv')[1]).toBe('s1,active,"Oak, ""North"" Campus",');
    expect(readCsv(outDir, 'classrooms.csv')[1]).toBe('c1,active,PK-A,PK-A,s1,PK,');
    expect(readCsv(outDir, 'children.csv')[1]).toBe(
      'u1,active,Ana,López,2021-03-04,PK,c1,s1,"literacy,math",prek-4,,roster',
    );
    expect(readCsv(outDir, 'memberships.csv').slice(1)).toEqual([
      'e1,active,c1,u1,student,false',
      'e2,active,c1,t1,teacher,true',
    ]);
    expect(readCsv(outDir, 'contacts.csv')[1]).toBe('p1,active,Rosa,López,,,parent,u1');
  });

  it('uses the local classroom name only when renames are allowed', async () => {
    await updateSettings(store.db, 'export', { allowClassroomRename: true }, 'test');
    const outDir = path.join(outRoot, `${kind}-rename`);
    await exportRoster(store.db, 'export', outDir);
    expect(readCsv(outDir, 'classrooms.csv')[1]).toBe('c1,active,Butterflies,PK-A,s1,PK,');
  });

  it('adds inactive rows on request', async () => {
    const outDir = path.join(outRoot, `${kind}-inactive`);
    await exportRoster(store.db, 'export', outDir, { includeInactive: true });
    expect(
      readCsv(outDir, 'children.csv')
        .slice(1)
        .map((line) => line.split(',').slice(0, 2).join(',')),
    ).toEqual(['u1,active', 'u2,inactive']);
  });
});
