import type { AcademicSession } from '../types.ts';
import { knownFields, readBase } from './base.ts';
import { readDate, readRef, readRequiredString, readString } from './values.ts';
import type { FieldContext, WireRecord } from './values.ts';

// `children` has no place in the shape: the sync reads the tree through `parent`.
const known = knownFields(['title', 'type', 'startDate', 'endDate', 'parent', 'schoolYear']);

/** Normalizes an academic session; `schoolYear` is kept as the text the source sends (1.1 and 1.2). */
export function normalizeAcademicSession(context: FieldContext, record: WireRecord): AcademicSession | null {
  const base = readBase(context, record, known);
  if (base === null) return null;

  return {
    sourcedId: base.sourcedId,
    status: base.status,
    dateLastModified: base.dateLastModified,
    extensions: base.extensions,
    title: readRequiredString(context, record, 'title'),
    type: readRequiredString(context, record, 'type'),
    startDate: readDate(context, record.startDate, 'startDate'),
    endDate: readDate(context, record.endDate, 'endDate'),
    parentSourcedId: readRef(record.parent),
    schoolYear: readString(record.schoolYear),
  };
}
