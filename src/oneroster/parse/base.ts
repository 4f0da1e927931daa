/**
 * The fields every OneRoster record has (`sourcedId`, `status`, `dateLastModified`, `metadata`)
 * and the rule that keeps what a normalized shape does not name.
 */
import type { BaseRecord, RecordStatus } from '../types.ts';
import { quoteValue, readString, readTimestamp } from './values.ts';
import type { FieldContext, WireRecord } from './values.ts';

const baseFields = ['sourcedId', 'status', 'dateLastModified', 'metadata'];

/**
 * Fields that are never kept in `extensions`: a 1.1 user's `password` is a credential, and
 * `href` only repeats the record's address.
 */
const droppedFields = new Set(['password', 'href']);

/** Builds the set of fields a normalizer reads, so the rest can go to `extensions`. */
export function knownFields(fields: readonly string[]): ReadonlySet<string> {
  return new Set([...baseFields, ...droppedFields, ...fields]);
}

/**
 * Reads the common fields. Returns null, with an error issue, when `sourcedId` is missing or
 * empty: such a record cannot be linked to anything and is dropped.
 *
 * Normalizers copy these fields one by one into their record literal. A literal that starts with
 * `...base` and adds twenty fields was about 50 times slower on Node 20 (bench/oneroster-parse.ts).
 */
export function readBase(
  context: FieldContext,
  record: WireRecord,
  known: ReadonlySet<string>,
): BaseRecord | null {
  const sourcedId = readString(record.sourcedId);
  if (sourcedId === null) {
    context.error('MISSING_SOURCED_ID', 'The record has no sourcedId, so it was skipped.');
    return null;
  }
  context.sourcedId = sourcedId;

  return {
    sourcedId,
    status: readStatus(context, record.status),
    dateLastModified: readTimestamp(context, record.dateLastModified, 'dateLastModified'),
    extensions: readExtensions(record, known),
  };
}

/**
 * Reads `status`: `active` and `tobedeleted` as they are (in any case), the OneRoster 1.0 value
 * `inactive` as `tobedeleted`, and an absent or empty status as `active`, as CSV bundles send it.
 * Any other value is read as `active` with a warning, so that a typo never deletes a record.
 */
function readStatus(context: FieldContext, value: unknown): RecordStatus {
  const text = readString(value);
  if (text === null || text === 'active') return 'active';

  const word = text.toLowerCase();
  if (word === 'active') return 'active';
  if (word === 'tobedeleted') return 'tobedeleted';
  if (word === 'inactive') return 'tobedeleted';

  context.warn(
    'INVALID_STATUS',
    `The status ${quoteValue(text)} is not active or tobedeleted; it was read as active.`,
  );
  return 'active';
}

/**
 * Copies the entries of `metadata`, then every field outside `known`, into one object. A field
 * outside `known` wins over a `metadata` entry of the same name.
 */
function readExtensions(record: WireRecord, known: ReadonlySet<string>): Record<string, unknown> {
  const extensions: Record<string, unknown> = {};
  const metadata = record.metadata;
  if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) {
    Object.assign(extensions, metadata);
  }

  for (const field in record) {
    if (!known.has(field)) extensions[field] = record[field];
  }
  return extensions;
}
