import type { Kysely } from 'kysely';

import {
  loadStoredRoster,
  loadStoredRows,
  type SourcedIdsByKind,
  type StoredRoster,
} from '../../db/queries/stored-roster.ts';
import type { Database } from '../../db/schema.ts';
import { type DesiredRoster, kindRecord } from '../model.ts';

/**
 * Loads what a delta run compares with: the stored rows of the records it received and of the
 * records they refer to, not the whole roster. A delta that brings a child whose `sourcedId` is
 * not on the roster loads the whole roster instead, because matching then looks for that child
 * among all stored, hand-entered and archived children.
 */
export async function loadDeltaRoster(
  db: Kysely<Database>,
  orgId: string,
  desired: DesiredRoster,
): Promise<StoredRoster> {
  const rows = await loadStoredRows(db, orgId, referencedSourcedIds(desired));
  for (const child of desired.children.values()) {
    if (child.status === 'active' && !rows.children.has(child.sourcedId)) return loadStoredRoster(db, orgId);
  }
  return rows;
}

/**
 * Returns the `sourcedId`s the planner may look up per kind: every desired record, and every record a
 * desired one refers to (its school, classroom, person or children).
 */
export function referencedSourcedIds(desired: DesiredRoster): SourcedIdsByKind {
  const ids = kindRecord((kind) => new Set((desired[kind] as Map<string, unknown>).keys()));
  const add = (set: Set<string>, sourcedId: string | null | undefined) => {
    if (sourcedId) set.add(sourcedId);
  };
  for (const classroom of desired.classrooms.values()) add(ids.schools, classroom.schoolSourcedId);
  for (const educator of desired.educators.values()) add(ids.schools, educator.schoolSourcedId);
  for (const child of desired.children.values()) {
    add(ids.schools, child.schoolSourcedId);
    add(ids.classrooms, child.classroomSourcedId);
  }
  for (const membership of desired.memberships.values()) {
    add(ids.classrooms, membership.classroomSourcedId);
    add(ids.children, membership.personSourcedId);
    add(ids.educators, membership.personSourcedId);
  }
  for (const contact of desired.contacts.values()) {
    for (const childSourcedId of contact.childSourcedIds) add(ids.children, childSourcedId);
  }
  for (const sourcedId of desired.demographicsOnly.keys()) add(ids.children, sourcedId);
  for (const [sourcedId, classroom] of desired.classroomOnly) {
    add(ids.children, sourcedId);
    add(ids.classrooms, classroom);
  }
  for (const [contactSourcedId, children] of desired.contactLinksOnly) {
    add(ids.contacts, contactSourcedId);
    for (const childSourcedId of children) add(ids.children, childSourcedId);
  }
  return ids;
}
