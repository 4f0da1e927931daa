import { describe, expect, it } from 'vitest';

import { isValidSlug, newId } from '../../src/core/ids.ts';

describe('newId', () => {
  it('returns version 4 UUIDs with the RFC 4122 variant', () => {
    for (let index = 0; index < 2000; index += 1) {
      expect(newId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('never repeats across refills of its random pool', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => newId()));
    expect(ids.size).toBe(5000);
  });

  it('uses every hex digit in every random position', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let index = 0; index < 3000; index += 1) {
      [...newId()].forEach((character, position) => seen[position]!.add(character));
    }
    const fixed = new Map([
      [8, 1],
      [13, 1],
      [14, 1],
      [18, 1],
      [19, 4],
      [23, 1],
    ]);
    seen.forEach((characters, position) => expect(characters.size).toBe(fixed.get(position) ?? 16));
  });
});

describe('isValidSlug', () => {
  it('accepts lowercase letters, digits and inner hyphens', () => {
    expect(isValidSlug('maple-district-7')).toBe(true);
    expect(isValidSlug('-maple')).toBe(false);
    expect(isValidSlug('Maple')).toBe(false);
    expect(isValidSlug('a'.repeat(65))).toBe(false);
  });
});
