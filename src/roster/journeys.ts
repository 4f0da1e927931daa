import type { Kysely } from 'kysely';

import { AppError } from '../core/errors.ts';
import { json } from '../db/json.ts';
import { getOrganizationBySlug, insertAuditEntry } from '../db/queries/organizations.ts';
import type { Database } from '../db/schema.ts';
import { normalizeGradeCode } from './grades.ts';
import { assertLicensed } from './organizations.ts';
import { countSeatsUsed } from './products.ts';
import { listForMessage, rosterWarning, type RosterWarning } from './warnings.ts';

/**
 * Returns the journey every child a sync creates gets: the organization's default journey
 * without the products it is no longer licensed for, each dropped one reported with
 * `JOURNEY_PRODUCT_UNLICENSED`. Settings changes already reject unlicensed products, so this
 * only matters after a licence is removed.
 */
export async function journeyForNewChildren(
  db: Kysely<Database>,
  orgId: string,
): Promise<{ journey: string[]; warnings: RosterWarning[] }> {
  const settings = await db
    .selectFrom('syncSettings')
    .select('defaultJourney')
    .where('orgId', '=', orgId)
    .executeTakeFirstOrThrow();
  const licensed = await licensedProducts(db, orgId);
  const journey = settings.defaultJourney.filter((code) => licensed.has(code));
  const dropped = settings.defaultJourney.filter((code) => !licensed.has(code));
  const warnings = dropped.map((code) =>
    rosterWarning(
      'JOURNEY_PRODUCT_UNLICENSED',
      null,
      `The default journey names ${code}, but the organization has no licence for it, so new children do not get it. Ask platform staff for a licence, or change the default journey.`,
    ),
  );
  return { journey, warnings };
}

async function licensedProducts(db: Kysely<Database>, orgId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('licences').select('productCode').where('orgId', '=', orgId).execute();
  return new Set(rows.map((row) => row.productCode));
}

/**
 * Warns with `PRODUCT_SEATS_EXCEEDED` for each licensed product that more active children of the
 * current year use than the licence has seats. Call it after the run's changes are applied (in
 * the same transaction), so the counts include them. It only warns: no child loses a product.
 */
export async function checkSeats(db: Kysely<Database>, orgId: string): Promise<RosterWarning[]> {
  const licences = await db
    .selectFrom('licences')
    .select(['productCode', 'seats'])
    .where('orgId', '=', orgId)
    .orderBy('productCode')
    .execute();
  const used = await countSeatsUsed(db, orgId);
  return licences
    .filter((licence) => (used.get(licence.productCode) ?? 0) > licence.seats)
    .map((licence) =>
      rosterWarning(
        'PRODUCT_SEATS_EXCEEDED',
        null,
        `${used.get(licence.productCode)} active children use ${licence.productCode}, but the licence has ${licence.seats} seats. No child loses the product; ask platform staff to add seats.`,
      ),
    );
}

/** Selection of children the Bulk Journey Updater changes, by exactly one field. */
export type JourneyTarget =
  { school: string } | { classroom: string } | { grade: string } | { children: readonly string[] };

export interface BulkJourneyResult {
  /** Current, active children the target selected. */
  matched: number;
  /** Those whose journey differed and was replaced. */
  changed: number;
}

/**
 * Replaces the journey of many children at once (the Bulk Journey Updater), in one transaction.
 * The target is a school or classroom (by `sourcedId`), a grade code (variants such as `K` count
 * as `KG`), or a list of children by `sourcedId` or platform id. Only active children of the
 * current year are changed, because archived and merged children are read-only. Throws
 * `JOURNEY_NOT_LICENSED` naming an unlicensed product, and `NOT_FOUND` naming the school,
 * classroom or children it cannot find; either way nothing changes.
 */
export async function bulkSetJourney(
  db: Kysely<Database>,
  slug: string,
  journey: readonly string[],
  target: JourneyTarget,
  actor: string,
): Promise<BulkJourneyResult> {
  const products = [...new Set(journey.map((code) => code.trim()).filter((code) => code.length > 0))];
  if (products.length === 0) {
    throw new AppError(
      'INVALID_INPUT',
      'The journey is empty: give one or more licensed product codes, such as --journey assess-pk.',
    );
  }
  const org = await getOrganizationBySlug(db, slug);

  return db.transaction().execute(async (trx) => {
    await assertLicensed(trx, org.id, products);
    const children = await selectTargetChildren(trx, org.id, target);
    const ids = children.filter((child) => !sameList(child.journey, products)).map((child) => child.id);

    if (ids.length > 0) {
      await trx
        .updateTable('children')
        .set({ journey: json(products), updatedAt: new Date() })
        .where('id', 'in', ids)
        .execute();
    }
    await insertAuditEntry(trx, {
      orgId: org.id,
      actor,
      action: 'journeys.bulk_set',
      changes: { journey: products, target, matched: children.length, changed: ids.length },
    });
    return { matched: children.length, changed: ids.length };
  });
}

async function selectTargetChildren(
  db: Kysely<Database>,
  orgId: string,
  target: JourneyTarget,
): Promise<{ id: string; journey: string[] }[]> {
  const current = db
    .selectFrom('children as ch')
    .select(['ch.id', 'ch.journey', 'ch.sourcedId', 'ch.grade'])
    .where('ch.orgId', '=', orgId)
    .where('ch.status', '=', 'active')
    .where('ch.archivedAt', 'is', null)
    .where('ch.mergedIntoId', 'is', null);

  if ('school' in target) {
    const school = await findOne(db, 'schools', orgId, target.school, 'school');
    return current.where('ch.schoolId', '=', school).execute();
  }
  if ('classroom' in target) {
    const classroom = await findOne(db, 'classrooms', orgId, target.classroom, 'classroom');
    return current.where('ch.classroomId', '=', classroom).execute();
  }
  if ('grade' in target) {
    const code = normalizeGradeCode(target.grade);
    if (!code) {
      throw new AppError(
        'INVALID_INPUT',
        `${JSON.stringify(target.grade)} is not a grade code: use one such as IT, PR, PK, TK, KG or 01.`,
      );
    }
    const children = await current.where('ch.grade', 'is not', null).execute();
    return children.filter((child) => normalizeGradeCode(child.grade!) === code);
  }

  const wanted = [...new Set(target.children)];
  if (wanted.length === 0)
    throw new AppError('INVALID_INPUT', 'No children were given: list sourcedIds or ids after --children.');
  const uuids = wanted.filter(isUuid);
  const children = await current
    .where((eb) =>
      eb.or([eb('ch.sourcedId', 'in', wanted), ...(uuids.length > 0 ? [eb('ch.id', 'in', uuids)] : [])]),
    )
    .execute();
  const found = new Set(children.flatMap((child) => [child.id, child.sourcedId]));
  const missing = wanted.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new AppError(
      'NOT_FOUND',
      `No active child of this year has the id ${listForMessage(missing.map((id) => JSON.stringify(id)))}; nothing was changed.`,
      {
        hint: 'Give children by their roster sourcedId or platform id; archived and inactive children cannot change.',
      },
    );
  }
  return children;
}

async function findOne(
  db: Kysely<Database>,
  table: 'schools' | 'classrooms',
  orgId: string,
  sourcedId: string,
  noun: string,
): Promise<string> {
  let query = db.selectFrom(table).select('id').where('orgId', '=', orgId).where('sourcedId', '=', sourcedId);
  if (table === 'classrooms') query = query.where('archivedAt', 'is', null);
  const row = await query.executeTakeFirst();
  if (!row) {
    throw new AppError(
      'NOT_FOUND',
      `No ${noun} of this organization has the sourcedId ${JSON.stringify(sourcedId)}; nothing was changed.`,
      {
        hint: `Check the ${noun}'s sourcedId in \`rostersync export\`.`,
      },
    );
  }
  return row.id;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
