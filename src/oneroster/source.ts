import type { CollectionName, RecordIssue, RecordOf } from './types.ts';

/**
 * What the sync reads a roster from: the REST client or a CSV bundle. Both yield normalized
 * records page by page, so memory stays bounded whatever the district's size.
 */
export interface RosterSource {
  readonly kind: 'rest' | 'csv';
  /** Human-readable origin for logs and reports (an endpoint URL without credentials, or a path). */
  readonly description: string;
  /**
   * Streams one collection. Iterate the returned object for pages, then read `outcome()`.
   * Throws an `AppError` (`ONEROSTER_*`, `CSV_*`) when the collection cannot be read at all.
   */
  pull<C extends CollectionName>(collection: C, options?: PullOptions): CollectionPull<C>;
  close(): Promise<void>;
}

export interface PullOptions {
  /** Only records modified after this instant (a delta sync); ignored by sources that cannot filter. */
  modifiedSince?: Date;
  signal?: AbortSignal;
}

export interface PulledPage<C extends CollectionName> {
  collection: C;
  records: RecordOf[C][];
  issues: RecordIssue[];
}

export interface CollectionPull<C extends CollectionName> extends AsyncIterable<PulledPage<C>> {
  /** Valid once iteration has finished; before that it reports the collection as incomplete. */
  outcome(): CollectionOutcome;
}

/**
 * Whether a collection arrived whole. Only a complete collection may cause removals: every page
 * arrived with its envelope key, `X-Total-Count` (when sent) matched and did not change, and no
 * `sourcedId` repeated.
 */
export interface CollectionOutcome {
  complete: boolean;
  /** Why it is incomplete, in plain words; null when complete. */
  reason: string | null;
  received: number;
  /** `X-Total-Count` as the server sent it, or null. */
  reportedTotal: number | null;
  /** The provider withheld the collection (403), as districts do with demographics. */
  forbidden?: boolean;
  /** A CSV bundle whose manifest marks the file `delta`: absence of a record means nothing. */
  delta?: boolean;
}
