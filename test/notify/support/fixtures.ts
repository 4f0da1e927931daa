import { Writable } from 'node:stream';

import type { Kysely } from 'kysely';
import pino from 'pino';

import type { Clock } from '../../../src/core/clock.ts';
import { type Logger, redactedPaths } from '../../../src/core/logger.ts';
import type { Database, Organization } from '../../../src/db/schema.ts';
import type { NotifyDeps } from '../../../src/notify/notify.ts';
import type { MailTransport } from '../../../src/notify/transport.ts';
import { createOrganization, updateSettings } from '../../../src/roster/organizations.ts';
import { emptyRunCounts, type RunReport, type RunStatus } from '../../../src/sync/report.ts';

export interface TestOrgOptions {
  slug: string;
  name?: string;
  timezone?: string;
  admins?: string[];
  extraEmails?: string[];
  sendEmails?: boolean;
}

/** Creates an organization with org-admin users and the e-mail settings given (Send emails on by default). */
export async function createTestOrg(db: Kysely<Database>, options: TestOrgOptions): Promise<Organization> {
  const org = await createOrganization(db, {
    name: options.name ?? `District ${options.slug}`,
    slug: options.slug,
    timezone: options.timezone ?? 'America/Chicago',
    actor: 'test',
  });
  for (const email of options.admins ?? []) {
    await db.insertInto('appUsers').values({ email, role: 'org-admin', orgId: org.id }).execute();
  }
  await updateSettings(
    db,
    options.slug,
    { sendEmails: options.sendEmails ?? true, extraEmails: options.extraEmails ?? [] },
    'test',
  );
  return org;
}

/** Inserts a run row so that messages can point at it; returns its id. */
export async function insertRun(db: Kysely<Database>, orgId: string, status: RunStatus): Promise<string> {
  const row = await db
    .insertInto('syncRuns')
    .values({ orgId, trigger: 'cli', mode: 'full', status })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A run report with zero counts, started 2026-12-04 15:00 UTC and finished 2 min 5 s later. */
export function buildReport(overrides: Partial<RunReport> & Pick<RunReport, 'runId' | 'org'>): RunReport {
  return {
    trigger: 'scheduled',
    mode: 'full',
    status: 'succeeded',
    startedAt: '2026-12-04T15:00:00.000Z',
    finishedAt: '2026-12-04T15:02:05.000Z',
    counts: emptyRunCounts(),
    warnings: [],
    error: null,
    ...overrides,
  };
}

/** A logger that keeps its JSON lines in memory, with the production redaction rules. */
export function captureLogger(): { logger: Logger; output(): string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ level: 'debug', redact: { paths: redactedPaths, censor: '[redacted]' } }, sink);
  return { logger, output: () => lines.join('') };
}

export const testConfig = {
  publicUrl: 'https://roster.example.org',
  supportContact: 'help@platform.example.org',
  mailFrom: 'Roster Sync <rostersync@platform.example.org>',
};

export function notifyDeps(
  db: Kysely<Database>,
  transport: MailTransport,
  logger: Logger,
  extra: { clock?: Clock } = {},
): NotifyDeps {
  return { db, transport, logger, config: testConfig, clock: extra.clock };
}
