import { AppError, isAppError } from '../../core/errors.ts';
import type { CollectionOutcome, CollectionPull, PulledPage, RosterSource } from '../../oneroster/source.ts';
import type { CollectionName, RecordIssue } from '../../oneroster/types.ts';
import type { WarningSink } from '../model.ts';
import type { RecordCollector } from './collect.ts';

/** Collections a sync reads, in the order it reads them. Courses are not needed by the mapping. */
export const syncedCollections = [
  'orgs',
  'academicSessions',
  'classes',
  'users',
  'enrollments',
  'demographics',
] as const satisfies readonly CollectionName[];
export type SyncedCollection = (typeof syncedCollections)[number];

export interface FetchResult {
  outcomes: Record<SyncedCollection, CollectionOutcome>;
  /** Records received per collection. */
  received: Record<SyncedCollection, number>;
  /** The latest `dateLastModified` among received records, or null when none carried one. */
  maxDateLastModified: string | null;
  /** Records the parsers dropped as invalid; any of them keeps the delta watermark where it was. */
  failedRecords: number;
}

export interface FetchOptions {
  source: RosterSource;
  /** Takes every page as it arrives. */
  collector: RecordCollector;
  /** Set for a delta run: only records modified after this instant. */
  modifiedSince?: Date;
  signal?: AbortSignal;
  sink: WarningSink;
  onPage?: (
    collection: SyncedCollection,
    received: number,
    reportedTotal: number | null,
  ) => Promise<void> | void;
}

/**
 * Fetch step: streams every collection from the source, one page at a time, into the collector,
 * which keeps each record in its mapped form, so memory holds one raw page per collection being
 * read. Record issues become warnings.
 *
 * Throws the source's `AppError` when a collection cannot be read, and `ONEROSTER_INCOMPLETE`
 * when a REST collection arrived incomplete (a lying count header, a repeated `sourcedId`):
 * a live server that sends part of a collection is failing, and the run must change nothing.
 * Demographics are the exception: refused (403) or incomplete, they become a warning and the
 * children's demographics are left as stored. An incomplete CSV file (absent from the bundle,
 * or a delta file) is a warning too and removes nothing.
 */
export async function fetchCollections(options: FetchOptions): Promise<FetchResult> {
  const outcomes = {} as Record<SyncedCollection, CollectionOutcome>;
  const received = {} as Record<SyncedCollection, number>;
  const issues = new Map<SyncedCollection, RecordIssue[]>();
  let maxDateLastModified: string | null = null;
  let failedRecords = 0;

  // The first failure stops the other collections' requests.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;

  const fetchOne = async (collection: SyncedCollection): Promise<void> => {
    const collected: RecordIssue[] = [];
    issues.set(collection, collected);
    let count = 0;
    let outcome: CollectionOutcome;
    try {
      const pull = options.source.pull(collection, { modifiedSince: options.modifiedSince, signal });
      await forEachPage(
        pull,
        (page) => {
          collected.push(...page.issues);
          for (const record of page.records) {
            const modified = record.dateLastModified;
            if (modified !== null && (maxDateLastModified === null || modified > maxDateLastModified)) {
              maxDateLastModified = modified;
            }
          }
          options.collector.add(collection, page.records);
          count += page.records.length;
        },
        () => options.onPage?.(collection, count, null),
      );
      outcome = pull.outcome();
    } catch (error) {
      if (collection !== 'demographics' || !isAppError(error) || !demographicsTolerated.has(error.code)) {
        throw error;
      }
      collected.push({
        collection,
        sourcedId: null,
        severity: 'warning',
        code: error.code,
        message: `Demographics could not be read: ${error.message} Children keep their stored birth dates and demographics.`,
      });
      outcome = {
        complete: false,
        reason: error.message,
        received: count,
        reportedTotal: null,
        forbidden: true,
      };
    }
    outcomes[collection] = outcome;
    received[collection] = count;
  };

  await runConcurrently(syncedCollections, concurrentCollections, async (collection) => {
    try {
      await fetchOne(collection);
    } catch (error) {
      stop.abort(error);
      throw error;
    }
  });

  // Warnings go to the report in collection order, whatever order the pages arrived in.
  for (const collection of syncedCollections) {
    for (const issue of issues.get(collection) ?? []) {
      if (issue.severity === 'error') failedRecords += 1;
      const where = issue.file ? ` (${issue.file}${issue.line ? ` line ${issue.line}` : ''})` : '';
      const prefix = issue.code.startsWith('ONEROSTER_') ? '' : `${collection}${where}: `;
      options.sink.add(issue.code, issue.sourcedId, `${prefix}${issue.message}`);
    }
    checkOutcome(options, collection, outcomes[collection]);
  }

  return { outcomes, received, maxDateLastModified, failedRecords };
}

/**
 * Iterates a pull as `for await` does, calling `take` with each page and then awaiting `after`.
 * No page is referenced while `after` or the next page is awaited. A page kept across those waits
 * would survive garbage collections with all its records, although the collector has mapped them.
 */
async function forEachPage<C extends SyncedCollection>(
  pull: CollectionPull<C>,
  take: (page: PulledPage<C>) => void,
  after: () => Promise<void> | void,
): Promise<void> {
  const pages = pull[Symbol.asyncIterator]();
  let result: IteratorResult<PulledPage<C>> | null = await pages.next();
  while (result.done !== true) {
    try {
      take(result.value);
      result = null;
      await after();
    } catch (error) {
      // A `for await` whose body throws closes the iterator and rethrows the body's error.
      try {
        await pages.return?.();
      } catch {
        // The body's error is reported, not the error of closing.
      }
      throw error;
    }
    result = await pages.next();
  }
}

/** Collections read at once; the client limits requests per host on its own as well. */
const concurrentCollections = 3;

/**
 * Runs `task` over `items` with at most `limit` at once. Rejects with the first failure once
 * every started task has settled, so no page arrives after the call.
 */
async function runConcurrently<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let firstError: unknown = null;
  const worker = async () => {
    while (next < items.length && firstError === null) {
      const item = items[next]!;
      next += 1;
      try {
        await task(item);
      } catch (error) {
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError !== null) throw firstError;
}

const demographicsTolerated = new Set([
  'ONEROSTER_DEMOGRAPHICS_FORBIDDEN',
  'ONEROSTER_FORBIDDEN',
  'ONEROSTER_NOT_FOUND',
  'ONEROSTER_ENDPOINT_NOT_FOUND',
]);

function checkOutcome(options: FetchOptions, collection: SyncedCollection, outcome: CollectionOutcome): void {
  if (outcome.complete || outcome.delta) return;
  if (collection === 'demographics') {
    if (!outcome.forbidden) {
      options.sink.add(
        'DEMOGRAPHICS_INCOMPLETE',
        null,
        `Demographics arrived incomplete (${outcome.reason ?? 'no reason given'}); children keep their stored demographics where none arrived.`,
      );
    }
    return;
  }
  if (options.source.kind === 'rest') {
    throw new AppError(
      'ONEROSTER_INCOMPLETE',
      `The roster server sent the ${collection} collection incomplete: ${outcome.reason ?? 'no reason given'}. Nothing was changed.`,
    );
  }
  options.sink.add(
    'COLLECTION_INCOMPLETE',
    null,
    `${collection} is incomplete (${outcome.reason ?? 'no reason given'}), so nothing missing from it is removed.`,
  );
}
