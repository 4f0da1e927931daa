import type { Kysely } from 'kysely';

import { AppError, isAppError } from '../../core/errors.ts';
import { insertStagedRecords } from '../../db/queries/staging.ts';
import type { Database } from '../../db/schema.ts';
import type { CollectionOutcome, RosterSource } from '../../oneroster/source.ts';
import type { CollectionName } from '../../oneroster/types.ts';
import type { WarningSink } from '../model.ts';

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
  /** Records staged per collection. */
  received: Record<SyncedCollection, number>;
  /** The latest `dateLastModified` among staged records, or null when none carried one. */
  maxDateLastModified: string | null;
  /** Records the parsers dropped as invalid; any of them keeps the delta watermark where it was. */
  failedRecords: number;
}

export interface FetchOptions {
  db: Kysely<Database>;
  runId: string;
  source: RosterSource;
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
 * Fetch step: streams every collection from the source into `staging_records`, one page at a
 * time, so memory holds one page whatever the district's size. Record issues become warnings.
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
  let maxDateLastModified: string | null = null;
  let failedRecords = 0;

  for (const collection of syncedCollections) {
    options.signal?.throwIfAborted();
    let count = 0;
    let outcome: CollectionOutcome;
    try {
      const pull = options.source.pull(collection, {
        modifiedSince: options.modifiedSince,
        signal: options.signal,
      });
      for await (const page of pull) {
        for (const issue of page.issues) {
          if (issue.severity === 'error') failedRecords += 1;
          const where = issue.file ? ` (${issue.file}${issue.line ? ` line ${issue.line}` : ''})` : '';
          options.sink.add(issue.code, issue.sourcedId, `${collection}${where}: ${issue.message}`);
        }
        for (const record of page.records) {
          const modified = record.dateLastModified;
          if (modified !== null && (maxDateLastModified === null || modified > maxDateLastModified)) {
            maxDateLastModified = modified;
          }
        }
        await insertStagedRecords(options.db, options.runId, collection, page.records);
        count += page.records.length;
        await options.onPage?.(collection, count, null);
      }
      outcome = pull.outcome();
    } catch (error) {
      if (collection !== 'demographics' || !isAppError(error) || !demographicsTolerated.has(error.code))
        throw error;
      options.sink.add(
        error.code,
        null,
        `Demographics could not be read: ${error.message} Children keep their stored birth dates and demographics.`,
      );
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
    checkOutcome(options, collection, outcome);
  }

  return { outcomes, received, maxDateLastModified, failedRecords };
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
