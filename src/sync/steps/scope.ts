import type { SyncSettings } from '../../db/schema.ts';
import { gradeFilterMatcher } from '../../roster/scope.ts';
import { type DesiredRoster, skipRecord, type WarningSink } from '../model.ts';

/**
 * Scope step: applies the admin's school and grade filters (`sync_settings.school_filter` and
 * `grade_filter`; an empty list means all). Records outside scope are skipped and counted, never
 * removed. A classroom is in scope when its school is and, with a grade filter, when one of its
 * grades is listed (a classroom without grades stays); a child needs an in-scope school and a
 * listed grade, judged by its classrooms' grades when it has none (and kept when those have none);
 * an educator an in-scope school; a membership an in-scope classroom and person; a contact at
 * least one in-scope child.
 *
 * The rules module may replace this body (for example to scope by school year) without touching
 * the pipeline; the contract is: remove out-of-scope records with `skipRecord`, warn only about
 * surprises.
 */
export function applyScope(desired: DesiredRoster, settings: SyncSettings, sink: WarningSink): void {
  void sink;
  const schools = new Set(settings.schoolFilter);
  const grades = new Set(settings.gradeFilter);
  // Grade codes are compared folded, so a filter of KG keeps children sent as K or Kindergarten.
  const gradeIn = gradeFilterMatcher(settings.gradeFilter);
  const classroomGradesOf = new Map<string, string[]>();
  for (const membership of desired.memberships.values()) {
    if (membership.personKind !== 'child') continue;
    const classroomGrades = desired.classrooms.get(membership.classroomSourcedId)?.grades ?? [];
    classroomGradesOf.set(membership.personSourcedId, [
      ...(classroomGradesOf.get(membership.personSourcedId) ?? []),
      ...classroomGrades,
    ]);
  }
  const schoolInScope = (sourcedId: string | null) =>
    schools.size === 0 || (sourcedId !== null && schools.has(sourcedId));

  for (const school of [...desired.schools.values()]) {
    if (!schoolInScope(school.sourcedId))
      skipRecord(desired, 'schools', school.sourcedId, 'school not in the school filter');
  }
  for (const classroom of [...desired.classrooms.values()]) {
    if (!schoolInScope(classroom.schoolSourcedId)) {
      skipRecord(desired, 'classrooms', classroom.sourcedId, 'school not in the school filter');
    } else if (grades.size > 0 && classroom.grades.length > 0 && !gradeIn(classroom.grades)) {
      skipRecord(desired, 'classrooms', classroom.sourcedId, 'no grade in the grade filter');
    }
  }
  for (const child of [...desired.children.values()]) {
    const childGrades = child.grade !== null ? [child.grade] : (classroomGradesOf.get(child.sourcedId) ?? []);
    if (!schoolInScope(child.schoolSourcedId)) {
      skipRecord(desired, 'children', child.sourcedId, 'school not in the school filter');
    } else if (grades.size > 0 && childGrades.length > 0 && !gradeIn(childGrades)) {
      skipRecord(desired, 'children', child.sourcedId, 'grade not in the grade filter');
    }
  }
  for (const educator of [...desired.educators.values()]) {
    if (schools.size > 0 && !educator.schoolSourcedIds.some((sourcedId) => schools.has(sourcedId))) {
      skipRecord(desired, 'educators', educator.sourcedId, 'no school in the school filter');
    }
  }
  for (const membership of [...desired.memberships.values()]) {
    const personKind = membership.personKind === 'child' ? 'children' : 'educators';
    if (desired.skipped.classrooms.has(membership.classroomSourcedId)) {
      skipRecord(desired, 'memberships', membership.sourcedId, 'classroom out of scope');
    } else if (desired.skipped[personKind].has(membership.personSourcedId)) {
      skipRecord(desired, 'memberships', membership.sourcedId, 'person out of scope');
    }
  }
  for (const contact of [...desired.contacts.values()]) {
    const inScope = contact.childSourcedIds.filter((sourcedId) => !desired.skipped.children.has(sourcedId));
    if (inScope.length === 0 && contact.childSourcedIds.length > 0) {
      skipRecord(desired, 'contacts', contact.sourcedId, 'no child in scope');
    } else {
      contact.childSourcedIds = inScope;
    }
  }
}
