import { type GradeCode, normalizeGradeCode } from './grades.ts';
import { rosterWarning, type RosterWarning } from './warnings.ts';

/**
 * The starting levels of the platform's journeys, youngest first. A level names the content a
 * child starts on, so it is chosen once and afterwards only educators and admins move it.
 */
export const levels = [
  'infant',
  'toddler',
  'preschool-3',
  'prek-4',
  'tk',
  'kindergarten',
  'grade-1',
  'beyond',
] as const;
export type Level = (typeof levels)[number];

/** The level of a child whose roster record gives neither a usable grade nor a birth date. */
export const defaultLevel: Level = 'prek-4';

/**
 * Level bands by age in whole months on the school year's start date. A child younger than 0
 * months (born after the start) counts as an infant. `tk` has no age band because transitional
 * kindergarten eligibility differs by state, so only the grade code `TK` gives it.
 */
export const ageBands: readonly { fromMonths: number; level: Level }[] = [
  { fromMonths: Number.NEGATIVE_INFINITY, level: 'infant' },
  { fromMonths: 12, level: 'toddler' },
  { fromMonths: 36, level: 'preschool-3' },
  { fromMonths: 48, level: 'prek-4' },
  { fromMonths: 60, level: 'kindergarten' },
  { fromMonths: 72, level: 'grade-1' },
  { fromMonths: 84, level: 'beyond' },
];

/**
 * What each grade code places at. A code that covers an age range (`IT`, `PR`) gives a range and
 * the child's age picks inside it; without a birth date the youngest level of the range applies,
 * because content a little too easy is a smaller harm than content too hard. `null` means the
 * code says nothing about an early-learning level (postsecondary, ungraded, other), so the age
 * decides as if no grade were sent.
 */
export const gradeLevels: Record<GradeCode, readonly [Level, Level] | null> = {
  IT: ['infant', 'toddler'],
  PR: ['preschool-3', 'prek-4'],
  PK3: ['preschool-3', 'preschool-3'],
  PK: ['prek-4', 'prek-4'],
  PK4: ['prek-4', 'prek-4'],
  TK: ['tk', 'tk'],
  KG: ['kindergarten', 'kindergarten'],
  '01': ['grade-1', 'grade-1'],
  '02': ['beyond', 'beyond'],
  '03': ['beyond', 'beyond'],
  '04': ['beyond', 'beyond'],
  '05': ['beyond', 'beyond'],
  '06': ['beyond', 'beyond'],
  '07': ['beyond', 'beyond'],
  '08': ['beyond', 'beyond'],
  '09': ['beyond', 'beyond'],
  '10': ['beyond', 'beyond'],
  '11': ['beyond', 'beyond'],
  '12': ['beyond', 'beyond'],
  '13': ['beyond', 'beyond'],
  PS: null,
  UG: null,
  Other: null,
};

/** Whole months from `birthDate` to `onDate` (both `YYYY-MM-DD`); negative when born after it. */
export function ageInMonths(birthDate: string, onDate: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [oy, om, od] = onDate.split('-').map(Number) as [number, number, number];
  let months = (oy - by) * 12 + (om - bm);
  if (od < bd) months -= 1;
  return months;
}

/** Returns the level for an age in months by the age bands. */
export function levelForAge(months: number): Level {
  let level: Level = 'infant';
  for (const band of ageBands) if (months >= band.fromMonths) level = band.level;
  return level;
}

export interface PlacementInput {
  sourcedId: string;
  /** Grades as the roster sent them; the first one that is a grade code counts. */
  grades: readonly string[];
  birthDate: string | null;
  /** First day of the school year (`YYYY-MM-DD`) that ages are measured on. */
  schoolYearStart: string;
}

export interface Placement {
  level: Level;
  /** Source of the level. */
  basis: 'grade' | 'grade-and-age' | 'age' | 'default';
  warnings: RosterWarning[];
}

/**
 * Chooses a new child's starting level: from the first grade code among `grades`, else from the
 * age on the school year's start, else `defaultLevel` with a `CHILD_NO_PLACEMENT` warning. A grade
 * that is not a grade code adds `CHILD_GRADE_UNRECOGNIZED`.
 */
export function placeChild(input: PlacementInput): Placement {
  const warnings: RosterWarning[] = [];
  const age = input.birthDate ? ageInMonths(input.birthDate, input.schoolYearStart) : null;

  const codes = input.grades.map((grade) => ({ grade, code: normalizeGradeCode(grade) }));
  const unrecognized = codes.filter((entry) => entry.code === null).map((entry) => entry.grade);
  if (unrecognized.length > 0 && unrecognized.length === codes.length) {
    warnings.push(
      rosterWarning(
        'CHILD_GRADE_UNRECOGNIZED',
        input.sourcedId,
        `The grade ${unrecognized.map((grade) => JSON.stringify(grade)).join(', ')} is not a known grade code (such as IT, PR, PK, TK, KG or 01), so the child was placed by age.`,
      ),
    );
  }

  for (const { code } of codes) {
    const range = code ? gradeLevels[code] : null;
    if (!range) continue;
    const [youngest, oldest] = range;
    if (youngest === oldest) return { level: youngest, basis: 'grade', warnings };
    if (age === null) return { level: youngest, basis: 'grade', warnings };
    return { level: clampLevel(levelForAge(age), youngest, oldest), basis: 'grade-and-age', warnings };
  }

  if (age !== null) return { level: levelForAge(age), basis: 'age', warnings };

  warnings.push(
    rosterWarning(
      'CHILD_NO_PLACEMENT',
      input.sourcedId,
      `The child has neither a usable grade nor a birth date, so they start at the default level "${defaultLevel}". Share grades or demographics in the roster source, or have an educator set the level.`,
    ),
  );
  return { level: defaultLevel, basis: 'default', warnings };
}

function clampLevel(level: Level, youngest: Level, oldest: Level): Level {
  const index = levels.indexOf(level);
  if (index < levels.indexOf(youngest)) return youngest;
  if (index > levels.indexOf(oldest)) return oldest;
  return level;
}

export interface ExistingLevel {
  level: string | null;
  levelSetBy: 'placement' | 'educator' | 'admin' | null;
}

/**
 * Returns the level a child should have after a sync: a new child (`existing` null) or one
 * without a level takes `placed`; every other child keeps its level, so a re-sync never moves a
 * child that an educator or admin moved, nor re-places one when its grade changes.
 */
export function levelAfterSync(
  existing: ExistingLevel | null,
  placed: Level,
): { level: string; levelSetBy: 'placement' | 'educator' | 'admin'; changed: boolean } {
  if (existing?.level) {
    return { level: existing.level, levelSetBy: existing.levelSetBy ?? 'placement', changed: false };
  }
  return { level: placed, levelSetBy: 'placement', changed: true };
}

/**
 * Returns the first day of a school year identified by its ending year (2025 for 2024-25) when the
 * roster gives no start date: the organization's archive date in the year before.
 */
export function defaultSchoolYearStart(schoolYear: number, archiveMonth = 8, archiveDay = 1): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${schoolYear - 1}-${pad(archiveMonth)}-${pad(archiveDay)}`;
}
