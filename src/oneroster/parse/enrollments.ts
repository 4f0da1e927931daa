import type { Enrollment } from '../types.ts';
import { knownFields, readBase } from './base.ts';
import { readBoolean, readDate, readRef, readRequiredString } from './values.ts';
import type { FieldContext, WireRecord } from './values.ts';

const known = knownFields(['user', 'class', 'school', 'role', 'primary', 'beginDate', 'endDate']);

/**
 * Normalizes an enrollment. Without a user or a class reference the enrollment means nothing, so
 * it is dropped with an error issue that names its `sourcedId`. `primary` defaults to false.
 */
export function normalizeEnrollment(context: FieldContext, record: WireRecord): Enrollment | null {
  const base = readBase(context, record, known);
  if (base === null) return null;

  const userSourcedId = readRef(record.user);
  const classSourcedId = readRef(record.class);
  if (userSourcedId === null || classSourcedId === null) {
    const missing = userSourcedId === null ? 'user' : 'class';
    context.error('MISSING_REFERENCE', `The enrollment names no ${missing}, so it was skipped.`);
    return null;
  }

  return {
    sourcedId: base.sourcedId,
    status: base.status,
    dateLastModified: base.dateLastModified,
    extensions: base.extensions,
    role: readRequiredString(context, record, 'role'),
    primary: readBoolean(context, record.primary, 'primary') ?? false,
    userSourcedId,
    classSourcedId,
    schoolSourcedId: readRef(record.school),
    beginDate: readDate(context, record.beginDate, 'beginDate'),
    endDate: readDate(context, record.endDate, 'endDate'),
  };
}
