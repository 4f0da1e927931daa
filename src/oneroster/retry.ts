/**
 * Retry timing: exponential backoff with full jitter, `Retry-After` honoured, and caps on
 * attempts and on the total time spent waiting.
 */

export interface RetryOptions {
  /** Requests made at most, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff base in milliseconds: before retry n the wait is random in [0, base * 2^(n-1)]. Default 500. */
  baseDelayMs?: number;
  /** Cap on one backoff wait in milliseconds (a `Retry-After` may ask for more). Default 30,000. */
  maxDelayMs?: number;
  /** Cap on all waits of one request together, in milliseconds. Default 120,000. */
  maxTotalWaitMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  return {
    maxAttempts: Math.max(1, options.maxAttempts ?? 5),
    baseDelayMs: Math.max(0, options.baseDelayMs ?? 500),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? 30_000),
    maxTotalWaitMs: Math.max(0, options.maxTotalWaitMs ?? 120_000),
  };
}

/** Returns a full-jitter backoff wait in milliseconds before retry number `retry` (1-based). */
export function backoffDelay(
  retry: number,
  options: ResolvedRetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Reads a `Retry-After` header as a wait in milliseconds: delay seconds (`120`) or an HTTP date
 * (a date in the past gives 0). Returns null when the header is absent or unreadable.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return null;

  if (/^\d+$/.test(text)) return Number(text) * 1000;

  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** Waits `ms` milliseconds; rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }

    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
