/**
 * Turns OneRoster wire records (REST JSON of 1.1 or 1.2, or CSV rows shaped like it) into the
 * normalized shapes of `types.ts`. Parsing is tolerant where real servers differ and strict where
 * it matters: a record without `sourcedId` is dropped with an error issue, and a bad record never
 * fails its page.
 */
import type { CollectionName, OneRosterVersion, RecordIssue, RecordOf } from '../types.ts';
import { normalizeAcademicSession } from './academic-sessions.ts';
import { normalizeClass } from './classes.ts';
import { normalizeCourse } from './courses.ts';
import { normalizeDemographics } from './demographics.ts';
import { normalizeEnrollment } from './enrollments.ts';
import { normalizeOrg } from './orgs.ts';
import { normalizeUser } from './users.ts';
import { FieldContext, isWireRecord } from './values.ts';
import type { WireRecord } from './values.ts';

type Normalizer<C extends CollectionName> = (context: FieldContext, record: WireRecord) => RecordOf[C] | null;

const normalizers: { [C in CollectionName]: Normalizer<C> } = {
  orgs: normalizeOrg,
  academicSessions: normalizeAcademicSession,
  courses: normalizeCourse,
  classes: normalizeClass,
  users: normalizeUser,
  enrollments: normalizeEnrollment,
  demographics: normalizeDemographics,
};

export interface NormalizedRecord<C extends CollectionName> {
  /** The normalized record, or null when it is invalid (see the error issue). */
  record: RecordOf[C] | null;
  /** Warnings for tolerated quirks, and one error when the record was dropped. */
  issues: RecordIssue[];
}

/**
 * Normalizes one wire record of a collection. `version` is accepted for callers that know it, but
 * shapes are recognized by their fields, because providers mix 1.1 and 1.2 fields.
 */
export function normalizeRecord<C extends CollectionName>(
  collection: C,
  raw: unknown,
  version: OneRosterVersion,
): NormalizedRecord<C> {
  void version;
  const context = new FieldContext(collection);
  const record = normalizeWith(context, normalizers[collection] as Normalizer<C>, raw);
  return { record, issues: context.issues };
}

/** Normalizes one wire record, adding its issues to the context's list. */
function normalizeWith<C extends CollectionName>(
  context: FieldContext,
  normalize: Normalizer<C>,
  raw: unknown,
): RecordOf[C] | null {
  if (!isWireRecord(raw)) {
    context.error(
      'INVALID_RECORD',
      `The record is ${describeValue(raw)}, not a JSON object, so it was skipped.`,
    );
    return null;
  }
  return normalize(context, raw);
}

export interface NormalizedPage<C extends CollectionName> {
  records: RecordOf[C][];
  issues: RecordIssue[];
}

/** Normalizes every record of a page, keeping valid records in order and all issues. */
export function normalizePage<C extends CollectionName>(
  collection: C,
  rows: readonly unknown[],
  version: OneRosterVersion,
): NormalizedPage<C> {
  void version;
  const records: RecordOf[C][] = [];
  // One context serves the whole page, so its records' issues go straight into the page's list.
  const context = new FieldContext(collection, []);
  const normalize = normalizers[collection] as Normalizer<C>;
  for (const row of rows) {
    context.sourcedId = null;
    const record = normalizeWith(context, normalize, row);
    if (record !== null) records.push(record);
  }
  return { records, issues: context.issues };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
