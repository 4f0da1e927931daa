import type { Command } from 'commander';

import { AppError } from '../../core/errors.ts';
import { systemClock } from '../../core/clock.ts';
import { getOrganizationBySlug, getSyncSettings } from '../../db/queries/organizations.ts';
import { saveSchedule } from '../../jobs/org-schedule.ts';
import { formatLocalInstant, scheduleFromSettings } from '../../jobs/schedule.ts';
import { checkEndpointUrlSyntax } from '../endpoint-input.ts';
import { assertEndpointAllowed, normalizeEndpointUrl } from '../../oneroster/endpoint.ts';
import {
  createOrganization,
  saveRosterConnection,
  type SettingsChange,
  updateSettings,
} from '../../roster/organizations.ts';
import { type CliContext } from '../context.ts';
import { exitCodes, parseList, parseOnOff, runCommand } from '../run-command.ts';
import { runConnectionTest } from './org-connect-test.ts';
import { describeOrganization, printOrganization } from './org-show.ts';

const cliActor = 'cli';

/** Registers `org create|connect|set|show` and returns the `org` command for other groups to extend. */
export function registerOrgCommands(program: Command): Command {
  const org = program
    .command('org')
    .description('create and configure organizations (acts as platform staff)');

  org
    .command('create')
    .description('create an organization; auto rostering is switched on unless --no-auto-rostering')
    .requiredOption('--name <name>', 'display name, e.g. "Demo District"')
    .requiredOption(
      '--slug <slug>',
      'short id used by every other command: lowercase letters, digits, hyphens',
    )
    .option('--timezone <tz>', 'IANA time zone for schedules and the archive date', 'America/New_York')
    .option('--no-auto-rostering', 'create it with auto rostering switched off')
    .action((options: { name: string; slug: string; timezone: string; autoRostering: boolean }) =>
      runCommand(async (context) => {
        const store = await context.store();
        const created = await createOrganization(store.db, { ...options, actor: cliActor });
        context.print(
          `Created organization ${created.slug} (${created.name}), time zone ${created.timezone}, auto rostering ${created.autoRostering ? 'on' : 'off'}.`,
        );
      }),
    );

  org
    .command('connect')
    .description('store the roster endpoint URL, key and secret (the secret is encrypted at rest)')
    .requiredOption('--org <slug>', 'organization slug')
    .requiredOption(
      '--url <url>',
      'rostering endpoint URL as ClassLink shows it, e.g. https://x-ca-v2.oneroster.com/ims/oneroster/',
    )
    .requiredOption('--key <key>', 'client key (OAuth 1.0a) or client id (OAuth 2)')
    .requiredOption(
      '--secret <secret>',
      'client secret (or the bearer token with --auth bearer); "-" reads it from standard input, which keeps it out of the process list and shell history',
    )
    .option('--oneroster <version>', 'OneRoster version: 1.1 or 1.2', '1.1')
    .option('--auth <kind>', 'oauth1, oauth2 or bearer', 'oauth1')
    .option('--signature <method>', 'OAuth 1.0a signature method: HMAC-SHA256 or HMAC-SHA1', 'HMAC-SHA256')
    .option('--token-url <url>', 'OAuth 2 token URL')
    .option('--scopes <scopes>', 'OAuth 2 scopes, space-separated')
    .option('--test', 'test the connection first and save it only when the test passes')
    .option('--json', 'with --test, print the test result as JSON')
    .action((options: ConnectOptions) => runCommand((context) => connect(context, options)));

  org
    .command('set')
    .description("change an organization's settings; options not given stay as they are")
    .requiredOption('--org <slug>', 'organization slug')
    .option('--name <name>', 'display name')
    .option('--timezone <tz>', 'IANA time zone')
    .option('--auto-rostering <on|off>', 'switch auto rostering on or off (platform staff)')
    .option('--allow-removal <on|off>', 'deactivate what disappears upstream or arrives as tobedeleted')
    .option('--send-emails <on|off>', 'e-mail admins about each sync outcome')
    .option('--carryover <on|off>', 'match incoming children to archived children of earlier years')
    .option('--allow-classroom-rename <on|off>', 'let local classroom names override roster names')
    .option('--journey <products>', 'comma list of licensed product codes every new child gets')
    .option('--schools <ids>', 'comma list of school sourcedIds to import; "all" for every school')
    .option(
      '--grades <codes>',
      'comma list of grade codes to import, e.g. IT,PR,PK,TK,KG; "all" for every grade',
    )
    .option(
      '--max-deactivate-percent <n>',
      'hold a run for review above this share of any kind deactivated (default 10)',
    )
    .option(
      '--max-change-percent <n>',
      'hold a run for review above this share of any kind changed (default 75)',
    )
    .option(
      '--full-sync-days <n>',
      'run a full sync when the last full one is older than this many days (default 7)',
    )
    .option('--extra-emails <addresses>', 'comma list of addresses that get sync e-mails besides the admins')
    .option('--archive-date <MM-DD>', 'yearly archive date, local time (default 08-01)')
    .option('--one-classroom-per-child <on|off>', 'keep each child in one classroom (default on)')
    .option('--one-school-per-educator <on|off>', 'keep each educator in one school (default on)')
    .option('--max-classrooms-per-educator <n>', 'most classrooms an educator keeps (default 10)')
    .option('--max-contacts-per-child <n>', 'most family contacts a child keeps (default 4)')
    .option('--classroom-size-warning <n>', 'warn above this many children in a classroom (default 32)')
    .action((options: Record<string, string | undefined>) =>
      runCommand(async (context) => {
        const change = parseSettingsOptions(options);
        if (Object.keys(change).length === 0) {
          throw new AppError('INVALID_INPUT', 'No setting was given: see `rostersync org set --help`.');
        }
        const store = await context.store();
        await updateSettings(store.db, options.org!, change, cliActor);
        context.print(`Updated ${Object.keys(change).join(', ')} for ${options.org}.`);
        if (change.timezone !== undefined) await rearmSchedule(context, options.org!);
      }),
    );

  org
    .command('show')
    .description('print settings, schedule, next run and Sync Now availability (never the secret)')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--json', 'print JSON')
    .action((options: { org: string; json?: boolean }) =>
      runCommand(async (context) => {
        const store = await context.store();
        const view = await describeOrganization(store.db, options.org, context.config);
        if (options.json) context.print(JSON.stringify(view, null, 2));
        else printOrganization(context, view);
      }),
    );

  return org;
}

/**
 * Arms the next scheduled run again after a time zone change, because the armed instant was
 * computed in the old zone.
 */
async function rearmSchedule(context: CliContext, slug: string): Promise<void> {
  const store = await context.store();
  const org = await getOrganizationBySlug(store.db, slug);
  const schedule = scheduleFromSettings(await getSyncSettings(store.db, org.id));
  if (schedule.frequency === 'off') return;
  const { nextRunAt } = await saveSchedule(store.db, systemClock, context.config, slug, schedule, cliActor);
  if (nextRunAt) context.print(`Next scheduled sync: ${formatLocalInstant(nextRunAt, org.timezone)}.`);
}

interface ConnectOptions {
  org: string;
  url: string;
  key: string;
  secret: string;
  oneroster: string;
  auth: string;
  signature: string;
  tokenUrl?: string;
  scopes?: string;
  test?: boolean;
  json?: boolean;
}

async function connect(context: CliContext, commandOptions: ConnectOptions): Promise<number> {
  const options =
    commandOptions.secret === '-'
      ? { ...commandOptions, secret: await readSecretFromStdin() }
      : commandOptions;
  const version = options.oneroster;
  if (version !== '1.1' && version !== '1.2') {
    throw new AppError('INVALID_INPUT', `--oneroster must be 1.1 or 1.2, not ${JSON.stringify(version)}.`);
  }
  const authKind = options.auth;
  if (authKind !== 'oauth1' && authKind !== 'oauth2' && authKind !== 'bearer') {
    throw new AppError(
      'INVALID_INPUT',
      `--auth must be oauth1, oauth2 or bearer, not ${JSON.stringify(authKind)}.`,
    );
  }
  const signatureMethod = options.signature.toUpperCase();
  if (signatureMethod !== 'HMAC-SHA256' && signatureMethod !== 'HMAC-SHA1') {
    throw new AppError(
      'INVALID_INPUT',
      `--signature must be HMAC-SHA256 or HMAC-SHA1, not ${JSON.stringify(options.signature)}.`,
    );
  }
  const endpointUrl = normalizeEndpointUrl(options.url, version);
  assertEndpointAllowed(endpointUrl, context.config);
  if (options.tokenUrl) checkEndpointUrlSyntax(options.tokenUrl, 'token URL');

  const store = await context.store();
  await getOrganizationBySlug(store.db, options.org);
  if (options.test) {
    const input = { ...options, endpointUrl, version, authKind, signatureMethod } as const;
    const result = await runConnectionTest(context, input, options.json === true);
    if (!result.ok) {
      process.stderr.write(`Nothing was saved for ${options.org}.\n`);
      return exitCodes.failed;
    }
  }
  await saveRosterConnection(
    store.db,
    options.org,
    {
      endpointUrl,
      version,
      authKind,
      signatureMethod,
      key: options.key,
      secret: options.secret,
      tokenUrl: options.tokenUrl ?? null,
      scopes: options.scopes ?? null,
      actor: cliActor,
    },
    context.secretKey(),
  );
  const saved = `Saved the roster connection for ${options.org}: ${endpointUrl} (OneRoster ${version}, ${authKind}).`;
  // With --json, standard output carries only the test result.
  if (options.json) process.stderr.write(`${saved}\n`);
  else context.print(saved);
  return 0;
}

/** Reads a secret piped to standard input, without the line break that `echo` or a file adds. */
async function readSecretFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Paste the secret, then press Enter and Ctrl-D:\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Turns `org set` options into a settings change, validating each value and naming the option. */
export function parseSettingsOptions(options: Record<string, string | undefined>): SettingsChange {
  const change: SettingsChange = {};
  const number = (option: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    // Decimal only: Number() also reads "0x10" as 16 and "1e1" as 10.
    const parsed = Number(value);
    if (!/^\s*-?\d+(\.\d+)?\s*$/.test(value) || !Number.isFinite(parsed)) {
      throw new AppError('INVALID_INPUT', `${option} must be a number, not ${JSON.stringify(value)}.`);
    }
    return parsed;
  };
  const percent = (option: string, value: string | undefined) => {
    const parsed = number(option, value);
    return parsed === undefined ? undefined : parsed / 100;
  };
  const allOrList = (value: string | undefined) =>
    value?.trim().toLowerCase() === 'all' ? [] : parseList(value);

  const entries: Partial<SettingsChange> = {
    name: options.name,
    timezone: options.timezone,
    autoRostering: parseOnOff('--auto-rostering', options.autoRostering),
    allowRemoval: parseOnOff('--allow-removal', options.allowRemoval),
    sendEmails: parseOnOff('--send-emails', options.sendEmails),
    carryover: parseOnOff('--carryover', options.carryover),
    allowClassroomRename: parseOnOff('--allow-classroom-rename', options.allowClassroomRename),
    defaultJourney: parseList(options.journey),
    schoolFilter: allOrList(options.schools),
    gradeFilter: allOrList(options.grades),
    maxDeactivateRatio: percent('--max-deactivate-percent', options.maxDeactivatePercent),
    maxChangeRatio: percent('--max-change-percent', options.maxChangePercent),
    fullSyncIntervalDays: number('--full-sync-days', options.fullSyncDays),
    extraEmails: parseList(options.extraEmails),
    oneClassroomPerChild: parseOnOff('--one-classroom-per-child', options.oneClassroomPerChild),
    oneSchoolPerEducator: parseOnOff('--one-school-per-educator', options.oneSchoolPerEducator),
    maxClassroomsPerEducator: number('--max-classrooms-per-educator', options.maxClassroomsPerEducator),
    maxContactsPerChild: number('--max-contacts-per-child', options.maxContactsPerChild),
    classroomSizeWarning: number('--classroom-size-warning', options.classroomSizeWarning),
  };
  if (options.archiveDate !== undefined) {
    const match = /^(\d{1,2})-(\d{1,2})$/.exec(options.archiveDate.trim());
    if (!match)
      throw new AppError(
        'INVALID_INPUT',
        `--archive-date must be MM-DD, such as 08-01, not ${JSON.stringify(options.archiveDate)}.`,
      );
    entries.archiveDate = { month: Number(match[1]), day: Number(match[2]) };
  }
  for (const [key, value] of Object.entries(entries)) {
    if (value !== undefined) (change as Record<string, unknown>)[key] = value;
  }
  return change;
}
