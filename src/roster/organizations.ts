import type { Kysely } from 'kysely';
import { IANAZone } from 'luxon';

import { encryptSecret, type SecretKey } from '../core/crypto.ts';
import { assertNoControlCharacters, normalizeEmailList } from '../core/email-address.ts';
import { AppError } from '../core/errors.ts';
import { isValidSlug } from '../core/ids.ts';
import { json } from '../db/json.ts';
import { getOrganizationBySlug, insertAuditEntry } from '../db/queries/organizations.ts';
import type { Database, Organization } from '../db/schema.ts';
import { normalizeGradeCode, normalizeGradeCodes } from './grades.ts';

export interface NewOrganizationInput {
  name: string;
  slug: string;
  /** IANA time zone. Default America/New_York. */
  timezone?: string;
  /** Default true: the command line acts as platform staff, who switch it on. */
  autoRostering?: boolean;
  actor: string;
}

/**
 * Creates an organization with default sync settings. Throws `INVALID_INPUT` for a bad name, slug
 * or time zone, `EMAIL_HEADER_INJECTION` for a name with a line break (it reaches e-mail subjects)
 * and `ORG_SLUG_TAKEN` when the slug exists.
 */
export async function createOrganization(
  db: Kysely<Database>,
  input: NewOrganizationInput,
): Promise<Organization> {
  const name = input.name.trim();
  assertNoControlCharacters('The organization name', name);
  if (name.length === 0 || name.length > 200) {
    throw new AppError(
      'INVALID_INPUT',
      `The organization name must have 1 to 200 characters (got ${name.length}).`,
    );
  }
  if (!isValidSlug(input.slug)) {
    throw new AppError(
      'INVALID_INPUT',
      `The slug ${JSON.stringify(input.slug)} is invalid: use 1 to 64 lowercase letters, digits and inner hyphens, such as "demo-district".`,
    );
  }
  const timezone = validateTimezone(input.timezone ?? 'America/New_York');

  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('organizations')
      .select('id')
      .where('slug', '=', input.slug)
      .executeTakeFirst();
    if (existing)
      throw new AppError(
        'ORG_SLUG_TAKEN',
        `An organization with the slug ${JSON.stringify(input.slug)} already exists.`,
      );

    const org = await trx
      .insertInto('organizations')
      .values({ name, slug: input.slug, timezone, autoRostering: input.autoRostering ?? true })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.insertInto('syncSettings').values({ orgId: org.id }).execute();
    await insertAuditEntry(trx, {
      orgId: org.id,
      actor: input.actor,
      action: 'organization.create',
      changes: { name, slug: input.slug, timezone, autoRostering: org.autoRostering },
    });
    return org;
  });
}

/**
 * Returns the canonical IANA name of `timezone`, such as America/New_York for
 * "america/new_york" or US/Eastern. Throws `INVALID_INPUT` for an unknown zone, and for
 * abbreviations and POSIX names such as PST, EST, CET or EST5EDT. ICU accepts those, but it reads
 * "EST" as America/Panama, which has no daylight saving time. Only Area/Location names and UTC
 * pass.
 */
export function validateTimezone(timezone: string): string {
  const trimmed = timezone.trim();
  const canonical = IANAZone.isValidZone(trimmed)
    ? new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone
    : null;
  if (canonical === null) {
    throw new AppError(
      'INVALID_INPUT',
      `${JSON.stringify(timezone)} is not a time zone: use an IANA name such as America/Chicago or America/Los_Angeles.`,
    );
  }
  if (!trimmed.includes('/') && canonical !== 'UTC') {
    throw new AppError(
      'INVALID_INPUT',
      `${JSON.stringify(timezone)} is an abbreviation, not an IANA time zone name: abbreviations are ambiguous or ignore daylight saving time. Use a name such as America/New_York, America/Chicago, America/Denver or America/Los_Angeles.`,
    );
  }
  return canonical;
}

export interface RosterConnectionInput {
  /** Endpoint URL already normalized and checked by the OneRoster layer. */
  endpointUrl: string;
  version: '1.1' | '1.2';
  authKind: 'oauth1' | 'oauth2' | 'bearer';
  signatureMethod?: 'HMAC-SHA256' | 'HMAC-SHA1';
  key: string;
  secret: string;
  tokenUrl?: string | null;
  scopes?: string | null;
  actor: string;
}

/**
 * Stores (or replaces) an organization's roster connection with the secret encrypted at rest. The
 * audit entry records that the secret changed, never its value.
 */
export async function saveRosterConnection(
  db: Kysely<Database>,
  slug: string,
  input: RosterConnectionInput,
  secretKey: SecretKey,
): Promise<void> {
  if (input.key.trim().length === 0)
    throw new AppError('INVALID_INPUT', 'The key is empty: copy it from the roster server.');
  if (input.secret.length === 0)
    throw new AppError('INVALID_INPUT', 'The secret is empty: copy it from the roster server.');
  if (input.authKind === 'oauth2' && !input.tokenUrl) {
    throw new AppError('INVALID_INPUT', 'OAuth 2 needs a token URL (--token-url).');
  }

  const org = await getOrganizationBySlug(db, slug);
  const encrypted = encryptSecret(input.secret, secretKey);
  const values = {
    endpointUrl: input.endpointUrl,
    onerosterVersion: input.version,
    authKind: input.authKind,
    signatureMethod: input.signatureMethod ?? 'HMAC-SHA256',
    clientKey: input.key.trim(),
    secretCiphertext: encrypted.ciphertext,
    secretKeyId: encrypted.keyId,
    tokenUrl: input.tokenUrl ?? null,
    scopes: input.scopes ?? null,
    updatedAt: new Date(),
  } as const;

  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('rosterConnections')
      .values({ orgId: org.id, ...values })
      .onConflict((conflict) => conflict.column('orgId').doUpdateSet(values))
      .execute();
    await insertAuditEntry(trx, {
      orgId: org.id,
      actor: input.actor,
      action: 'connection.save',
      changes: {
        endpointUrl: input.endpointUrl,
        version: input.version,
        authKind: input.authKind,
        key: input.key.trim(),
        secret: 'changed',
      },
    });
  });
}

/** Settings an admin or platform staff can change; undefined fields are left as they are. */
export interface SettingsChange {
  name?: string;
  timezone?: string;
  autoRostering?: boolean;
  archiveDate?: { month: number; day: number };
  allowRemoval?: boolean;
  sendEmails?: boolean;
  carryover?: boolean;
  allowClassroomRename?: boolean;
  defaultJourney?: string[];
  schoolFilter?: string[];
  gradeFilter?: string[];
  maxDeactivateRatio?: number;
  maxChangeRatio?: number;
  fullSyncIntervalDays?: number;
  extraEmails?: string[];
  oneClassroomPerChild?: boolean;
  oneSchoolPerEducator?: boolean;
  maxClassroomsPerEducator?: number;
  maxContactsPerChild?: number;
  classroomSizeWarning?: number;
}

const organizationFields = ['name', 'timezone', 'autoRostering'] as const;

/**
 * Applies a settings change in one transaction with an audit entry listing the changed fields.
 * Throws `INVALID_INPUT` for out-of-range values, unknown grades and a bad time zone, and
 * `JOURNEY_NOT_LICENSED` when the default journey names a product the organization has no
 * licence for. Grades are stored as grade codes (`pk` as PK). Extra e-mail addresses are trimmed
 * and deduplicated; an invalid one throws `EMAIL_ADDRESS_INVALID`, and a line break or control
 * character in an address or the name throws `EMAIL_HEADER_INJECTION`.
 */
export async function updateSettings(
  db: Kysely<Database>,
  slug: string,
  change: SettingsChange,
  actor: string,
): Promise<void> {
  validateSettingsChange(change);
  if (change.extraEmails) change = { ...change, extraEmails: normalizeEmailList(change.extraEmails) };
  if (change.gradeFilter) change = { ...change, gradeFilter: gradeCodesOf(change.gradeFilter) };
  const org = await getOrganizationBySlug(db, slug);

  await db.transaction().execute(async (trx) => {
    if (change.defaultJourney) await assertLicensed(trx, org.id, change.defaultJourney);

    const orgUpdate: Record<string, unknown> = {};
    for (const field of organizationFields) {
      if (change[field] !== undefined)
        orgUpdate[field] = field === 'timezone' ? validateTimezone(change.timezone!) : change[field];
    }
    if (change.archiveDate) {
      orgUpdate.archiveMonth = change.archiveDate.month;
      orgUpdate.archiveDay = change.archiveDate.day;
    }
    if (Object.keys(orgUpdate).length > 0) {
      await trx
        .updateTable('organizations')
        .set({ ...orgUpdate, updatedAt: new Date() })
        .where('id', '=', org.id)
        .execute();
    }

    const settingsUpdate = settingsColumns(change);
    if (Object.keys(settingsUpdate).length > 0) {
      await trx
        .updateTable('syncSettings')
        .set({ ...settingsUpdate, updatedAt: new Date() })
        .where('orgId', '=', org.id)
        .execute();
    }
    await insertAuditEntry(trx, { orgId: org.id, actor, action: 'settings.update', changes: { ...change } });
  });
}

function settingsColumns(change: SettingsChange): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  const plain = [
    'allowRemoval',
    'sendEmails',
    'carryover',
    'allowClassroomRename',
    'maxDeactivateRatio',
    'maxChangeRatio',
    'fullSyncIntervalDays',
    'oneClassroomPerChild',
    'oneSchoolPerEducator',
    'maxClassroomsPerEducator',
    'maxContactsPerChild',
    'classroomSizeWarning',
  ] as const;
  for (const field of plain) if (change[field] !== undefined) columns[field] = change[field];
  const lists = ['defaultJourney', 'schoolFilter', 'gradeFilter', 'extraEmails'] as const;
  for (const field of lists) if (change[field] !== undefined) columns[field] = json(change[field]);
  return columns;
}

function validateSettingsChange(change: SettingsChange): void {
  const ratio = (name: string, value: number | undefined) => {
    if (value !== undefined && !(value >= 0 && value <= 1)) {
      throw new AppError(
        'INVALID_INPUT',
        `${name} must be a percentage from 0 to 100 (got ${Math.round(value * 100)}).`,
      );
    }
  };
  ratio('The deactivation threshold', change.maxDeactivateRatio);
  ratio('The change threshold', change.maxChangeRatio);

  const whole = (name: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
      throw new AppError(
        'INVALID_INPUT',
        `${name} must be a whole number from ${min} to ${max} (got ${value}).`,
      );
    }
  };
  whole('The full sync interval in days', change.fullSyncIntervalDays, 1, 365);
  whole('The maximum classrooms per educator', change.maxClassroomsPerEducator, 1, 1000);
  whole('The maximum family contacts per child', change.maxContactsPerChild, 0, 100);
  whole('The classroom size warning', change.classroomSizeWarning, 1, 10000);

  if (change.archiveDate) {
    const { month, day } = change.archiveDate;
    const daysInMonth = new Date(Date.UTC(2023, month, 0)).getUTCDate();
    if (!(
      Number.isInteger(month) &&
      month >= 1 &&
      month <= 12 &&
      Number.isInteger(day) &&
      day >= 1 &&
      day <= daysInMonth
    )) {
      throw new AppError(
        'INVALID_INPUT',
        `The archive date ${month}-${day} is not a day of the year: use MM-DD, such as 08-01.`,
      );
    }
  }
  if (change.name !== undefined) assertNoControlCharacters('The organization name', change.name);
  const nameLength = change.name?.trim().length;
  if (nameLength !== undefined && (nameLength === 0 || nameLength > 200)) {
    throw new AppError(
      'INVALID_INPUT',
      `The organization name must have 1 to 200 characters (got ${nameLength}).`,
    );
  }
}

/** Folds each grade onto its grade code, once each. Throws `INVALID_INPUT` naming a value that is not a grade. */
function gradeCodesOf(grades: string[]): string[] {
  const unknown = grades.find((grade) => normalizeGradeCode(grade) === null);
  if (unknown !== undefined) {
    throw new AppError(
      'INVALID_INPUT',
      `${JSON.stringify(unknown)} is not a grade code: use codes such as IT, PR, PK, TK, KG or 01 to 13.`,
    );
  }
  return normalizeGradeCodes(grades);
}

/** Throws `JOURNEY_NOT_LICENSED` naming each product in `products` the organization has no licence for. */
export async function assertLicensed(db: Kysely<Database>, orgId: string, products: string[]): Promise<void> {
  if (products.length === 0) return;
  const licensed = await db
    .selectFrom('licences')
    .select('productCode')
    .where('orgId', '=', orgId)
    .where('productCode', 'in', products)
    .execute();
  const have = new Set(licensed.map((row) => row.productCode));
  const missing = products.filter((code) => !have.has(code));
  if (missing.length > 0) {
    throw new AppError(
      'JOURNEY_NOT_LICENSED',
      `The organization is not licensed for ${missing.map((code) => JSON.stringify(code)).join(', ')}.`,
    );
  }
}
