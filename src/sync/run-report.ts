import type { Kysely } from 'kysely';

import type { ErrorBody } from '../core/errors.ts';
import { getOrganizationById } from '../db/queries/organizations.ts';
import { getRun, listRunWarnings } from '../db/queries/sync-runs.ts';
import type { Database, SyncRun } from '../db/schema.ts';
import { emptyRunCounts, type RunCounts, type RunReport } from './report.ts';

/** Builds the run report of DESIGN's contract from the stored run, with all its warnings. */
export async function loadRunReport(db: Kysely<Database>, runId: string): Promise<RunReport> {
  const run = await getRun(db, runId);
  const org = await getOrganizationById(db, run.orgId);
  const warnings = await listRunWarnings(db, runId);
  return toRunReport(run, org.slug, warnings);
}

export function toRunReport(run: SyncRun, orgSlug: string, warnings: RunReport['warnings']): RunReport {
  return {
    runId: run.id,
    org: orgSlug,
    trigger: run.trigger,
    mode: run.mode,
    status: run.status,
    startedAt: (run.startedAt ?? run.createdAt).toISOString(),
    finishedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
    counts: { ...emptyRunCounts(), ...(run.counts as Partial<RunCounts>) },
    warnings,
    error: (run.error as ErrorBody | null) ?? null,
  };
}
