import path from 'node:path';

import { z } from 'zod';

import { AppError } from './errors.ts';

/**
 * The service configuration, read from the environment once at start-up. Every variable is
 * optional; the defaults run the embedded store on this machine.
 */
export interface Config {
  /** `postgres://` URL, or null for the embedded PGlite store. */
  databaseUrl: string | null;
  /** Folder of the embedded store and its key file. Absolute. */
  dataDir: string;
  /** ROSTERSYNC_SECRET_KEY as given (validated when first used), or null. */
  secretKey: string | null;
  port: number;
  host: string;
  /** `smtp://` or `smtps://` URL, or null: mail goes to the outbox table. */
  smtpUrl: string | null;
  mailFrom: string;
  /** Address admins open, used in e-mail links. No trailing slash. */
  publicUrl: string;
  /** Support contact named in failure e-mails: an e-mail address or an http(s) URL. */
  supportContact: string;
  /** Allow endpoint URLs on http and on loopback, private or link-local addresses. */
  allowPrivateEndpoints: boolean;
  /** The off-peak window for daily syncs, as local `HH:MM` start and end (may cross midnight). */
  offPeak: { start: string; end: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  production: boolean;
}

const clock = /^([01]\d|2[0-3]):[0-5]\d$/;

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((value) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''].includes(value), {
    message: 'expected one of 1, 0, true, false, yes, no, on, off',
  })
  .transform((value) => ['1', 'true', 'yes', 'on'].includes(value));

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .refine((value) => value === '' || /^postgres(ql)?:\/\//.test(value), {
      message: 'expected a postgres:// or postgresql:// URL, or unset for the embedded store',
    })
    .optional(),
  ROSTERSYNC_DATA_DIR: z.string().trim().min(1, 'expected a folder path').optional(),
  ROSTERSYNC_SECRET_KEY: z.string().trim().optional(),
  PORT: z.coerce
    .number({ message: 'expected a whole number from 0 to 65535' })
    .int('expected a whole number from 0 to 65535')
    .min(0, 'expected a whole number from 0 to 65535')
    .max(65535, 'expected a whole number from 0 to 65535')
    .default(3000),
  HOST: z.string().trim().min(1, 'expected a host name or address').default('127.0.0.1'),
  SMTP_URL: z
    .string()
    .trim()
    .refine((value) => value === '' || /^smtps?:\/\/[^/]/.test(value), {
      message: 'expected an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.org:587',
    })
    .optional(),
  MAIL_FROM: z.string().trim().default('Roster Sync <rostersync@localhost>'),
  ROSTERSYNC_PUBLIC_URL: z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^/]/.test(value), {
      message: 'expected an http:// or https:// URL such as https://roster.example.org',
    })
    .optional(),
  ROSTERSYNC_SUPPORT_CONTACT: z
    .string()
    .trim()
    .refine(
      (value) => value === '' || /^(https?:\/\/[^/\s]+\S*|[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+)$/.test(value),
      {
        message:
          'expected an e-mail address such as support@example.org or a URL such as https://help.example.org',
      },
    )
    .optional(),
  ROSTERSYNC_ALLOW_PRIVATE_ENDPOINTS: flag.optional(),
  ROSTERSYNC_OFF_PEAK: z
    .string()
    .trim()
    .refine((value) => {
      const [start, end, ...rest] = value.split('-');
      return rest.length === 0 && clock.test(start ?? '') && clock.test(end ?? '') && start !== end;
    }, 'expected two different 24-hour times as HH:MM-HH:MM, such as 19:00-05:00')
    .default('19:00-05:00'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().optional(),
});

/**
 * Parses the environment into a `Config`. Throws `AppError('CONFIG_INVALID')` whose message
 * names every invalid variable, the problem and the expected form. The value itself is shown
 * only for variables that cannot contain a secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const shown = secretVariables.has(name) ? '' : ` (got ${JSON.stringify(env[name] ?? '')})`;
      return `${name}${shown}: ${issue.message}`;
    });
    throw new AppError('CONFIG_INVALID', `Invalid environment:\n  ${lines.join('\n  ')}`);
  }

  const values = parsed.data;
  const [start = '19:00', end = '05:00'] = values.ROSTERSYNC_OFF_PEAK.split('-');
  const port = values.PORT;
  const host = values.HOST;
  return {
    databaseUrl: values.DATABASE_URL ? values.DATABASE_URL : null,
    dataDir: path.resolve(values.ROSTERSYNC_DATA_DIR ?? './.rostersync'),
    secretKey: values.ROSTERSYNC_SECRET_KEY ? values.ROSTERSYNC_SECRET_KEY : null,
    port,
    host,
    smtpUrl: values.SMTP_URL ? values.SMTP_URL : null,
    mailFrom: values.MAIL_FROM,
    publicUrl: (values.ROSTERSYNC_PUBLIC_URL ?? `http://${host}:${port}`).replace(/\/+$/, ''),
    supportContact: values.ROSTERSYNC_SUPPORT_CONTACT || senderAddress(values.MAIL_FROM),
    allowPrivateEndpoints: values.ROSTERSYNC_ALLOW_PRIVATE_ENDPOINTS ?? false,
    offPeak: { start, end },
    logLevel: values.LOG_LEVEL,
    production: values.NODE_ENV === 'production',
  };
}

/** Returns the bare address of a `Name <address>` sender, so that admins can write back to it. */
function senderAddress(mailFrom: string): string {
  return /<([^<>]+)>\s*$/.exec(mailFrom)?.[1]?.trim() ?? mailFrom;
}

/** Variables whose values are never echoed in error messages. */
const secretVariables = new Set(['DATABASE_URL', 'ROSTERSYNC_SECRET_KEY', 'SMTP_URL']);
