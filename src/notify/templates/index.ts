import type { RunStatus } from '../../sync/report.ts';
import type { NoticeContext } from './common.ts';
import { failedNotice } from './failed.ts';
import { heldNotice } from './held.ts';
import { rejectedNotice } from './rejected.ts';
import { renderNotice, type RenderedNotice } from './render.ts';
import { succeededNotice } from './succeeded.ts';

export type { NoticeContext } from './common.ts';
export type { RenderedNotice } from './render.ts';

/** Kinds of notice, stored in `email_messages.kind`. */
export type NoticeKind = 'run_succeeded' | 'run_failed' | 'run_held' | 'run_rejected';

const kindByStatus: Partial<Record<RunStatus, NoticeKind>> = {
  succeeded: 'run_succeeded',
  failed: 'run_failed',
  held_for_review: 'run_held',
  rejected: 'run_rejected',
};

/** The notice kind for a run's final status, or null while the run is queued or running. */
export function noticeKindFor(status: RunStatus): NoticeKind | null {
  return kindByStatus[status] ?? null;
}

/** Renders the notice of the given kind as a subject, a plain-text part and an HTML part. */
export function renderRunNotice(kind: NoticeKind, context: NoticeContext): RenderedNotice {
  switch (kind) {
    case 'run_succeeded':
      return renderNotice(succeededNotice(context));
    case 'run_failed':
      return renderNotice(failedNotice(context));
    case 'run_held':
      return renderNotice(heldNotice(context));
    case 'run_rejected':
      return renderNotice(rejectedNotice(context));
  }
}
