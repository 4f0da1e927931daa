import { existsSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Store } from '../../src/db/store.ts';
import { startEmulator } from '../../src/emulator/server.ts';
import { openCsvBundle } from '../../src/oneroster/csv/bundle.ts';
import type { RunReport } from '../../src/sync/report.ts';
import { runSync } from '../../src/sync/run.ts';
import { describeEachStore } from '../support/stores.ts';
import { saveEmulatorConnection } from './support/district.ts';
import { createTestOrg, syncDeps } from './support/harness.ts';

const realdata = path.resolve(import.meta.dirname, '../../../shared/realdata/oneroster-1.1-csv');
const present = existsSync(realdata);
if (!present)
  console.log(`Real OneRoster bundles not found at ${realdata}; the real-data sync tests did not run.`);

type Via = (store: Store, orgId: string, slug: string, bundle: string) => Promise<RunReport[]>;

/** Syncs the bundle twice through the emulator over HTTP. */
const viaEmulator: Via = async (store, orgId, slug, bundle) => {
  const emulator = await startEmulator({ data: bundle });
  try {
    await saveEmulatorConnection(store, slug, emulator);
    const first = await runSync(syncDeps(store), { orgId, trigger: 'cli', mode: 'full' });
    const second = await runSync(syncDeps(store), { orgId, trigger: 'cli', mode: 'full' });
    return [first, second];
  } finally {
    await emulator.close();
  }
};

/** Syncs the bundle twice as a CSV source, as `sync --from-csv` does. */
const viaCsv: Via = async (store, orgId, _slug, bundle) => {
  const reports: RunReport[] = [];
  for (let round = 0; round < 2; round += 1) {
    const source = await openCsvBundle(bundle);
    reports.push(await runSync(syncDeps(store), { orgId, trigger: 'cli', mode: 'full', source }));
    await source.close();
  }
  return reports;
};

function expectNoChanges(report: RunReport): void {
  expect(report.status).toBe('succeeded');
  for (const counts of Object.values(report.counts)) {
    expect(counts.created + counts.updated + counts.deactivated + counts.reactivated).toBe(0);
  }
}

describe.skipIf(!present)('real bundles', () => {
  describeEachStore('sync of real bundles', ({ store }) => {
    for (const [name, via] of [
      ['emulator', viaEmulator],
      ['csv', viaCsv],
    ] as const) {
      it(`Ed-Fi sample via ${name}`, async () => {
        const org = await createTestOrg(store, { allowRemoval: true });
        const [first, second] = await via(store, org.id, org.slug, path.join(realdata, 'edfi-sample'));

        expect(first!.status).toBe('succeeded');
        expect(first!.counts.schools.created).toBe(1);
        expect(first!.counts.classrooms.created).toBe(2);
        expect(first!.counts.educators.created).toBe(2);
        expect(first!.counts.children.created).toBe(8);
        // Two students are enrolled in both classes; one classroom per child keeps one of each pair.
        expect(first!.counts.memberships.created).toBe(20);
        expect(first!.counts.memberships.skipped).toBe(4);
        const multiple = first!.warnings.filter((warning) => warning.code === 'CHILD_MULTIPLE_CLASSROOMS');
        expect(multiple.map((warning) => warning.sourcedId).sort()).toEqual(['604863', '604874']);
        expectNoChanges(second!);

        const school = await store.db
          .selectFrom('schools')
          .selectAll()
          .where('orgId', '=', org.id)
          .executeTakeFirstOrThrow();
        expect(school.sourcedId).toBe('255901001');
        expect(school.name).toBe('Grand Bend High School');

        const english = await store.db
          .selectFrom('classrooms')
          .selectAll()
          .where('orgId', '=', org.id)
          .where('sourcedId', '=', '25590100101Trad120ENG112011')
          .executeTakeFirstOrThrow();
        expect(english.rosterName).toBe('ENG-1');
        expect(english.classCode).toBe('English I');
        expect(english.grades).toEqual(['09']);
        expect(english.schoolId).toBe(school.id);

        const peter = await store.db
          .selectFrom('children')
          .selectAll()
          .where('orgId', '=', org.id)
          .where('sourcedId', '=', '604918')
          .executeTakeFirstOrThrow();
        expect([peter.givenName, peter.middleName, peter.familyName]).toEqual(['Peter', 'Ivan', 'Nash']);
        expect(peter.birthDate).toBe('1997-01-18');
        expect(peter.sex).toBe('male');
        expect(peter.asian).toBe(true);
        expect(peter.hispanicOrLatino).toBe(true);
        expect(peter.grade).toBe('09');
        expect(peter.userIds).toEqual([{ type: 'Local', identifier: '918' }]);

        const kelley = await store.db
          .selectFrom('educators')
          .selectAll()
          .where('orgId', '=', org.id)
          .where('sourcedId', '=', '207270')
          .executeTakeFirstOrThrow();
        expect([kelley.givenName, kelley.familyName, kelley.role]).toEqual([
          'Kelley',
          'Christian',
          'teacher',
        ]);
      });

      it(`Moodle full bundle via ${name}`, async () => {
        const org = await createTestOrg(store, { allowRemoval: true });
        const [first, second] = await via(
          store,
          org.id,
          org.slug,
          // The CSV route reads the zip archive of the same bundle, as `--from-csv ZIP` does.
          path.join(realdata, name === 'csv' ? 'moodle-full.zip' : 'moodle-full'),
        );

        expect(first!.status).toBe('succeeded');
        expect(first!.counts.classrooms.created).toBe(1);
        expect(first!.counts.classrooms.skipped).toBe(1);
        expect(first!.counts.children.created).toBe(3);
        expect(first!.counts.educators.created).toBe(2);
        expect(first!.counts.contacts.created).toBe(1);
        expect(first!.counts.memberships.created).toBe(3);
        expectNoChanges(second!);

        const physics = await store.db
          .selectFrom('classrooms')
          .select(['rosterName', 'grades'])
          .where('orgId', '=', org.id)
          .executeTakeFirstOrThrow();
        expect(physics).toEqual({ rosterName: 'Introduction to Physics', grades: ['09', '10', '11'] });

        const link = await store.db
          .selectFrom('childContacts as cc')
          .innerJoin('children as c', 'c.id', 'cc.childId')
          .innerJoin('familyContacts as f', 'f.id', 'cc.contactId')
          .select(['c.sourcedId as child', 'f.sourcedId as contact', 'f.relationship'])
          .where('cc.orgId', '=', org.id)
          .execute();
        expect(link).toEqual([
          { child: 'usr-222-66778899', contact: 'usr-222-1234561', relationship: 'parent' },
        ]);
      });
    }
  });
});
