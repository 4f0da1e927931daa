import type { Readable } from 'node:stream';

import { readString } from '../parse/values.ts';
import type { CollectionName, OneRosterVersion, RecordIssue } from '../types.ts';
import { canonicalColumn } from './layout.ts';
import type { CsvRow } from './rows.ts';
import { readCsvRows } from './rows.ts';
import type { WireObject, WireRole } from './wire.ts';
import { roleRowToWire, rowToWire } from './wire.ts';

export interface ConvertedRow {
  /** The wire object, or null when the row is dropped. */
  wire: WireObject | null;
  /** The version to normalize the wire object as. */
  version: OneRosterVersion;
  issues: RecordIssue[];
}

/**
 * Checks one row's cell count against the header and converts it into a wire object.
 * Missing trailing cells are read as empty (a warning). Extra cells that are all empty are
 * ignored (a warning). Extra cells with content mean the columns are misaligned, so the row is
 * dropped (an error) rather than loaded with values in the wrong fields.
 */
export function convertRow(
  collection: CollectionName,
  row: CsvRow,
  file: string,
  bundleVersion: OneRosterVersion,
  roles: Map<string, WireRole[]> | undefined,
): ConvertedRow {
  const issues: RecordIssue[] = [];
  // Read as the record's sourcedId is, without NUL characters that PostgreSQL rejects in text.
  const sourcedId = readString(row.values.get('sourcedId'));
  const issue = (severity: RecordIssue['severity'], code: string, message: string): void => {
    issues.push({ collection, sourcedId, severity, code, message, file, line: row.line });
  };
  // A 1.2 bundle's users carry roles from roles.csv, and only they have the 1.2 shape.
  let version = bundleVersion;
  if (collection === 'users') version = roles === undefined ? '1.1' : '1.2';

  const expected = row.values.size;
  const filledExtras = row.extraCells.filter((cell) => cell.trim() !== '');
  if (filledExtras.length > 0) {
    const count = expected + row.extraCells.length;
    issue(
      'error',
      'TOO_MANY_FIELDS',
      `${file} line ${row.line} has ${count} fields but the header has ${expected}; the row is skipped.`,
    );
    return { wire: null, version, issues };
  }
  if (row.extraCells.length > 0) {
    const count = expected + row.extraCells.length;
    issue(
      'warning',
      'EXTRA_EMPTY_FIELDS',
      `${file} line ${row.line} has ${count} fields but the header has ${expected}; the extra fields are empty and ignored.`,
    );
  }
  if (row.missingCells > 0) {
    const count = expected - row.missingCells;
    issue(
      'warning',
      'TOO_FEW_FIELDS',
      `${file} line ${row.line} has ${count} fields but the header has ${expected}; the missing fields are read as empty.`,
    );
  }
  const garbled = [...row.values].find(([, value]) => value.includes('\uFFFD'));
  if (garbled !== undefined) {
    // The reader decodes UTF-8 and turns invalid bytes into U+FFFD, so a file saved in another
    // encoding (Windows-1252 is common) would otherwise load mangled names silently.
    issue(
      'warning',
      'INVALID_UTF8',
      `${file} line ${row.line} has bytes that are not valid UTF-8 in ${garbled[0]} (read as ${JSON.stringify(garbled[1].slice(0, 80))}); save the file as UTF-8 and import it again.`,
    );
  }

  const userRoles = roles === undefined || sourcedId === null ? undefined : (roles.get(sourcedId) ?? []);
  return { wire: rowToWire(collection, row.values, userRoles), version, issues };
}

/**
 * Reads a 1.2 `roles.csv` into the wire roles of each user, keyed by `userSourcedId`.
 * Rows marked `tobedeleted` are left out, because the user no longer has that role.
 */
export async function readRoles(input: Readable): Promise<Map<string, WireRole[]>> {
  const roles = new Map<string, WireRole[]>();
  const stream = readCsvRows(input, (cell) => canonicalColumn('roles', cell));
  for await (const row of stream.rows) {
    const userSourcedId = row.values.get('userSourcedId')?.trim() ?? '';
    const status = row.values.get('status')?.trim().toLowerCase() ?? '';
    if (userSourcedId === '' || status === 'tobedeleted' || status === 'inactive') continue;

    const list = roles.get(userSourcedId) ?? [];
    list.push(roleRowToWire(row.values));
    roles.set(userSourcedId, list);
  }
  return roles;
}
