/**
 * The OneRoster 1.1 `filter` grammar: `field op 'value'`, with `op` one of `= != > >= < <= ~`,
 * and at most two such conditions joined by one ` AND ` or one ` OR `. Values are single-quoted
 * and may not contain a quote. `~` means "contains", ignoring case. A dotted field such as
 * `school.sourcedId` reads into a reference. A reference compared without a dot compares its
 * `sourcedId`, and a list matches when any element does.
 */

export type FilterOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';

export interface FilterCondition {
  field: string;
  operator: FilterOperator;
  value: string;
}

export interface Filter {
  conditions: FilterCondition[];
  join: 'AND' | 'OR';
}

/** A `filter` value that breaks the grammar. The message names the place. */
export class FilterSyntaxError extends Error {
  override name = 'FilterSyntaxError';
}

const conditionPattern = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|!=|=|>|<|~)\s*'([^']*)'\s*/;

/** Parses a filter expression. Throws `FilterSyntaxError` naming the first problem. */
export function parseFilter(text: string): Filter {
  const conditions: FilterCondition[] = [];
  let rest = text;
  let join: Filter['join'] = 'AND';

  for (;;) {
    const match = conditionPattern.exec(rest);
    if (match === null) {
      throw new FilterSyntaxError(
        `The filter ${JSON.stringify(text)} is invalid near ${JSON.stringify(rest.slice(0, 30))}: expected field op 'value'.`,
      );
    }
    conditions.push({
      field: match[1] ?? '',
      operator: (match[2] ?? '=') as FilterOperator,
      value: match[3] ?? '',
    });
    rest = rest.slice(match[0].length);
    if (rest.trim() === '') break;

    const joiner = /^(AND|OR)\s+/.exec(rest);
    if (joiner === null) {
      throw new FilterSyntaxError(
        `The filter ${JSON.stringify(text)} is invalid near ${JSON.stringify(rest.slice(0, 30))}: expected AND or OR.`,
      );
    }
    if (conditions.length === 2) {
      throw new FilterSyntaxError(
        `The filter ${JSON.stringify(text)} has more than two conditions; OneRoster 1.1 allows two.`,
      );
    }
    join = joiner[1] as Filter['join'];
    rest = rest.slice(joiner[0].length);
  }
  return { conditions, join };
}

/** Checks whether a wire object passes the filter. */
export function matchesFilter(filter: Filter, wire: Record<string, unknown>): boolean {
  const results = filter.conditions.map((condition) => matchesCondition(condition, wire));
  return filter.join === 'AND' ? results.every(Boolean) : results.some(Boolean);
}

function matchesCondition(condition: FilterCondition, wire: Record<string, unknown>): boolean {
  const values = readPath(wire, condition.field.split('.'));
  if (condition.operator === '!=') return values.every((value) => value !== condition.value);
  return values.some((value) => compare(value, condition.operator, condition.value));
}

/** Reads a dotted path into scalar strings. Lists fan out, and a reference reads as its `sourcedId`. */
function readPath(value: unknown, path: string[]): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => readPath(item, path));
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const [head, ...tail] = path;
    if (head === undefined) return 'sourcedId' in record ? readPath(record.sourcedId, []) : [];
    return readPath(record[head], tail);
  }
  if (path.length > 0 || value === null || value === undefined) return [];
  return [String(value)];
}

const isoDatePattern = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Orders two values: as instants when both are ISO 8601 dates or timestamps, so that
 * `2025-08-01T12:00:00Z` and `2025-08-01T12:00:00.000Z` are equal, else as text.
 */
function order(actual: string, expected: string): number {
  if (isoDatePattern.test(actual) && isoDatePattern.test(expected)) {
    const left = Date.parse(
      /T/i.test(actual) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(actual) ? `${actual}Z` : actual,
    );
    const right = Date.parse(
      /T/i.test(expected) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(expected) ? `${expected}Z` : expected,
    );
    if (!Number.isNaN(left) && !Number.isNaN(right)) return Math.sign(left - right);
  }
  if (actual === expected) return 0;
  return actual < expected ? -1 : 1;
}

function compare(actual: string, operator: FilterOperator, expected: string): boolean {
  switch (operator) {
    case '=':
      return actual === expected;
    case '>':
      return order(actual, expected) > 0;
    case '>=':
      return order(actual, expected) >= 0;
    case '<':
      return order(actual, expected) < 0;
    case '<=':
      return order(actual, expected) <= 0;
    case '~':
      return actual.toLowerCase().includes(expected.toLowerCase());
    default:
      return actual !== expected;
  }
}
