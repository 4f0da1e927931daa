import { describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.ts';
import { Filter, buildQueryString, modifiedSinceFilter } from '../../src/oneroster/query.ts';
import type { FilterOperator } from '../../src/oneroster/query.ts';

describe('Filter', () => {
  it('renders one condition per operator', () => {
    const operators: FilterOperator[] = ['=', '!=', '>', '>=', '<', '<=', '~'];
    for (const operator of operators) {
      expect(Filter.where('familyName', operator, 'Lee').toString()).toBe(`familyName${operator}'Lee'`);
    }
  });

  it('joins two conditions with AND or OR', () => {
    expect(Filter.where('role', '=', 'student').and('status', '=', 'active').toString()).toBe(
      "role='student' AND status='active'",
    );
    expect(Filter.where('role', '=', 'teacher').or('role', '=', 'aide').toString()).toBe(
      "role='teacher' OR role='aide'",
    );
  });

  it('doubles a quote inside a value', () => {
    expect(Filter.where('familyName', '=', "O'Brien").toString()).toBe("familyName='O''Brien'");
  });

  it('throws on a third condition', () => {
    const two = Filter.where('role', '=', 'student').and('status', '=', 'active');
    expect(() => two.or('grades', '=', 'PK')).toThrow(AppError);
    expect(() => two.and('grades', '=', 'PK')).toThrow(/no third/);
  });

  it('rejects a bad operator or field', () => {
    expect(() => Filter.where('role', '==' as FilterOperator, 'x')).toThrow(/operator/);
    expect(() => Filter.where("role' OR '1", '=', 'x')).toThrow(/field/);
  });

  it('builds the delta filter', () => {
    expect(modifiedSinceFilter(new Date('2025-03-04T05:06:07Z')).toString()).toBe(
      "dateLastModified>'2025-03-04T05:06:07.000Z'",
    );
  });
});

describe('buildQueryString', () => {
  it('encodes by RFC 5849 rules', () => {
    const query = buildQueryString({
      limit: 100,
      offset: 200,
      filter: Filter.where('email', '~', "a+b c'd"),
      fields: ['sourcedId', 'givenName'],
      sort: { field: 'familyName', direction: 'desc' },
    });
    expect(query).toBe(
      'limit=100&offset=200&filter=email~%27a%2Bb%20c%27%27d%27&fields=sourcedId%2CgivenName&sort=familyName&orderBy=desc',
    );
    expect(new URLSearchParams(query).get('filter')).toBe("email~'a+b c''d'");
  });

  it('leaves out what is not set', () => {
    expect(buildQueryString({})).toBe('');
    expect(buildQueryString({ sort: { field: 'sourcedId' } })).toBe('sort=sourcedId&orderBy=asc');
  });
});
