import { links, type NoticeContext, runFacts, subjectLine } from './common.ts';
import type { Notice } from './render.ts';

/** Builds the notice for a held run that an admin rejected, so nothing was applied. */
export function rejectedNotice(context: NoticeContext): Notice {
  return {
    subject: subjectLine(context, 'held sync rejected'),
    blocks: [
      {
        kind: 'paragraph',
        text: `The held roster sync of ${context.org.name} was rejected, so its changes were discarded and the roster is as it was. The next sync plans again against the roster as it is then.`,
      },
      runFacts(context),
      { kind: 'link', label: 'See the run', url: links.run(context) },
    ],
  };
}
