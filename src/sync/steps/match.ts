import type { StoredChild, StoredRoster } from '../../db/queries/stored-roster.ts';
import type { SyncSettings } from '../../db/schema.ts';
import { type CandidateChild, matchChildren } from '../../roster/matching.ts';
import { sameNameWarnings } from '../../roster/same-name.ts';
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
 * Match step: links each desired record to the stored row it is. Every kind but children links
 * by `sourcedId` only, so a record whose `sourcedId` is new is created.
 *
 * Children go through `matchChildren` of `src/roster/matching.ts`: `sourcedId`; the stable
 * secondary keys (`identifier`, a `userIds` entry) that follow a child whose `sourcedId` changed;
 * on the first sync, unlinked hand-typed children by normalized name and date of birth; and with
 * auto-carryover on, archived children (`stored.archivedChildren`), which the planner restores. A
 * link to a row whose `sourcedId` differs makes the planner rewrite that row's `sourcedId`.
 * Ambiguous or weak matches go to `possibleDuplicates` and stay unlinked, so nothing merges
 * silently on a weak key. A child sent as `tobedeleted` links by `sourcedId` only.
 */
export function matchRecords(
  desired: DesiredRoster,
  stored: StoredRoster,
  settings: SyncSettings,
  sink: WarningSink,
): MatchResult {
  const links = kindRecord((kind) => {
    const map = new Map<string, string>();
    if (kind === 'children') return map;
    const storedRows = stored[kind] as Map<string, { id: string }>;
    for (const sourcedId of (desired[kind] as Map<string, unknown>).keys()) {
      const row = storedRows.get(sourcedId);
      if (row) map.set(sourcedId, row.id);
    }
    return map;
  });

  const children = [...desired.children.values()];
  for (const child of children) {
    const row = stored.children.get(child.sourcedId);
    if (child.status !== 'active' && row) links.children.set(child.sourcedId, row.id);
  }
  const removed = new Set(links.children.values());
  const current = [...stored.children.values(), ...stored.unlinkedChildren]
    .filter((row) => !removed.has(row.id))
    .map((row) => toCandidate(row, null));
  const archived = stored.archivedChildren.map((row) => toCandidate(row, row.archivedSchoolYear));

  const incoming = children
    .filter((child) => child.status === 'active')
    .map((child) => ({ ...child, birthDate: child.demographics?.birthDate ?? null }));
  const firstSync =
    stored.children.size === 0 && !stored.archivedChildren.some((row) => row.sourcedId !== null);
  const outcome = matchChildren(incoming, current, archived, {
    firstSync,
    carryover: settings.carryover,
    rosterComplete: desired.mode === 'full' && desired.complete.children,
  });

  const possibleDuplicates: PossibleDuplicate[] = [];
  for (const [sourcedId, match] of outcome.matches) {
    if (match.kind === 'linked') links.children.set(sourcedId, match.childId);
    else if (match.duplicate) possibleDuplicates.push({ sourcedId, ...match.duplicate });
  }
  for (const warning of [...outcome.warnings, ...sameNameWarnings(incoming)]) {
    sink.add(warning.code, warning.sourcedId, warning.message);
  }
  return { links, possibleDuplicates };
}

function toCandidate(row: StoredChild, archivedSchoolYear: number | null): CandidateChild {
  return {
    id: row.id,
    sourcedId: row.sourcedId,
    origin: row.origin,
    nameKey: row.nameKey,
    identifier: row.identifier,
    userIds: row.userIds,
    birthDate: row.birthDate,
    archivedSchoolYear,
  };
}
