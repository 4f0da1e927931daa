import { describe, expect, it } from 'vitest';

import { parseSettingsOptions } from '../../src/cli/commands/org.ts';
import { AppError } from '../../src/core/errors.ts';
import { getOrganizationBySlug, getSyncSettings } from '../../src/db/queries/organizations.ts';
import { createOrganization, updateSettings, validateTimezone } from '../../src/roster/organizations.ts';
import { describeEachStore } from '../support/stores.ts';

function errorOf(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

async function asyncErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (error instanceof AppError) return error;
  throw new Error(`expected an AppError, got ${String(error)}`);
}

describe('validateTimezone', () => {
  // ICU takes "EST" as America/Panama, which has no daylight saving time, and "PST" as an alias.
  for (const abbreviation of ['PST', 'EST', 'pst', 'CET', 'EST5EDT', 'PST8PDT']) {
    it(`rejects the abbreviation ${abbreviation}`, () => {
      const error = errorOf(() => validateTimezone(abbreviation));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain(JSON.stringify(abbreviation));
      expect(error.message).toContain('America/Los_Angeles');
    });
  }

  it('stores the canonical spelling', () => {
    expect(validateTimezone(' america/new_york ')).toBe('America/New_York');
    expect(validateTimezone('US/Pacific')).toBe('America/Los_Angeles');
  });

  it('accepts UTC and area names', () => {
    expect(validateTimezone('UTC')).toBe('UTC');
    expect(validateTimezone('America/Chicago')).toBe('America/Chicago');
    expect(validateTimezone('Etc/GMT+8')).toBe('Etc/GMT+8');
  });
});

describe('parseSettingsOptions numbers', () => {
  for (const value of ['0x10', '1e1', '12abc', 'Infinity', '']) {
    it(`rejects ${JSON.stringify(value)} as a percentage`, () => {
      const error = errorOf(() => parseSettingsOptions({ maxDeactivatePercent: value }));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('--max-deactivate-percent');
    });
  }

  it('accepts decimal numbers', () => {
    expect(parseSettingsOptions({ maxDeactivatePercent: '12.5' }).maxDeactivateRatio).toBeCloseTo(0.125);
    expect(parseSettingsOptions({ fullSyncDays: ' 7 ' }).fullSyncIntervalDays).toBe(7);
  });
});

describeEachStore('settings input', ({ store }) => {
  it('rejects an unknown grade code', async () => {
    await createOrganization(store.db, { name: 'Grades', slug: 'grades', actor: 'test' });
    const error = await asyncErrorOf(
      updateSettings(store.db, 'grades', { gradeFilter: ['PK', 'XX'] }, 'test'),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('"XX"');
  });

  it('stores grade codes in canonical form', async () => {
    await updateSettings(store.db, 'grades', { gradeFilter: ['pk', 'Kindergarten', 'PK'] }, 'test');
    const org = await getOrganizationBySlug(store.db, 'grades');
    const settings = await getSyncSettings(store.db, org.id);
    expect(settings.gradeFilter).toEqual(['PK', 'KG']);
  });

  it('rejects a name over 200 characters', async () => {
    const error = await asyncErrorOf(updateSettings(store.db, 'grades', { name: 'a'.repeat(201) }, 'test'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('201');
  });

  it('rejects PST when the time zone changes', async () => {
    const error = await asyncErrorOf(updateSettings(store.db, 'grades', { timezone: 'PST' }, 'test'));
    expect(error.code).toBe('INVALID_INPUT');
    const org = await getOrganizationBySlug(store.db, 'grades');
    expect(org.timezone).toBe('America/New_York');
  });
});
