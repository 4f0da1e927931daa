import type { AnyRecord, CollectionName, OneRosterVersion } from '../oneroster/types.ts';
import type { Filter } from './filter.ts';
import { FilterSyntaxError, matchesFilter, parseFilter } from './filter.ts';
import type { WireObject } from './render.ts';
import { WireRenderer } from './render.ts';
import { blankRecord } from './templates.ts';

/** A request the emulator rejects with 400; `codeMinor` is the OneRoster code-minor value. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly codeMinor: 'invalid_filter_field' | 'invalid_sort_field' | 'invalid_data',
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export interface ListQuery {
  limit: number;
  offset: number;
  filter: Filter | null;
  sort: string | null;
  orderBy: 'asc' | 'desc';
  fields: string[] | null;
}

export interface ListPage {
  /** The page's records, filtered, sorted and sliced, still normalized. */
  records: AnyRecord[];
  /** Records matching the filter, before paging. */
  total: number;
}

/** Spec default page size when `limit` is not given. */
export const defaultLimit = 100;

/**
 * Reads `limit`, `offset`, `filter`, `sort`, `orderBy` and `fields` from a query string. A `limit`
 * above `maxPage` is lowered to it, as ClassLink does. Throws `QueryError` on a bad value or a
 * filter or sort naming a field the collection does not have.
 */
export function parseListQuery(
  params: URLSearchParams,
  collection: CollectionName,
  version: OneRosterVersion,
  maxPage: number,
): ListQuery {
  const known = wireFields(collection, version);
  const limit = readInteger(params.get('limit'), 'limit', defaultLimit, 1);
  const offset = readInteger(params.get('offset'), 'offset', 0, 0);

  let filter: Filter | null = null;
  const filterText = params.get('filter');
  if (filterText !== null && filterText.trim() !== '') {
    try {
      filter = parseFilter(filterText);
    } catch (error) {
      if (error instanceof FilterSyntaxError) throw new QueryError(error.message, 'invalid_filter_field');
      throw error;
    }
    for (const { field } of filter.conditions) {
      const head = field.split('.')[0] ?? field;
      if (!known.has(head))
        throw new QueryError(
          `The filter field ${field} is not a field of ${collection}.`,
          'invalid_filter_field',
        );
    }
  }

  const sort = params.get('sort')?.trim() || null;
  if (sort !== null && !known.has(sort))
    throw new QueryError(`The sort field ${sort} is not a field of ${collection}.`, 'invalid_sort_field');
  const orderBy = params.get('orderBy')?.trim().toLowerCase() === 'desc' ? 'desc' : 'asc';

  // Unknown names in `fields` are ignored, and when none is known the whole record is sent.
  const requested = (params.get('fields') ?? '').split(',').map((name) => name.trim());
  const fields = requested.filter((name) => known.has(name));

  return {
    limit: Math.min(limit, maxPage),
    offset,
    filter,
    sort,
    orderBy,
    fields: fields.length > 0 ? fields : null,
  };
}

/**
 * Filters, sorts and pages records. Filters and sorts read the wire form, as a client names
 * fields; without either, nothing is rendered here, so large collections page cheaply.
 */
export function runListQuery(
  records: readonly AnyRecord[],
  collection: CollectionName,
  renderer: WireRenderer,
  query: ListQuery,
): ListPage {
  if (query.filter === null && query.sort === null) {
    return { records: records.slice(query.offset, query.offset + query.limit), total: records.length };
  }

  const filter = query.filter;
  let candidates = records;
  // A filter on the fields every record has (the delta's `dateLastModified`) runs before
  // rendering, so a filtered request renders only the records it returns.
  if (filter !== null && filter.conditions.every(({ field }) => headFields.has(field))) {
    candidates = records.filter((record) => matchesFilter(filter, renderer.renderHead(record)));
    if (query.sort === null) {
      return {
        records: candidates.slice(query.offset, query.offset + query.limit),
        total: candidates.length,
      };
    }
  }
  let rows = candidates.map((record) => ({ record, wire: renderer.render(collection, record) }));
  if (filter !== null && candidates === records) rows = rows.filter((row) => matchesFilter(filter, row.wire));
  if (query.sort !== null) sortRows(rows, query.sort, query.orderBy);
  return {
    records: rows.slice(query.offset, query.offset + query.limit).map((row) => row.record),
    total: rows.length,
  };
}

/** Wire fields that `WireRenderer.renderHead` renders. */
const headFields = new Set(['sourcedId', 'status', 'dateLastModified']);

/** Keeps only the named fields of a wire object, in the order named. */
export function pickFields(wire: WireObject, fields: readonly string[]): WireObject {
  return Object.fromEntries(fields.filter((name) => name in wire).map((name) => [name, wire[name]]));
}

function sortRows(rows: Array<{ wire: WireObject }>, field: string, orderBy: 'asc' | 'desc'): void {
  const direction = orderBy === 'desc' ? -1 : 1;
  const key = (wire: WireObject): string => {
    const value = wire[field];
    if (typeof value === 'object' && value !== null && 'sourcedId' in value) return String(value.sourcedId);
    return value === null || value === undefined ? '' : String(value);
  };
  rows.sort((a, b) => {
    const left = key(a.wire);
    const right = key(b.wire);
    if (left === right) return 0;
    return left < right ? -direction : direction;
  });
}

const fieldCache = new Map<string, Set<string>>();

/**
 * Lists the top-level wire field names of a collection in a version. A 1.2 rendering leaves absent
 * values out, so the names come from the 1.1 rendering too, where every field is present.
 */
export function wireFields(collection: CollectionName, version: OneRosterVersion): Set<string> {
  const cacheKey = `${collection}@${version}`;
  let fields = fieldCache.get(cacheKey);
  if (fields === undefined) {
    // Every optional part is filled in so that each field shows up.
    const full = {
      ...blankRecord(collection, 'x'),
      extensions: { x: 1 },
      preferredGivenName: 'x',
      preferredFamilyName: 'x',
      primaryOrgSourcedId: 'x',
    };
    fields = new Set<string>();
    for (const renderVersion of new Set<OneRosterVersion>(['1.1', version])) {
      const wire = new WireRenderer(renderVersion, '').render(collection, full as never);
      for (const name of Object.keys(wire)) fields.add(name);
    }
    if (version === '1.2') {
      fields.delete('role');
      fields.delete('orgs');
    }
    fieldCache.set(cacheKey, fields);
  }
  return fields;
}

function readInteger(text: string | null, name: string, fallback: number, min: number): number {
  if (text === null || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new QueryError(
      `The ${name} ${JSON.stringify(text)} is invalid; give a whole number of at least ${min}.`,
      'invalid_data',
    );
  }
  return value;
}
