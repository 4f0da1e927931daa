import type { Kysely } from 'kysely';

import { json } from '../../src/db/json.ts';
import type { Database } from '../../src/db/schema.ts';
import { nameKey } from '../../src/roster/names.ts';
import { createOrganization } from '../../src/roster/organizations.ts';

/** Creates an organization with a school and a classroom; returns their ids. */
export async function seedOrganization(db: Kysely<Database>, slug: string) {
  const org = await createOrganization(db, { name: `Org ${slug}`, slug, actor: 'test' });
  const school = await db
    .insertInto('schools')
    .values({ orgId: org.id, name: 'Sunrise Early Learning Center', sourcedId: `${slug}-sch-1` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const classroom = await db
    .insertInto('classrooms')
    .values({
      orgId: org.id,
      schoolId: school.id,
      rosterName: 'Ladybugs',
      sourcedId: `${slug}-cls-1`,
      grades: json(['PK']),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { orgId: org.id, schoolId: school.id, classroomId: classroom.id };
}

export interface ChildSeed {
  givenName?: string;
  familyName?: string;
  sourcedId?: string | null;
  origin?: 'roster' | 'manual';
  birthDate?: string | null;
  identifier?: string | null;
  grade?: string | null;
  journey?: string[];
  level?: string | null;
  levelSetBy?: 'placement' | 'educator' | 'admin' | null;
  schoolId?: string | null;
  classroomId?: string | null;
  status?: 'active' | 'inactive';
  createdAt?: string;
}

/** Inserts a child; names default to Ana Lopez. */
export async function seedChild(db: Kysely<Database>, orgId: string, seed: ChildSeed = {}): Promise<string> {
  const givenName = seed.givenName ?? 'Ana';
  const familyName = seed.familyName ?? 'Lopez';
  const row = await db
    .insertInto('children')
    .values({
      orgId,
      givenName,
      familyName,
      nameKey: nameKey(givenName, familyName),
      sourcedId: seed.sourcedId ?? null,
      origin: seed.origin ?? 'roster',
      birthDate: seed.birthDate ?? null,
      identifier: seed.identifier ?? null,
      grade: seed.grade ?? null,
      journey: json(seed.journey ?? []),
      level: seed.level ?? null,
      levelSetBy: seed.levelSetBy ?? null,
      schoolId: seed.schoolId ?? null,
      classroomId: seed.classroomId ?? null,
      status: seed.status ?? 'active',
      createdAt: seed.createdAt,
      userIds: json([]),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
