import type { StoredRoster } from '../../db/queries/stored-roster.ts';
import type { SyncSettings } from '../../db/schema.ts';
import type { SyncPlan } from '../plan/types.ts';
import { planOrder } from './plan.ts';

export interface SafeguardVerdict {
  hold: boolean;
  /** One line per kind beyond a threshold, in words an admin can act on. */
  reasons: string[];
}

/**
 * Safeguard step: holds a run for review when it would deactivate more than
 * `maxDeactivateRatio` (default 10%) of the active records of a kind, or change (update,
 * deactivate or reactivate) more than `maxChangeRatio` (default 75%) of them. Kinds with no
 * active records yet are not checked, so the first sync into an empty roster is never held; new
 * records never count as changes.
 */
export function checkSafeguard(
  plan: SyncPlan,
  stored: StoredRoster,
  settings: SyncSettings,
): SafeguardVerdict {
  const reasons: string[] = [];
  for (const kind of planOrder) {
    const active = stored.activeCounts[kind];
    if (active === 0) continue;
    const kindPlan = plan.kinds[kind];
    const deactivated = kindPlan.deactivations.length;
    const changed = kindPlan.updates.length + deactivated;
    if (deactivated / active > settings.maxDeactivateRatio) {
      reasons.push(
        `${deactivated} of ${active} active ${kind} (${percent(deactivated / active)}) would be deactivated; the limit is ${percent(settings.maxDeactivateRatio)}.`,
      );
    } else if (changed / active > settings.maxChangeRatio) {
      reasons.push(
        `${changed} of ${active} active ${kind} (${percent(changed / active)}) would change; the limit is ${percent(settings.maxChangeRatio)}.`,
      );
    }
  }
  return { hold: reasons.length > 0, reasons };
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}
