import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.ts';
import type { CandidateChild, MatchOptions } from './matching.ts';

/** The stored children an incoming roster child may match, split as `matchChildren` takes them. */
export interface MatchCandidates {
  /** Current children (not archived, not merged), active or inactive. */
  current: CandidateChild[];
  /** Archived children (not merged) of every earlier school year. */
  archived: CandidateChild[];
  options: MatchOptions;
}

/**
 * Loads the match candidates of an organization and the match options from its settings:
 * carryover from `sync_settings.carryover`, and first sync when no child of the organization,
 * archived ones included, has ever been linked to a roster `sourcedId`.
 */
export async function loadMatchCandidates(db: Kysely<Database>, orgId: string): Promise<MatchCandidates> {
  const rows = await db
    .selectFrom('children')
    .select([
      'id',
      'sourcedId',
      'origin',
      'nameKey',
      'identifier',
      'userIds',
      'birthDate',
      'archivedSchoolYear',
      'archivedAt',
    ])
    .where('orgId', '=', orgId)
    .where('mergedIntoId', 'is', null)
    .execute();
  const settings = await db
    .selectFrom('syncSettings')
    .select('carryover')
    .where('orgId', '=', orgId)
    .executeTakeFirstOrThrow();

  const toCandidate = (row: (typeof rows)[number]): CandidateChild => ({
    id: row.id,
    sourcedId: row.sourcedId,
    origin: row.origin,
    nameKey: row.nameKey,
    identifier: row.identifier,
    userIds: row.userIds,
    birthDate: row.birthDate,
    archivedSchoolYear: row.archivedAt ? row.archivedSchoolYear : null,
  });
  return {
    current: rows.filter((row) => row.archivedAt === null).map(toCandidate),
    archived: rows.filter((row) => row.archivedAt !== null).map(toCandidate),
    options: { firstSync: !rows.some((row) => row.sourcedId !== null), carryover: settings.carryover },
  };
}
