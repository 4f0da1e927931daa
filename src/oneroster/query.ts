/**
 * Query parameters of OneRoster collection requests: `filter` in the 1.1 grammar, `fields`,
 * `sort` and `orderBy`, and paging. Values are percent-encoded by RFC 5849 rules, so the URL sent
 * is exactly the URL signed.
 */
import { AppError } from '../core/errors.ts';
import { percentEncode } from './auth/oauth1.ts';

export type FilterOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';
const operators: ReadonlySet<string> = new Set(['=', '!=', '>', '>=', '<', '<=', '~']);

export interface FilterCondition {
  field: string;
  operator: FilterOperator;
  value: string;
}

/**
 * A filter of one or two conditions, the most the OneRoster 1.1 grammar allows (`field op 'value'`
 * joined by one `AND` or one `OR`). Immutable: `and` and `or` return a new filter.
 */
export class Filter {
  readonly #conditions: readonly FilterCondition[];
  readonly #join: 'AND' | 'OR' | null;

  private constructor(conditions: readonly FilterCondition[], join: 'AND' | 'OR' | null) {
    this.#conditions = conditions;
    this.#join = join;
  }

  /** Starts a filter with one condition. Throws `INVALID_INPUT` on an unknown operator or a bad field name. */
  static where(field: string, operator: FilterOperator, value: string): Filter {
    return new Filter([checkCondition({ field, operator, value })], null);
  }

  /** Adds a second condition joined by AND. Throws `INVALID_INPUT` when the filter already has two. */
  and(field: string, operator: FilterOperator, value: string): Filter {
    return this.#with('AND', { field, operator, value });
  }

  /** Adds a second condition joined by OR. Throws `INVALID_INPUT` when the filter already has two. */
  or(field: string, operator: FilterOperator, value: string): Filter {
    return this.#with('OR', { field, operator, value });
  }

  /**
   * Renders the filter, e.g. `dateLastModified>'2025-01-01T00:00:00.000Z' AND status='active'`. A
   * single quote inside a value is doubled.
   */
  toString(): string {
    const rendered = this.#conditions.map(renderCondition);
    return this.#join === null ? (rendered[0] ?? '') : rendered.join(` ${this.#join} `);
  }

  #with(join: 'AND' | 'OR', condition: FilterCondition): Filter {
    if (this.#conditions.length >= 2) {
      throw new AppError(
        'INVALID_INPUT',
        `The filter ${JSON.stringify(this.toString())} already has two conditions; OneRoster 1.1 allows no third (${condition.field}).`,
      );
    }
    return new Filter([...this.#conditions, checkCondition(condition)], join);
  }
}

/** Builds the delta filter `dateLastModified>'…'` for records modified after `since`. */
export function modifiedSinceFilter(since: Date): Filter {
  return Filter.where('dateLastModified', '>', since.toISOString());
}

function checkCondition(condition: FilterCondition): FilterCondition {
  if (!operators.has(condition.operator)) {
    throw new AppError(
      'INVALID_INPUT',
      `The filter operator ${JSON.stringify(condition.operator)} is not one of = != > >= < <= ~.`,
    );
  }
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(condition.field)) {
    throw new AppError(
      'INVALID_INPUT',
      `The filter field ${JSON.stringify(condition.field)} is not a field name.`,
    );
  }
  return condition;
}

// NOTE: the OneRoster 1.1 and 1.2 specifications define no escape for a quote inside a value.
// Doubling it follows the SQL and OData convention, which a given server may not support.
function renderCondition(condition: FilterCondition): string {
  return `${condition.field}${condition.operator}'${condition.value.replace(/'/g, "''")}'`;
}

export interface SortOptions {
  field: string;
  direction?: 'asc' | 'desc';
}

export interface CollectionQuery {
  filter?: Filter;
  /** Fields to return; the server returns all when absent. */
  fields?: readonly string[];
  sort?: SortOptions;
  limit?: number;
  offset?: number;
}

/**
 * Renders the query string (without `?`), parameters in a fixed order, every value
 * percent-encoded by RFC 5849 rules (a space as `%20`, a plus as `%2B`).
 */
export function buildQueryString(query: CollectionQuery): string {
  const params: Array<[string, string]> = [];
  if (query.limit !== undefined) params.push(['limit', String(query.limit)]);
  if (query.offset !== undefined) params.push(['offset', String(query.offset)]);
  if (query.filter !== undefined) params.push(['filter', query.filter.toString()]);
  if (query.fields !== undefined && query.fields.length > 0) params.push(['fields', query.fields.join(',')]);
  if (query.sort !== undefined) {
    params.push(['sort', query.sort.field]);
    params.push(['orderBy', query.sort.direction ?? 'asc']);
  }
  return params.map(([name, value]) => `${name}=${percentEncode(value)}`).join('&');
}
