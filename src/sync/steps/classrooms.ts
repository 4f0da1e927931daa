import type { Kysely } from 'kysely';

import { loadStudentMemberships } from '../../db/queries/stored-roster.ts';
import type { Database } from '../../db/schema.ts';
import type { DesiredRoster } from '../model.ts';
import { assignChildClassrooms } from './map.ts';

/**
 * Chooses each child's classroom: the lowest classroom `sourcedId` among its active student
 * memberships. A full run finds them all in the run (`assignChildClassrooms`). A delta run carries
 * only the enrollments that changed, so for each child with one of them it adds the child's other
 * active memberships from the roster. A child whose own record did not change gets its classroom
 * through `desired.classroomOnly`.
 */
export async function assignClassrooms(
  db: Kysely<Database>,
  orgId: string,
  desired: DesiredRoster,
): Promise<void> {
  if (desired.mode === 'full') {
    assignChildClassrooms(desired);
    return;
  }
  const affected = new Set<string>();
  for (const membership of desired.memberships.values()) {
    if (membership.personKind === 'child') affected.add(membership.personSourcedId);
  }
  if (affected.size === 0) return;

  const inRun = new Set([...desired.memberships.keys(), ...desired.skipped.memberships.keys()]);
  const closed = new Set(desired.skipped.classrooms.keys());
  for (const classroom of desired.classrooms.values()) {
    if (classroom.status !== 'active') closed.add(classroom.sourcedId);
  }
  const chosen = new Map<string, string>();
  const offer = (childSourcedId: string, classroomSourcedId: string) => {
    if (closed.has(classroomSourcedId)) return;
    const current = chosen.get(childSourcedId);
    if (current === undefined || classroomSourcedId < current) chosen.set(childSourcedId, classroomSourcedId);
  };
  for (const stored of await loadStudentMemberships(db, orgId, affected)) {
    if (stored.membershipSourcedId === null || !inRun.has(stored.membershipSourcedId))
      offer(stored.childSourcedId, stored.classroomSourcedId);
  }
  for (const membership of desired.memberships.values()) {
    if (membership.personKind === 'child' && membership.status === 'active')
      offer(membership.personSourcedId, membership.classroomSourcedId);
  }

  for (const childSourcedId of affected) {
    const classroom = chosen.get(childSourcedId) ?? null;
    const child = desired.children.get(childSourcedId);
    if (child) child.classroomSourcedId = classroom;
    else if (!desired.skipped.children.has(childSourcedId))
      desired.classroomOnly.set(childSourcedId, classroom);
  }
}
