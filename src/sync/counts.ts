import type { SyncPlan } from './plan/types.ts';
import { emptyRunCounts, recordKinds, type RunCounts } from './report.ts';

/** Counts a plan per kind as the run report shows them. */
export function countPlan(plan: SyncPlan): RunCounts {
  const counts = emptyRunCounts();
  for (const kind of recordKinds) {
    const kindPlan = plan.kinds[kind];
    counts[kind] = {
      created: kindPlan.creates.length,
      updated: kindPlan.updates.filter((update) => !update.reactivate).length,
      unchanged: kindPlan.unchanged,
      deactivated: kindPlan.deactivations.length,
      reactivated: kindPlan.updates.filter((update) => update.reactivate).length,
      skipped: kindPlan.skipped.length,
    };
  }
  return counts;
}

/** Whether counts show no change at all. */
export function hasNoChanges(counts: RunCounts): boolean {
  return recordKinds.every((kind) => {
    const kindCounts = counts[kind];
    return kindCounts.created + kindCounts.updated + kindCounts.deactivated + kindCounts.reactivated === 0;
  });
}
