import { countsTable, totalOf } from './counts.ts';
import { links, type NoticeContext, plural, runFacts, subjectLine } from './common.ts';
import type { Notice } from './render.ts';

/** Builds the notice for a run the safeguard held for review: what it would change, and where to decide. */
export function heldNotice(context: NoticeContext): Notice {
  const { report, thresholds } = context;
  const deactivations = totalOf(report.counts, 'deactivated');
  const deactivatePercent = Math.round(thresholds.maxDeactivateRatio * 100);
  const changePercent = Math.round(thresholds.maxChangeRatio * 100);

  return {
    subject: subjectLine(context, 'sync held for your review'),
    blocks: [
      {
        kind: 'paragraph',
        text: `The roster sync of ${context.org.name} was held for review, so nothing has changed yet. The safeguard holds a run that would deactivate more than ${deactivatePercent} % or change more than ${changePercent} % of the active records of any kind.`,
      },
      { kind: 'heading', text: 'What the run would change' },
      {
        kind: 'paragraph',
        text: `If approved, the run would deactivate ${plural(deactivations, 'record')} in all.`,
      },
      countsTable(
        report.counts,
        [
          { key: 'deactivated', label: 'Would deactivate' },
          { key: 'updated', label: 'Would update' },
          { key: 'created', label: 'Would create' },
        ],
        [{ key: 'reactivated', label: 'Would reactivate' }],
      ),
      runFacts(context),
      { kind: 'heading', text: 'Approve or reject' },
      {
        kind: 'paragraph',
        text: 'Approving applies exactly the plan above. Rejecting discards it and changes nothing; the next sync plans again. If the roster changes before you decide, the plan can no longer be applied and the next sync makes a new one.',
      },
      { kind: 'link', label: 'Review and approve the changes', url: links.review(context, 'approve') },
      { kind: 'link', label: 'Review and reject the changes', url: links.review(context, 'reject') },
    ],
  };
}
