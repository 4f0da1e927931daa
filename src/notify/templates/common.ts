import { DateTime } from 'luxon';

import type { RunReport, RunTrigger } from '../../sync/report.ts';
import { type Block, oneLine } from './render.ts';

/** Everything a template needs besides the report itself. */
export interface NoticeContext {
  report: RunReport;
  org: { name: string; slug: string; timezone: string };
  /** `ROSTERSYNC_PUBLIC_URL` without a trailing slash. */
  publicUrl: string;
  /** An e-mail address or an http(s) URL. */
  supportContact: string;
  /** Safeguard thresholds as fractions (0.1 is 10 %), named in the held-for-review notice. */
  thresholds: { maxDeactivateRatio: number; maxChangeRatio: number };
}

/** Web app addresses the notices link to. The paths are documented in docs/email.md. */
export const links = {
  run: (context: NoticeContext) =>
    `${context.publicUrl}/roster/sync-status/runs/${encodeURIComponent(context.report.runId)}`,
  review: (context: NoticeContext, decision: 'approve' | 'reject') =>
    `${links.run(context)}/review?decision=${decision}`,
  settings: (context: NoticeContext) => `${context.publicUrl}/roster/sync-settings`,
};

const triggerWords: Record<RunTrigger, string> = {
  manual: 'Sync Now',
  scheduled: 'the schedule',
  cli: 'the command line',
};

const maxNameLength = 80;

/**
 * Builds a subject line from the organization's name and an outcome. The name loses line breaks
 * and control characters (the settings reject them, but older rows may hold them) and is cut
 * to 80 characters.
 */
export function subjectLine(context: NoticeContext, outcome: string): string {
  let name = oneLine(context.org.name);
  if (name.length > maxNameLength) name = `${name.slice(0, maxNameLength - 1)}…`;
  return oneLine(`Roster Sync: ${name}: ${outcome}`);
}

/** Lists the organization, trigger, mode, times in the organization's time zone, and run id. */
export function runFacts(context: NoticeContext): Block {
  const { report } = context;
  const rows: [string, string][] = [
    ['Organization', context.org.name],
    ['Started by', triggerWords[report.trigger] ?? report.trigger],
    ['Kind of sync', report.mode === 'delta' ? 'changes since the last sync (delta)' : 'full'],
    ['Started', formatTime(report.startedAt, context.org.timezone)],
  ];
  if (report.finishedAt) {
    rows.push(['Finished', formatTime(report.finishedAt, context.org.timezone)]);
    const duration = formatDuration(report.startedAt, report.finishedAt);
    if (duration) rows.push(['Duration', duration]);
  }
  rows.push(['Run id', report.runId]);
  return { kind: 'facts', rows };
}

/**
 * Formats an ISO 8601 instant in the time zone, such as "Friday 4 December 2026, 15:03 EST".
 * An unparsable value is shown as given; an unknown zone falls back to UTC.
 */
export function formatTime(iso: string, timezone: string): string {
  const instant = DateTime.fromISO(iso, { setZone: false });
  if (!instant.isValid) return iso;
  let local = instant.setZone(timezone);
  if (!local.isValid) local = instant.setZone('UTC');
  return local.setLocale('en-US').toFormat('cccc d LLLL yyyy, HH:mm ZZZZ');
}

/** Duration between two instants as "2 min 5 s", or null when either is unparsable. */
export function formatDuration(startIso: string, endIso: string): string | null {
  const start = DateTime.fromISO(startIso);
  const end = DateTime.fromISO(endIso);
  if (!start.isValid || !end.isValid) return null;
  const seconds = Math.max(0, Math.round(end.diff(start, 'seconds').seconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min ${rest} s`;
  return `${rest} s`;
}

/** Writes how to reach support, as a sentence ending in the contact address or URL. */
export function supportSentence(context: NoticeContext): string {
  const contact = oneLine(context.supportContact);
  const action = /^https?:\/\//.test(contact) ? `visit ${contact}` : `write to ${contact}`;
  return `If you need help, ${action} and give the run id ${context.report.runId}.`;
}

/** A count with its noun, such as "1 warning" or "3 warnings". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
