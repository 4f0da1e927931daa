import type { Kysely } from 'kysely';

import { findLastCompleteRun } from '../db/queries/sync-runs.ts';
import type { Database, SyncSettings } from '../db/schema.ts';
import type { RunMode } from './report.ts';

/** How far before the last watermark a delta run asks from, to cover clock skew and late commits. */
export const deltaSafetyMarginMs = 10 * 60 * 1000;

export interface ModeDecision {
  mode: RunMode;
  /** Set for a delta run: records modified after this instant. */
  modifiedSince?: Date;
  /** The watermark of the last complete run, kept when this run cannot advance it. */
  previousWatermark: Date | null;
  /** Why a requested delta became a full run, for the warnings. */
  note?: string;
}

/**
 * Decides between a full and a delta run. `auto` runs a delta once a complete full run exists and
 * the last one started less than `fullSyncIntervalDays` ago, a full run otherwise. A requested
 * delta without a complete earlier run (so without a watermark) runs full, with a note.
 */
export async function decideMode(
  db: Kysely<Database>,
  orgId: string,
  requested: 'full' | 'delta' | 'auto',
  settings: SyncSettings,
  now: Date,
): Promise<ModeDecision> {
  const lastComplete = await findLastCompleteRun(db, orgId);
  const lastFull = await findLastCompleteRun(db, orgId, 'full');
  const previousWatermark = lastComplete?.watermark ?? null;
  if (requested === 'full') return { mode: 'full', previousWatermark };

  if (!lastFull || previousWatermark === null) {
    const note = 'No complete full sync has run yet, so this run reads every record (full).';
    return { mode: 'full', previousWatermark, note: requested === 'delta' ? note : undefined };
  }
  const fullAgeMs = now.getTime() - (lastFull.startedAt ?? lastFull.createdAt).getTime();
  if (requested === 'auto' && fullAgeMs > settings.fullSyncIntervalDays * 24 * 60 * 60 * 1000) {
    return { mode: 'full', previousWatermark };
  }
  return {
    mode: 'delta',
    modifiedSince: new Date(previousWatermark.getTime() - deltaSafetyMarginMs),
    previousWatermark,
  };
}

/**
 * The watermark a run leaves: the latest `dateLastModified` it applied, never earlier than the
 * previous one. A run in which any record failed to parse keeps the previous watermark, so the
 * next delta asks for that record again. A full run whose records carry no `dateLastModified`
 * uses the time its fetch started.
 */
export function nextWatermark(input: {
  mode: RunMode;
  previous: Date | null;
  maxDateLastModified: string | null;
  failedRecords: number;
  fetchStartedAt: Date;
}): Date | null {
  if (input.failedRecords > 0) return input.previous;
  let candidate: Date | null = input.maxDateLastModified ? new Date(input.maxDateLastModified) : null;
  if (candidate === null || Number.isNaN(candidate.getTime())) {
    candidate = input.mode === 'full' ? input.fetchStartedAt : null;
  }
  if (candidate === null) return input.previous;
  if (input.previous && input.previous > candidate) return input.previous;
  return candidate;
}
