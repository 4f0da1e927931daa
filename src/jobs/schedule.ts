import { DateTime } from 'luxon';

import { AppError } from '../core/errors.ts';

/**
 * An organization's sync schedule. Times are local wall-clock times (`HH:MM`, 24-hour) in the
 * organization's IANA time zone; `weekday` is ISO (1 = Monday) and `monthDay` runs from 1 to 28,
 * so every month has the day.
 */
export type Schedule =
  | { frequency: 'off' }
  | { frequency: 'daily'; time: string }
  | { frequency: 'weekly'; weekday: number; time: string }
  | { frequency: 'monthly'; monthDay: number; time: string };

/** The off-peak window as local `HH:MM` start and end; it may cross midnight. */
export interface OffPeakWindow {
  start: string;
  end: string;
}

const weekdayNames = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Parses `HH:MM` (24-hour) into minutes after midnight; throws `SCHEDULE_INVALID` naming the value. */
export function parseLocalTime(text: string): number {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) {
    throw new AppError(
      'SCHEDULE_INVALID',
      `${JSON.stringify(text)} is not a time: use 24-hour HH:MM, such as 21:30.`,
    );
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Parses a weekday name (`mon`, `Monday`) or ISO number (1 = Monday); throws `SCHEDULE_INVALID`. */
export function parseWeekday(text: string): number {
  const value = text.trim().toLowerCase();
  if (/^[1-7]$/.test(value)) return Number(value);
  const index = value.length >= 3 ? weekdayNames.findIndex((name) => name.startsWith(value)) : -1;
  if (index < 0) {
    throw new AppError(
      'SCHEDULE_INVALID',
      `${JSON.stringify(text)} is not a day of the week: use a name such as Monday or Mon, or 1 (Monday) to 7 (Sunday).`,
    );
  }
  return index + 1;
}

/**
 * Checks whether a local time lies in the off-peak window. The start is inclusive and the end exclusive:
 * with 19:00-05:00, 19:00 and 04:59 are inside and 05:00 is not. A window whose start is later
 * than its end crosses midnight.
 */
export function isInOffPeak(time: string, window: OffPeakWindow): boolean {
  const minute = parseLocalTime(time);
  const start = parseLocalTime(window.start);
  const end = parseLocalTime(window.end);
  if (start < end) return minute >= start && minute < end;
  return minute >= start || minute < end;
}

/**
 * Checks a schedule and returns it with times in `HH:MM` form. Throws `SCHEDULE_INVALID` for a
 * bad time, weekday or day of the month, and `SCHEDULE_OUTSIDE_OFF_PEAK` (naming the window) for
 * a daily time outside the off-peak window. Weekly and monthly syncs may run at any time.
 */
export function validateSchedule(schedule: Schedule, offPeak: OffPeakWindow): Schedule {
  if (schedule.frequency === 'off') return schedule;

  const time = formatMinutes(parseLocalTime(schedule.time));
  if (schedule.frequency === 'daily') {
    if (!isInOffPeak(time, offPeak)) {
      throw new AppError(
        'SCHEDULE_OUTSIDE_OFF_PEAK',
        `Daily syncs must start inside the off-peak window ${offPeak.start}-${offPeak.end} (local time, end excluded), and ${time} is outside it.`,
      );
    }
    return { frequency: 'daily', time };
  }
  if (schedule.frequency === 'weekly') {
    if (!Number.isInteger(schedule.weekday) || schedule.weekday < 1 || schedule.weekday > 7) {
      throw new AppError(
        'SCHEDULE_INVALID',
        `Weekday ${schedule.weekday} is invalid: use 1 (Monday) to 7 (Sunday).`,
      );
    }
    return { frequency: 'weekly', weekday: schedule.weekday, time };
  }
  if (!Number.isInteger(schedule.monthDay) || schedule.monthDay < 1 || schedule.monthDay > 28) {
    throw new AppError(
      'SCHEDULE_INVALID',
      `Day of the month ${schedule.monthDay} is invalid: use 1 to 28, so that every month has it.`,
    );
  }
  return { frequency: 'monthly', monthDay: schedule.monthDay, time };
}

/**
 * Computes the first scheduled instant strictly after `after`, or null when the schedule is off.
 *
 * Daylight-saving changes: a local time that does not exist that day (02:30 when clocks spring
 * forward from 02:00 to 03:00) runs at the first valid instant after it (03:00). A local time that
 * occurs twice (01:30 when clocks fall back) runs once, at its first occurrence (daylight time).
 */
export function nextRunAfter(schedule: Schedule, timezone: string, after: Date): Date | null {
  if (schedule.frequency === 'off') return null;

  const minutes = parseLocalTime(schedule.time);
  for (const day of candidateDays(schedule, DateTime.fromJSDate(after, { zone: timezone }).startOf('day'))) {
    const instant = resolveLocalTime(day, minutes);
    if (instant.toMillis() > after.getTime()) return instant.toJSDate();
  }
  throw new Error(`No run time found for schedule ${JSON.stringify(schedule)} after ${after.toISOString()}`);
}

/**
 * The local days on which the schedule may next run, in order, starting with `today`. The
 * first day whose run time lies after the given instant wins. Three candidates always suffice
 * because a run time falls on its own local day, even when it moves across a DST gap.
 */
function candidateDays(schedule: Exclude<Schedule, { frequency: 'off' }>, today: DateTime): DateTime[] {
  if (schedule.frequency === 'daily') return [0, 1, 2].map((days) => today.plus({ days }));
  if (schedule.frequency === 'weekly') {
    const ahead = (schedule.weekday - today.weekday + 7) % 7;
    return [ahead, ahead + 7, ahead + 14].map((days) => today.plus({ days }));
  }
  const first = today.set({ day: schedule.monthDay });
  return [0, 1, 2].map((months) => first.plus({ months }));
}

/**
 * Resolves the instant at `minutes` after local midnight on `day`, following the daylight-saving
 * rules of `nextRunAfter`.
 */
function resolveLocalTime(day: DateTime, minutes: number): DateTime {
  const hour = Math.floor(minutes / 60);
  const minute = minutes % 60;
  const wall = { year: day.year, month: day.month, day: day.day, hour, minute };
  const instant = DateTime.fromObject(wall, { zone: day.zone });

  if (instant.hour !== hour || instant.minute !== minute) {
    // The time falls in a spring-forward gap: walk to the first minute that exists.
    for (let step = 1; step <= 24 * 60; step += 1) {
      const later = DateTime.fromObject(wall, { zone: 'utc' }).plus({ minutes: step });
      const candidate = DateTime.fromObject(
        { year: later.year, month: later.month, day: later.day, hour: later.hour, minute: later.minute },
        { zone: day.zone },
      );
      if (candidate.hour === later.hour && candidate.minute === later.minute) return candidate;
    }
  }

  // When clocks fall back the wall time occurs twice; take the earlier instant if there is one.
  for (const shift of [60, 30]) {
    const earlier = instant.minus({ minutes: shift });
    if (earlier.hour === hour && earlier.minute === minute && earlier.day === day.day) return earlier;
  }
  return instant;
}

/**
 * Formats an instant for people in the organization's zone, such as "Mon 7 Dec at 9:30 PM PST".
 */
export function formatLocalInstant(instant: Date, timezone: string): string {
  return DateTime.fromJSDate(instant, { zone: timezone })
    .setLocale('en-US')
    .toFormat("ccc d LLL 'at' h:mm a ZZZZ");
}

/** Formats an instant as ISO 8601 with the organization's offset, such as 2026-12-07T21:30:00.000-08:00. */
export function toZonedIso(instant: Date, timezone: string): string {
  return DateTime.fromJSDate(instant, { zone: timezone }).toISO() ?? instant.toISOString();
}

/** Describes a schedule in words, such as "weekly on Monday at 21:30". */
export function describeSchedule(schedule: Schedule): string {
  if (schedule.frequency === 'off') return 'off';
  if (schedule.frequency === 'daily') return `daily at ${schedule.time}`;
  if (schedule.frequency === 'weekly') {
    const name = weekdayNames[schedule.weekday - 1] ?? String(schedule.weekday);
    return `weekly on ${name[0]!.toUpperCase()}${name.slice(1)} at ${schedule.time}`;
  }
  return `monthly on day ${schedule.monthDay} at ${schedule.time}`;
}

/** Builds a `Schedule` from the stored settings columns; incomplete rows count as off. */
export function scheduleFromSettings(settings: {
  scheduleFrequency: string;
  scheduleTime: string | null;
  scheduleWeekday: number | null;
  scheduleMonthDay: number | null;
}): Schedule {
  const time = settings.scheduleTime;
  if (time === null) return { frequency: 'off' };
  if (settings.scheduleFrequency === 'daily') return { frequency: 'daily', time };
  if (settings.scheduleFrequency === 'weekly' && settings.scheduleWeekday !== null) {
    return { frequency: 'weekly', weekday: settings.scheduleWeekday, time };
  }
  if (settings.scheduleFrequency === 'monthly' && settings.scheduleMonthDay !== null) {
    return { frequency: 'monthly', monthDay: settings.scheduleMonthDay, time };
  }
  return { frequency: 'off' };
}

function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
