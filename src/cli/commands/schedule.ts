import type { Command } from 'commander';

import { systemClock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { saveSchedule } from '../../jobs/org-schedule.ts';
import {
  describeSchedule,
  formatLocalInstant,
  parseWeekday,
  type Schedule,
  toZonedIso,
} from '../../jobs/schedule.ts';
import { runCommand } from '../run-command.ts';

export interface ScheduleOptions {
  org: string;
  daily?: string;
  weekly?: string[];
  monthly?: string[];
  off?: boolean;
  json?: boolean;
}

/** Registers `org schedule` on the `org` command. */
export function registerScheduleCommand(org: Command): void {
  org
    .command('schedule')
    .description(
      'set when an organization syncs, in its time zone; daily syncs must start inside the off-peak window (ROSTERSYNC_OFF_PEAK, default 19:00-05:00)',
    )
    .requiredOption('--org <slug>', 'organization slug')
    .option('--daily <HH:MM>', 'every day at this local time (24-hour)')
    .option('--weekly <DAY HH:MM...>', 'every week on this day (Monday or Mon, or 1-7) at this local time')
    .option('--monthly <D HH:MM...>', 'every month on this day (1-28) at this local time')
    .option('--off', 'no scheduled syncs (Sync Now still works)')
    .option('--json', 'print the saved schedule and next run as JSON')
    .action((options: ScheduleOptions) =>
      runCommand(async (context) => {
        const schedule = parseScheduleOptions(options);
        const store = await context.store();
        const saved = await saveSchedule(store.db, systemClock, context.config, options.org, schedule, 'cli');
        const zone = saved.org.timezone;
        if (options.json) {
          context.print(
            JSON.stringify({
              org: saved.org.slug,
              schedule: saved.schedule,
              timezone: zone,
              nextRunAt: saved.nextRunAt && toZonedIso(saved.nextRunAt, zone),
            }),
          );
          return;
        }
        const next = saved.nextRunAt
          ? `next run ${formatLocalInstant(saved.nextRunAt, zone)} (${toZonedIso(saved.nextRunAt, zone)})`
          : 'no run scheduled';
        context.print(
          `Schedule for ${saved.org.slug}: ${describeSchedule(saved.schedule)} (${zone}); ${next}.`,
        );
      }),
    );
}

/** Turns the options into a schedule; throws `INVALID_INPUT` unless exactly one form is given. */
export function parseScheduleOptions(options: ScheduleOptions): Schedule {
  const forms = [options.daily, options.weekly, options.monthly, options.off].filter(
    (value) => value !== undefined,
  );
  if (forms.length !== 1) {
    throw new AppError(
      'INVALID_INPUT',
      'Give exactly one of --daily HH:MM, --weekly DAY HH:MM, --monthly D HH:MM or --off.',
    );
  }
  if (options.off) return { frequency: 'off' };
  if (options.daily !== undefined) return { frequency: 'daily', time: options.daily };
  if (options.weekly !== undefined) {
    const [day, time, ...rest] = options.weekly;
    if (day === undefined || time === undefined || rest.length > 0) {
      throw new AppError(
        'INVALID_INPUT',
        `--weekly takes a day and a time, such as --weekly Monday 21:30 (got ${JSON.stringify(options.weekly.join(' '))}).`,
      );
    }
    return { frequency: 'weekly', weekday: parseWeekday(day), time };
  }
  const [day, time, ...rest] = options.monthly ?? [];
  const monthDay = Number(day);
  if (day === undefined || time === undefined || rest.length > 0 || !/^\d{1,2}$/.test(day)) {
    throw new AppError(
      'INVALID_INPUT',
      `--monthly takes a day from 1 to 28 and a time, such as --monthly 1 21:30 (got ${JSON.stringify((options.monthly ?? []).join(' '))}).`,
    );
  }
  return { frequency: 'monthly', monthDay, time };
}
