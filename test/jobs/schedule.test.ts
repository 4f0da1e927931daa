import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';

import { parseScheduleOptions } from '../../src/cli/commands/schedule.ts';
import { AppError } from '../../src/core/errors.ts';
import {
  formatLocalInstant,
  isInOffPeak,
  nextRunAfter,
  parseWeekday,
  type Schedule,
  toZonedIso,
  validateSchedule,
} from '../../src/jobs/schedule.ts';

const offPeak = { start: '19:00', end: '05:00' };

/** The next run after `after` (ISO) as ISO 8601 with the zone's offset. */
function next(schedule: Schedule, zone: string, after: string): string | null {
  const instant = nextRunAfter(schedule, zone, new Date(after));
  return instant && toZonedIso(instant, zone);
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
  return undefined;
}

describe('off-peak window', () => {
  it.each([
    ['19:00', true],
    ['23:59', true],
    ['00:00', true],
    ['04:59', true],
    ['05:00', false],
    ['12:00', false],
    ['18:59', false],
  ])('19:00-05:00 contains %s: %s', (time, inside) => {
    expect(isInOffPeak(time, offPeak)).toBe(inside);
  });

  it('handles a window inside one day', () => {
    const window = { start: '01:00', end: '04:00' };
    expect(isInOffPeak('01:00', window)).toBe(true);
    expect(isInOffPeak('03:59', window)).toBe(true);
    expect(isInOffPeak('04:00', window)).toBe(false);
    expect(isInOffPeak('23:00', window)).toBe(false);
  });

  it('rejects a daily time outside it, naming the window', () => {
    let error: unknown;
    try {
      validateSchedule({ frequency: 'daily', time: '12:00' }, offPeak);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('SCHEDULE_OUTSIDE_OFF_PEAK');
    expect((error as AppError).message).toContain('19:00-05:00');
    expect((error as AppError).message).toContain('12:00');
  });

  it('accepts weekly and monthly times outside it', () => {
    expect(validateSchedule({ frequency: 'weekly', weekday: 2, time: '12:00' }, offPeak)).toEqual({
      frequency: 'weekly',
      weekday: 2,
      time: '12:00',
    });
    expect(validateSchedule({ frequency: 'monthly', monthDay: 28, time: '9:05' }, offPeak)).toEqual({
      frequency: 'monthly',
      monthDay: 28,
      time: '09:05',
    });
  });
});

describe('schedule validation', () => {
  it.each<[string, () => unknown]>([
    ['hour 24', () => validateSchedule({ frequency: 'weekly', weekday: 1, time: '24:00' }, offPeak)],
    ['no colon', () => validateSchedule({ frequency: 'daily', time: '2130' }, offPeak)],
    ['weekday 8', () => validateSchedule({ frequency: 'weekly', weekday: 8, time: '21:00' }, offPeak)],
    ['month day 29', () => validateSchedule({ frequency: 'monthly', monthDay: 29, time: '21:00' }, offPeak)],
    ['month day 0', () => validateSchedule({ frequency: 'monthly', monthDay: 0, time: '21:00' }, offPeak)],
    ['weekday name', () => parseWeekday('funday')],
  ])('rejects %s', (_label, action) => {
    expect(codeOf(action)).toBe('SCHEDULE_INVALID');
  });

  it('reads weekday names and numbers', () => {
    expect(parseWeekday('Monday')).toBe(1);
    expect(parseWeekday('sun')).toBe(7);
    expect(parseWeekday('3')).toBe(3);
  });
});

describe('next run time', () => {
  const zone = 'America/New_York';

  it('is off for no schedule', () => {
    expect(next({ frequency: 'off' }, zone, '2026-12-07T12:00:00Z')).toBeNull();
  });

  it('runs daily at the local time', () => {
    expect(next({ frequency: 'daily', time: '21:30' }, zone, '2026-12-07T12:00:00Z')).toBe(
      '2026-12-07T21:30:00.000-05:00',
    );
  });

  it('is strictly after the given instant', () => {
    expect(next({ frequency: 'daily', time: '21:30' }, zone, '2026-12-08T02:30:00Z')).toBe(
      '2026-12-08T21:30:00.000-05:00',
    );
  });

  it('runs weekly on the weekday', () => {
    // 2026-12-09 is a Wednesday; the next Monday is 14 December.
    expect(next({ frequency: 'weekly', weekday: 1, time: '06:00' }, zone, '2026-12-09T12:00:00Z')).toBe(
      '2026-12-14T06:00:00.000-05:00',
    );
  });

  it('runs monthly on the day', () => {
    expect(
      next({ frequency: 'monthly', monthDay: 28, time: '22:00' }, zone, '2027-02-28T23:00:00-05:00'),
    ).toBe('2027-03-28T22:00:00.000-04:00');
    expect(next({ frequency: 'monthly', monthDay: 1, time: '22:00' }, zone, '2026-12-15T12:00:00Z')).toBe(
      '2027-01-01T22:00:00.000-05:00',
    );
  });

  it('uses the organization time zone', () => {
    expect(next({ frequency: 'daily', time: '21:30' }, 'America/Los_Angeles', '2026-12-07T12:00:00Z')).toBe(
      '2026-12-07T21:30:00.000-08:00',
    );
  });
});

// Clocks in these US zones spring forward on 8 March 2026 (02:00 -> 03:00) and fall back on
// 1 November 2026 (02:00 -> 01:00).
describe.each(['America/New_York', 'America/Los_Angeles', 'America/Denver'])(
  'daylight saving in %s',
  (zone) => {
    const standard = DateTime.fromISO('2026-01-15T12:00', { zone }).toFormat('ZZ');
    const daylight = DateTime.fromISO('2026-07-15T12:00', { zone }).toFormat('ZZ');

    it('keeps the wall time across the spring change', () => {
      const first = next({ frequency: 'daily', time: '21:30' }, zone, '2026-03-07T12:00:00Z')!;
      expect(first).toBe(`2026-03-07T21:30:00.000${standard}`);
      const second = next({ frequency: 'daily', time: '21:30' }, zone, first)!;
      expect(second).toBe(`2026-03-08T21:30:00.000${daylight}`);
    });

    it('runs a missing 02:30 at 03:00', () => {
      expect(next({ frequency: 'daily', time: '02:30' }, zone, '2026-03-07T12:00:00Z')).toBe(
        `2026-03-08T03:00:00.000${daylight}`,
      );
    });

    it('runs a weekly missing time once', () => {
      const first = next({ frequency: 'weekly', weekday: 7, time: '02:30' }, zone, '2026-03-05T12:00:00Z')!;
      expect(first).toBe(`2026-03-08T03:00:00.000${daylight}`);
      expect(next({ frequency: 'weekly', weekday: 7, time: '02:30' }, zone, first)).toBe(
        `2026-03-15T02:30:00.000${daylight}`,
      );
    });

    it('runs a repeated 01:30 once, at the first', () => {
      const first = next({ frequency: 'daily', time: '01:30' }, zone, '2026-10-31T12:00:00Z')!;
      expect(first).toBe(`2026-11-01T01:30:00.000${daylight}`);
      // From the first occurrence the next run is the next day, not the repeat an hour later.
      const second = next({ frequency: 'daily', time: '01:30' }, zone, first)!;
      expect(second).toBe(`2026-11-02T01:30:00.000${standard}`);
    });

    it('skips the repeat when asked between the two', () => {
      const between = DateTime.fromISO(`2026-11-01T01:45:00.000${daylight}`, { setZone: true }).toISO()!;
      expect(next({ frequency: 'daily', time: '01:30' }, zone, between)).toBe(
        `2026-11-02T01:30:00.000${standard}`,
      );
    });

    it('keeps the wall time across the autumn change', () => {
      expect(next({ frequency: 'daily', time: '21:30' }, zone, '2026-11-01T12:00:00Z')).toBe(
        `2026-11-01T21:30:00.000${standard}`,
      );
    });
  },
);

describe('local formatting', () => {
  it('formats like the settings page', () => {
    expect(formatLocalInstant(new Date('2026-12-08T05:30:00Z'), 'America/Los_Angeles')).toBe(
      'Mon 7 Dec at 9:30 PM PST',
    );
  });
});

describe('org schedule options', () => {
  it('reads each form', () => {
    expect(parseScheduleOptions({ org: 'a', daily: '21:30' })).toEqual({ frequency: 'daily', time: '21:30' });
    expect(parseScheduleOptions({ org: 'a', weekly: ['Monday', '21:30'] })).toEqual({
      frequency: 'weekly',
      weekday: 1,
      time: '21:30',
    });
    expect(parseScheduleOptions({ org: 'a', monthly: ['28', '06:00'] })).toEqual({
      frequency: 'monthly',
      monthDay: 28,
      time: '06:00',
    });
    expect(parseScheduleOptions({ org: 'a', off: true })).toEqual({ frequency: 'off' });
  });

  it.each<[string, Parameters<typeof parseScheduleOptions>[0]]>([
    ['no form', { org: 'a' }],
    ['two forms', { org: 'a', daily: '21:30', off: true }],
    ['weekly without a time', { org: 'a', weekly: ['Monday'] }],
    ['monthly with a word', { org: 'a', monthly: ['first', '21:30'] }],
  ])('rejects %s', (_label, options) => {
    expect(codeOf(() => parseScheduleOptions(options))).toBe('INVALID_INPUT');
  });
});
