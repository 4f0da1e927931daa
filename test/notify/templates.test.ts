import { describe, expect, it } from 'vitest';

import { type NoticeContext, renderRunNotice } from '../../src/notify/templates/index.ts';
import { formatDuration, formatTime, subjectLine } from '../../src/notify/templates/common.ts';
import { escapeHtml, oneLine } from '../../src/notify/templates/render.ts';
import { buildReport } from './support/fixtures.ts';

function context(overrides: Partial<NoticeContext> = {}): NoticeContext {
  return {
    report: buildReport({ runId: '11111111-2222-4333-8444-555555555555', org: 'demo' }),
    org: { name: 'Demo District', slug: 'demo', timezone: 'America/New_York' },
    publicUrl: 'https://roster.example.org',
    supportContact: 'https://help.example.org/roster',
    thresholds: { maxDeactivateRatio: 0.1, maxChangeRatio: 0.75 },
    ...overrides,
  };
}

describe('notice templates', () => {
  it('times follow the time zone and DST', () => {
    expect(formatTime('2026-07-01T15:00:00Z', 'America/Los_Angeles')).toBe(
      'Wednesday 1 July 2026, 08:00 PDT',
    );
    expect(formatTime('2026-12-01T15:00:00Z', 'America/Los_Angeles')).toBe(
      'Tuesday 1 December 2026, 07:00 PST',
    );
  });

  it('unknown zone falls back to UTC', () => {
    expect(formatTime('2026-12-01T15:00:00Z', 'Mars/Base')).toBe('Tuesday 1 December 2026, 15:00 UTC');
    expect(formatTime('yesterday', 'UTC')).toBe('yesterday');
  });

  it('durations read in units', () => {
    expect(formatDuration('2026-12-01T15:00:00Z', '2026-12-01T15:00:09Z')).toBe('9 s');
    expect(formatDuration('2026-12-01T15:00:00Z', '2026-12-01T16:02:00Z')).toBe('1 h 2 min');
    expect(formatDuration('x', '2026-12-01T16:02:00Z')).toBeNull();
  });

  it('subject loses line breaks and length', () => {
    const long = context({
      org: { name: `A\r\nBcc: x@y.org ${'z'.repeat(100)}`, slug: 'demo', timezone: 'UTC' },
    });
    const subject = subjectLine(long, 'sync failed');
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.startsWith('Roster Sync: A Bcc: x@y.org zzz')).toBe(true);
    expect(subject.endsWith('…: sync failed')).toBe(true);
  });

  it('escapes every HTML special character', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(oneLine('a\r\n\tb\u2028c')).toBe('a b c');
  });

  it('unknown error code reads as SYNC_FAILED', () => {
    const failed = context({
      report: buildReport({
        runId: 'r1',
        org: 'demo',
        status: 'failed',
        error: { code: 'NOT_A_CODE' as never, message: 'internal detail', hint: 'internal hint' },
      }),
    });
    const notice = renderRunNotice('run_failed', failed);
    expect(notice.text).toContain('(error code SYNC_FAILED)');
    expect(notice.text).not.toContain('internal detail');
    expect(notice.text).toContain('visit https://help.example.org/roster and give the run id r1');
  });

  it('held notice states the thresholds set', () => {
    const held = context({ thresholds: { maxDeactivateRatio: 0.25, maxChangeRatio: 0.5 } });
    const notice = renderRunNotice('run_held', {
      ...held,
      report: { ...held.report, status: 'held_for_review' },
    });
    expect(notice.text).toContain('more than 25 % or change more than 50 %');
  });

  it('both parts carry the same facts', () => {
    const notice = renderRunNotice('run_succeeded', context());
    for (const fact of [
      'Demo District',
      'the schedule',
      '10:00 EST',
      '11111111-2222-4333-8444-555555555555',
    ]) {
      expect(notice.text).toContain(fact);
      expect(notice.html).toContain(fact);
    }
  });
});
