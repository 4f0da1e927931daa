import type { Course } from '../types.ts';
import { knownFields, readBase } from './base.ts';
import { readRef, readRequiredString, readString, readStringList } from './values.ts';
import type { FieldContext, WireRecord } from './values.ts';

const known = knownFields(['title', 'courseCode', 'grades', 'subjects', 'org', 'schoolYear']);

/** Normalizes a course. `schoolYear` is a reference in 1.1 and 1.2; a bare id is accepted too. */
export function normalizeCourse(context: FieldContext, record: WireRecord): Course | null {
  const base = readBase(context, record, known);
  if (base === null) return null;

  return {
    sourcedId: base.sourcedId,
    status: base.status,
    dateLastModified: base.dateLastModified,
    extensions: base.extensions,
    title: readRequiredString(context, record, 'title'),
    courseCode: readString(record.courseCode),
    grades: readStringList(record.grades),
    subjects: readStringList(record.subjects),
    orgSourcedId: readRef(record.org),
    schoolYearSourcedId: readRef(record.schoolYear),
  };
}
