import { rosterWarning, type RosterWarning } from '../warnings.ts';
import { groupBy, type RuleEnrollment } from './types.ts';

/**
 * Warns with `CLASSROOM_OVER_SIZE` for each classroom with more than `threshold` distinct
 * children. It only warns: every child is still imported.
 */
export function checkClassroomSizes(
  enrollments: readonly RuleEnrollment[],
  threshold: number,
): RosterWarning[] {
  const students = enrollments.filter((enrollment) => enrollment.role === 'student');
  const warnings: RosterWarning[] = [];
  for (const [classroom, own] of groupBy(students, (enrollment) => enrollment.classSourcedId)) {
    const size = new Set(own.map((enrollment) => enrollment.userSourcedId)).size;
    if (size <= threshold) continue;
    warnings.push(
      rosterWarning(
        'CLASSROOM_OVER_SIZE',
        classroom,
        `The classroom has ${size} children, more than the ${threshold} the size warning allows; all were imported. Check the roster, or raise the classroom size warning in the settings.`,
      ),
    );
  }
  return warnings;
}
