import type { Kysely } from 'kysely';

import { AppError } from '../core/errors.ts';
import { json } from '../db/json.ts';
import { getOrganizationBySlug, insertAuditEntry } from '../db/queries/organizations.ts';
import type { Database } from '../db/schema.ts';

/** A possible duplicate found by matching: the child created anyway, and who it may be. */
export interface DuplicateFinding {
  childId: string;
  candidateIds: readonly string[];
  reason: string;
}

/**
 * Opens a possible-duplicate review item per finding, in the caller's transaction. A child with
 * an open item keeps it (its candidates are not replaced). Returns the count opened.
 */
export async function raiseDuplicateReviews(
  db: Kysely<Database>,
  orgId: string,
  runId: string | null,
  findings: readonly DuplicateFinding[],
): Promise<number> {
  let opened = 0;
  for (const finding of findings) {
    const result = await db
      .insertInto('duplicateReviews')
      .values({
        orgId,
        childId: finding.childId,
        candidateIds: json(finding.candidateIds),
        reason: finding.reason,
        runId,
      })
      .onConflict((conflict) => conflict.column('childId').where('status', '=', 'open').doNothing())
      .executeTakeFirst();
    opened += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return opened;
}

/** A child as a review item shows it. */
export interface ReviewChild {
  id: string;
  sourcedId: string | null;
  origin: 'roster' | 'manual';
  givenName: string;
  familyName: string;
  birthDate: string | null;
  identifier: string | null;
  archivedSchoolYear: number | null;
  createdAt: Date;
}

export interface ReviewItem {
  id: string;
  status: 'open' | 'merged' | 'kept';
  reason: string;
  createdAt: Date;
  /** The child the sync created. */
  child: ReviewChild;
  /** The children it may be. */
  candidates: ReviewChild[];
}

/** Lists an organization's review items with the status given (default open), oldest first. */
export async function listReviews(
  db: Kysely<Database>,
  slug: string,
  status: 'open' | 'merged' | 'kept' = 'open',
): Promise<ReviewItem[]> {
  const org = await getOrganizationBySlug(db, slug);
  const reviews = await db
    .selectFrom('duplicateReviews')
    .select(['id', 'status', 'reason', 'createdAt', 'childId', 'candidateIds'])
    .where('orgId', '=', org.id)
    .where('status', '=', status)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  const ids = [...new Set(reviews.flatMap((review) => [review.childId, ...review.candidateIds]))];
  const children = new Map((await loadReviewChildren(db, ids)).map((child) => [child.id, child]));
  return reviews.map((review) => ({
    id: review.id,
    status: review.status,
    reason: review.reason,
    createdAt: review.createdAt,
    child: children.get(review.childId)!,
    candidates: review.candidateIds.flatMap((id) => children.get(id) ?? []),
  }));
}

async function loadReviewChildren(db: Kysely<Database>, ids: readonly string[]): Promise<ReviewChild[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('children')
    .select([
      'id',
      'sourcedId',
      'origin',
      'givenName',
      'familyName',
      'birthDate',
      'identifier',
      'archivedSchoolYear',
      'createdAt',
    ])
    .where('id', 'in', [...ids])
    .execute();
}

async function openReview(db: Kysely<Database>, orgId: string, reviewId: string) {
  const review = /^[0-9a-f-]{36}$/i.test(reviewId)
    ? await db
        .selectFrom('duplicateReviews')
        .selectAll()
        .where('orgId', '=', orgId)
        .where('id', '=', reviewId)
        .where('status', '=', 'open')
        .executeTakeFirst()
    : undefined;
  if (!review) {
    throw new AppError(
      'REVIEW_ITEM_NOT_FOUND',
      `No open possible-duplicate review item has the id ${JSON.stringify(reviewId)}.`,
    );
  }
  return review;
}

/** Closes a review item as "keep apart": both children stay as they are. */
export async function keepApart(
  db: Kysely<Database>,
  slug: string,
  reviewId: string,
  actor: string,
): Promise<void> {
  const org = await getOrganizationBySlug(db, slug);
  await db.transaction().execute(async (trx) => {
    const review = await openReview(trx, org.id, reviewId);
    await trx
      .updateTable('duplicateReviews')
      .set({ status: 'kept', resolvedAt: new Date(), resolvedBy: actor })
      .where('id', '=', review.id)
      .execute();
    await insertAuditEntry(trx, {
      orgId: org.id,
      actor,
      action: 'review.keep',
      changes: { reviewId: review.id },
    });
  });
}

export { mergeReview } from './merge.ts';
