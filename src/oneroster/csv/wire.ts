import type { CollectionName } from '../types.ts';
import { knownColumns } from './layout.ts';

/** A OneRoster REST wire object (1.1, or 1.2 for users of a 1.2 bundle), before normalizing. */
export type WireObject = Record<string, unknown>;

/** One row of a 1.2 `roles.csv`, in 1.2 wire form (`{ roleType, role, org, beginDate, endDate }`). */
export type WireRole = Record<string, unknown>;

/** Columns the converters consume; every other column is kept as a top-level field. */
const consumedColumns: Record<CollectionName, readonly string[]> = {
  orgs: ['parentSourcedId'],
  academicSessions: ['parentSourcedId'],
  courses: ['schoolYearSourcedId', 'orgSourcedId', 'grades', 'subjects', 'subjectCodes'],
  classes: [
    'courseSourcedId',
    'schoolSourcedId',
    'termSourcedIds',
    'grades',
    'subjects',
    'subjectCodes',
    'periods',
  ],
  users: ['orgSourcedIds', 'agentSourcedIds', 'userIds', 'grades', 'password', 'primaryOrgSourcedId'],
  enrollments: ['classSourcedId', 'schoolSourcedId', 'userSourcedId'],
  demographics: [],
};

const consumedSets = mapValues(consumedColumns, (columns) => new Set(columns));
const knownSets = mapValues(knownColumns, (columns) => new Set(columns));

function mapValues<T, U>(
  record: Record<CollectionName, T>,
  convert: (value: T) => U,
): Record<CollectionName, U> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, convert(value as T)]),
  ) as Record<CollectionName, U>;
}

/**
 * Converts one CSV row (keyed by canonical column names) into the REST wire object of the same
 * record, mechanically. The rules: `xSourcedId` columns become `{ sourcedId, type }` references, comma
 * lists become arrays, `userIds` cells (`{LDAP:12},{Fed:23}`) become `[{ type, identifier }]`,
 * `metadata.*` columns go into `metadata`, and any other column (`ext_*` included) is kept as a
 * top-level field. Empty cells of known columns stay `''`; empty references, empty lists and
 * empty cells of other columns are left out.
 * The `password` column is dropped so that no password travels further.
 *
 * `roles` is given for users of a 1.2 bundle, whose roles live in `roles.csv`.
 */
export function rowToWire(
  collection: CollectionName,
  values: ReadonlyMap<string, string>,
  roles?: WireRole[],
): WireObject {
  const wire: WireObject = {};
  const metadata: Record<string, string> = {};
  const consumed = consumedSets[collection];

  const known = knownSets[collection];
  for (const [column, value] of values) {
    // An empty cell in a column the shape does not name carries nothing worth keeping.
    if (!known.has(column) && value.trim() === '') continue;
    if (column.startsWith('metadata.')) {
      metadata[column.slice('metadata.'.length)] = value;
    } else if (!consumed.has(column)) {
      wire[column] = value;
    }
  }
  if (Object.keys(metadata).length > 0) wire.metadata = metadata;

  const cell = (column: string): string => values.get(column)?.trim() ?? '';
  switch (collection) {
    case 'orgs':
      setRef(wire, 'parent', cell('parentSourcedId'), 'org');
      break;
    case 'academicSessions':
      setRef(wire, 'parent', cell('parentSourcedId'), 'academicSession');
      break;
    case 'courses':
      setRef(wire, 'schoolYear', cell('schoolYearSourcedId'), 'academicSession');
      setRef(wire, 'org', cell('orgSourcedId'), 'org');
      setLists(wire, values, ['grades', 'subjects', 'subjectCodes']);
      break;
    case 'classes':
      setRef(wire, 'course', cell('courseSourcedId'), 'course');
      setRef(wire, 'school', cell('schoolSourcedId'), 'org');
      wire.terms = splitList(cell('termSourcedIds')).map((id) => ref(id, 'academicSession'));
      setLists(wire, values, ['grades', 'subjects', 'subjectCodes', 'periods']);
      break;
    case 'users':
      wire.orgs = splitList(cell('orgSourcedIds')).map((id) => ref(id, 'org'));
      wire.agents = splitList(cell('agentSourcedIds')).map((id) => ref(id, 'user'));
      wire.userIds = parseUserIds(cell('userIds'));
      wire.grades = splitList(cell('grades'));
      setRef(wire, 'primaryOrg', cell('primaryOrgSourcedId'), 'org');
      if (roles !== undefined) wire.roles = roles;
      break;
    case 'enrollments':
      setRef(wire, 'class', cell('classSourcedId'), 'class');
      setRef(wire, 'school', cell('schoolSourcedId'), 'org');
      setRef(wire, 'user', cell('userSourcedId'), 'user');
      break;
    case 'demographics':
      break;
  }
  return wire;
}

/** Converts one 1.2 `roles.csv` row into a 1.2 wire role. */
export function roleRowToWire(values: ReadonlyMap<string, string>): WireRole {
  const cell = (column: string): string => values.get(column)?.trim() ?? '';
  const role: WireRole = {
    roleType: cell('roleType'),
    role: cell('role'),
    beginDate: cell('beginDate'),
    endDate: cell('endDate'),
  };
  setRef(role, 'org', cell('orgSourcedId'), 'org');
  setRef(role, 'userProfile', cell('userProfileSourcedId'), 'userProfile');
  return role;
}

/**
 * Splits a multi-value cell (`"a,b"`) into trimmed, non-empty parts.
 */
export function splitList(cell: string): string[] {
  return cell
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * Parses a `userIds` cell, whose CSV form is `{type:identifier}` items joined by commas. An item
 * without braces or without a type (a 1.0 `userId` cell) gets the type `unspecified`, so that no
 * identifier is lost.
 */
export function parseUserIds(cell: string): Array<{ type: string; identifier: string }> {
  const result: Array<{ type: string; identifier: string }> = [];
  for (const item of cell.match(/\{[^}]*\}|[^,{}]+/g) ?? []) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('{')) {
      result.push({ type: 'unspecified', identifier: trimmed });
      continue;
    }
    const body = trimmed.slice(1, -1);
    const colon = body.indexOf(':');
    const type = colon < 0 ? '' : body.slice(0, colon).trim();
    const identifier = (colon < 0 ? body : body.slice(colon + 1)).trim();
    if (identifier !== '') result.push({ type: type === '' ? 'unspecified' : type, identifier });
  }
  return result;
}

function ref(sourcedId: string, type: string): { sourcedId: string; type: string } {
  return { sourcedId, type };
}

function setRef(target: WireObject, key: string, sourcedId: string, type: string): void {
  if (sourcedId !== '') target[key] = ref(sourcedId, type);
}

function setLists(target: WireObject, values: ReadonlyMap<string, string>, columns: string[]): void {
  for (const column of columns) {
    const list = splitList(values.get(column) ?? '');
    if (list.length > 0) target[column] = list;
  }
}
