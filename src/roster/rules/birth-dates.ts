import { rosterWarning, type RosterWarning } from '../warnings.ts';

/** Fields of a child that the birth date check reads. */
export interface RuleChild {
  sourcedId: string;
  birthDate: string | null;
}

/**
 * Warns about children without a birth date, which matching with other systems and placement
 * need. When the source shared no demographics at all (`demographicsShared` false: access refused
 * or an empty collection), one `DEMOGRAPHICS_UNAVAILABLE` warning replaces the per-child
 * `CHILD_MISSING_BIRTH_DATE` warnings, because every child would get the same one.
 */
export function checkBirthDates(
  children: readonly RuleChild[],
  demographicsShared: boolean,
): RosterWarning[] {
  const missing = children.filter((child) => !child.birthDate);
  if (missing.length === 0) return [];

  if (!demographicsShared) {
    return [
      rosterWarning(
        'DEMOGRAPHICS_UNAVAILABLE',
        null,
        `The roster source shared no demographics, so ${missing.length} children have no birth date. Birth dates match children with other systems and place them at a starting level: share demographics with this app in ClassLink.`,
      ),
    ];
  }
  return missing.map((child) =>
    rosterWarning(
      'CHILD_MISSING_BIRTH_DATE',
      child.sourcedId,
      'The child has no birth date. It is needed to match the child with other systems and to place them at a starting level: share demographics (birth date) for this child in the roster source.',
    ),
  );
}
