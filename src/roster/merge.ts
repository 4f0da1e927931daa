import type { Kysely, Selectable } from 'kysely';

import { AppError } from '../core/errors.ts';
import { json } from '../db/json.ts';
import { getOrganizationBySlug, insertAuditEntry } from '../db/queries/organizations.ts';
import type { ChildrenTable, Database } from '../db/schema.ts';
import { restoreArchivedChildren } from './archive.ts';

type ChildRow = Selectable<ChildrenTable>;

export interface MergeResult {
  /** The older child, which keeps its id and history. */
  keptChildId: string;
  /** The newer child, now `merged_into_id` the kept one. */
  mergedChildId: string;
  memberships: number;
  contacts: number;
}

/**
 * Merges the two children of an open review item. The older record (by creation time) keeps its
 * id, history, level and journey; it takes the roster link and roster fields of the newer one
 * (`sourcedId`, identifiers, names, school, classroom, grade, and birth date and demographics
 * where the roster has them), the products of the newer journey that it lacks, and its current
 * memberships and family contacts. The newer record is marked `merged_into_id` the older. An
 * archived older child is restored. With several candidates, `intoId` names the one to merge
 * with. Throws `REVIEW_ITEM_NOT_FOUND`, `INVALID_INPUT` when `intoId` is needed or not a
 * candidate, and `ARCHIVE_READ_ONLY` when the newer child is archived.
 */
export async function mergeReview(
  db: Kysely<Database>,
  slug: string,
  reviewId: string,
  intoId: string | null,
  actor: string,
): Promise<MergeResult> {
  const org = await getOrganizationBySlug(db, slug);
  return db.transaction().execute(async (trx) => {
    const review = await trx
      .selectFrom('duplicateReviews')
      .selectAll()
      .where('orgId', '=', org.id)
      .where('id', '=', /^[0-9a-f-]{36}$/i.test(reviewId) ? reviewId : '00000000-0000-0000-0000-000000000000')
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (!review) {
      throw new AppError(
        'REVIEW_ITEM_NOT_FOUND',
        `No open possible-duplicate review item has the id ${JSON.stringify(reviewId)}.`,
      );
    }
    const candidateId = chooseCandidate(review.candidateIds, intoId);
    const pair = await trx
      .selectFrom('children')
      .selectAll()
      .where('id', 'in', [review.childId, candidateId])
      .where('mergedIntoId', 'is', null)
      .execute();
    if (pair.length !== 2) {
      throw new AppError(
        'INVALID_INPUT',
        'One of the two children was already merged into another; keep this item apart instead.',
      );
    }
    const [older, newer] = [...pair].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()) as [
      ChildRow,
      ChildRow,
    ];
    if (newer.archivedAt) {
      throw new AppError(
        'ARCHIVE_READ_ONLY',
        `The child ${newer.id} is archived with the ${newer.archivedSchoolYear} school year and cannot be merged.`,
      );
    }

    await trx
      .updateTable('children')
      .set({ mergedIntoId: older.id, updatedAt: new Date() })
      .where('id', '=', newer.id)
      .execute();
    if (older.archivedAt) await restoreArchivedChildren(trx, org.id, [older.id], review.runId);
    await trx.updateTable('children').set(mergedFields(older, newer)).where('id', '=', older.id).execute();

    const memberships = await trx
      .updateTable('memberships')
      .set({ childId: older.id, updatedAt: new Date() })
      .where('childId', '=', newer.id)
      .where('archivedAt', 'is', null)
      .executeTakeFirst();
    const contacts = await trx
      .updateTable('childContacts')
      .set({ childId: older.id, updatedAt: new Date() })
      .where('childId', '=', newer.id)
      .where(
        'contactId',
        'not in',
        trx.selectFrom('childContacts').select('contactId').where('childId', '=', older.id),
      )
      .executeTakeFirst();

    await trx
      .updateTable('duplicateReviews')
      .set({ status: 'merged', resolvedAt: new Date(), resolvedBy: actor, keptChildId: older.id })
      .where('id', '=', review.id)
      .execute();
    const result: MergeResult = {
      keptChildId: older.id,
      mergedChildId: newer.id,
      memberships: Number(memberships.numUpdatedRows),
      contacts: Number(contacts.numUpdatedRows),
    };
    await insertAuditEntry(trx, {
      orgId: org.id,
      actor,
      action: 'review.merge',
      changes: { reviewId: review.id, ...result },
    });
    return result;
  });
}

function chooseCandidate(candidateIds: readonly string[], intoId: string | null): string {
  if (intoId !== null) {
    if (!candidateIds.includes(intoId)) {
      throw new AppError(
        'INVALID_INPUT',
        `The child ${JSON.stringify(intoId)} is not a candidate of this review item; choose one of ${candidateIds.join(', ')}.`,
      );
    }
    return intoId;
  }
  if (candidateIds.length !== 1) {
    throw new AppError(
      'INVALID_INPUT',
      `The review item has ${candidateIds.length} candidates; choose the child to merge with (--into ID): ${candidateIds.join(', ')}.`,
    );
  }
  return candidateIds[0]!;
}

/** Builds the older child's columns after it absorbs the newer one's roster link and fields. */
function mergedFields(older: ChildRow, newer: ChildRow) {
  const fromRoster = newer.sourcedId !== null;
  const roster = fromRoster ? newer : older;
  const journey = [...older.journey, ...newer.journey.filter((code) => !older.journey.includes(code))];
  return {
    sourcedId: newer.sourcedId ?? older.sourcedId,
    sourceStatus: newer.sourceStatus ?? older.sourceStatus,
    identifier: newer.identifier ?? older.identifier,
    userIds: json(newer.userIds.length > 0 ? newer.userIds : older.userIds),
    givenName: roster.givenName,
    familyName: roster.familyName,
    middleName: roster.middleName,
    preferredGivenName: roster.preferredGivenName,
    preferredFamilyName: roster.preferredFamilyName,
    nameKey: roster.nameKey,
    schoolId: newer.schoolId ?? older.schoolId,
    classroomId: newer.classroomId ?? older.classroomId,
    grade: newer.grade ?? older.grade,
    birthDate: newer.birthDate ?? older.birthDate,
    sex: newer.sex ?? older.sex,
    americanIndianOrAlaskaNative: newer.americanIndianOrAlaskaNative ?? older.americanIndianOrAlaskaNative,
    asian: newer.asian ?? older.asian,
    blackOrAfricanAmerican: newer.blackOrAfricanAmerican ?? older.blackOrAfricanAmerican,
    nativeHawaiianOrOtherPacificIslander:
      newer.nativeHawaiianOrOtherPacificIslander ?? older.nativeHawaiianOrOtherPacificIslander,
    white: newer.white ?? older.white,
    twoOrMoreRaces: newer.twoOrMoreRaces ?? older.twoOrMoreRaces,
    hispanicOrLatino: newer.hispanicOrLatino ?? older.hispanicOrLatino,
    enabled: newer.enabled,
    status: newer.status,
    journey: json(journey),
    level: older.level ?? newer.level,
    levelSetBy: older.level ? older.levelSetBy : newer.levelSetBy,
    lastSeenRunId: newer.lastSeenRunId ?? older.lastSeenRunId,
    deactivatedAt: newer.deactivatedAt,
    deactivatedByRunId: newer.deactivatedByRunId,
    updatedAt: new Date(),
  };
}
