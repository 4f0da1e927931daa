import type { Kysely } from 'kysely';

import { loadClassTypes, loadStudentMemberships } from '../../db/queries/stored-roster.ts';
import type { Database, SyncSettings } from '../../db/schema.ts';
import { keepOneClassroomPerChild } from '../../roster/rules/child-classroom.ts';
import type { RuleClass, RuleEnrollment } from '../../roster/rules/types.ts';
import type { DesiredRoster, WarningSink } from '../model.ts';
import { assignChildClassrooms } from './map.ts';

/**
 * Chooses each child's classroom. A full run takes it from the run's student memberships, which
 * the one-classroom rule has already narrowed (`assignChildClassrooms`). A delta run carries only
 * the enrollments that changed, so for each child with one of them it also weighs the child's
 * other active memberships from the roster. The same rule ranks them: the homeroom, then the
 * latest `beginDate`, then the lowest class `sourcedId`. A child whose own record did not change
 * gets its classroom through `desired.classroomOnly`.
 */
export async function assignClassrooms(
  db: Kysely<Database>,
  orgId: string,
  desired: DesiredRoster,
  settings: SyncSettings,
  sink: WarningSink,
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
  const classes = new Map<string, RuleClass>();
  for (const classroom of desired.classrooms.values()) {
    if (classroom.status !== 'active') closed.add(classroom.sourcedId);
    const classType = classroom.classType ?? 'scheduled';
    classes.set(classroom.sourcedId, { sourcedId: classroom.sourcedId, classType, schoolSourcedId: null });
  }

  const enrollments: RuleEnrollment[] = [];
  const addEnrollment = (sourcedId: string, child: string, classroom: string, beginDate: string | null) => {
    if (closed.has(classroom)) return;
    enrollments.push({
      sourcedId,
      role: 'student',
      primary: false,
      userSourcedId: child,
      classSourcedId: classroom,
      beginDate,
    });
  };
  const stored = await loadStudentMemberships(db, orgId, affected);
  for (const [index, row] of stored.entries()) {
    if (row.membershipSourcedId !== null && inRun.has(row.membershipSourcedId)) continue;
    addEnrollment(
      row.membershipSourcedId ?? `stored-${index}`,
      row.childSourcedId,
      row.classroomSourcedId,
      row.beginDate,
    );
    if (!classes.has(row.classroomSourcedId)) {
      const classType = row.classType ?? 'scheduled';
      classes.set(row.classroomSourcedId, {
        sourcedId: row.classroomSourcedId,
        classType,
        schoolSourcedId: null,
      });
    }
  }
  const unknownClasses = new Set<string>();
  for (const membership of desired.memberships.values()) {
    if (membership.personKind !== 'child' || membership.status !== 'active') continue;
    const { sourcedId, personSourcedId, classroomSourcedId, beginDate } = membership;
    addEnrollment(sourcedId, personSourcedId, classroomSourcedId, beginDate);
    if (!classes.has(classroomSourcedId)) unknownClasses.add(classroomSourcedId);
  }
  for (const [sourcedId, classType] of await loadClassTypes(db, orgId, unknownClasses)) {
    classes.set(sourcedId, { sourcedId, classType: classType ?? 'scheduled', schoolSourcedId: null });
  }

  const narrowed = keepOneClassroomPerChild(enrollments, classes, settings.oneClassroomPerChild);
  const warned = new Set(
    sink
      .list()
      .filter((warning) => warning.code === 'CHILD_MULTIPLE_CLASSROOMS')
      .map((warning) => warning.sourcedId),
  );
  for (const warning of narrowed.warnings) {
    if (!warned.has(warning.sourcedId)) sink.add(warning.code, warning.sourcedId, warning.message);
  }
  const chosen = new Map<string, string>();
  for (const enrollment of narrowed.enrollments) {
    const current = chosen.get(enrollment.userSourcedId);
    if (current === undefined || enrollment.classSourcedId < current)
      chosen.set(enrollment.userSourcedId, enrollment.classSourcedId);
  }

  for (const childSourcedId of affected) {
    const classroom = chosen.get(childSourcedId) ?? null;
    const child = desired.children.get(childSourcedId);
    if (child) child.classroomSourcedId = classroom;
    else if (!desired.skipped.children.has(childSourcedId))
      desired.classroomOnly.set(childSourcedId, classroom);
  }
}
