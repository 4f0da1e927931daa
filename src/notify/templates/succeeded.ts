import { countsTable, topWarnings, totalOf } from './counts.ts';
import { links, type NoticeContext, plural, runFacts, subjectLine } from './common.ts';
import type { Block, Notice } from './render.ts';

/** Builds the notice for a run that finished and applied its changes. */
export function succeededNotice(context: NoticeContext): Notice {
  const { report } = context;
  const changes =
    totalOf(report.counts, 'created') +
    totalOf(report.counts, 'updated') +
    totalOf(report.counts, 'deactivated');
  const warnings = report.warnings.length;

  const blocks: Block[] = [
    {
      kind: 'paragraph',
      text:
        changes === 0
          ? `The roster sync of ${context.org.name} succeeded. The roster was already up to date, so nothing changed.`
          : `The roster sync of ${context.org.name} succeeded and applied ${plural(changes, 'change')}.`,
    },
    runFacts(context),
    { kind: 'heading', text: 'Records' },
    countsTable(
      report.counts,
      [
        { key: 'created', label: 'Created' },
        { key: 'updated', label: 'Updated' },
        { key: 'deactivated', label: 'Deactivated' },
      ],
      [
        { key: 'reactivated', label: 'Reactivated' },
        { key: 'skipped', label: 'Skipped' },
      ],
    ),
    { kind: 'heading', text: `Warnings: ${warnings}` },
  ];

  if (warnings === 0) {
    blocks.push({ kind: 'paragraph', text: 'The run raised no warnings.' });
  } else {
    blocks.push(
      { kind: 'paragraph', text: `The run raised ${plural(warnings, 'warning')}. The most frequent:` },
      { kind: 'list', items: topWarnings(report.warnings) },
    );
  }

  blocks.push({ kind: 'link', label: 'See the run and every warning', url: links.run(context) });
  return { subject: subjectLine(context, 'sync succeeded'), blocks };
}
