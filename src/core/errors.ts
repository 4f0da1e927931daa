/**
 * The registry of error codes that the command line, the run reports, the e-mails and the API
 * return. Each entry has the HTTP status the API returns, a default message, and a hint
 * that tells an organization admin (or an operator, for platform errors) what to do next.
 *
 * `docs/errors.md` is generated from this table by `npm run docs:errors`; a test fails when the
 * two differ, so add a code here, then regenerate the doc.
 */
export interface ErrorSpec {
  /** HTTP status the API returns. */
  readonly status: number;
  /** Default message, used when the thrower gives none. */
  readonly message: string;
  /** Next step for the reader, in words an organization admin can act on. */
  readonly hint: string;
  /** Area of the product that raises it, for the generated doc. */
  readonly area: ErrorArea;
}

export type ErrorArea =
  | 'configuration'
  | 'storage'
  | 'input'
  | 'oneroster'
  | 'csv'
  | 'sync'
  | 'roster'
  | 'jobs'
  | 'notify'
  | 'http';

export const errorRegistry = {
  // configuration
  CONFIG_INVALID: {
    area: 'configuration',
    status: 500,
    message: 'An environment variable has an invalid value.',
    hint: 'Correct the variable named in the message and start the process again.',
  },
  SECRET_KEY_INVALID: {
    area: 'configuration',
    status: 500,
    message: 'ROSTERSYNC_SECRET_KEY is not a 32-byte key.',
    hint: 'Set ROSTERSYNC_SECRET_KEY to 64 hexadecimal characters or 44 base64 characters (32 random bytes), for example from `openssl rand -hex 32`.',
  },
  SECRET_KEY_MISSING: {
    area: 'configuration',
    status: 500,
    message: 'No encryption key is available for stored secrets.',
    hint: 'Set ROSTERSYNC_SECRET_KEY (32 random bytes as hex or base64). It is required with PostgreSQL; the embedded store creates a key file instead.',
  },
  SECRET_DECRYPT_FAILED: {
    area: 'configuration',
    status: 500,
    message: 'A stored secret could not be decrypted with the current key.',
    hint: 'Start the service with the ROSTERSYNC_SECRET_KEY that encrypted the secret, or enter the roster secret again on the Roster Sync Settings page.',
  },

  // storage
  DB_UNREACHABLE: {
    area: 'storage',
    status: 503,
    message: 'The database could not be reached.',
    hint: 'Check DATABASE_URL and that the PostgreSQL server is running and accepts connections.',
  },
  DB_CONNECTION_LOST: {
    area: 'storage',
    status: 503,
    message: 'The connection to the database was lost; the changes in progress were rolled back.',
    hint: 'Check that the PostgreSQL server is running and reachable, then run the sync again.',
  },
  DB_SCHEMA_NEWER: {
    area: 'storage',
    status: 500,
    message: 'The database schema is newer than this version of Roster Sync.',
    hint: 'Run the Roster Sync version that last migrated this database, or a newer one. Never downgrade a migrated database.',
  },
  DB_MIGRATION_FAILED: {
    area: 'storage',
    status: 500,
    message: 'A database migration failed.',
    hint: 'Read the cause in the log, fix it, and run `rostersync migrate` again. A failed migration is rolled back.',
  },

  // input and lookups
  INVALID_INPUT: {
    area: 'input',
    status: 400,
    message: 'A value is invalid.',
    hint: 'Correct the value named in the message and try again.',
  },
  NOT_FOUND: {
    area: 'input',
    status: 404,
    message: 'The record was not found.',
    hint: 'Check the identifier and try again.',
  },
  ORG_NOT_FOUND: {
    area: 'input',
    status: 404,
    message: 'No organization has that slug.',
    hint: 'List organizations or check the spelling of the slug.',
  },
  ORG_SLUG_TAKEN: {
    area: 'input',
    status: 409,
    message: 'An organization with that slug already exists.',
    hint: 'Choose another slug, or use the existing organization.',
  },
  USER_EXISTS: {
    area: 'input',
    status: 409,
    message: 'A user with that e-mail address already exists.',
    hint: 'Use another address, or change the existing user.',
  },
  RUN_NOT_FOUND: {
    area: 'input',
    status: 404,
    message: 'No sync run has that id.',
    hint: 'List the import history with `rostersync runs --org SLUG` and copy the run id from there.',
  },
  CONNECTION_MISSING: {
    area: 'input',
    status: 409,
    message: 'The organization has no roster connection.',
    hint: 'Enter the rostering endpoint URL, key and secret on the Roster Sync Settings page (or `rostersync org connect`).',
  },
  ENDPOINT_URL_INVALID: {
    area: 'input',
    status: 400,
    message: 'The rostering endpoint URL is invalid.',
    hint: 'Paste the endpoint URL exactly as ClassLink shows it under Roster Server > Apps > the app > API, for example https://yourdistrict-ca-v2.oneroster.com/ims/oneroster/.',
  },
  ENDPOINT_NOT_ALLOWED: {
    area: 'input',
    status: 400,
    message: 'The rostering endpoint URL points to an address Roster Sync may not contact.',
    hint: 'Use the public https endpoint URL of the roster server. Private, loopback and link-local addresses are refused unless the operator sets ROSTERSYNC_ALLOW_PRIVATE_ENDPOINTS.',
  },

  // OneRoster provider
  ONEROSTER_AUTH_REJECTED: {
    area: 'oneroster',
    status: 502,
    message: 'The roster server rejected the key or secret.',
    hint: 'Copy the key and secret again from ClassLink (Roster Server > Apps > the app > API) into the Roster Sync Settings page, then use Test connection.',
  },
  ONEROSTER_FORBIDDEN: {
    area: 'oneroster',
    status: 502,
    message: 'The roster server refused access to this data.',
    hint: 'Ask the district to share the roster data with the app in ClassLink Roster Server.',
  },
  ONEROSTER_DEMOGRAPHICS_FORBIDDEN: {
    area: 'oneroster',
    status: 502,
    message: 'The district has not shared demographics with the app.',
    hint: 'Ask the district to share demographics in ClassLink Roster Server: birth dates are needed to match children with other systems and to place them.',
  },
  ONEROSTER_ENDPOINT_NOT_FOUND: {
    area: 'oneroster',
    status: 502,
    message: 'The roster server has no OneRoster API at the endpoint URL.',
    hint: 'Check the endpoint URL and the OneRoster version on the Roster Sync Settings page; ClassLink endpoints end in /ims/oneroster/.',
  },
  ONEROSTER_NOT_FOUND: {
    area: 'oneroster',
    status: 502,
    message: 'The roster server does not have the requested record.',
    hint: 'The record may have been removed upstream; run a full sync.',
  },
  ONEROSTER_UNREACHABLE: {
    area: 'oneroster',
    status: 502,
    message: 'The roster server could not be reached.',
    hint: 'Check the endpoint URL for typing mistakes. If it is right, the roster server may be down: Roster Sync tries again later.',
  },
  ONEROSTER_TLS_FAILED: {
    area: 'oneroster',
    status: 502,
    message: 'The secure connection to the roster server failed.',
    hint: 'The server certificate is invalid or expired. Check the endpoint URL, then ask the roster provider to fix its certificate.',
  },
  ONEROSTER_TIMEOUT: {
    area: 'oneroster',
    status: 504,
    message: 'The roster server did not answer in time.',
    hint: 'The roster server is slow or overloaded. Roster Sync tries again later; if this repeats, contact support.',
  },
  ONEROSTER_RATE_LIMITED: {
    area: 'oneroster',
    status: 502,
    message: 'The roster server kept answering that it is busy (429).',
    hint: 'Roster Sync tries again later. If this repeats, schedule the sync at a quieter time.',
  },
  ONEROSTER_SERVER_ERROR: {
    area: 'oneroster',
    status: 502,
    message: 'The roster server kept failing with server errors.',
    hint: 'The problem is on the roster server. Roster Sync tries again later; if it repeats, contact the roster provider or support.',
  },
  ONEROSTER_BAD_REQUEST: {
    area: 'oneroster',
    status: 502,
    message: 'The roster server rejected a request as invalid.',
    hint: 'Check the OneRoster version on the Roster Sync Settings page. If it is right, contact support with the run id.',
  },
  ONEROSTER_UNEXPECTED_RESPONSE: {
    area: 'oneroster',
    status: 502,
    message: 'The roster server sent a response that is not OneRoster data.',
    hint: 'Check the endpoint URL and OneRoster version. If they are right, the roster server is misbehaving: contact support with the run id.',
  },
  ONEROSTER_INCOMPLETE: {
    area: 'oneroster',
    status: 502,
    message: 'A roster collection arrived incomplete.',
    hint: 'Nothing was removed because of it. Run the sync again; if it repeats, contact support with the run id.',
  },

  // CSV bundles
  CSV_BUNDLE_INVALID: {
    area: 'csv',
    status: 400,
    message: 'The OneRoster CSV bundle cannot be read.',
    hint: 'Give a folder or a .zip file that contains manifest.csv and the OneRoster CSV files.',
  },
  CSV_FILE_INVALID: {
    area: 'csv',
    status: 400,
    message: 'A file in the OneRoster CSV bundle is invalid.',
    hint: 'Fix the file named in the message (its header row must name the OneRoster columns) and try again.',
  },

  // sync
  SYNC_AUTO_ROSTERING_OFF: {
    area: 'sync',
    status: 409,
    message: 'Auto rostering is switched off for this organization.',
    hint: 'Platform staff can switch auto rostering on for the organization (`rostersync org set --org SLUG --auto-rostering on`).',
  },
  SYNC_IN_PROGRESS: {
    area: 'sync',
    status: 409,
    message: 'A sync of this organization is already running.',
    hint: 'Wait for the running sync to finish; its progress shows on the Roster Sync Status page.',
  },
  SYNC_INTERRUPTED: {
    area: 'sync',
    status: 500,
    message: 'The sync was interrupted before it finished; nothing was changed.',
    hint: 'Run the sync again. The roster is as it was before the interrupted run.',
  },
  SYNC_PLAN_STALE: {
    area: 'sync',
    status: 409,
    message: 'The roster changed after this plan was made, so it can no longer be applied.',
    hint: 'Reject this run and start a new sync; it will plan against the roster as it is now.',
  },
  RUN_NOT_HELD: {
    area: 'sync',
    status: 409,
    message: 'The run is not held for review.',
    hint: 'Only a run whose status is held_for_review can be approved or rejected.',
  },
  SYNC_CANCELLED: {
    area: 'sync',
    status: 499,
    message: 'The sync was cancelled; nothing was changed.',
    hint: 'Start the sync again when ready.',
  },
  SYNC_FAILED: {
    area: 'sync',
    status: 500,
    message: 'The sync failed because of an internal error; nothing was changed.',
    hint: 'Run the sync again. If it fails again, contact support with the run id.',
  },

  // roster rules
  JOURNEY_NOT_LICENSED: {
    area: 'roster',
    status: 400,
    message: 'The organization is not licensed for that product.',
    hint: 'Choose among the licensed products, or ask platform staff to add a licence.',
  },
  PRODUCT_NOT_FOUND: {
    area: 'roster',
    status: 404,
    message: 'No product has that code.',
    hint: 'Check the product code against the product catalog.',
  },
  CLASSROOM_RENAME_NOT_ALLOWED: {
    area: 'roster',
    status: 403,
    message: 'Classroom names come from the roster for this organization.',
    hint: 'An admin can switch on "Allow edits to classroom names to override roster names" in the Roster Sync Settings.',
  },
  ARCHIVE_READ_ONLY: {
    area: 'roster',
    status: 409,
    message: 'Archived records are read-only.',
    hint: 'Change the record in the current school year instead.',
  },
  REVIEW_ITEM_NOT_FOUND: {
    area: 'roster',
    status: 404,
    message: 'No open possible-duplicate review item has that id.',
    hint: 'List the open items with `rostersync review list --org SLUG`.',
  },

  // jobs
  SCHEDULE_INVALID: {
    area: 'jobs',
    status: 400,
    message: 'The schedule is invalid.',
    hint: 'Give a time as HH:MM (24-hour), a weekday (Monday to Sunday) or a day of the month from 1 to 28.',
  },
  SCHEDULE_OUTSIDE_OFF_PEAK: {
    area: 'jobs',
    status: 400,
    message: 'Daily syncs must be scheduled inside the off-peak window.',
    hint: 'Pick a time inside the off-peak window named in the message, or choose a weekly or monthly schedule.',
  },
  SYNC_NOW_UNAVAILABLE: {
    area: 'jobs',
    status: 409,
    message: 'Sync Now is unavailable until the next scheduled sync has run.',
    hint: 'Wait for the scheduled sync named in the message; Sync Now becomes available again after it, or at once if a sync fails.',
  },
  WORKER_NEEDS_POSTGRES: {
    area: 'jobs',
    status: 500,
    message: 'rostersync worker needs PostgreSQL.',
    hint: 'Set DATABASE_URL to the PostgreSQL database that `rostersync serve` uses. With the embedded store, run `rostersync serve` alone: it runs a worker itself.',
  },

  // notify
  EMAIL_ADDRESS_INVALID: {
    area: 'notify',
    status: 400,
    message: 'An e-mail address is invalid.',
    hint: 'Enter addresses such as name@district.org, one per entry.',
  },
  EMAIL_HEADER_INJECTION: {
    area: 'notify',
    status: 400,
    message: 'A value contains line breaks or control characters that are not allowed in e-mail.',
    hint: 'Remove line breaks from the value and save it again.',
  },
  SMTP_FAILED: {
    area: 'notify',
    status: 502,
    message: 'The mail server did not accept the message.',
    hint: 'Check SMTP_URL and that the mail server is running; messages are retried and kept in the outbox meanwhile.',
  },

  // http
  AUTH_REQUIRED: {
    area: 'http',
    status: 401,
    message: 'Sign in to continue.',
    hint: 'Sign in with your Roster Sync account.',
  },
  FORBIDDEN: {
    area: 'http',
    status: 403,
    message: 'Your role does not allow this action.',
    hint: 'Ask an organization admin or platform staff to do it, or to change your role.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorRegistry;

/** The shape of an error in run reports, API responses and `--json` output. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  hint: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  /** Hint that replaces the registry hint when the thrower has a more specific one. */
  hint?: string;
  /** Structured facts for logs (never secrets). */
  details?: Record<string, unknown>;
}

/**
 * An error with a registry code. `message` should name the failing value; when omitted, the
 * registry's default message is used.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly hint: string;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    const spec: ErrorSpec = errorRegistry[code];
    super(message ?? spec.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = spec.status;
    this.hint = options.hint ?? spec.hint;
    this.details = options.details ?? {};
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/**
 * Converts anything thrown into an error body an admin can read. Unknown errors become
 * `fallback` (default `SYNC_FAILED`) so that no stack trace or internal text reaches a report.
 */
export function toErrorBody(error: unknown, fallback: ErrorCode = 'SYNC_FAILED'): ErrorBody {
  if (isAppError(error)) return error.toBody();
  const spec = errorRegistry[fallback];
  return { code: fallback, message: spec.message, hint: spec.hint };
}
