import type { Class } from '../types.ts';
import { knownFields, readBase } from './base.ts';
import { readRef, readRefList, readRequiredString, readString, readStringList } from './values.ts';
import type { FieldContext, WireRecord } from './values.ts';

const known = knownFields([
  'title',
  'classCode',
  'classType',
  'location',
  'grades',
  'subjects',
  'course',
  'school',
  'terms',
  'periods',
]);

/**
 * Normalizes a class. A missing `classType` reads as `scheduled`, the common case, with a
 * warning; `periods` may be a list or a comma string.
 */
export function normalizeClass(context: FieldContext, record: WireRecord): Class | null {
  const base = readBase(context, record, known);
  if (base === null) return null;

  const school = readRef(record.school);
  if (school === null) context.warn('MISSING_REFERENCE', 'The class names no school.');

  return {
    sourcedId: base.sourcedId,
    status: base.status,
    dateLastModified: base.dateLastModified,
    extensions: base.extensions,
    title: readRequiredString(context, record, 'title'),
    classCode: readString(record.classCode),
    classType: readRequiredString(context, record, 'classType', 'scheduled'),
    location: readString(record.location),
    grades: readStringList(record.grades),
    subjects: readStringList(record.subjects),
    courseSourcedId: readRef(record.course),
    schoolSourcedId: school,
    termSourcedIds: readRefList(record.terms),
    periods: readStringList(record.periods),
  };
}
