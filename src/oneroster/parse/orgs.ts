import type { Org } from '../types.ts';
import { knownFields, readBase } from './base.ts';
import { readRef, readRefList, readRequiredString, readString } from './values.ts';
import type { FieldContext, WireRecord } from './values.ts';

const known = knownFields(['name', 'type', 'identifier', 'parent', 'children']);

/** Normalizes an org (1.1 and 1.2 share the shape). A missing name or type reads as `''` with a warning. */
export function normalizeOrg(context: FieldContext, record: WireRecord): Org | null {
  const base = readBase(context, record, known);
  if (base === null) return null;

  return {
    sourcedId: base.sourcedId,
    status: base.status,
    dateLastModified: base.dateLastModified,
    extensions: base.extensions,
    name: readRequiredString(context, record, 'name'),
    type: readRequiredString(context, record, 'type'),
    identifier: readString(record.identifier),
    parentSourcedId: readRef(record.parent),
    childSourcedIds: readRefList(record.children),
  };
}
