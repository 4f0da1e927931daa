import type { Class, Enrollment, User } from '../../oneroster/types.ts';

/** The enrollment fields the data rules read; a OneRoster `Enrollment` fits. */
export type RuleEnrollment = Pick<
  Enrollment,
  'sourcedId' | 'role' | 'primary' | 'userSourcedId' | 'classSourcedId' | 'beginDate'
>;

/** The class fields the data rules read; a OneRoster `Class` fits. */
export type RuleClass = Pick<Class, 'sourcedId' | 'classType' | 'schoolSourcedId'>;

/** The user fields the family contact rule reads; a OneRoster `User` fits. */
export type RuleUser = Pick<User, 'sourcedId' | 'role' | 'agentSourcedIds'>;

/** The per-organization limits, stored in `sync_settings`. */
export interface RuleSettings {
  oneClassroomPerChild: boolean;
  oneSchoolPerEducator: boolean;
  maxClassroomsPerEducator: number;
  maxContactsPerChild: number;
  classroomSizeWarning: number;
}

/** The platform's defaults, equal to the column defaults of `sync_settings`. */
export const defaultRuleSettings: RuleSettings = {
  oneClassroomPerChild: true,
  oneSchoolPerEducator: true,
  maxClassroomsPerEducator: 10,
  maxContactsPerChild: 4,
  classroomSizeWarning: 32,
};

export const educatorRoles: ReadonlySet<string> = new Set(['teacher', 'aide']);
export const contactRoles: ReadonlySet<string> = new Set(['parent', 'guardian', 'relative']);

/** Groups values by a key, keeping first-seen order of keys and of values within a key. */
export function groupBy<T>(values: readonly T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const name = key(value);
    const group = groups.get(name);
    if (group) group.push(value);
    else groups.set(name, [value]);
  }
  return groups;
}

/** Returns each distinct class `sourcedId` of `enrollments`, in first-seen order. */
export function distinctClasses(enrollments: readonly RuleEnrollment[]): string[] {
  return [...new Set(enrollments.map((enrollment) => enrollment.classSourcedId))];
}

export function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
