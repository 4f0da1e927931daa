import type { Kysely } from 'kysely';

import { AppError } from '../core/errors.ts';
import { getOrganizationBySlug, insertAuditEntry } from '../db/queries/organizations.ts';
import type { Database } from '../db/schema.ts';

const productCodePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export interface ProductInput {
  code: string;
  name: string;
  description?: string;
}

/**
 * Adds a product to the catalog, or renames it when the code exists. Codes are 1 to 40 letters,
 * digits, hyphens and underscores; throws `INVALID_INPUT` for another code or an empty name.
 */
export async function saveProduct(db: Kysely<Database>, input: ProductInput, actor: string): Promise<void> {
  const code = input.code.trim();
  if (!productCodePattern.test(code)) {
    throw new AppError(
      'INVALID_INPUT',
      `The product code ${JSON.stringify(input.code)} is invalid: use 1 to 40 letters, digits, hyphens and underscores, such as "assess-pk".`,
    );
  }
  const name = input.name.trim();
  if (name.length === 0) throw new AppError('INVALID_INPUT', `The product ${code} needs a name.`);

  const values = { name, description: input.description?.trim() ?? '' };
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('products')
      .values({ code, ...values })
      .onConflict((conflict) => conflict.column('code').doUpdateSet(values))
      .execute();
    await insertAuditEntry(trx, { orgId: null, actor, action: 'product.save', changes: { code, ...values } });
  });
}

export interface ProductRow {
  code: string;
  name: string;
  description: string;
}

/** Lists the product catalog by code. */
export async function listProducts(db: Kysely<Database>): Promise<ProductRow[]> {
  return db.selectFrom('products').select(['code', 'name', 'description']).orderBy('code').execute();
}

/**
 * Sets an organization's licence for a product to `seats` seats (0 or more), creating it when
 * missing. Throws `PRODUCT_NOT_FOUND` naming an unknown code and `INVALID_INPUT` for a seat count
 * that is not a whole number.
 */
export async function setLicence(
  db: Kysely<Database>,
  slug: string,
  productCode: string,
  seats: number,
  actor: string,
): Promise<void> {
  if (!Number.isInteger(seats) || seats < 0 || seats > 10_000_000) {
    throw new AppError('INVALID_INPUT', `Seats must be a whole number from 0 to 10000000 (got ${seats}).`);
  }
  const org = await getOrganizationBySlug(db, slug);
  await db.transaction().execute(async (trx) => {
    await assertProductsExist(trx, [productCode]);
    await trx
      .insertInto('licences')
      .values({ orgId: org.id, productCode, seats })
      .onConflict((conflict) => conflict.columns(['orgId', 'productCode']).doUpdateSet({ seats }))
      .execute();
    await insertAuditEntry(trx, {
      orgId: org.id,
      actor,
      action: 'licence.set',
      changes: { productCode, seats },
    });
  });
}

/**
 * Removes an organization's licence for a product. The product is also taken out of the default
 * journey, so new children never get an unlicensed product; children who have it keep it.
 */
export async function removeLicence(
  db: Kysely<Database>,
  slug: string,
  productCode: string,
  actor: string,
): Promise<void> {
  const org = await getOrganizationBySlug(db, slug);
  await db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('licences')
      .where('orgId', '=', org.id)
      .where('productCode', '=', productCode)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) {
      throw new AppError(
        'PRODUCT_NOT_FOUND',
        `The organization ${slug} has no licence for ${JSON.stringify(productCode)}.`,
        {
          hint: `List its licences with \`rostersync org licences --org ${slug}\`.`,
        },
      );
    }
    const settings = await trx
      .selectFrom('syncSettings')
      .select('defaultJourney')
      .where('orgId', '=', org.id)
      .executeTakeFirstOrThrow();
    const journey = settings.defaultJourney.filter((code) => code !== productCode);
    if (journey.length !== settings.defaultJourney.length) {
      await trx
        .updateTable('syncSettings')
        .set({ defaultJourney: JSON.stringify(journey) })
        .where('orgId', '=', org.id)
        .execute();
    }
    await insertAuditEntry(trx, { orgId: org.id, actor, action: 'licence.remove', changes: { productCode } });
  });
}

export interface LicenceRow {
  productCode: string;
  productName: string;
  seats: number;
  /** Active, current children whose journey includes the product. */
  used: number;
}

/** Lists an organization's licences with the seats each uses, by product code. */
export async function listLicences(db: Kysely<Database>, orgId: string): Promise<LicenceRow[]> {
  const licences = await db
    .selectFrom('licences as l')
    .innerJoin('products as p', 'p.code', 'l.productCode')
    .select(['l.productCode', 'p.name as productName', 'l.seats'])
    .where('l.orgId', '=', orgId)
    .orderBy('l.productCode')
    .execute();
  const used = await countSeatsUsed(db, orgId);
  return licences.map((licence) => ({ ...licence, used: used.get(licence.productCode) ?? 0 }));
}

/**
 * Counts, per product code, the active children of the current year (not archived, not merged)
 * whose journey includes it.
 */
export async function countSeatsUsed(db: Kysely<Database>, orgId: string): Promise<Map<string, number>> {
  const children = await db
    .selectFrom('children')
    .select('journey')
    .where('orgId', '=', orgId)
    .where('status', '=', 'active')
    .where('archivedAt', 'is', null)
    .where('mergedIntoId', 'is', null)
    .execute();
  const used = new Map<string, number>();
  for (const child of children) {
    for (const code of new Set(child.journey)) used.set(code, (used.get(code) ?? 0) + 1);
  }
  return used;
}

/** Throws `PRODUCT_NOT_FOUND` naming each code missing from the catalog. */
export async function assertProductsExist(db: Kysely<Database>, codes: readonly string[]): Promise<void> {
  if (codes.length === 0) return;
  const rows = await db
    .selectFrom('products')
    .select('code')
    .where('code', 'in', [...codes])
    .execute();
  const known = new Set(rows.map((row) => row.code));
  const missing = codes.filter((code) => !known.has(code));
  if (missing.length > 0) {
    throw new AppError(
      'PRODUCT_NOT_FOUND',
      `No product has the code ${missing.map((code) => JSON.stringify(code)).join(', ')}.`,
      {
        hint: 'List the catalog with `rostersync products list`, or add the product with `rostersync products add`.',
      },
    );
  }
}
