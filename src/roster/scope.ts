import type { Class, Enrollment, Org, User } from '../oneroster/types.ts';
import { normalizeGradeCode } from './grades.ts';
import { contactRoles, educatorRoles } from './rules/types.ts';

/** The schools and grades an admin chose to import; an empty list means all. */
export interface ScopeFilter {
  schools: readonly string[];
  grades: readonly string[];
}

type ScopeOrg = Pick<Org, 'sourcedId' | 'type'>;
type ScopeClass = Pick<Class, 'sourcedId' | 'schoolSourcedId' | 'grades'>;
type ScopeUser = Pick<User, 'sourcedId' | 'role' | 'orgSourcedIds' | 'grades' | 'agentSourcedIds'>;
type ScopeEnrollment = Pick<Enrollment, 'userSourcedId' | 'classSourcedId'>;

export interface ScopeInput<O, C, U, E> {
  orgs: readonly O[];
  classes: readonly C[];
  users: readonly U[];
  enrollments: readonly E[];
}

/** Records left out by the filter, per kind of platform record. */
export interface SkippedCounts {
  schools: number;
  classrooms: number;
  educators: number;
  children: number;
  memberships: number;
  contacts: number;
}

/**
 * Keeps the records inside the admin's scope and counts the others as skipped. Nothing here
 * deletes: the caller must treat a skipped record as unseen-by-choice, never as removed upstream.
 *
 * - Schools: those in `filter.schools` (all when empty). Orgs that are not schools pass through.
 * - Classes: in an in-scope school, and with a grade in `filter.grades` (a class without a grade
 *   code passes the grade filter, because nothing marks it as out).
 * - Children: at an in-scope school (by `orgs` or by an in-scope class), and with a grade in the
 *   filter; a child without a grade code is judged by the grades of their classes, and passes when
 *   those have none either.
 * - Educators: at an in-scope school; with a grade filter, those whose every class is out are out.
 * - Family contacts: kept when they are linked to a kept child.
 * - Enrollments: kept when both the class and the user are kept.
 */
export function applyScope<
  O extends ScopeOrg,
  C extends ScopeClass,
  U extends ScopeUser,
  E extends ScopeEnrollment,
>(
  input: ScopeInput<O, C, U, E>,
  filter: ScopeFilter,
): { kept: ScopeInput<O, C, U, E>; skipped: SkippedCounts } {
  const skipped: SkippedCounts = {
    schools: 0,
    classrooms: 0,
    educators: 0,
    children: 0,
    memberships: 0,
    contacts: 0,
  };
  const schoolFilter = new Set(filter.schools);
  const gradeFilter = new Set(filter.grades.map(gradeKey));
  const schoolIn = (school: string | null) =>
    schoolFilter.size === 0 || (school !== null && schoolFilter.has(school));
  const gradesIn = (grades: readonly string[]) =>
    gradeFilter.size === 0 || grades.some((grade) => gradeFilter.has(gradeKey(grade)));

  const orgs = input.orgs.filter((org) => org.type !== 'school' || schoolIn(org.sourcedId));
  skipped.schools = input.orgs.length - orgs.length;

  const classes = input.classes.filter(
    (cls) => schoolIn(cls.schoolSourcedId) && (cls.grades.length === 0 || gradesIn(cls.grades)),
  );
  skipped.classrooms = input.classes.length - classes.length;
  const classIds = new Set(classes.map((cls) => cls.sourcedId));
  const allClasses = new Map(input.classes.map((cls) => [cls.sourcedId, cls]));

  const classesOf = new Map<string, string[]>();
  for (const enrollment of input.enrollments) {
    classesOf.set(enrollment.userSourcedId, [
      ...(classesOf.get(enrollment.userSourcedId) ?? []),
      enrollment.classSourcedId,
    ]);
  }
  const atSchool = (user: U) =>
    schoolFilter.size === 0 ||
    user.orgSourcedIds.some((org) => schoolFilter.has(org)) ||
    (classesOf.get(user.sourcedId) ?? []).some((cls) => classIds.has(cls));

  const keptUsers = new Set<string>();
  for (const user of input.users) {
    if (user.role === 'student') {
      const ownGrades =
        user.grades.length > 0
          ? user.grades
          : (classesOf.get(user.sourcedId) ?? []).flatMap((cls) => allClasses.get(cls)?.grades ?? []);
      if (atSchool(user) && (ownGrades.length === 0 || gradesIn(ownGrades))) keptUsers.add(user.sourcedId);
      else skipped.children += 1;
    } else if (educatorRoles.has(user.role)) {
      const own = classesOf.get(user.sourcedId) ?? [];
      const gradeOut = gradeFilter.size > 0 && own.length > 0 && !own.some((cls) => classIds.has(cls));
      if (atSchool(user) && !gradeOut) keptUsers.add(user.sourcedId);
      else skipped.educators += 1;
    }
  }

  // Contacts come last because they follow the children they are linked to, from either side.
  const namedByKeptChild = new Set<string>();
  for (const user of input.users) {
    if (keptUsers.has(user.sourcedId)) for (const agent of user.agentSourcedIds) namedByKeptChild.add(agent);
  }
  for (const user of input.users) {
    if (!contactRoles.has(user.role)) continue;
    const linked =
      namedByKeptChild.has(user.sourcedId) || user.agentSourcedIds.some((id) => keptUsers.has(id));
    if (linked) keptUsers.add(user.sourcedId);
    else skipped.contacts += 1;
  }

  const users = input.users.filter((user) => keptUsers.has(user.sourcedId) || !isRosterRole(user.role));
  const enrollments = input.enrollments.filter((enrollment) => {
    const keep = classIds.has(enrollment.classSourcedId) && keptUsers.has(enrollment.userSourcedId);
    if (!keep) skipped.memberships += 1;
    return keep;
  });
  return { kept: { orgs, classes, users, enrollments }, skipped };
}

function isRosterRole(role: string): boolean {
  return role === 'student' || educatorRoles.has(role) || contactRoles.has(role);
}

function gradeKey(grade: string): string {
  return normalizeGradeCode(grade) ?? grade.trim().toLowerCase();
}

/**
 * Returns a test of whether any of a record's grades is in the admin's grade filter, comparing
 * grade codes so that `K`, `00` and `Kindergarten` all match `KG`. An empty filter matches all.
 */
export function gradeFilterMatcher(filter: readonly string[]): (grades: readonly string[]) => boolean {
  const wanted = new Set(filter.map(gradeKey));
  return (grades) => wanted.size === 0 || grades.some((grade) => wanted.has(gradeKey(grade)));
}
