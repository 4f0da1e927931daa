import { expect, it } from 'vitest';

import { isAppError } from '../../src/core/errors.ts';
import {
  listLicences,
  listProducts,
  removeLicence,
  saveProduct,
  setLicence,
} from '../../src/roster/products.ts';
import { journeyForNewChildren, checkSeats } from '../../src/roster/journeys.ts';
import { updateSettings } from '../../src/roster/organizations.ts';
import { describeEachStore } from '../support/stores.ts';
import { seedChild, seedOrganization } from './seed.ts';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describeEachStore('products and licences', (context) => {
  it('adds and renames catalog products', async () => {
    const { db } = context.store;
    await saveProduct(db, { code: 'assess-pk', name: 'Assessment' }, 'test');
    await saveProduct(
      db,
      { code: 'assess-pk', name: 'PreK Assessment', description: 'observations' },
      'test',
    );
    await saveProduct(db, { code: 'literacy', name: 'Early Literacy' }, 'test');
    expect(await listProducts(db)).toEqual([
      { code: 'assess-pk', name: 'PreK Assessment', description: 'observations' },
      { code: 'literacy', name: 'Early Literacy', description: '' },
    ]);
  });

  it('rejects a bad product code', async () => {
    expect(await codeOf(saveProduct(context.store.db, { code: 'two words', name: 'X' }, 'test'))).toBe(
      'INVALID_INPUT',
    );
  });

  it('licences only catalog products', async () => {
    const { db } = context.store;
    await seedOrganization(db, 'lic');
    expect(await codeOf(setLicence(db, 'lic', 'nope', 5, 'test'))).toBe('PRODUCT_NOT_FOUND');
    expect(await codeOf(setLicence(db, 'lic', 'literacy', -1, 'test'))).toBe('INVALID_INPUT');
  });

  it('counts used seats and warns above them', async () => {
    const { db } = context.store;
    const { orgId } = await seedOrganization(db, 'seats');
    await setLicence(db, 'seats', 'assess-pk', 2, 'test');
    await setLicence(db, 'seats', 'literacy', 10, 'test');
    for (let i = 0; i < 3; i += 1)
      await seedChild(db, orgId, { sourcedId: `s${i}`, journey: ['assess-pk', 'literacy'] });
    await seedChild(db, orgId, { sourcedId: 'gone', journey: ['assess-pk'], status: 'inactive' });

    const licences = await listLicences(db, orgId);
    expect(licences.map((l) => [l.productCode, l.seats, l.used])).toEqual([
      ['assess-pk', 2, 3],
      ['literacy', 10, 3],
    ]);
    const warnings = await checkSeats(db, orgId);
    expect(warnings.map((w) => w.code)).toEqual(['PRODUCT_SEATS_EXCEEDED']);
    expect(warnings[0]?.message).toMatch(/3 active children use assess-pk, but the licence has 2 seats/);
  });

  it('drops an unlicensed product from new children', async () => {
    const { db } = context.store;
    const { orgId } = await seedOrganization(db, 'journey');
    await setLicence(db, 'journey', 'assess-pk', 10, 'test');
    await setLicence(db, 'journey', 'literacy', 10, 'test');
    await updateSettings(db, 'journey', { defaultJourney: ['assess-pk', 'literacy'] }, 'test');
    expect((await journeyForNewChildren(db, orgId)).journey).toEqual(['assess-pk', 'literacy']);

    await removeLicence(db, 'journey', 'literacy', 'test');
    const after = await journeyForNewChildren(db, orgId);
    expect(after.journey).toEqual(['assess-pk']);
    expect(after.warnings).toEqual([]);
    expect(await codeOf(updateSettings(db, 'journey', { defaultJourney: ['literacy'] }, 'test'))).toBe(
      'JOURNEY_NOT_LICENSED',
    );
  });

  it('warns when a licence row vanished under the default journey', async () => {
    const { db } = context.store;
    const { orgId } = await seedOrganization(db, 'vanish');
    await setLicence(db, 'vanish', 'literacy', 10, 'test');
    await updateSettings(db, 'vanish', { defaultJourney: ['literacy'] }, 'test');
    await db.deleteFrom('licences').where('orgId', '=', orgId).execute();

    const result = await journeyForNewChildren(db, orgId);
    expect(result.journey).toEqual([]);
    expect(result.warnings.map((w) => w.code)).toEqual(['JOURNEY_PRODUCT_UNLICENSED']);
  });
});
