import { newId } from '../../core/ids.ts';
import type { StoredRoster, StoredRow } from '../../db/queries/stored-roster.ts';
import type { SyncSettings } from '../../db/schema.ts';
import { type DesiredRecordOf, type DesiredRoster, kindRecord, type WarningSink } from '../model.ts';
import {
  childColumns,
  classroomColumns,
  contactColumns,
  demographicColumns,
  educatorColumns,
  membershipColumns,
  type Resolve,
  sameValue,
  schoolColumns,
} from '../plan/columns.ts';
import {
  emptyKindPlan,
  type KindPlan,
  type LinkPlan,
  type PlannedCreate,
  type RowValues,
  type SyncPlan,
} from '../plan/types.ts';
import type { RecordKind } from '../report.ts';
import type { MatchResult } from './match.ts';
import type { Placement } from './place.ts';

export interface PlanInput {
  orgId: string;
  runId: string;
  desired: DesiredRoster;
  stored: StoredRoster;
  match: MatchResult;
  settings: SyncSettings;
  /** Placements of the children the run creates, from the placement step. */
  place: (children: DesiredRecordOf['children'][]) => Map<string, Placement>;
  sink: WarningSink;
}

/** Kinds in the order their rows must be written: referenced rows first. */
export const planOrder: RecordKind[] = [
  'schools',
  'classrooms',
  'educators',
  'children',
  'contacts',
  'memberships',
];

/**
 * Plan step: compares the desired roster with the stored one and lists, per kind, the rows to
 * create, the fields to update, the rows to deactivate or reactivate, what stays unchanged and
 * what is skipped, each with its reason. Nothing is written here.
 *
 * Removal: a stored row missing from the desired roster is deactivated only with removal allowed
 * and only when its kind arrived complete, and never when the record was skipped on purpose or the
 * child was typed in by hand. A record sent as `tobedeleted` is deactivated whenever removal is
 * allowed, in a delta run too.
 */
export function buildPlan(input: PlanInput): SyncPlan {
  const { desired, stored, match, settings } = input;
  const kinds = kindRecord(() => emptyKindPlan());
  const rows = kindRecord((kind) => new StoredRows(input, kind));
  const restoredChildren = rows.children.restoreArchived();
  const newIds = newRowIds(input);
  const resolve: Resolve = (kind, sourcedId) => {
    if (sourcedId === null) return null;
    const planned = match.links[kind].get(sourcedId) ?? newIds[kind].get(sourcedId);
    if (planned !== undefined) return planned;
    if (desired.mode === 'delta') return stored[kind].get(sourcedId)?.id ?? null;
    return null;
  };

  const creating: CreateContext = {
    common: {
      orgId: input.orgId,
      sourceStatus: 'active',
      firstSeenRunId: input.runId,
      lastSeenRunId: input.runId,
    },
    resolve,
  };
  const newChildren: DesiredRecordOf['children'][] = [];
  for (const kind of planOrder) {
    const plan = kinds[kind];
    for (const record of (desired[kind] as Map<string, DesiredRecordOf[typeof kind]>).values()) {
      const row = rows[kind].linkedRow(record.sourcedId);

      if (record.status === 'tobedeleted') {
        planRemovedRecord(plan, row, record.sourcedId, settings.allowRemoval);
        continue;
      }
      // A membership ends with its class, even while its own enrollment is still active.
      if (kind === 'memberships' && classRemoved(desired, record as DesiredRecordOf['memberships'])) {
        planRemovedRecord(plan, row, record.sourcedId, settings.allowRemoval, removals.classroom);
        continue;
      }

      const columns = columnsOf(kind, record, resolve);
      if (typeof columns === 'string') {
        plan.skipped.push({ sourcedId: record.sourcedId, reason: columns });
        input.sink.add('MEMBERSHIP_SKIPPED', record.sourcedId, `The enrollment was skipped: ${columns}.`);
        continue;
      }
      if (
        kind === 'classrooms' &&
        !settings.allowClassroomRename &&
        row &&
        (row as { displayName?: unknown }).displayName
      ) {
        columns.displayName = null;
      }

      if (!row) {
        plan.creates.push(new PlannedRow(newIds[kind].get(record.sourcedId)!, kind, record, creating));
        if (kind === 'children') newChildren.push(record as DesiredRecordOf['children']);
        continue;
      }
      planUpdate(plan, row, record.sourcedId, columns, {
        sourcedId: record.sourcedId,
        sourceStatus: 'active',
      });
    }
    planAbsentRecords(input, kind, plan);
  }

  planDetachedChildren(input, kinds.children, resolve);
  placeChildren(input, kinds.children, newChildren);
  const contactLinks = planContactLinks(input, kinds.contacts, resolve);

  for (const kind of planOrder) {
    for (const [sourcedId, reason] of desired.skipped[kind]) kinds[kind].skipped.push({ sourcedId, reason });
  }
  const possibleDuplicates = match.possibleDuplicates.flatMap((duplicate) => {
    const childId = resolve('children', duplicate.sourcedId);
    return childId ? [{ childId, candidateIds: duplicate.candidateIds, reason: duplicate.reason }] : [];
  });
  return {
    version: 1,
    orgId: input.orgId,
    mode: desired.mode,
    kinds,
    contactLinks,
    possibleDuplicates,
    restoredChildren,
  };
}

/**
 * Finds the stored row a desired record is linked to. Most links are by `sourcedId`, so a row is
 * found by its `sourcedId` first, and an index by row id is built only for the other links (a
 * child followed by a secondary key, a hand-entered or an archived child).
 */
class StoredRows {
  private byId: Map<string, StoredRow> | undefined;

  constructor(
    private readonly input: PlanInput,
    private readonly kind: RecordKind,
  ) {}

  linkedRow(sourcedId: string): StoredRow | undefined {
    const linkedId = this.input.match.links[this.kind].get(sourcedId);
    if (linkedId === undefined) return undefined;
    const row = (this.input.stored[this.kind] as Map<string, StoredRow>).get(sourcedId);
    if (row?.id === linkedId) return row;
    return this.index().get(linkedId);
  }

  /**
   * Adds the archived children that matching linked (carryover) to the rows to update, as if
   * inactive, so that each counts as reactivated. Returns their ids, which the apply step restores
   * first. Archived children that were not linked stay out, so they are never deactivated.
   */
  restoreArchived(): string[] {
    const restored: string[] = [];
    if (this.input.stored.archivedChildren.length === 0) return restored;
    const linked = new Set(this.input.match.links.children.values());
    for (const row of this.input.stored.archivedChildren) {
      if (!linked.has(row.id)) continue;
      this.index().set(row.id, { ...row, status: 'inactive' });
      restored.push(row.id);
    }
    return restored;
  }

  private index(): Map<string, StoredRow> {
    if (this.byId) return this.byId;
    this.byId = new Map();
    for (const row of (this.input.stored[this.kind] as Map<string, StoredRow>).values())
      this.byId.set(row.id, row);
    if (this.kind === 'children')
      for (const row of this.input.stored.unlinkedChildren) this.byId.set(row.id, row);
    return this.byId;
  }
}

function classRemoved(desired: DesiredRoster, membership: DesiredRecordOf['memberships']): boolean {
  return desired.classrooms.get(membership.classroomSourcedId)?.status === 'tobedeleted';
}

/** Draws a new row id for every active desired record that is linked to no stored row. */
function newRowIds(input: PlanInput): Record<RecordKind, Map<string, string>> {
  return kindRecord((kind) => {
    const ids = new Map<string, string>();
    const links = input.match.links[kind];
    for (const record of (
      input.desired[kind] as Map<string, { sourcedId: string; status: string }>
    ).values()) {
      if (record.status === 'active' && !links.has(record.sourcedId)) ids.set(record.sourcedId, newId());
    }
    return ids;
  });
}

function columnsOf(
  kind: RecordKind,
  record: DesiredRecordOf[RecordKind],
  resolve: Resolve,
): RowValues | string {
  switch (kind) {
    case 'schools':
      return schoolColumns(record as DesiredRecordOf['schools']);
    case 'classrooms':
      return classroomColumns(record as DesiredRecordOf['classrooms'], resolve);
    case 'educators':
      return educatorColumns(record as DesiredRecordOf['educators'], resolve);
    case 'children':
      return childColumns(record as DesiredRecordOf['children'], resolve);
    case 'contacts':
      return contactColumns(record as DesiredRecordOf['contacts']);
    case 'memberships':
      return membershipColumns(record as DesiredRecordOf['memberships'], resolve);
  }
}

/** Why a record is removed: the source marked it, or removed the class it belongs to. */
const removals = {
  record: {
    markedBySource: true,
    deactivated: 'marked tobedeleted by the roster source',
    absent: 'marked tobedeleted and not on the roster',
    kept: 'marked tobedeleted, but removal of data is off',
  },
  classroom: {
    markedBySource: false,
    deactivated: 'its class was removed by the roster source',
    absent: 'its class was removed by the roster source',
    kept: 'its class was removed by the roster source, but removal of data is off',
  },
};

function planRemovedRecord(
  plan: KindPlan,
  row: StoredRow | undefined,
  sourcedId: string,
  allowRemoval: boolean,
  reasons: (typeof removals)[keyof typeof removals] = removals.record,
): void {
  if (!row) {
    plan.skipped.push({ sourcedId, reason: reasons.absent });
  } else if (row.status === 'inactive') {
    plan.unchanged += 1;
  } else if (allowRemoval) {
    plan.deactivations.push({
      id: row.id,
      sourcedId,
      reason: reasons.deactivated,
      markedBySource: reasons.markedBySource,
    });
  } else {
    plan.skipped.push({ sourcedId, reason: reasons.kept });
  }
}

/**
 * Plans the update of a stored row: the columns whose values differ, and its reactivation when it
 * is inactive. `lineage` lists more columns to compare, such as the row's `sourcedId`.
 */
function planUpdate(
  plan: KindPlan,
  row: StoredRow,
  sourcedId: string,
  columns: RowValues,
  lineage?: RowValues,
): void {
  let changes: Record<string, { from: unknown; to: unknown }> | undefined;
  let set: RowValues | undefined;
  const storedValues = row as unknown as Record<string, unknown>;
  const compare = (values: RowValues) => {
    for (const column in values) {
      const value = values[column]!;
      if (sameValue(storedValues[column], value)) continue;
      (changes ??= {})[column] = { from: storedValues[column] ?? null, to: value };
      (set ??= {})[column] = value;
    }
  };
  compare(columns);
  if (lineage) compare(lineage);

  const reactivate = row.status === 'inactive';
  if (!reactivate && changes === undefined) {
    plan.unchanged += 1;
    return;
  }
  set ??= {};
  if (reactivate) Object.assign(set, { status: 'active', deactivatedAt: null, deactivatedByRunId: null });
  plan.updates.push({ id: row.id, sourcedId, reactivate, set, changes: changes ?? {} });
}

function planAbsentRecords(input: PlanInput, kind: RecordKind, plan: KindPlan): void {
  if (!input.settings.allowRemoval || !input.desired.complete[kind]) return;
  const links = input.match.links[kind];
  // Only children link by more than their `sourcedId`.
  const linkedChildren = kind === 'children' ? new Set(links.values()) : undefined;
  const skipped = input.desired.skipped[kind];
  for (const row of (input.stored[kind] as Map<string, StoredRow>).values()) {
    if (row.status !== 'active' || row.sourcedId === null || skipped.has(row.sourcedId)) continue;
    if (linkedChildren ? linkedChildren.has(row.id) : links.get(row.sourcedId) === row.id) continue;
    if (kind === 'children' && (row as { origin?: string }).origin === 'manual') continue;
    plan.deactivations.push({
      id: row.id,
      sourcedId: row.sourcedId,
      reason: 'no longer in the roster source',
    });
  }
}

/**
 * Applies to stored children what a delta run brought without their user record: demographics,
 * and a classroom chosen again because an enrollment changed. An inactive child stays inactive.
 */
function planDetachedChildren(input: PlanInput, plan: KindPlan, resolve: Resolve): void {
  const { demographicsOnly, classroomOnly } = input.desired;
  for (const sourcedId of new Set([...demographicsOnly.keys(), ...classroomOnly.keys()])) {
    const row = input.stored.children.get(sourcedId);
    if (!row) continue;
    const demographics = demographicsOnly.get(sourcedId);
    const columns: RowValues = demographics === undefined ? {} : demographicColumns(demographics);
    const classroom = classroomOnly.get(sourcedId);
    if (classroom !== undefined) columns.classroomId = resolve('classrooms', classroom);
    planUpdate(plan, { ...row, status: 'active' }, sourcedId, columns);
  }
}

function placeChildren(input: PlanInput, plan: KindPlan, children: DesiredRecordOf['children'][]): void {
  if (children.length === 0) return;
  const placements = input.place(children);
  for (const create of plan.creates as PlannedRow[]) {
    const placement = placements.get(create.sourcedId);
    if (!placement) continue;
    create.extra = {
      journey: placement.journey,
      level: placement.level,
      levelSetBy: placement.level === null ? null : 'placement',
    };
  }
}

/** The values every row a run creates shares, and the resolver of its references. */
interface CreateContext {
  /** Organization, run and source status. */
  common: RowValues;
  resolve: Resolve;
}

/**
 * A row to create whose column values are put together from its desired record each time they
 * are read, not held. A full sync plans a row per record, and holding each row's values beside its
 * desired record cost about 20 MB at 20,000 children. A stored plan's JSON carries the values.
 */
class PlannedRow implements PlannedCreate {
  /** Values set after planning, such as the placement of a new child. */
  extra: RowValues | undefined;

  constructor(
    readonly id: string,
    private readonly kind: RecordKind,
    private readonly record: DesiredRecordOf[RecordKind],
    private readonly context: CreateContext,
  ) {}

  get sourcedId(): string {
    return this.record.sourcedId;
  }

  get values(): RowValues {
    // The planner checked that the record's columns resolve; the same references resolve now.
    const columns = columnsOf(this.kind, this.record, this.context.resolve) as RowValues;
    // Assigned one by one: spreading the objects allocated about three times the memory.
    if (this.extra) for (const column in this.extra) columns[column] = this.extra[column]!;
    const { common } = this.context;
    for (const column in common) columns[column] = common[column]!;
    columns.id = this.id;
    columns.sourcedId = this.record.sourcedId;
    return columns;
  }

  toJSON(): PlannedCreate {
    return { id: this.id, sourcedId: this.sourcedId, values: this.values };
  }
}

/**
 * Links each contact to its children. A link that disappears is deactivated only when the users
 * collection arrived complete and removal is allowed. A contact whose links change counts as
 * updated.
 */
function planContactLinks(input: PlanInput, contacts: KindPlan, resolve: Resolve): LinkPlan {
  const links: LinkPlan = { creates: [], reactivations: [], deactivations: [] };
  const changed = new Map<string, string>();
  const wanted = new Set<string>();
  const contactIds = new Set<string>();

  for (const contact of input.desired.contacts.values()) {
    const contactId = resolve('contacts', contact.sourcedId);
    if (contact.status !== 'active' || contactId === null) continue;
    contactIds.add(contactId);
    for (const childSourcedId of contact.childSourcedIds) {
      const childId = resolve('children', childSourcedId);
      if (childId === null) continue;
      const key = `${childId}:${contactId}`;
      wanted.add(key);
      const link = input.stored.contactLinks.get(key);
      if (!link) links.creates.push({ id: newId(), childId, contactId });
      else if (link.status === 'inactive') links.reactivations.push(link.id);
      else continue;
      changed.set(contactId, contact.sourcedId);
    }
  }

  // A contact the run did not carry counts as updated, but was not counted as unchanged.
  const outsideRun = new Set<string>();
  for (const [contactSourcedId, children] of input.desired.contactLinksOnly) {
    const contact = input.stored.contacts.get(contactSourcedId);
    if (contact?.status !== 'active') continue;
    for (const childSourcedId of children) {
      const childId = resolve('children', childSourcedId);
      if (childId === null) continue;
      const link = input.stored.contactLinks.get(`${childId}:${contact.id}`);
      if (!link) links.creates.push({ id: newId(), childId, contactId: contact.id });
      else if (link.status === 'inactive') links.reactivations.push(link.id);
      else continue;
      changed.set(contact.id, contactSourcedId);
      outsideRun.add(contact.id);
    }
  }

  if (input.settings.allowRemoval && input.desired.complete.contacts) {
    const sourcedIdOf = new Map([...input.stored.contacts.values()].map((row) => [row.id, row.sourcedId]));
    for (const [key, link] of input.stored.contactLinks) {
      if (link.status !== 'active' || wanted.has(key) || !contactIds.has(link.contactId)) continue;
      links.deactivations.push(link.id);
      const sourcedId = sourcedIdOf.get(link.contactId);
      if (sourcedId) changed.set(link.contactId, sourcedId);
    }
  }

  const planned = new Set([
    ...contacts.creates.map((create) => create.id),
    ...contacts.updates.map((update) => update.id),
  ]);
  for (const [contactId, sourcedId] of changed) {
    if (planned.has(contactId)) continue;
    if (!outsideRun.has(contactId)) contacts.unchanged -= 1;
    contacts.updates.push({
      id: contactId,
      sourcedId,
      reactivate: false,
      set: {},
      changes: { children: { from: 'changed', to: 'changed' } },
    });
  }
  return links;
}
