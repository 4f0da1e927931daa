import type { StoredRoster } from '../../db/queries/stored-roster.ts';
import type { SyncSettings } from '../../db/schema.ts';
import { type DesiredRoster, kindRecord, type WarningSink } from '../model.ts';
import type { RecordKind } from '../report.ts';

/** A desired child that matched more than one stored child, or only on a weak key. */
export interface PossibleDuplicate {
  sourcedId: string;
  candidateIds: string[];
  reason: string;
}

export interface MatchResult {
  /** Desired `sourcedId` to the stored row it updates. A desired record without a link is created. */
  links: Record<RecordKind, Map<string, string>>;
  /** Children created anyway and raised for admin review (merge or keep apart). */
  possibleDuplicates: PossibleDuplicate[];
}

/**
 * Match step: links each desired record to the stored row it is. The default links by
 * `sourcedId` only, so a record whose `sourcedId` is new is created.
 *
 * The rules module plugs in here: the stable secondary keys (`identifier`, a `userIds` entry, a
 * source system's new `sourcedId`), unlinked hand-typed children by normalized name and date of
 * birth on the first sync, and archived children with auto-carryover on. A link to a row whose
 * `sourcedId` differs makes the planner rewrite that row's `sourcedId`. Ambiguous or weak matches
 * go to `possibleDuplicates` and stay unlinked; never merge silently on a weak key.
 */
export function matchRecords(
  desired: DesiredRoster,
  stored: StoredRoster,
  settings: SyncSettings,
  sink: WarningSink,
): MatchResult {
  void settings;
  void sink;
  const links = kindRecord((kind) => {
    const map = new Map<string, string>();
    const storedRows = stored[kind] as Map<string, { id: string }>;
    for (const sourcedId of (desired[kind] as Map<string, unknown>).keys()) {
      const row = storedRows.get(sourcedId);
      if (row) map.set(sourcedId, row.id);
    }
    return map;
  });
  return { links, possibleDuplicates: [] };
}
