import type { SyncPlan } from '../../sync/plan/types.ts';
import { recordKinds, type RunReport } from '../../sync/report.ts';

/** Formats a run report for people: status, counts per kind, warnings and the error. */
export function formatRunReport(report: RunReport, options: { allWarnings?: boolean } = {}): string {
  const lines = [
    `Run ${report.runId} (${report.org}, ${report.mode}, ${report.trigger}): ${report.status}`,
    `Started ${report.startedAt}${report.finishedAt ? `, finished ${report.finishedAt}` : ''}`,
    '',
    `${'kind'.padEnd(12)} created  updated  unchanged  deactivated  reactivated  skipped`,
  ];
  for (const kind of recordKinds) {
    const counts = report.counts[kind];
    lines.push(
      `${kind.padEnd(12)} ${pad(counts.created, 7)}  ${pad(counts.updated, 7)}  ${pad(counts.unchanged, 9)}  ${pad(counts.deactivated, 11)}  ${pad(counts.reactivated, 11)}  ${pad(counts.skipped, 7)}`,
    );
  }
  const shown = options.allWarnings ? report.warnings : report.warnings.slice(0, 10);
  if (report.warnings.length > 0) {
    lines.push('', `Warnings (${report.warnings.length}):`);
    for (const warning of shown) {
      lines.push(
        `  [${warning.code}]${warning.sourcedId ? ` ${warning.sourcedId}:` : ''} ${warning.message}`,
      );
    }
    if (shown.length < report.warnings.length) {
      lines.push(
        `  ... and ${report.warnings.length - shown.length} more: rostersync runs show ${report.runId}`,
      );
    }
  }
  if (report.error) {
    lines.push('', `Error [${report.error.code}]: ${report.error.message}`, `Hint: ${report.error.hint}`);
  }
  if (report.status === 'held_for_review') {
    lines.push(
      '',
      `The run is held for review. Apply it with: rostersync runs approve ${report.runId}`,
      `or discard it with: rostersync runs reject ${report.runId}`,
    );
  }
  return lines.join('\n');
}

function pad(value: number, width: number): string {
  return String(value).padStart(width);
}

/** The exit status for a run's final state: 0 succeeded, 3 held for review, 1 otherwise. */
export function exitStatusOf(report: RunReport): number {
  if (report.status === 'succeeded') return 0;
  if (report.status === 'held_for_review') return 3;
  return 1;
}

/**
 * Formats a stored plan for review: per kind, each row to create, update (with its changed
 * fields), reactivate or deactivate (with the reason), up to `limit` lines per kind.
 */
export function formatPlan(plan: SyncPlan, limit = 20): string {
  const lines = ['Plan:'];
  for (const kind of recordKinds) {
    const kindPlan = plan.kinds[kind];
    const entries = [
      ...kindPlan.creates.map((create) => `  + create ${kind} ${create.sourcedId}`),
      ...kindPlan.updates.map(
        (update) =>
          `  ${update.reactivate ? '^ reactivate' : '~ update'} ${kind} ${update.sourcedId}${
            Object.keys(update.changes).length > 0 ? `: ${Object.keys(update.changes).join(', ')}` : ''
          }`,
      ),
      ...kindPlan.deactivations.map(
        (deactivation) => `  - deactivate ${kind} ${deactivation.sourcedId} (${deactivation.reason})`,
      ),
    ];
    lines.push(...entries.slice(0, limit));
    if (entries.length > limit) lines.push(`  ... and ${entries.length - limit} more ${kind} changes`);
  }
  if (lines.length === 1) lines.push('  no changes');
  return lines.join('\n');
}
