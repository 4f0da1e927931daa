import { listForMessage, rosterWarning, type RosterWarning } from '../warnings.ts';
import { compareText, distinctClasses, groupBy, type RuleClass, type RuleEnrollment } from './types.ts';

/**
 * Keeps each child in one classroom. Among a child's classes the homeroom wins, then the one with
 * the latest enrollment `beginDate` (an enrollment without one counts as the oldest), then the
 * lowest class `sourcedId`. Enrollments in the other classes are left out and reported with
 * `CHILD_MULTIPLE_CLASSROOMS`. Non-student enrollments pass through; order is kept. With
 * `enabled` false every enrollment is kept.
 */
export function keepOneClassroomPerChild(
  enrollments: readonly RuleEnrollment[],
  classes: ReadonlyMap<string, RuleClass>,
  enabled: boolean,
): { enrollments: RuleEnrollment[]; warnings: RosterWarning[] } {
  if (!enabled) return { enrollments: [...enrollments], warnings: [] };

  const students = enrollments.filter((enrollment) => enrollment.role === 'student');
  const dropped = new Set<RuleEnrollment>();
  const warnings: RosterWarning[] = [];

  for (const [child, own] of groupBy(students, (enrollment) => enrollment.userSourcedId)) {
    const classIds = distinctClasses(own);
    if (classIds.length < 2) continue;

    const latestBegin = (classId: string) =>
      own
        .filter((enrollment) => enrollment.classSourcedId === classId)
        .map((enrollment) => enrollment.beginDate ?? '')
        .sort()
        .at(-1) ?? '';
    const isHomeroom = (classId: string) => classes.get(classId)?.classType === 'homeroom';
    const ranked = [...classIds].sort(
      (a, b) =>
        Number(isHomeroom(b)) - Number(isHomeroom(a)) ||
        compareText(latestBegin(b), latestBegin(a)) ||
        compareText(a, b),
    );
    const kept = ranked[0]!;
    const others = ranked.slice(1);
    for (const enrollment of own) if (enrollment.classSourcedId !== kept) dropped.add(enrollment);

    const reason = isHomeroom(kept)
      ? 'it is the homeroom'
      : latestBegin(kept) > latestBegin(ranked[1]!)
        ? 'its enrollment began last'
        : 'it has the lowest sourcedId';
    warnings.push(
      rosterWarning(
        'CHILD_MULTIPLE_CLASSROOMS',
        child,
        `The child is enrolled in ${classIds.length} classrooms; a child belongs to one, so they were kept in ${kept} (${reason}) and left out of ${listForMessage(others)}.`,
      ),
    );
  }

  return { enrollments: enrollments.filter((enrollment) => !dropped.has(enrollment)), warnings };
}
