/**
 * The registry of warning codes the roster rules add to a run's report. A code is stable: admins
 * filter on it and scripts count it, so rename none and add new ones at the end of their group.
 * `docs/roster-rules.md` lists the same codes, and a test keeps the two in step.
 */
export const warningCodes = {
  // data rules
  CHILD_MULTIPLE_CLASSROOMS: 'A child enrolled in several classrooms was kept in one of them.',
  EDUCATOR_MULTIPLE_SCHOOLS: 'An educator listed in several schools was kept in one of them.',
  EDUCATOR_TOO_MANY_CLASSROOMS: 'An educator over the classroom limit kept only the first classrooms.',
  CHILD_TOO_MANY_CONTACTS: 'A child over the family contact limit kept only the first contacts.',
  CLASSROOM_OVER_SIZE: 'A classroom has more children than the size warning allows (all are imported).',

  // placement and demographics
  CHILD_MISSING_BIRTH_DATE: 'A child has no birth date, which matching and placement need.',
  CHILD_GRADE_UNRECOGNIZED: 'A grade code is not one placement knows, so the age decided the level.',
  CHILD_NO_PLACEMENT: 'A child has neither a usable grade nor a birth date and got the default level.',
  DEMOGRAPHICS_UNAVAILABLE: 'The roster source shared no demographics, so children have no birth dates.',

  // identity matching
  CHILD_SOURCED_ID_CHANGED: 'A child matched by a stable key under a new sourcedId.',
  CHILD_MATCHED_BY_NAME: 'A roster child was linked to a hand-entered child by name and birth date.',
  CHILD_RESTORED_FROM_ARCHIVE: 'A roster child was matched to an archived child, which was restored.',
  CHILD_POSSIBLE_DUPLICATE: 'A roster child may be a child already on the platform: an admin should review.',
  CHILD_SAME_NAME: 'Several roster children share a name; they were kept as separate children.',

  // journeys and licences
  JOURNEY_PRODUCT_UNLICENSED:
    'The default journey names a product whose licence is gone, so new children skip it.',
  PRODUCT_SEATS_EXCEEDED: 'More active children use a product than the licence has seats (all are imported).',
} as const;

export type WarningCode = keyof typeof warningCodes;

/**
 * One warning about one roster record. The shape equals the run report's warning, so the sync can
 * copy these into its report unchanged.
 */
export interface RosterWarning {
  code: WarningCode;
  /** The roster record the warning is about, or null for an organization-wide warning. */
  sourcedId: string | null;
  /** Plain words an admin can act on. */
  message: string;
}

/** Builds a warning; a small helper so call sites read as one line. */
export function rosterWarning(code: WarningCode, sourcedId: string | null, message: string): RosterWarning {
  return { code, sourcedId, message };
}

/** Lists `items` for a message: at most `limit` shown, then "and N more". */
export function listForMessage(items: readonly string[], limit = 5): string {
  const shown = items.slice(0, limit).join(', ');
  return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}
