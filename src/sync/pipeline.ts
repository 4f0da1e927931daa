import type { Kysely } from 'kysely';

import type { Clock } from '../core/clock.ts';
import { AppError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { rosterFingerprint } from '../db/queries/roster-fingerprint.ts';
import { loadStoredRoster, refreshRosterStatistics, type StoredRoster } from '../db/queries/stored-roster.ts';
import { finishRun, insertRunWarnings, saveRunPlan } from '../db/queries/sync-runs.ts';
import type { Database, Organization, SyncSettings } from '../db/schema.ts';
import type { RosterSource } from '../oneroster/source.ts';
import { checkSeats } from '../roster/journeys.ts';
import { countPlan } from './counts.ts';
import type { DesiredRoster, WarningSink } from './model.ts';
import { type ModeDecision, nextWatermark } from './mode.ts';
import type { SyncPlan } from './plan/types.ts';
import type { RecordKind } from './report.ts';
import type { SyncProgress } from './run.ts';
import { applyPlan } from './steps/apply.ts';
import { RecordCollector } from './steps/collect.ts';
import { applyDataRules } from './steps/data-rules.ts';
import { type FetchResult, fetchCollections, type SyncedCollection } from './steps/fetch.ts';
import { assignClassrooms } from './steps/classrooms.ts';
import { mapCollectedRecords } from './steps/map.ts';
import { matchRecords } from './steps/match.ts';
import { loadPlacementContext, placeNewChildren } from './steps/place.ts';
import { buildPlan } from './steps/plan.ts';
import { checkSafeguard } from './steps/safeguard.ts';
import { applyScope } from './steps/scope.ts';
import { loadDeltaRoster } from './steps/stored.ts';

export interface PipelineContext {
  db: Kysely<Database>;
  org: Organization;
  settings: SyncSettings;
  runId: string;
  decision: ModeDecision;
  dryRun: boolean;
  source: RosterSource;
  signal?: AbortSignal;
  sink: WarningSink;
  clock: Clock;
  logger: Logger;
  progress: (update: Omit<SyncProgress, 'runId'>, persist?: boolean) => void;
  /**
   * Whether to refresh the planner statistics of the roster tables after a large apply: PGlite
   * runs no autovacuum, so its statistics would otherwise never follow a first load.
   */
  refreshStatistics?: boolean;
}

/** Rows an apply must write before the roster tables' statistics are refreshed. */
const statisticsAfterRows = 1000;

/**
 * Runs the sync pipeline as named steps: fetch, map, scope, data rules, match, plan, safeguard,
 * apply. Ends by recording the run's final state (succeeded, held for review, or a dry run's plan).
 * Throws on any failure; the caller records it. Only the apply step writes to the roster, in one
 * transaction together with the run's final state.
 */
export async function executePipeline(context: PipelineContext): Promise<void> {
  const { db, org, settings, runId, decision, sink } = context;
  const fetchStartedAt = context.clock.now();

  context.progress({ phase: 'fetching' }, true);
  // A full run's stored roster loads while the source is read; on PostgreSQL the two overlap. A
  // delta run loads only the rows its records name, once they are known.
  const storedLoad = decision.mode === 'full' ? loadStoredRoster(db, org.id) : null;
  storedLoad?.catch(() => undefined);
  const collected = new RecordCollector();
  const fetched = await fetchCollections({
    source: context.source,
    modifiedSince: decision.modifiedSince,
    signal: context.signal,
    collector: collected,
    sink,
    onPage: (collection, received) => context.progress({ phase: 'fetching', collection, received }),
  });

  context.progress({ phase: 'mapping' }, true);
  const desired = mapCollectedRecords(collected, decision.mode, fetched, sink);
  if (storedLoad) assertCollectionsNotEmpty(fetched, await storedLoad);
  context.signal?.throwIfAborted();

  context.progress({ phase: 'planning' }, true);
  applyScope(desired, settings, sink);
  applyDataRules(desired, settings, sink);
  await assignClassrooms(db, org.id, desired, settings, sink);
  const stored = storedLoad ? await storedLoad : await loadDeltaRoster(db, org.id, desired);
  const match = matchRecords(desired, stored, settings, sink);
  const placement = await loadPlacementContext(db, org, collected, context.clock.now(), sink);
  const plan = buildPlan({
    orgId: org.id,
    runId,
    desired,
    stored,
    match,
    settings,
    place: (children) => placeNewChildren(children, placement, sink),
    sink,
  });
  const counts = countPlan(plan);
  const watermark = nextWatermark({
    mode: decision.mode,
    previous: decision.previousWatermark,
    maxDateLastModified: fetched.maxDateLastModified,
    failedRecords: fetched.failedRecords,
    fetchStartedAt,
  });
  const complete = isComplete(decision, fetched, desired);
  context.signal?.throwIfAborted();

  if (context.dryRun) {
    sink.add('SYNC_DRY_RUN', null, 'This was a dry run: the plan was stored and nothing was changed.');
    await holdPlan(context, plan, counts, 'succeeded', { watermark: null, complete: false });
    return;
  }
  const verdict = checkSafeguard(plan, stored, settings);
  if (verdict.hold) {
    for (const reason of verdict.reasons) sink.add('SYNC_HELD_FOR_REVIEW', null, reason);
    await holdPlan(context, plan, counts, 'held_for_review', { watermark, complete });
    context.logger.warn({ reasons: verdict.reasons }, 'Sync held for review by the safeguard');
    return;
  }

  context.progress({ phase: 'applying', done: 0 }, true);
  let rowsWritten = 0;
  await db.transaction().execute(async (trx) => {
    rowsWritten = await applyPlan(trx, plan, {
      runId,
      now: context.clock.now(),
      onProgress: (done, total) => context.progress({ phase: 'applying', done, total }),
    });
    // Seats are counted on the roster as applied, so the run's new children count.
    for (const warning of await checkSeats(trx, org.id))
      sink.add(warning.code, warning.sourcedId, warning.message);
    await insertRunWarnings(trx, runId, sink.list());
    await finishRun(trx, runId, {
      status: 'succeeded',
      phase: 'done',
      counts,
      progress: { phase: 'done', rowsWritten },
      error: null,
      watermark,
      complete,
      warningCount: sink.count,
      finishedAt: context.clock.now(),
    });
  });
  if (context.refreshStatistics && rowsWritten >= statisticsAfterRows) {
    await refreshRosterStatistics(db).catch((error: unknown) =>
      context.logger.warn({ err: error }, 'Could not refresh the statistics of the roster tables'),
    );
  }
  context.progress({ phase: 'done' });
}

async function holdPlan(
  context: PipelineContext,
  plan: SyncPlan,
  counts: ReturnType<typeof countPlan>,
  status: 'succeeded' | 'held_for_review',
  state: { watermark: Date | null; complete: boolean },
): Promise<void> {
  const { db, runId, sink } = context;
  const fingerprint = await rosterFingerprint(db, context.org.id);
  await db.transaction().execute(async (trx) => {
    await saveRunPlan(trx, runId, plan, fingerprint);
    await insertRunWarnings(trx, runId, sink.list());
    await finishRun(trx, runId, {
      status,
      phase: 'done',
      counts,
      progress: { phase: 'done', rowsWritten: 0 },
      error: null,
      watermark: state.watermark,
      complete: state.complete,
      warningCount: sink.count,
      finishedAt: context.clock.now(),
    });
  });
}

/** Kinds each core collection feeds, for the empty-collection check. */
const kindsOf: Partial<Record<SyncedCollection, RecordKind[]>> = {
  orgs: ['schools'],
  classes: ['classrooms'],
  users: ['children', 'educators'],
  enrollments: ['memberships'],
};

/**
 * Fails a full run when a core collection arrived empty while the roster contains active records
 * that came from it: a roster server that suddenly returns nothing is failing, and the run must
 * not go on as if the district had emptied.
 */
function assertCollectionsNotEmpty(fetched: FetchResult, stored: StoredRoster): void {
  for (const [collection, kinds] of Object.entries(kindsOf) as [SyncedCollection, RecordKind[]][]) {
    if (fetched.received[collection] > 0 || !fetched.outcomes[collection].complete) continue;
    for (const kind of kinds) {
      const active = stored.activeCounts[kind];
      if (active === 0) continue;
      throw new AppError(
        'ONEROSTER_INCOMPLETE',
        `The roster source returned no ${collection}, but the roster holds ${active} active ${kind}. Nothing was changed.`,
      );
    }
  }
}

/** Tells whether a run is complete, and so a base for later delta runs: its core collections arrived whole. */
function isComplete(decision: ModeDecision, fetched: FetchResult, desired: DesiredRoster): boolean {
  void desired;
  if (decision.mode === 'delta') return true;
  return (['orgs', 'classes', 'users', 'enrollments'] as const).every(
    (collection) => fetched.outcomes[collection].complete,
  );
}
