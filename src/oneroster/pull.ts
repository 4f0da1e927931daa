/**
 * Paging through one OneRoster collection, and the bookkeeping that decides whether it arrived
 * whole. Only a complete collection may cause removals in the sync.
 */
import { AppError } from '../core/errors.ts';
import { listEnvelopeKeys, readEnvelope } from './envelope.ts';
import { errorForResponse } from './errors.ts';
import type { HttpResponse } from './http.ts';
import { normalizePage } from './parse/index.ts';
import { buildQueryString } from './query.ts';
import type { Filter } from './query.ts';
import type { CollectionOutcome, CollectionPull, PulledPage } from './source.ts';
import type { CollectionName, OneRosterVersion } from './types.ts';

/** The client's side of a pull: sends an authorized GET and returns the response. */
export interface PageFetcher {
  get(url: string, signal?: AbortSignal): Promise<HttpResponse>;
}

export interface PullPlan<C extends CollectionName> {
  collection: C;
  /** The collection URL without query, e.g. `https://host/ims/oneroster/v1p1/users`. */
  url: string;
  version: OneRosterVersion;
  pageSize: number;
  filter?: Filter;
  signal?: AbortSignal;
}

/** One page read, with what the paging decides from it once the page has been taken. */
interface PageStep<C extends CollectionName> {
  page: PulledPage<C>;
  /** Rows in the response, valid or not. */
  rowCount: number;
  /** Records that passed normalization. */
  validCount: number;
  /** Valid records whose `sourcedId` had arrived before. */
  repeats: number;
  /** The body, kept only when the page gave no valid record. */
  invalidBody: string | null;
  /** The server signals more rows than arrived so far. */
  moreSignalled: boolean;
}

const nextLinkPattern = /<[^>]*>\s*;\s*rel="?next"?/i;

/**
 * Pages through a collection with `limit` and `offset`. A short page ends it, unless the server
 * signals more rows with `X-Total-Count` above the rows so far or a `Link` with `rel="next"`.
 * Such a server caps the page size below the requested one. An empty page always ends the pull.
 * A 403 or 404 on demographics yields nothing and marks the outcome forbidden. Other failures throw.
 */
export class RestCollectionPull<C extends CollectionName> implements CollectionPull<C> {
  readonly #plan: PullPlan<C>;
  readonly #fetcher: PageFetcher;
  #started = false;
  #finished = false;
  #forbidden = false;
  #received = 0;
  #reportedTotal: number | null = null;
  readonly #problems: string[] = [];

  constructor(plan: PullPlan<C>, fetcher: PageFetcher) {
    this.#plan = plan;
    this.#fetcher = fetcher;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<PulledPage<C>> {
    if (this.#started)
      throw new AppError('INVALID_INPUT', `The pull of ${this.#plan.collection} can be iterated only once.`);
    this.#started = true;

    try {
      yield* this.#pages();
      this.#finished = true;
    } catch (error) {
      this.#problems.push(`reading a page failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  outcome(): CollectionOutcome {
    const reasons = [...this.#problems];
    if (!this.#started) reasons.push('the collection was not read');
    else if (!this.#finished && this.#problems.length === 0)
      reasons.push('the pull stopped before the last page');
    if (this.#reportedTotal !== null && this.#reportedTotal !== this.#received && this.#finished) {
      reasons.push(
        `the server reported ${this.#reportedTotal} records (X-Total-Count) but sent ${this.#received}`,
      );
    }

    const complete = reasons.length === 0;
    return {
      complete,
      reason: complete ? null : joinReasons(reasons),
      received: this.#received,
      reportedTotal: this.#reportedTotal,
      ...(this.#forbidden ? { forbidden: true } : {}),
    };
  }

  async *#pages(): AsyncGenerator<PulledPage<C>> {
    const seen = new SeenIds();
    // The body of the last page that gave no valid record, whose repeats `seen` cannot detect.
    let lastInvalidBody: string | null = null;
    let offset = 0;
    let step: PageStep<C> | null = null;

    for (;;) {
      step = await this.#readPage(offset, seen);
      if (step === null) return;
      const { rowCount, validCount, repeats, invalidBody, moreSignalled } = step;
      yield step.page;
      step = null;

      if (rowCount === 0) return;
      if (repeats > 0 && repeats === validCount) {
        this.#problems.push('the server sent the same page again, so paging stopped');
        return;
      }
      if (validCount === 0 && invalidBody === lastInvalidBody) {
        this.#problems.push('the server sent the same page of invalid records again, so paging stopped');
        return;
      }
      lastInvalidBody = validCount === 0 ? invalidBody : null;
      if (rowCount < this.#plan.pageSize && !moreSignalled) return;
      offset += rowCount;
    }
  }

  /** Fetches and normalizes the page at `offset`; returns null when demographics are withheld. */
  async #readPage(offset: number, seen: SeenIds): Promise<PageStep<C> | null> {
    const { collection, pageSize, signal } = this.#plan;
    const url = `${this.#plan.url}?${buildQueryString({ limit: pageSize, offset, filter: this.#plan.filter })}`;
    const response = await this.#fetcher.get(url, signal);
    if (collection === 'demographics' && (response.status === 403 || response.status === 404)) {
      this.#markForbidden(response);
      return null;
    }
    if (response.status !== 200) {
      throw errorForResponse({
        ...response,
        target: collection === 'demographics' ? 'demographics' : 'collection',
      });
    }

    const rows = readEnvelope(response.body, listEnvelopeKeys[collection], response.url);
    if (!Array.isArray(rows)) {
      throw new AppError(
        'ONEROSTER_UNEXPECTED_RESPONSE',
        `The ${collection} in the response from ${response.url} are not a list.`,
        {
          details: { url: response.url },
        },
      );
    }
    const total = this.#readTotal(response);
    this.#received += rows.length;

    const page = normalizePage(collection, rows, this.#plan.version);
    const repeats = countRepeats(page.records, seen);
    if (repeats > 0) this.#problems.push(`${repeats} sourcedIds arrived twice (at offset ${offset})`);
    return {
      page: { collection, records: page.records, issues: page.issues },
      rowCount: rows.length,
      validCount: page.records.length,
      repeats,
      invalidBody: page.records.length === 0 ? response.body : null,
      moreSignalled:
        (total !== null && this.#received < total) ||
        nextLinkPattern.test(String(response.headers.link ?? '')),
    };
  }

  #readTotal(response: HttpResponse): number | null {
    const header = response.headers['x-total-count'];
    const text = Array.isArray(header) ? header[0] : header;
    if (text === undefined || !/^\s*\d+\s*$/.test(text)) return null;

    const total = Number(text);
    if (this.#reportedTotal === null) this.#reportedTotal = total;
    else if (this.#reportedTotal !== total) {
      this.#problems.push(
        `the record count (X-Total-Count) changed from ${this.#reportedTotal} to ${total} during the pull`,
      );
      this.#reportedTotal = total;
    }
    return total;
  }

  #markForbidden(response: HttpResponse): void {
    this.#forbidden = true;
    this.#finished = true;
    this.#problems.push(
      response.status === 403
        ? 'the district has not shared demographics with the app (HTTP 403)'
        : 'the roster server offers no demographics (HTTP 404)',
    );
  }
}

/**
 * The `sourcedId`s of a pull so far. Servers usually page in `sourcedId` order, and while every id
 * arrives after the one before it, none can be a repeat: the ids are kept in a list, which costs
 * no hashing. The first id out of order moves them into a set, which checks repeats from then on.
 */
class SeenIds {
  #ascending: string[] | null = [];
  #set: Set<string> | null = null;

  /** Remembers `id`; returns true when it had been seen before. */
  add(id: string): boolean {
    const ascending = this.#ascending;
    if (ascending !== null) {
      const last = ascending.length === 0 ? undefined : ascending[ascending.length - 1];
      if (last === undefined || id > last) {
        ascending.push(id);
        return false;
      }
      this.#set = new Set(ascending);
      this.#ascending = null;
    }

    const set = this.#set!;
    if (set.has(id)) return true;
    set.add(id);
    return false;
  }
}

function countRepeats(records: ReadonlyArray<{ sourcedId: string }>, seen: SeenIds): number {
  let repeats = 0;
  for (const record of records) {
    if (seen.add(record.sourcedId)) repeats += 1;
  }
  return repeats;
}

function joinReasons(reasons: string[]): string {
  const text = reasons.join('; ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}
