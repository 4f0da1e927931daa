import { listForMessage, rosterWarning, type RosterWarning } from '../warnings.ts';
import {
  compareText,
  distinctClasses,
  educatorRoles,
  groupBy,
  type RuleClass,
  type RuleEnrollment,
} from './types.ts';

/**
 * Keeps at most `max` classrooms per educator. The classrooms where the educator is the primary
 * teacher come first, then homerooms, then the rest by class `sourcedId`; enrollments in the
 * classrooms past the limit are left out with an `EDUCATOR_TOO_MANY_CLASSROOMS` warning.
 */
export function capClassroomsPerEducator(
  enrollments: readonly RuleEnrollment[],
  classes: ReadonlyMap<string, RuleClass>,
  max: number,
): { enrollments: RuleEnrollment[]; warnings: RosterWarning[] } {
  const staff = enrollments.filter((enrollment) => educatorRoles.has(enrollment.role));
  const dropped = new Set<RuleEnrollment>();
  const warnings: RosterWarning[] = [];

  for (const [educator, own] of groupBy(staff, (enrollment) => enrollment.userSourcedId)) {
    const classIds = distinctClasses(own);
    if (classIds.length <= max) continue;

    const isPrimary = (classId: string) =>
      own.some((enrollment) => enrollment.classSourcedId === classId && enrollment.primary);
    const isHomeroom = (classId: string) => classes.get(classId)?.classType === 'homeroom';
    const ranked = [...classIds].sort(
      (a, b) =>
        Number(isPrimary(b)) - Number(isPrimary(a)) ||
        Number(isHomeroom(b)) - Number(isHomeroom(a)) ||
        compareText(a, b),
    );
    const left = new Set(ranked.slice(max));
    for (const enrollment of own) if (left.has(enrollment.classSourcedId)) dropped.add(enrollment);

    warnings.push(
      rosterWarning(
        'EDUCATOR_TOO_MANY_CLASSROOMS',
        educator,
        `The educator is enrolled in ${classIds.length} classrooms; the limit is ${max}, so they were left out of ${listForMessage([...left])} (primary-teacher classrooms and homerooms are kept first).`,
      ),
    );
  }

  return { enrollments: enrollments.filter((enrollment) => !dropped.has(enrollment)), warnings };
}
