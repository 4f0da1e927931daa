/**
 * Tolerant readers for the field values of OneRoster wire records. Real servers differ: booleans
 * arrive as JSON booleans or as strings, absent values as `''` or `null`, references as objects or
 * bare ids, lists as arrays or comma strings. Each reader returns the normalized value, or `null`
 * (or a stated default) and a warning on the context when the value cannot be read.
 */
import type { CollectionName, RecordIssue } from '../types.ts';

/** Collects the issues of one record while its fields are read. */
export class FieldContext {
  sourcedId: string | null = null;

  /** `issues` receives the issues. A page passes its own list, so that all its records share one. */
  constructor(
    readonly collection: CollectionName,
    readonly issues: RecordIssue[] = [],
  ) {}

  warn(code: string, message: string): void {
    this.issues.push({
      collection: this.collection,
      sourcedId: this.sourcedId,
      severity: 'warning',
      code,
      message,
    });
  }

  error(code: string, message: string): void {
    this.issues.push({
      collection: this.collection,
      sourcedId: this.sourcedId,
      severity: 'error',
      code,
      message,
    });
  }
}

/**
 * Quotes a value for a warning message, cut to 80 characters. A cell that swallowed the rest of a
 * CSV file through an unclosed quote would otherwise put the whole file into one stored warning.
 */
export function quoteValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}... (${text.length} characters)` : text;
}

/** A wire record: a JSON object with fields of any type. */
export type WireRecord = Record<string, unknown>;

export function isWireRecord(value: unknown): value is WireRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// In Unicode mode a surrogate pair reads as one code point, so these match only lone surrogates.
const loneSurrogate = /\p{Surrogate}/u;
const loneSurrogates = /\p{Surrogate}/gu;

/**
 * Reads a text value; numbers become their decimal text, blanks and other types are absent.
 * NUL characters are removed, because PostgreSQL rejects them in text and jsonb, so one of them
 * would fail the staging of its whole page. A lone UTF-16 surrogate (JSON can escape one) becomes
 * U+FFFD, as encoding it in UTF-8 for the database would, so the next run compares equal text.
 */
export function readString(value: unknown): string | null {
  if (typeof value === 'string') {
    const withoutNul = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
    const wellFormed = loneSurrogate.test(withoutNul)
      ? withoutNul.replace(loneSurrogates, '\uFFFD')
      : withoutNul;
    const trimmed = wellFormed.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** Reads a required text field, warning and returning `fallback` when it is absent. */
export function readRequiredString(
  context: FieldContext,
  record: WireRecord,
  field: string,
  fallback = '',
): string {
  const text = readString(record[field]);
  if (text !== null) return text;
  context.warn('MISSING_FIELD', `The required field ${field} is missing or empty.`);
  return fallback;
}

const trueWords = new Set(['true', '1', 'yes', 't', 'y']);
const falseWords = new Set(['false', '0', 'no', 'f', 'n']);

/**
 * Reads a boolean sent as a JSON boolean, a number 0 or 1, or a string such as `true`, `TRUE`,
 * `1`, `false`, `0`. An absent value returns null without a warning; an unreadable one warns.
 */
export function readBoolean(context: FieldContext, value: unknown, field: string): boolean | null {
  if (typeof value === 'boolean') return value;
  // The words most servers send, without trimming and lowercasing them.
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value === 1 || value === 0) return value === 1;
  if (value === undefined || value === null) return null;

  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (word === '') return null;
    if (trueWords.has(word)) return true;
    if (falseWords.has(word)) return false;
  }
  context.warn(
    'INVALID_BOOLEAN',
    `The field ${field} has the value ${quoteValue(value)}, which is not a boolean.`,
  );
  return null;
}

const bareDatePattern = /^\d{4}-\d{2}-\d{2}$/;
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const zero = 48;
const nine = 57;
const hyphen = 45;
/** Digit positions of `YYYY-MM-DD`, and of the `THH:MM:SS` that may follow it. */
const dateDigits = [0, 1, 2, 3, 5, 6, 8, 9];
const timeDigits = [11, 12, 14, 15, 17, 18];

function isDigitAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= zero && code <= nine;
}

function numberAt(text: string, index: number, digits: number): number {
  let value = 0;
  for (let offset = 0; offset < digits; offset += 1)
    value = value * 10 + text.charCodeAt(index + offset) - zero;
  return value;
}

/**
 * Tells whether `text` starts with `YYYY-MM-DD` naming a real calendar day. It reads character
 * codes rather than matching a regular expression, because every record has dates and a match
 * allocates.
 */
function startsWithCalendarDate(text: string): boolean {
  if (text.length < 10 || text.charCodeAt(4) !== hyphen || text.charCodeAt(7) !== hyphen) return false;
  for (const index of dateDigits) if (!isDigitAt(text, index)) return false;
  return isCalendarDate(numberAt(text, 0, 4), numberAt(text, 5, 2), numberAt(text, 8, 2));
}

/**
 * Tells whether `text` is one of the common UTC forms that are read without `Date.parse`:
 * `2025-01-19T09:56:53Z` and `2025-01-19T09:56:53.223Z` (the date is checked apart).
 */
function isUtcTimestamp(text: string): boolean {
  const length = text.length;
  if (length !== 20 && length !== 24) return false;
  if (text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[length - 1] !== 'Z') return false;
  for (const index of timeDigits) if (!isDigitAt(text, index)) return false;
  if (numberAt(text, 11, 2) > 23 || numberAt(text, 14, 2) > 59 || numberAt(text, 17, 2) > 59) return false;
  if (length === 24)
    return text[19] === '.' && isDigitAt(text, 20) && isDigitAt(text, 21) && isDigitAt(text, 22);
  return true;
}

/**
 * Reads a calendar date as `YYYY-MM-DD`. A timestamp keeps its date part as written, because
 * OneRoster dates (`beginDate`, `birthDate`) are local calendar dates, not instants.
 */
export function readDate(context: FieldContext, value: unknown, field: string): string | null {
  const text = readString(value);
  if (text === null) return null;

  const dated =
    text.length === 10 || (text.length > 10 && (text[10] === 'T' || text[10] === 't' || text[10] === ' '));
  if (dated && startsWithCalendarDate(text)) return text.length === 10 ? text : text.slice(0, 10);

  context.warn(
    'INVALID_DATE',
    `The field ${field} has the value ${quoteValue(text)}, which is not a date (YYYY-MM-DD).`,
  );
  return null;
}

/**
 * Reads an instant as an ISO 8601 UTC timestamp with milliseconds. Accepts timestamps with or
 * without seconds, fractions and offset (no offset means UTC, as OneRoster states), and bare dates
 * (midnight UTC).
 */
export function readTimestamp(context: FieldContext, value: unknown, field: string): string | null {
  const text = readString(value);
  if (text === null) return null;

  if (isUtcTimestamp(text) && startsWithCalendarDate(text)) {
    return text.length === 20 ? `${text.slice(0, 19)}.000Z` : text;
  }

  let candidate: string | null = null;
  if (bareDatePattern.test(text)) candidate = `${text}T00:00:00Z`;
  else if (timestampPattern.test(text)) candidate = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;

  const time = candidate === null ? Number.NaN : Date.parse(candidate);
  if (
    !Number.isNaN(time) &&
    isCalendarDate(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10)))
  ) {
    return new Date(time).toISOString();
  }
  context.warn(
    'INVALID_TIMESTAMP',
    `The field ${field} has the value ${quoteValue(text)}, which is not an ISO 8601 timestamp.`,
  );
  return null;
}

const daysInMonths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const isLeapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 && isLeapYear ? 29 : (daysInMonths[month - 1] ?? 31);
  return day <= daysInMonth;
}

/** Reads a reference: an object with `sourcedId` (the GUIDRef of the wire format) or a bare id. */
export function readRef(value: unknown): string | null {
  if (isWireRecord(value)) return readString(value.sourcedId);
  return readString(value);
}

/** Reads a list of references; a single reference or a comma string are accepted too. */
export function readRefList(value: unknown): string[] {
  if (Array.isArray(value)) {
    const ids: string[] = [];
    for (const item of value) {
      const id = readRef(item);
      if (id !== null) ids.push(id);
    }
    return ids;
  }
  if (typeof value === 'string') return splitList(value);
  const single = readRef(value);
  return single === null ? [] : [single];
}

/** Reads a list of strings sent as an array or as a comma-separated string; blanks are dropped. */
export function readStringList(value: unknown): string[] {
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value) {
      const text = readString(item);
      if (text !== null) items.push(text);
    }
    return items;
  }
  if (typeof value === 'string') return splitList(value);
  const single = readString(value);
  return single === null ? [] : [single];
}

function splitList(value: string): string[] {
  const items: string[] = [];
  for (const part of value.split(',')) {
    const text = part.trim();
    if (text !== '') items.push(text);
  }
  return items;
}
