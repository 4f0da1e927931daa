import { expect, it } from 'vitest';

import { parseSecretKey } from '../../src/core/crypto.ts';
import { AppError } from '../../src/core/errors.ts';
import { getOrganizationBySlug, getSyncSettings } from '../../src/db/queries/organizations.ts';
import { createOrganization, saveRosterConnection, updateSettings } from '../../src/roster/organizations.ts';
import { describeEachStore } from '../support/stores.ts';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
}

describeEachStore('organizations', ({ store }) => {
  it('creates one with default settings and an audit entry', async () => {
    const org = await createOrganization(store.db, { name: ' Lakeside ', slug: 'lakeside', actor: 'test' });
    expect(org).toMatchObject({ name: 'Lakeside', timezone: 'America/New_York', autoRostering: true });
    const settings = await getSyncSettings(store.db, org.id);
    expect(settings).toMatchObject({
      scheduleFrequency: 'off',
      allowRemoval: false,
      maxContactsPerChild: 4,
      maxClassroomsPerEducator: 10,
      classroomSizeWarning: 32,
      defaultJourney: [],
    });
    expect(settings.maxDeactivateRatio).toBeCloseTo(0.1);
    const audit = await store.db.selectFrom('auditLog').selectAll().where('orgId', '=', org.id).execute();
    expect(audit.map((entry) => entry.action)).toEqual(['organization.create']);
  });

  it('rejects a bad slug, a taken slug and an unknown time zone', async () => {
    expect(await codeOf(createOrganization(store.db, { name: 'X', slug: 'Bad Slug', actor: 'test' }))).toBe(
      'INVALID_INPUT',
    );
    expect(await codeOf(createOrganization(store.db, { name: 'X', slug: 'lakeside', actor: 'test' }))).toBe(
      'ORG_SLUG_TAKEN',
    );
    expect(
      await codeOf(
        createOrganization(store.db, { name: 'X', slug: 'tz', timezone: 'Mars/Base', actor: 'test' }),
      ),
    ).toBe('INVALID_INPUT');
  });

  it('changes settings and validates ranges', async () => {
    await updateSettings(
      store.db,
      'lakeside',
      {
        allowRemoval: true,
        gradeFilter: ['PK', 'KG'],
        maxDeactivateRatio: 0.2,
        archiveDate: { month: 7, day: 15 },
      },
      'test',
    );
    const org = await getOrganizationBySlug(store.db, 'lakeside');
    const settings = await getSyncSettings(store.db, org.id);
    expect(settings.allowRemoval).toBe(true);
    expect(settings.gradeFilter).toEqual(['PK', 'KG']);
    expect(settings.maxDeactivateRatio).toBeCloseTo(0.2);
    expect([org.archiveMonth, org.archiveDay]).toEqual([7, 15]);

    expect(await codeOf(updateSettings(store.db, 'lakeside', { maxChangeRatio: 1.5 }, 'test'))).toBe(
      'INVALID_INPUT',
    );
    expect(
      await codeOf(updateSettings(store.db, 'lakeside', { archiveDate: { month: 2, day: 30 } }, 'test')),
    ).toBe('INVALID_INPUT');
    expect(await codeOf(updateSettings(store.db, 'nowhere', { allowRemoval: true }, 'test'))).toBe(
      'ORG_NOT_FOUND',
    );
  });

  it('accepts only licensed products as the default journey', async () => {
    const org = await getOrganizationBySlug(store.db, 'lakeside');
    await store.db
      .insertInto('products')
      .values([
        { code: 'literacy', name: 'Literacy' },
        { code: 'math', name: 'Math' },
      ])
      .execute();
    await store.db
      .insertInto('licences')
      .values({ orgId: org.id, productCode: 'literacy', seats: 100 })
      .execute();

    await updateSettings(store.db, 'lakeside', { defaultJourney: ['literacy'] }, 'test');
    const error = await updateSettings(
      store.db,
      'lakeside',
      { defaultJourney: ['literacy', 'math'] },
      'test',
    ).catch((caught: unknown) => caught as AppError);
    expect(error?.code).toBe('JOURNEY_NOT_LICENSED');
    expect(error?.message).toContain('"math"');
    expect((await getSyncSettings(store.db, org.id)).defaultJourney).toEqual(['literacy']);
  });

  it('stores the connection secret encrypted and audits without it', async () => {
    const key = parseSecretKey('c'.repeat(64));
    await saveRosterConnection(
      store.db,
      'lakeside',
      {
        endpointUrl: 'https://x-ca-v2.oneroster.com/ims/oneroster/',
        version: '1.1',
        authKind: 'oauth1',
        key: 'k1',
        secret: 'top-s3cret',
        actor: 'test',
      },
      key,
    );
    const org = await getOrganizationBySlug(store.db, 'lakeside');
    const row = await store.db
      .selectFrom('rosterConnections')
      .selectAll()
      .where('orgId', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(row.secretKeyId).toBe(key.id);
    expect(row.secretCiphertext).not.toContain('top-s3cret');
    const audit = await store.db
      .selectFrom('auditLog')
      .select('changes')
      .where('action', '=', 'connection.save')
      .execute();
    expect(JSON.stringify(audit)).not.toContain('top-s3cret');
  });
});
