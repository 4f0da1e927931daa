import type { RecordKind, RunMode } from '../report.ts';

/** Column values of one row, by Kysely (camelCase) column name; JSON-serializable. */
export type RowValues = Record<string, string | number | boolean | null | string[] | object>;

export interface PlannedCreate {
  /** The new row's id, chosen when planning so that other rows can refer to it. */
  id: string;
  sourcedId: string;
  values: RowValues;
}

export interface PlannedUpdate {
  id: string;
  sourcedId: string;
  /** The row was inactive and comes back. */
  reactivate: boolean;
  /** Only the columns that change. */
  set: RowValues;
  /** Per changed field, the stored and the new value, for the plan review. */
  changes: Record<string, { from: unknown; to: unknown }>;
}

export interface PlannedDeactivation {
  id: string;
  sourcedId: string;
  reason: string;
  /**
   * Whether the source sent the record itself as `tobedeleted`, which the row's `source_status`
   * then records. Absent in plans stored before the flag existed, where the reason tells.
   */
  markedBySource?: boolean;
}

export interface KindPlan {
  creates: PlannedCreate[];
  updates: PlannedUpdate[];
  deactivations: PlannedDeactivation[];
  unchanged: number;
  /** Records left out, with the reason: out of scope, dropped by a rule, or unusable. */
  skipped: { sourcedId: string; reason: string }[];
}

/** Changes to the links between children and family contacts (`child_contacts`). */
export interface LinkPlan {
  creates: { id: string; childId: string; contactId: string }[];
  reactivations: string[];
  deactivations: string[];
}

/**
 * The changes a run makes, computed against the roster as it was when planned. Stored in
 * `sync_run_plans` (as JSON) for a held run, and applied as is when the admin approves it.
 */
export interface SyncPlan {
  version: 1;
  orgId: string;
  mode: RunMode;
  kinds: Record<RecordKind, KindPlan>;
  contactLinks: LinkPlan;
  /** New children raised for review, by their planned row id. */
  possibleDuplicates: { childId: string; candidateIds: string[]; reason: string }[];
  /** Archived children that carryover brings back; restored before the updates are written. */
  restoredChildren?: string[];
}

export function emptyKindPlan(): KindPlan {
  return { creates: [], updates: [], deactivations: [], unchanged: 0, skipped: [] };
}
