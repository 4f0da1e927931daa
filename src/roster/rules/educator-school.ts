import { listForMessage, rosterWarning, type RosterWarning } from '../warnings.ts';
import { compareText, educatorRoles, groupBy, type RuleClass, type RuleEnrollment } from './types.ts';

/** Fields of an educator that the school rule reads. */
export interface RuleEducator {
  sourcedId: string;
  /** In-scope schools the roster lists the educator at (`orgs`, or 1.2 `roles[].org`). */
  schoolSourcedIds: readonly string[];
  /** The school the roster marks primary (1.2 `primaryOrg` or the primary role), if any. */
  primarySchoolSourcedId: string | null;
}

/**
 * Keeps each educator in one school: the primary school when the roster marks one among the
 * educator's schools, else the first by `sourcedId`. An educator's schools are those the user
 * record lists plus those of the classes they teach. Teacher and aide enrollments in classes of
 * other schools are left out, and each educator with several schools gets an
 * `EDUCATOR_MULTIPLE_SCHOOLS` warning. Returns the chosen school per educator (absent when the
 * educator has none). With `enabled` false every enrollment is kept, and the chosen school is
 * still set so the educator row gets one.
 */
export function keepOneSchoolPerEducator(
  educators: readonly RuleEducator[],
  enrollments: readonly RuleEnrollment[],
  classes: ReadonlyMap<string, RuleClass>,
  enabled: boolean,
): { enrollments: RuleEnrollment[]; schoolOf: Map<string, string>; warnings: RosterWarning[] } {
  const schoolOf = new Map<string, string>();
  const dropped = new Set<RuleEnrollment>();
  const warnings: RosterWarning[] = [];
  const classSchool = (enrollment: RuleEnrollment) =>
    classes.get(enrollment.classSourcedId)?.schoolSourcedId ?? null;

  // Grouped once: filtering all enrollments per educator grew with educators times enrollments.
  const byEducator = groupBy(
    enrollments.filter((enrollment) => educatorRoles.has(enrollment.role)),
    (enrollment) => enrollment.userSourcedId,
  );

  for (const educator of educators) {
    const own = byEducator.get(educator.sourcedId) ?? [];
    const schools = new Set(educator.schoolSourcedIds);
    for (const enrollment of own) {
      const school = classSchool(enrollment);
      if (school) schools.add(school);
    }
    if (schools.size === 0) continue;

    const sorted = [...schools].sort(compareText);
    const primary = educator.primarySchoolSourcedId;
    const kept = primary && schools.has(primary) ? primary : sorted[0]!;
    schoolOf.set(educator.sourcedId, kept);
    if (!enabled || schools.size < 2) continue;

    const others = sorted.filter((school) => school !== kept);
    const left = own.filter((enrollment) => {
      const school = classSchool(enrollment);
      return school !== null && school !== kept;
    });
    for (const enrollment of left) dropped.add(enrollment);

    const reason = kept === primary ? 'the roster marks it primary' : 'it has the lowest sourcedId';
    const classrooms = left.map((enrollment) => enrollment.classSourcedId);
    const classNote =
      classrooms.length > 0
        ? ` Their ${classrooms.length} classroom(s) there were left out: ${listForMessage(classrooms)}.`
        : '';
    warnings.push(
      rosterWarning(
        'EDUCATOR_MULTIPLE_SCHOOLS',
        educator.sourcedId,
        `The educator is listed in ${schools.size} schools; an educator belongs to one, so they were kept in ${kept} (${reason}) and left out of ${listForMessage(others)}.${classNote}`,
      ),
    );
  }

  return { enrollments: enrollments.filter((enrollment) => !dropped.has(enrollment)), schoolOf, warnings };
}
