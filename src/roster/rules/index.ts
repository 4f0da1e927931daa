import type { RosterWarning } from '../warnings.ts';
import { type RuleChild, checkBirthDates } from './birth-dates.ts';
import { keepOneClassroomPerChild } from './child-classroom.ts';
import { linkFamilyContacts } from './child-contacts.ts';
import { checkClassroomSizes } from './classroom-size.ts';
import { capClassroomsPerEducator } from './educator-classrooms.ts';
import { keepOneSchoolPerEducator, type RuleEducator } from './educator-school.ts';
import type { RuleClass, RuleEnrollment, RuleSettings, RuleUser } from './types.ts';

export {
  defaultRuleSettings,
  type RuleClass,
  type RuleEnrollment,
  type RuleSettings,
  type RuleUser,
} from './types.ts';
export type { RuleChild } from './birth-dates.ts';
export type { RuleEducator } from './educator-school.ts';

/** The in-scope roster the data rules run on. */
export interface DataRulesInput {
  classes: ReadonlyMap<string, RuleClass>;
  enrollments: readonly RuleEnrollment[];
  educators: readonly RuleEducator[];
  children: readonly (RuleUser & RuleChild)[];
  /** Every in-scope user by `sourcedId`, family contacts included. */
  users: ReadonlyMap<string, RuleUser>;
  /** False when the demographics collection was refused or empty. */
  demographicsShared: boolean;
}

export interface DataRulesResult<E extends RuleEnrollment> {
  /** The enrollments that become memberships, in input order. */
  enrollments: E[];
  /** The one school of each educator that has any. */
  schoolOf: Map<string, string>;
  /** The family contacts linked to each child, at most the limit. */
  contactsOf: Map<string, string[]>;
  warnings: RosterWarning[];
}

/**
 * Applies the platform's data rules in a fixed order: one school per educator, the classroom
 * limit per educator, one classroom per child, the family contact limit, then the warnings that
 * drop nothing (classroom size, birth dates). The order matters: an educator's classrooms in a
 * school they leave do not count towards the limit. Enrollments keep their own type, so callers
 * get their records back.
 */
export function applyDataRules<E extends RuleEnrollment>(
  input: Omit<DataRulesInput, 'enrollments'> & { enrollments: readonly E[] },
  settings: RuleSettings,
): DataRulesResult<E> {
  const school = keepOneSchoolPerEducator(
    input.educators,
    input.enrollments,
    input.classes,
    settings.oneSchoolPerEducator,
  );
  const capped = capClassroomsPerEducator(
    school.enrollments,
    input.classes,
    settings.maxClassroomsPerEducator,
  );
  const single = keepOneClassroomPerChild(capped.enrollments, input.classes, settings.oneClassroomPerChild);
  const contacts = linkFamilyContacts(input.children, input.users, settings.maxContactsPerChild);

  const warnings = [
    ...school.warnings,
    ...capped.warnings,
    ...single.warnings,
    ...contacts.warnings,
    ...checkClassroomSizes(single.enrollments, settings.classroomSizeWarning),
    ...checkBirthDates(input.children, input.demographicsShared),
  ];
  const kept = new Set(single.enrollments);
  return {
    enrollments: input.enrollments.filter((enrollment) => kept.has(enrollment)),
    schoolOf: school.schoolOf,
    contactsOf: contacts.contactsOf,
    warnings,
  };
}
