import { AppError, isAppError } from '../core/errors.ts';
import { type CliContext, createCliContext } from './context.ts';

/** Exit statuses of the command line. `held` is the sync's "held for review". */
export const exitCodes = { ok: 0, failed: 1, usage: 2, held: 3 } as const;

/**
 * Runs a command body with a context, prints an `AppError` as "Error [CODE]: message" plus its
 * hint on standard error, and sets the exit status. The body returns the exit status it wants
 * (default 0). Unknown errors print their message and are logged with their stack.
 */
export async function runCommand(body: (context: CliContext) => Promise<number | void>): Promise<void> {
  let context: CliContext | null = null;
  try {
    context = createCliContext();
    const status = await body(context);
    process.exitCode = status ?? exitCodes.ok;
  } catch (error) {
    process.exitCode = isAppError(error) && error.status === 400 ? exitCodes.usage : exitCodes.failed;
    printError(error);
    if (!isAppError(error)) context?.logger.error({ err: error }, 'Command failed with an unexpected error');
  } finally {
    await context?.close();
  }
}

export function printError(error: unknown): void {
  if (isAppError(error)) {
    process.stderr.write(`Error [${error.code}]: ${error.message}\nHint: ${error.hint}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Error: ${message}\n`);
}

/** Parses an `on|off` flag value; throws `INVALID_INPUT` naming the option otherwise. */
export function parseOnOff(option: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const normalized = value.trim().toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(normalized)) return true;
  if (['off', 'false', 'no', '0'].includes(normalized)) return false;
  throw new AppError('INVALID_INPUT', `${option} must be on or off, not ${JSON.stringify(value)}.`);
}

/** Splits a comma list, trimming and dropping empty entries. */
export function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/**
 * Parses a whole-number option from `min` to `max` (default unbounded); throws `INVALID_INPUT`
 * naming the option otherwise.
 */
export function parseWholeNumber(
  option: string,
  value: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new AppError(
      'INVALID_INPUT',
      `${option} must be a whole number ${range}, not ${JSON.stringify(value)}.`,
    );
  }
  return number;
}

/** Most children a generated district may have: beyond it generation takes minutes and gigabytes. */
export const maxGeneratedStudents = 1_000_000;
