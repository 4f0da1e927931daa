/**
 * A limit on concurrent requests per host, so that a sync with many parallel pulls never puts
 * more than a fixed number of requests on one roster server at a time.
 */
export class HostLimiter {
  readonly #limit: number;
  readonly #active = new Map<string, number>();
  readonly #waiting = new Map<string, Array<() => void>>();

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /**
   * Waits for a free slot for `host` and returns the function that frees it. Calls after the
   * first do nothing. Rejects with the signal's reason when the signal aborts while waiting.
   */
  async acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    const active = this.#active.get(host) ?? 0;
    if (active < this.#limit) {
      this.#active.set(host, active + 1);
      return this.#releaser(host);
    }

    await new Promise<void>((resolve, reject) => {
      const queue = this.#waiting.get(host) ?? [];
      this.#waiting.set(host, queue);
      const onAbort = () => {
        const index = queue.indexOf(grant);
        if (index >= 0) queue.splice(index, 1);
        reject(signal?.reason);
      };
      // The releasing request hands its slot over, so the active count stays the same.
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      queue.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return this.#releaser(host);
  }

  #releaser(host: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;

      const next = this.#waiting.get(host)?.shift();
      if (next !== undefined) {
        next();
        return;
      }
      const active = (this.#active.get(host) ?? 1) - 1;
      if (active === 0) this.#active.delete(host);
      else this.#active.set(host, active);
    };
  }
}
