import type { Kysely } from 'kysely';

import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import { getOrganizationBySlug, getSyncSettings, insertAuditEntry } from '../db/queries/organizations.ts';
import type { Database, Organization, SyncSettings } from '../db/schema.ts';
import { formatLocalInstant, scheduleFromSettings } from './schedule.ts';

/** Whether the Sync Now button works, and why, in words an admin reads on the settings page. */
export interface SyncNowState {
  available: boolean;
  reason: string;
}

/** The facts the Sync Now rule needs, read by `loadSyncNowFacts`. */
export interface SyncNowFacts {
  scheduled: boolean;
  nextRunAt: Date | null;
  syncNowUsedAt: Date | null;
  /** Status of the organization's latest run that was not a dry run, or null without runs. */
  latestRunStatus: string | null;
  /** Whether a scheduled run was created after Sync Now was used and has finished. */
  scheduledRunFinishedSinceUse: boolean;
}

/**
 * Applies the Sync Now rule. Sync Now is available when no schedule is set, when it was never
 * used, when the latest run failed, or when a scheduled run has finished since it was last used.
 * Otherwise it is unavailable until the next scheduled sync has run, and the reason names that
 * sync's time in the organization's zone, such as "available again after the scheduled sync on
 * Mon 7 Dec at 9:30 PM PST".
 */
export function decideSyncNow(facts: SyncNowFacts, timezone: string, now: Date): SyncNowState {
  if (!facts.scheduled) {
    return { available: true, reason: 'No sync is scheduled, so Sync Now is always available.' };
  }
  if (facts.syncNowUsedAt === null) {
    return { available: true, reason: 'Sync Now is available.' };
  }
  if (facts.latestRunStatus === 'failed') {
    return { available: true, reason: 'The latest sync failed, so Sync Now is available again.' };
  }
  if (facts.scheduledRunFinishedSinceUse) {
    return {
      available: true,
      reason: 'A scheduled sync has run since Sync Now was last used, so it is available again.',
    };
  }

  const used = formatLocalInstant(facts.syncNowUsedAt, timezone);
  if (facts.nextRunAt === null || facts.nextRunAt.getTime() <= now.getTime()) {
    return {
      available: false,
      reason: `Sync Now was used on ${used}; it is available again when the scheduled sync that is due now has finished.`,
    };
  }
  const next = formatLocalInstant(facts.nextRunAt, timezone);
  return {
    available: false,
    reason: `Sync Now was used on ${used}; it is available again after the scheduled sync on ${next}.`,
  };
}

/** Reads the facts for `decideSyncNow` from the settings row and the run history. */
export async function loadSyncNowFacts(db: Kysely<Database>, settings: SyncSettings): Promise<SyncNowFacts> {
  const latest = await db
    .selectFrom('syncRuns')
    .select('status')
    .where('orgId', '=', settings.orgId)
    .where('dryRun', '=', false)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();

  let scheduledRunFinishedSinceUse = false;
  if (settings.syncNowUsedAt) {
    const finished = await db
      .selectFrom('syncRuns')
      .select('id')
      .where('orgId', '=', settings.orgId)
      .where('trigger', '=', 'scheduled')
      .where('dryRun', '=', false)
      .where('status', 'not in', ['queued', 'running'])
      .where('createdAt', '>', settings.syncNowUsedAt)
      .limit(1)
      .executeTakeFirst();
    scheduledRunFinishedSinceUse = finished !== undefined;
  }

  return {
    scheduled: scheduleFromSettings(settings).frequency !== 'off',
    nextRunAt: settings.nextRunAt,
    syncNowUsedAt: settings.syncNowUsedAt,
    latestRunStatus: latest?.status ?? null,
    scheduledRunFinishedSinceUse,
  };
}

/** The organization's Sync Now state at `now`. */
export async function getSyncNowState(
  db: Kysely<Database>,
  org: Organization,
  settings: SyncSettings,
  now: Date,
): Promise<SyncNowState> {
  const facts = await loadSyncNowFacts(db, settings);
  return decideSyncNow(facts, org.timezone, now);
}

/** Who pressed Sync Now; `force` (platform staff) bypasses the rule. */
export interface SyncNowRequest {
  slug: string;
  actor: string;
  force?: boolean;
}

/**
 * Applies the Sync Now rule and, when it allows a run (or `force` is set), records the use and
 * calls `enqueue` to start the run. Throws `SYNC_NOW_UNAVAILABLE` with the reason otherwise, and
 * `ORG_NOT_FOUND` for an unknown slug. Returns the organization and what `enqueue` returned.
 */
export async function requestSyncNow<T>(
  db: Kysely<Database>,
  clock: Clock,
  request: SyncNowRequest,
  enqueue: (org: Organization) => Promise<T>,
): Promise<{ org: Organization; queued: T; forced: boolean }> {
  const org = await getOrganizationBySlug(db, request.slug);
  const settings = await getSyncSettings(db, org.id);
  const now = clock.now();
  const state = await getSyncNowState(db, org, settings, now);

  if (!state.available && !request.force) {
    throw new AppError('SYNC_NOW_UNAVAILABLE', `Sync Now is unavailable for ${org.slug}: ${state.reason}`, {
      details: { org: org.slug },
    });
  }

  const queued = await enqueue(org);
  await db.updateTable('syncSettings').set({ syncNowUsedAt: now }).where('orgId', '=', org.id).execute();
  await insertAuditEntry(db, {
    orgId: org.id,
    actor: request.actor,
    action: 'sync.now',
    changes: { forced: !state.available && request.force === true },
  });
  return { org, queued, forced: !state.available && request.force === true };
}
