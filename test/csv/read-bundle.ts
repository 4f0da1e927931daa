import { openCsvBundle } from '../../src/oneroster/csv/bundle.ts';
import type { CsvBundleOptions } from '../../src/oneroster/csv/bundle.ts';
import type { CollectionOutcome } from '../../src/oneroster/source.ts';
import type { AnyRecord, CollectionName, RecordIssue } from '../../src/oneroster/types.ts';
import { collectionNames } from '../../src/oneroster/types.ts';

export interface ReadBundle {
  records: Record<CollectionName, AnyRecord[]>;
  issues: RecordIssue[];
  outcomes: Record<CollectionName, CollectionOutcome>;
  pages: Record<CollectionName, number>;
}

/** Reads every collection of a bundle into memory, for tests. */
export async function readBundle(location: string, options: CsvBundleOptions = {}): Promise<ReadBundle> {
  const bundle = await openCsvBundle(location, options);
  const result = { records: {}, issues: [], outcomes: {}, pages: {} } as unknown as ReadBundle;
  for (const collection of collectionNames) {
    const pull = bundle.pull(collection);
    result.records[collection] = [];
    result.pages[collection] = 0;
    for await (const page of pull) {
      result.pages[collection] += 1;
      result.records[collection].push(...page.records);
      result.issues.push(...page.issues);
    }
    result.outcomes[collection] = pull.outcome();
  }
  await bundle.close();
  return result;
}
