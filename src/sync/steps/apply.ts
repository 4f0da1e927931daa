import type { Kysely } from 'kysely';

import type { Database } from '../../db/schema.ts';
import { restoreArchivedChildren } from '../../roster/archive.ts';
import { tableOf } from '../plan/columns.ts';
import type { PlannedDeactivation, RowValues, SyncPlan } from '../plan/types.ts';
import { insertRows, updateRows, updateRowsById, type WritableTable } from '../plan/write.ts';
import { planOrder } from './plan.ts';

/** Rows created per insert step. */
const createsPerStep = 5000;

export interface ApplyOptions {
  /** The run the changes are recorded under (lineage columns). */
  runId: string;
  now: Date;
  /** Called after each statement with the statements done and planned. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Apply step: writes a plan with multi-row statements, never one statement per row. Call it
 * inside one transaction (`db` is the transaction) so that a failure, or a killed process,
 * leaves the roster as it was. Creates and updates go in reference order (schools first);
 * deactivations go last, in reverse order. Returns the number of roster rows written.
 */
export async function applyPlan(
  db: Kysely<Database>,
  plan: SyncPlan,
  options: ApplyOptions,
): Promise<number> {
  const touched = { updatedAt: options.now.toISOString(), lastSeenRunId: options.runId };
  const steps: (() => Promise<number>)[] = [];
  // Rows to create are put together chunk by chunk, so that a full sync never keeps them all.
  const insertInChunks = <T>(table: WritableTable, items: readonly T[], toRow: (item: T) => RowValues) => {
    for (let start = 0; start < items.length; start += createsPerStep) {
      const chunk = items.slice(start, start + createsPerStep);
      steps.push(() => insertRows(db, table, chunk.map(toRow)));
    }
  };

  // Archived rows reject every update but their restore, so carried-over children come back first.
  const restored = plan.restoredChildren ?? [];
  if (restored.length > 0) steps.push(() => restoreArchivedChildren(db, plan.orgId, restored, options.runId));

  for (const kind of planOrder) {
    const kindPlan = plan.kinds[kind];
    const table = tableOf[kind];
    insertInChunks(table, kindPlan.creates, (create) => create.values);
    if (kindPlan.updates.length > 0) steps.push(() => updateRows(db, table, kindPlan.updates, touched));
  }

  const links = plan.contactLinks;
  insertInChunks('childContacts', links.creates, (link) => ({
    ...link,
    orgId: plan.orgId,
    firstSeenRunId: options.runId,
    lastSeenRunId: options.runId,
  }));
  if (links.reactivations.length > 0) {
    steps.push(() =>
      updateRowsById(db, 'childContacts', links.reactivations, {
        ...touched,
        status: 'active',
        deactivatedAt: null,
        deactivatedByRunId: null,
      }),
    );
  }
  if (plan.possibleDuplicates.length > 0) {
    const rows = plan.possibleDuplicates.map((duplicate) => ({
      ...duplicate,
      orgId: plan.orgId,
      runId: options.runId,
    }));
    steps.push(() => insertRows(db, 'duplicateReviews', rows));
  }

  const deactivated = {
    status: 'inactive',
    deactivatedAt: options.now.toISOString(),
    deactivatedByRunId: options.runId,
    updatedAt: options.now.toISOString(),
  };
  if (links.deactivations.length > 0)
    steps.push(() => updateRowsById(db, 'childContacts', links.deactivations, deactivated));
  for (const kind of [...planOrder].reverse()) {
    const deactivations = plan.kinds[kind].deactivations;
    if (deactivations.length === 0) continue;
    const marked = (entry: PlannedDeactivation) =>
      entry.markedBySource ?? entry.reason.includes('tobedeleted');
    const removed = deactivations.filter(marked).map((entry) => entry.id);
    const absent = deactivations.filter((entry) => !marked(entry)).map((entry) => entry.id);
    const table = tableOf[kind];
    if (removed.length > 0)
      steps.push(() => updateRowsById(db, table, removed, { ...deactivated, sourceStatus: 'tobedeleted' }));
    if (absent.length > 0) steps.push(() => updateRowsById(db, table, absent, deactivated));
  }

  let written = 0;
  for (const [index, step] of steps.entries()) {
    written += await step();
    options.onProgress?.(index + 1, steps.length);
  }
  return written;
}
