import type { Kysely } from 'kysely';

import { type Clock, systemClock } from '../../core/clock.ts';
import type { Config } from '../../core/config.ts';
import {
  findRosterConnection,
  getOrganizationBySlug,
  getSyncSettings,
} from '../../db/queries/organizations.ts';
import type { Database } from '../../db/schema.ts';
import { describeScheduling } from '../../jobs/org-schedule.ts';
import { describeSchedule, formatLocalInstant, scheduleFromSettings } from '../../jobs/schedule.ts';
import type { CliContext } from '../context.ts';

/** The organization as `org show --json` prints it. Never includes the secret. */
export interface OrganizationView {
  slug: string;
  name: string;
  timezone: string;
  autoRostering: boolean;
  archiveDate: string;
  connection: {
    endpointUrl: string;
    oneroster: string;
    auth: string;
    key: string;
    secretStored: boolean;
    lastTestedAt: string | null;
    lastTestOk: boolean | null;
  } | null;
  schedule: { frequency: string; time: string | null; weekday: number | null; monthDay: number | null };
  nextRunAt: string | null;
  syncNow: { available: boolean; reason: string };
  settings: {
    allowRemoval: boolean;
    sendEmails: boolean;
    carryover: boolean;
    allowClassroomRename: boolean;
    defaultJourney: string[];
    schoolFilter: string[];
    gradeFilter: string[];
    maxDeactivatePercent: number;
    maxChangePercent: number;
    fullSyncIntervalDays: number;
    extraEmails: string[];
    oneClassroomPerChild: boolean;
    oneSchoolPerEducator: boolean;
    maxClassroomsPerEducator: number;
    maxContactsPerChild: number;
    classroomSizeWarning: number;
  };
}

/**
 * Builds the organization view. Schedule fields come from the stored settings; the Sync Now
 * availability and next run time are computed by the jobs layer when it is present.
 */
export async function describeOrganization(
  db: Kysely<Database>,
  slug: string,
  _config: Config,
  clock: Clock = systemClock,
): Promise<OrganizationView> {
  const org = await getOrganizationBySlug(db, slug);
  const settings = await getSyncSettings(db, org.id);
  const connection = await findRosterConnection(db, org.id);
  const scheduling = await describeScheduling(db, org, clock, settings);
  const pad = (value: number) => String(value).padStart(2, '0');

  return {
    slug: org.slug,
    name: org.name,
    timezone: org.timezone,
    autoRostering: org.autoRostering,
    archiveDate: `${pad(org.archiveMonth)}-${pad(org.archiveDay)}`,
    connection: connection && {
      endpointUrl: connection.endpointUrl,
      oneroster: connection.onerosterVersion,
      auth: connection.authKind,
      key: connection.clientKey,
      secretStored: connection.secretCiphertext.length > 0,
      lastTestedAt: connection.lastTestedAt?.toISOString() ?? null,
      lastTestOk: connection.lastTestOk,
    },
    schedule: {
      frequency: settings.scheduleFrequency,
      time: settings.scheduleTime,
      weekday: settings.scheduleWeekday,
      monthDay: settings.scheduleMonthDay,
    },
    nextRunAt: scheduling.nextRunAt,
    syncNow: scheduling.syncNow,
    settings: {
      allowRemoval: settings.allowRemoval,
      sendEmails: settings.sendEmails,
      carryover: settings.carryover,
      allowClassroomRename: settings.allowClassroomRename,
      defaultJourney: settings.defaultJourney,
      schoolFilter: settings.schoolFilter,
      gradeFilter: settings.gradeFilter,
      maxDeactivatePercent: Math.round(settings.maxDeactivateRatio * 100),
      maxChangePercent: Math.round(settings.maxChangeRatio * 100),
      fullSyncIntervalDays: settings.fullSyncIntervalDays,
      extraEmails: settings.extraEmails,
      oneClassroomPerChild: settings.oneClassroomPerChild,
      oneSchoolPerEducator: settings.oneSchoolPerEducator,
      maxClassroomsPerEducator: settings.maxClassroomsPerEducator,
      maxContactsPerChild: settings.maxContactsPerChild,
      classroomSizeWarning: settings.classroomSizeWarning,
    },
  };
}

/** Prints the view as aligned "label: value" lines. */
export function printOrganization(context: CliContext, view: OrganizationView): void {
  const onOff = (value: boolean) => (value ? 'on' : 'off');
  const list = (values: string[], empty: string) => (values.length > 0 ? values.join(', ') : empty);
  const schedule = describeSchedule(
    scheduleFromSettings({
      scheduleFrequency: view.schedule.frequency,
      scheduleTime: view.schedule.time,
      scheduleWeekday: view.schedule.weekday,
      scheduleMonthDay: view.schedule.monthDay,
    }),
  );
  const lines: [string, string][] = [
    ['Organization', `${view.name} (${view.slug})`],
    ['Time zone', view.timezone],
    ['Auto rostering', onOff(view.autoRostering)],
    [
      'Roster connection',
      view.connection
        ? `${view.connection.endpointUrl} (OneRoster ${view.connection.oneroster}, ${view.connection.auth}, key ${view.connection.key})`
        : 'not connected',
    ],
    ['Schedule', schedule],
    [
      'Next run',
      view.nextRunAt
        ? `${formatLocalInstant(new Date(view.nextRunAt), view.timezone)} (${view.nextRunAt})`
        : 'none',
    ],
    ['Sync Now', `${view.syncNow.available ? 'available' : 'unavailable'}: ${view.syncNow.reason}`],
    ['Allow removal of data', onOff(view.settings.allowRemoval)],
    ['Send emails', onOff(view.settings.sendEmails)],
    ['Auto-carryover', onOff(view.settings.carryover)],
    ['Classroom renames', onOff(view.settings.allowClassroomRename)],
    ['Journey for new children', list(view.settings.defaultJourney, 'none')],
    ['Schools imported', list(view.settings.schoolFilter, 'all')],
    ['Grades imported', list(view.settings.gradeFilter, 'all')],
    [
      'Review thresholds',
      `${view.settings.maxDeactivatePercent}% deactivated, ${view.settings.maxChangePercent}% changed`,
    ],
    ['Archive date', view.archiveDate],
  ];
  const width = Math.max(...lines.map(([label]) => label.length));
  for (const [label, value] of lines) context.print(`${label.padEnd(width)}  ${value}`);
}
