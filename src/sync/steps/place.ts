import type { SyncSettings } from '../../db/schema.ts';
import type { DesiredChild, WarningSink } from '../model.ts';

/** Where a new child starts: its educational journey (product codes) and starting level. */
export interface Placement {
  journey: string[];
  level: string | null;
}

/**
 * Placement step: decides the journey and starting level of each child the run creates. Children
 * that already exist keep theirs. The default gives every new child the organization's default
 * journey and no level.
 *
 * The rules module plugs in here: the level from the grade code (IT, PR, PK, TK, KG, 01...) or,
 * without one, from the age in months on the school year's start date, a warning for a child with
 * neither, and the seat-count warning per licensed product.
 */
export function placeNewChildren(
  children: readonly DesiredChild[],
  settings: SyncSettings,
  sink: WarningSink,
): Map<string, Placement> {
  void sink;
  const placements = new Map<string, Placement>();
  for (const child of children) {
    placements.set(child.sourcedId, { journey: [...settings.defaultJourney], level: null });
  }
  return placements;
}
