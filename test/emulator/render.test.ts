import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadBundle, loadGenerated } from '../../src/emulator/data.ts';
import { renderRecord } from '../../src/emulator/render.ts';
import { normalizeRecord } from '../../src/oneroster/parse/index.ts';
import type { AnyRecord, CollectionName, OneRosterVersion } from '../../src/oneroster/types.ts';
import { collectionNames } from '../../src/oneroster/types.ts';

function roundTrip(
  collection: CollectionName,
  record: AnyRecord,
  version: OneRosterVersion,
): AnyRecord | null {
  const wire = JSON.parse(
    JSON.stringify(renderRecord(collection, record, version, 'http://127.0.0.1/x')),
  ) as unknown;
  const normalized = normalizeRecord(collection, wire, version);
  expect(normalized.issues).toEqual([]);
  return normalized.record;
}

describe('emulator rendering', () => {
  it.each(['1.1', '1.2'] as const)('round-trips a generated district in %s', async (version) => {
    const { data } = await loadGenerated(40, 'render');
    for (const collection of collectionNames) {
      expect(data[collection].length).toBeGreaterThan(0);
      for (const record of data[collection]) expect(roundTrip(collection, record, version)).toEqual(record);
    }
  });

  it('round-trips 1.2 users with several roles in 1.2', async () => {
    const { data } = await loadBundle(path.join(import.meta.dirname, '../csv/fixtures/v1p2'));
    const [user] = data.users;
    expect(user?.roles).toHaveLength(2);
    if (user !== undefined) expect(roundTrip('users', user, '1.2')).toEqual(user);
  });

  it('round-trips extensions and empty values in both versions', async () => {
    const { data } = await loadBundle(path.join(import.meta.dirname, '../csv/fixtures/multi-value'));
    for (const version of ['1.1', '1.2'] as const) {
      for (const user of data.users) expect(roundTrip('users', user, version)).toEqual(user);
      for (const room of data.classes) expect(roundTrip('classes', room, version)).toEqual(room);
    }
  });

  it('renders 1.1 booleans as strings and 1.2 booleans as booleans', async () => {
    const { data } = await loadGenerated(5, 'render');
    const enrollment = data.enrollments[0];
    if (enrollment === undefined) throw new Error('The generated district has no enrollment.');
    expect(renderRecord('enrollments', enrollment, '1.1').primary).toBe(String(enrollment.primary));
    expect(renderRecord('enrollments', enrollment, '1.2').primary).toBe(enrollment.primary);
  });
});
