import type { ErrorBody } from '../core/errors.ts';

/** Kinds of platform records a run counts, in report order. */
export const recordKinds = [
  'schools',
  'classrooms',
  'educators',
  'children',
  'memberships',
  'contacts',
] as const;
export type RecordKind = (typeof recordKinds)[number];

export interface KindCounts {
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  reactivated: number;
  skipped: number;
}

export type RunCounts = Record<RecordKind, KindCounts>;

export type RunTrigger = 'manual' | 'scheduled' | 'cli';
export type RunMode = 'full' | 'delta';
/** Final states are `succeeded`, `failed`, `held_for_review` (until approved or rejected) and `rejected`. */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'held_for_review' | 'rejected';

export interface RunWarning {
  /** Stable code, e.g. `CHILD_MISSING_BIRTH_DATE`. */
  code: string;
  /** The roster record it is about, or null for run-wide warnings. */
  sourcedId: string | null;
  message: string;
}

/** The run report: printed by `sync --json`, stored per run, and the API's run detail. */
export interface RunReport {
  runId: string;
  org: string;
  trigger: RunTrigger;
  mode: RunMode;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  counts: RunCounts;
  warnings: RunWarning[];
  error: ErrorBody | null;
}

export function emptyKindCounts(): KindCounts {
  return { created: 0, updated: 0, unchanged: 0, deactivated: 0, reactivated: 0, skipped: 0 };
}

export function emptyRunCounts(): RunCounts {
  return {
    schools: emptyKindCounts(),
    classrooms: emptyKindCounts(),
    educators: emptyKindCounts(),
    children: emptyKindCounts(),
    memberships: emptyKindCounts(),
    contacts: emptyKindCounts(),
  };
}
