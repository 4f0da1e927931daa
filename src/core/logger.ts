import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Field paths that may carry secrets. pino replaces their values before a line is written, so a
 * careless `log.info({ connection })` still leaks nothing.
 */
export const redactedPaths = [
  'secret',
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'authorization',
  'clientSecret',
  'consumerSecret',
  'secretCiphertext',
  '*.secret',
  '*.password',
  '*.passwordHash',
  '*.token',
  '*.accessToken',
  '*.authorization',
  '*.clientSecret',
  '*.consumerSecret',
  '*.secretCiphertext',
  'headers.authorization',
  '*.headers.authorization',
];

export interface LoggerOptions {
  level?: string;
  /** Readable lines instead of JSON. Default: when standard error is a terminal outside production. */
  pretty?: boolean;
  /** File descriptor to write to. Default 2 (standard error), so standard output stays for data. */
  destination?: number;
}

/**
 * Creates the root logger. Bind ids with `logger.child({ orgId, runId, jobId })`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? 2;
  const pretty = options.pretty ?? (process.stderr.isTTY === true && process.env.NODE_ENV !== 'production');
  const base = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { service: 'rostersync' },
  };
  if (pretty) {
    return pino(
      base,
      pino.transport({
        target: 'pino-pretty',
        options: {
          destination,
          colorize: true,
          ignore: 'pid,hostname,service',
          translateTime: 'SYS:HH:MM:ss',
        },
      }),
    );
  }
  return pino(base, pino.destination({ fd: destination, sync: true }));
}

/** A logger that writes nothing, for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
