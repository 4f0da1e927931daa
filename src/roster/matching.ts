import type { UserId } from '../oneroster/types.ts';
import { nameKey } from './names.ts';
import { rosterWarning, type RosterWarning } from './warnings.ts';

/** A child as the roster source sends it, for matching. */
export interface IncomingChild {
  sourcedId: string;
  givenName: string;
  familyName: string;
  identifier: string | null;
  userIds: readonly UserId[];
  birthDate: string | null;
}

/** A stored child that an incoming child may be. */
export interface CandidateChild {
  id: string;
  sourcedId: string | null;
  origin: 'roster' | 'manual';
  nameKey: string;
  identifier: string | null;
  userIds: readonly UserId[];
  birthDate: string | null;
  /** The school year it was archived in; null for a current child. */
  archivedSchoolYear: number | null;
}

export interface MatchOptions {
  /** The first sync into the organization: hand-entered children may match by name and birth date. */
  firstSync: boolean;
  /** Auto-carryover: archived children of earlier years may match and be restored. */
  carryover: boolean;
  /**
   * Whether `incoming` is the whole roster (a full sync). In a delta it is not, so a child whose
   * `sourcedId` is absent may still be on the roster, and a secondary-key hit on it only raises a
   * review. Default true.
   */
  rosterComplete?: boolean;
}

export type MatchKey = 'sourcedId' | 'identifier' | 'userId' | 'name';

export type ChildMatch =
  | { kind: 'linked'; childId: string; key: MatchKey; fromArchive: boolean }
  | { kind: 'new'; duplicate: { candidateIds: string[]; reason: string } | null };

export interface MatchOutcome {
  /** One entry per incoming child `sourcedId`. */
  matches: Map<string, ChildMatch>;
  warnings: RosterWarning[];
}

/**
 * Matches incoming roster children to stored ones, in order, the first unique hit winning:
 * 1. a current child linked to the same `sourcedId`;
 * 2. a current child with the same `identifier` or a shared `userIds` entry, whose own `sourcedId`
 *    is absent from this roster (so it follows a person whose `sourcedId` changed);
 * 3. on the first sync only, an unlinked hand-entered child with the same name key and birth date;
 * 4. with carryover on, an archived child by the same keys (a `sourcedId` hit prefers the latest
 *    school year).
 * Two or more candidates, two incoming children wanting one stored child, or a name hit where
 * either side lacks a birth date never link: the child is new and carries a possible duplicate for
 * an admin to review. Children with one name and different birth dates are different children.
 */
export function matchChildren(
  incoming: readonly IncomingChild[],
  current: readonly CandidateChild[],
  archived: readonly CandidateChild[],
  options: MatchOptions,
): MatchOutcome {
  const matches = new Map<string, ChildMatch>();
  const warnings: RosterWarning[] = [];
  const claimed = new Set<string>();
  const incomingIds = new Set(incoming.map((child) => child.sourcedId));
  const pending = () => incoming.filter((child) => !matches.has(child.sourcedId));

  const bySourcedId = new Map(current.filter((c) => c.sourcedId).map((c) => [c.sourcedId!, c]));
  for (const child of incoming) {
    const hit = bySourcedId.get(child.sourcedId);
    if (!hit) continue;
    matches.set(child.sourcedId, { kind: 'linked', childId: hit.id, key: 'sourcedId', fromArchive: false });
    claimed.add(hit.id);
  }

  const movable = current.filter((c) => !claimed.has(c.id) && !(c.sourcedId && incomingIds.has(c.sourcedId)));
  const rosterComplete = options.rosterComplete ?? true;
  resolveTier(pending(), (child) => secondaryCandidates(child, movable, rosterComplete), false);

  if (options.firstSync) {
    const handEntered = current.filter(
      (c) => c.origin === 'manual' && c.sourcedId === null && !claimed.has(c.id),
    );
    resolveTier(pending(), (child) => nameCandidates(child, handEntered), false);
  }

  if (options.carryover) {
    const open = archived.filter((c) => !claimed.has(c.id));
    resolveTier(pending(), (child) => archiveCandidates(child, open), true);
  }

  for (const child of pending()) matches.set(child.sourcedId, { kind: 'new', duplicate: null });
  return { matches, warnings };

  /**
   * Links each child whose tier yields one certain candidate that no other child of the tier
   * wants; marks the rest new with a possible duplicate. Children with no candidates stay pending
   * for the next tier.
   */
  function resolveTier(
    children: IncomingChild[],
    find: (child: IncomingChild) => TierHit | null,
    fromArchive: boolean,
  ) {
    const hits = new Map<string, TierHit>();
    const wanted = new Map<string, number>();
    for (const child of children) {
      const hit = find(child);
      if (!hit || hit.candidates.length === 0) continue;
      hits.set(child.sourcedId, hit);
      for (const candidate of hit.candidates) wanted.set(candidate.id, (wanted.get(candidate.id) ?? 0) + 1);
    }

    for (const child of children) {
      const hit = hits.get(child.sourcedId);
      if (!hit) continue;
      const only = hit.candidates[0]!;
      const contested = (wanted.get(only.id) ?? 0) > 1;
      if (hit.certain && hit.candidates.length === 1 && !contested) {
        matches.set(child.sourcedId, { kind: 'linked', childId: only.id, key: hit.key, fromArchive });
        claimed.add(only.id);
        warnings.push(linkWarning(child, only, hit.key, fromArchive));
        continue;
      }
      const reason =
        contested && hit.candidates.length === 1
          ? `another roster child also matches ${hit.describe}`
          : hit.reason;
      matches.set(child.sourcedId, {
        kind: 'new',
        duplicate: { candidateIds: hit.candidates.map((candidate) => candidate.id), reason },
      });
      warnings.push(
        rosterWarning(
          'CHILD_POSSIBLE_DUPLICATE',
          child.sourcedId,
          `The child was created as a new child, but may be ${hit.candidates.length === 1 ? 'a child' : `one of ${hit.candidates.length} children`} already on the platform (${reason}). An admin should merge or keep them apart: \`rostersync review list\`.`,
        ),
      );
    }
  }
}

interface TierHit {
  candidates: CandidateChild[];
  key: MatchKey;
  /** False for a hit that may only raise a review, never link (a name without birth dates). */
  certain: boolean;
  /** Reason the candidates are possible duplicates, shown in the review item. */
  reason: string;
  /** The key in words, e.g. "the identifier 1234". */
  describe: string;
}

function sameIdentifier(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.trim() !== '' && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function sharedUserId(a: readonly UserId[], b: readonly UserId[]): UserId | null {
  for (const left of a) {
    const hit = b.find(
      (right) => right.type === left.type && sameIdentifier(right.identifier, left.identifier),
    );
    if (hit) return left;
  }
  return null;
}

function secondaryCandidates(
  child: IncomingChild,
  pool: readonly CandidateChild[],
  rosterComplete = true,
): TierHit | null {
  const hit = secondaryHit(child, pool);
  if (hit && !rosterComplete && hit.candidates.some((candidate) => candidate.sourcedId !== null)) {
    return {
      ...hit,
      certain: false,
      reason: `${hit.reason}, and a delta sync cannot tell whether the other child left the roster`,
    };
  }
  return hit;
}

function secondaryHit(child: IncomingChild, pool: readonly CandidateChild[]): TierHit | null {
  const byIdentifier = pool.filter((candidate) => sameIdentifier(candidate.identifier, child.identifier));
  if (byIdentifier.length > 0) {
    const describe = `the identifier ${JSON.stringify(child.identifier)}`;
    return {
      candidates: byIdentifier,
      key: 'identifier',
      certain: true,
      describe,
      reason: `${byIdentifier.length} children have ${describe}`,
    };
  }
  const byUserId = pool.filter((candidate) => sharedUserId(child.userIds, candidate.userIds) !== null);
  if (byUserId.length > 0) {
    const shared = sharedUserId(child.userIds, byUserId[0]!.userIds)!;
    const describe = `the ${shared.type} id ${JSON.stringify(shared.identifier)}`;
    return {
      candidates: byUserId,
      key: 'userId',
      certain: true,
      describe,
      reason: `${byUserId.length} children have ${describe}`,
    };
  }
  return null;
}

function nameCandidates(child: IncomingChild, pool: readonly CandidateChild[]): TierHit | null {
  const key = nameKey(child.givenName, child.familyName);
  const sameName = pool.filter((candidate) => candidate.nameKey === key);
  if (sameName.length === 0) return null;

  const describe = `the name ${child.givenName} ${child.familyName} and birth date ${child.birthDate ?? '(none)'}`;
  if (!child.birthDate) {
    return {
      candidates: sameName,
      key: 'name',
      certain: false,
      describe,
      reason: 'same name, and the roster sent no birth date to confirm it',
    };
  }
  const sameBirth = sameName.filter((candidate) => candidate.birthDate === child.birthDate);
  const noBirth = sameName.filter((candidate) => candidate.birthDate === null);
  if (sameBirth.length === 0 && noBirth.length === 0) return null;
  if (noBirth.length > 0) {
    return {
      candidates: [...sameBirth, ...noBirth],
      key: 'name',
      certain: false,
      describe,
      reason: 'same name, and a child on the platform has no birth date to confirm it',
    };
  }
  return {
    candidates: sameBirth,
    key: 'name',
    certain: true,
    describe,
    reason: `${sameBirth.length} children have the same name and birth date`,
  };
}

function archiveCandidates(child: IncomingChild, pool: readonly CandidateChild[]): TierHit | null {
  const bySourcedId = pool.filter((candidate) => candidate.sourcedId === child.sourcedId);
  if (bySourcedId.length > 0) {
    const latest = Math.max(...bySourcedId.map((candidate) => candidate.archivedSchoolYear ?? 0));
    const candidates = bySourcedId.filter((candidate) => (candidate.archivedSchoolYear ?? 0) === latest);
    const describe = `the sourcedId ${JSON.stringify(child.sourcedId)}`;
    return {
      candidates,
      key: 'sourcedId',
      certain: true,
      describe,
      reason: `${candidates.length} archived children of ${latest} have ${describe}`,
    };
  }
  return secondaryCandidates(child, pool) ?? nameCandidates(child, pool);
}

function linkWarning(
  child: IncomingChild,
  candidate: CandidateChild,
  key: MatchKey,
  fromArchive: boolean,
): RosterWarning {
  if (fromArchive) {
    return rosterWarning(
      'CHILD_RESTORED_FROM_ARCHIVE',
      child.sourcedId,
      `The child matches a child archived with the ${candidate.archivedSchoolYear} school year (by ${keyWords[key]}), so that child was restored with their history instead of creating a new one.`,
    );
  }
  if (key === 'name') {
    return rosterWarning(
      'CHILD_MATCHED_BY_NAME',
      child.sourcedId,
      "The child was linked to a hand-entered child with the same name and birth date, keeping that child's history.",
    );
  }
  return rosterWarning(
    'CHILD_SOURCED_ID_CHANGED',
    child.sourcedId,
    `The child matches a child known under the sourcedId ${candidate.sourcedId ?? '(none)'} by ${keyWords[key]}, so that child now follows the new sourcedId.`,
  );
}

const keyWords: Record<MatchKey, string> = {
  sourcedId: 'sourcedId',
  identifier: 'identifier (student number)',
  userId: 'a userIds entry',
  name: 'name and birth date',
};
