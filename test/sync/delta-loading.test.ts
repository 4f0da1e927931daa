import type { Kysely } from 'kysely';
import { afterEach, expect, it } from 'vitest';

import { loadStoredRoster, type StoredRoster } from '../../src/db/queries/stored-roster.ts';
import { getOrganizationById, getSyncSettings } from '../../src/db/queries/organizations.ts';
import { loadRunPlan } from '../../src/db/queries/sync-runs.ts';
import type { Database } from '../../src/db/schema.ts';
import { loadGenerated } from '../../src/emulator/data.ts';
import { SeededRandom } from '../../src/emulator/generate/random.ts';
import { type RunningEmulator, startEmulator } from '../../src/emulator/server.ts';
import type { RosterData } from '../../src/emulator/store.ts';
import type { Enrollment, User } from '../../src/oneroster/types.ts';
import { archiveSchoolYear } from '../../src/roster/archive.ts';
import { mergeReview } from '../../src/roster/merge.ts';
import { countPlan } from '../../src/sync/counts.ts';
import { type DesiredRoster, WarningSink } from '../../src/sync/model.ts';
import { decideMode } from '../../src/sync/mode.ts';
import type { SyncPlan } from '../../src/sync/plan/types.ts';
import { runSync } from '../../src/sync/run.ts';
import { openConnectionSource } from '../../src/sync/source.ts';
import { RecordCollector } from '../../src/sync/steps/collect.ts';
import { applyDataRules } from '../../src/sync/steps/data-rules.ts';
import { fetchCollections } from '../../src/sync/steps/fetch.ts';
import { assignClassrooms } from '../../src/sync/steps/classrooms.ts';
import { mapCollectedRecords } from '../../src/sync/steps/map.ts';
import { matchRecords } from '../../src/sync/steps/match.ts';
import { loadPlacementContext, placeNewChildren } from '../../src/sync/steps/place.ts';
import { buildPlan } from '../../src/sync/steps/plan.ts';
import { checkSafeguard } from '../../src/sync/steps/safeguard.ts';
import { applyScope } from '../../src/sync/steps/scope.ts';
import { loadDeltaRoster } from '../../src/sync/steps/stored.ts';
import { describeEachStore, type StoreContext } from '../support/stores.ts';
import { saveEmulatorConnection } from './support/district.ts';
import { createTestOrg, syncDeps } from './support/harness.ts';

/**
 * A delta run loads only the stored rows its records name (`loadDeltaRoster`). These tests plan
 * each delta of a changing generated district twice, with that partial load and with the whole
 * stored roster, and require the same plan, warnings and safeguard verdict.
 */

type RoundKind = 'every' | 'few' | 'new';

type RosterLoader = (db: Kysely<Database>, orgId: string, desired: DesiredRoster) => Promise<StoredRoster>;

const wholeRoster: RosterLoader = (db, orgId) => loadStoredRoster(db, orgId);

const syncSettings = { allowRemoval: true, maxDeactivateRatio: 1, maxChangeRatio: 1, carryover: true };
/**
 * The kind of each round: `every` makes each kind of change to records on the roster, `few` one or
 * two of them, and `new` adds children with new `sourcedId`s as well, which makes the delta load
 * the whole roster. The school year is archived after the round marked by `archive`.
 */
const rounds: { changes: RoundKind; archive?: true }[] = [
  { changes: 'every' },
  { changes: 'few' },
  { changes: 'new' },
  { changes: 'few' },
  { changes: 'every' },
  { changes: 'new' },
  { changes: 'few' },
  { changes: 'few' },
  { changes: 'new', archive: true },
  { changes: 'few' },
  { changes: 'new' },
];
const hour = 60 * 60 * 1000;

describeEachStore('delta runs with a partial stored roster', (context) => {
  const { store } = context;
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('partial load plans like the whole roster', async () => {
    const org = await createTestOrg(store, syncSettings);
    const { data } = await loadGenerated(300, 'delta-loading');
    const clock = new RoundClock();
    emulator = await connectGenerated(store, org.slug, data, clock);
    const changes = new RosterChanges(emulator, new SeededRandom(`delta-loading-${context.kind}`));
    const sync = (options: { mode: 'full' | 'delta'; dryRun?: boolean }) =>
      runSync(syncDeps(store), { orgId: org.id, trigger: 'cli', ...options });
    // Touching one record moves the watermark to now, so the first delta reads only its own changes.
    const districtId = data.orgs.find((record) => record.type === 'district')!.sourcedId;
    emulator.controls.putRecord('orgs', { sourcedId: districtId });
    expect((await sync({ mode: 'full' })).status).toBe('succeeded');

    const loads: boolean[] = [];
    for (const [index, { changes: kind, archive }] of rounds.entries()) {
      const round = index + 1;
      // Each round's changes are dated an hour after the last delta's watermark, past its safety
      // margin, so that the delta reads only them.
      clock.advance(hour);
      changes.apply(round, kind);

      const partial = await planDelta(context, org.id, loadDeltaRoster);
      const whole = await planDelta(context, org.id, wholeRoster);
      loads.push(partial.partial);
      expect(whole.plan, `round ${round}: plan`).toEqual(partial.plan);
      expect(whole.warnings, `round ${round}: warnings`).toEqual(partial.warnings);
      expect(whole.activeCounts, `round ${round}: active counts`).toEqual(partial.activeCounts);
      expect(whole.verdict, `round ${round}: safeguard`).toEqual(partial.verdict);

      // The pipeline itself plans the same: its dry run stores the plan it made.
      const dryRun = await sync({ mode: 'delta', dryRun: true });
      expect(dryRun.mode).toBe('delta');
      const stored = await loadRunPlan(store.db, dryRun.runId);
      expect(normalizePlan(stored!.plan as SyncPlan, dryRun.runId), `round ${round}: pipeline`).toEqual(
        partial.plan,
      );

      // The district org maps to no row. Touched after the changes, it moves the watermark past
      // them, so the next delta does not read them again.
      clock.advance(hour / 2);
      emulator.controls.putRecord('orgs', { sourcedId: districtId });
      const delta = await sync({ mode: 'delta' });
      expect(delta.mode).toBe('delta');
      expect(delta.status, JSON.stringify(delta.error)).toBe('succeeded');
      expect(delta.counts).toEqual(countPlan(partial.plan));

      // An admin merges the possible duplicates, which leaves merged rows on the roster.
      await mergeOpenReviews(context, org.id, org.slug);
      if (archive) await archiveSchoolYear(store.db, org.id, 2026, 'test');
    }
    // Until the archive, a delta loads the whole roster exactly when it brings a new child.
    const archived = rounds.findIndex((round) => round.archive) + 1;
    expect(loads.slice(0, archived)).toEqual(
      rounds.slice(0, archived).map((round) => round.changes !== 'new'),
    );
  });
});

/** The emulator's clock: the time now, moved further by each `advance`. */
class RoundClock {
  private offset = 0;

  now(): Date {
    return new Date(Date.now() + this.offset);
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}

/** Serves `data` from an emulator dated by `clock`, and connects the organization to it. */
async function connectGenerated(
  store: StoreContext['store'],
  slug: string,
  data: RosterData,
  clock: RoundClock,
): Promise<RunningEmulator> {
  // The requests are signed with the time now, hours behind the emulator's clock.
  const emulator = await startEmulator({ roster: data, clock, timestampWindowSeconds: 24 * 3600 });
  await saveEmulatorConnection(store, slug, emulator);
  return emulator;
}

/** Merges every open possible-duplicate review into its first candidate. */
async function mergeOpenReviews(context: StoreContext, orgId: string, slug: string): Promise<void> {
  const reviews = await context.store.db
    .selectFrom('duplicateReviews')
    .select(['id', 'candidateIds'])
    .where('orgId', '=', orgId)
    .where('status', '=', 'open')
    .execute();
  for (const review of reviews) {
    await mergeReview(context.store.db, slug, review.id, review.candidateIds[0]!, 'test');
  }
}

interface PlannedDelta {
  /** The plan as JSON, with new row ids and the run id replaced by stable names. */
  plan: SyncPlan;
  warnings: unknown[];
  activeCounts: StoredRoster['activeCounts'];
  verdict: ReturnType<typeof checkSafeguard>;
  partial: boolean;
}

/**
 * Plans the organization's next delta as `executePipeline` does, up to the safeguard, with the
 * stored roster that `load` returns. Writes nothing.
 */
async function planDelta(context: StoreContext, orgId: string, load: RosterLoader): Promise<PlannedDelta> {
  const deps = syncDeps(context.store);
  const db = context.store.db;
  const org = await getOrganizationById(db, orgId);
  const settings = await getSyncSettings(db, orgId);
  const now = new Date();
  const decision = await decideMode(db, orgId, 'delta', settings, now);
  expect(decision.mode).toBe('delta');
  const source = await openConnectionSource(db, orgId, deps);
  try {
    const sink = new WarningSink();
    const collected = new RecordCollector();
    const fetched = await fetchCollections({
      source,
      modifiedSince: decision.modifiedSince,
      collector: collected,
      sink,
    });
    const desired = mapCollectedRecords(collected, 'delta', fetched, sink);
    applyScope(desired, settings, sink);
    applyDataRules(desired, settings, sink);
    await assignClassrooms(db, orgId, desired, settings, sink);
    const stored = await load(db, orgId, desired);
    const match = matchRecords(desired, stored, settings, sink);
    const placement = await loadPlacementContext(db, org, collected, now, sink);
    const runId = '00000000-0000-4000-8000-000000000000';
    const plan = buildPlan({
      orgId,
      runId,
      desired,
      stored,
      match,
      settings,
      place: (children) => placeNewChildren(children, placement, sink),
      sink,
    });
    return {
      plan: normalizePlan(JSON.parse(JSON.stringify(plan)) as SyncPlan, runId),
      warnings: [...sink.list()],
      activeCounts: stored.activeCounts,
      verdict: checkSafeguard(plan, stored, settings),
      partial: stored.partial,
    };
  } finally {
    await source.close();
  }
}

/**
 * Replaces the ids a plan draws at random (new rows and new contact links) and the run id by names
 * that do not depend on the draw, wherever they occur, so that two plans of one delta compare.
 */
function normalizePlan(plan: SyncPlan, runId: string): SyncPlan {
  const names = new Map<string, string>([[runId, 'run']]);
  for (const [kind, kindPlan] of Object.entries(plan.kinds)) {
    for (const create of kindPlan.creates) names.set(create.id, `new ${kind} ${create.sourcedId}`);
  }
  const rename = (value: unknown): unknown => {
    if (typeof value === 'string') return names.get(value) ?? value;
    if (Array.isArray(value)) return value.map(rename);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rename(item)]));
    return value;
  };
  // Only a new link's child and contact matter, because its own id is drawn at random.
  const links = plan.contactLinks.creates.map((link) => ({ ...link, id: 'new link' }));
  return rename({ ...plan, contactLinks: { ...plan.contactLinks, creates: links } }) as SyncPlan;
}

/**
 * Random but seeded changes to the emulator's roster, through its admin controls, as a district's
 * roster server would show them between two delta runs.
 */
class RosterChanges {
  private created = 0;
  private readonly deleted: { collection: 'users' | 'enrollments' | 'classes'; sourcedId: string }[] = [];

  constructor(
    private readonly emulator: RunningEmulator,
    private readonly random: SeededRandom,
  ) {}

  /** Makes one round of changes of the given kind. */
  apply(round: number, kind: RoundKind): void {
    const changes: ((round: number) => void)[] = [
      (n) => this.renameChild(n),
      (n) => this.renameEducator(n),
      (n) => this.renameClass(n),
      (n) => this.renameSchool(n),
      (n) => this.changeDemographics(n),
      () => this.enrollElsewhere(),
      () => this.enrollEducatorElsewhere(),
      () => this.moveChild(),
      () => this.moveChildByNewEnrollment(),
      () => this.contactGainsChild(),
      () => this.markTobedeleted(),
      () => this.bringBack(),
      () => this.newContact(),
    ];
    if (kind === 'few') {
      const count = this.random.integer(1, 2);
      for (let index = 0; index < count; index += 1) this.random.pick(changes)(round);
      return;
    }
    if (kind === 'new')
      changes.push(
        () => this.newChild(false),
        () => this.newChild(true),
        () => this.changeRole(),
      );
    // Every kind of change once, in random order, then a few more at random.
    const order = changes.map((change) => ({ change, key: this.random.next() }));
    for (const { change } of order.sort((a, b) => a.key - b.key)) change(round);
    const extra = this.random.integer(2, 6);
    for (let index = 0; index < extra; index += 1) this.random.pick(changes)(round);
  }

  private users(role: User['role'] | 'contact'): User[] {
    return this.emulator.store
      .list('users')
      .filter((user) =>
        role === 'contact' ? user.role === 'parent' || user.role === 'guardian' : user.role === role,
      );
  }

  private activeStudentEnrollments(): Enrollment[] {
    return this.emulator.store
      .list('enrollments')
      .filter((enrollment) => enrollment.role === 'student' && enrollment.status === 'active');
  }

  private put(
    collection: 'orgs' | 'classes' | 'users' | 'enrollments' | 'demographics',
    patch: object,
  ): void {
    this.emulator.controls.putRecord(collection, patch as Record<string, unknown>);
  }

  private renameChild(round: number): void {
    const child = this.random.pick(this.users('student'));
    this.put('users', { sourcedId: child.sourcedId, givenName: `${child.givenName} R${round}` });
  }

  private renameEducator(round: number): void {
    const educator = this.random.pick([...this.users('teacher'), ...this.users('aide')]);
    this.put('users', {
      sourcedId: educator.sourcedId,
      familyName: `${educator.familyName} R${round}`,
      email: `r${round}.${educator.sourcedId}@example.net`,
    });
  }

  private renameClass(round: number): void {
    const classroom = this.random.pick(this.emulator.store.list('classes'));
    this.put('classes', { sourcedId: classroom.sourcedId, title: `${classroom.title} R${round}` });
  }

  private renameSchool(round: number): void {
    const school = this.random.pick(this.emulator.store.list('orgs').filter((org) => org.type === 'school'));
    this.put('orgs', { sourcedId: school.sourcedId, name: `${school.name} R${round}` });
  }

  private changeDemographics(round: number): void {
    const record = this.random.pick(this.emulator.store.list('demographics'));
    this.put('demographics', {
      sourcedId: record.sourcedId,
      sex: record.sex === 'female' ? 'male' : 'female',
      birthDate: round % 2 === 0 ? null : record.birthDate,
    });
  }

  /** Enrolls an enrolled child in a second class as well. */
  private enrollElsewhere(): void {
    const enrollment = this.random.pick(this.activeStudentEnrollments());
    this.put('enrollments', {
      ...enrollment,
      sourcedId: this.newId('enr'),
      classSourcedId: this.otherClass(enrollment.classSourcedId),
      primary: false,
    });
  }

  /** Enrolls a teacher or aide in another class as well. */
  private enrollEducatorElsewhere(): void {
    const enrollment = this.random.pick(
      this.emulator.store
        .list('enrollments')
        .filter((record) => record.role !== 'student' && record.status === 'active'),
    );
    this.put('enrollments', {
      ...enrollment,
      sourcedId: this.newId('enr'),
      classSourcedId: this.otherClass(enrollment.classSourcedId),
      primary: false,
    });
  }

  /** Moves a child to another class by changing its enrollment's class. */
  private moveChild(): void {
    const enrollment = this.random.pick(this.activeStudentEnrollments());
    this.put('enrollments', {
      sourcedId: enrollment.sourcedId,
      classSourcedId: this.otherClass(enrollment.classSourcedId),
    });
  }

  /** Moves a child to another class with a new enrollment, the old one sent as tobedeleted. */
  private moveChildByNewEnrollment(): void {
    const enrollment = this.random.pick(this.activeStudentEnrollments());
    this.put('enrollments', { sourcedId: enrollment.sourcedId, status: 'tobedeleted' });
    this.put('enrollments', {
      ...enrollment,
      sourcedId: this.newId('enr'),
      classSourcedId: this.otherClass(enrollment.classSourcedId),
    });
  }

  private contactGainsChild(): void {
    const contact = this.random.pick(this.users('contact'));
    const child = this.random.pick(this.users('student'));
    this.put('users', {
      sourcedId: contact.sourcedId,
      agentSourcedIds: [...new Set([...contact.agentSourcedIds, child.sourcedId])],
    });
  }

  private markTobedeleted(): void {
    const collection = this.random.pick(['users', 'users', 'enrollments', 'classes'] as const);
    const record = this.random.pick<{ sourcedId: string }>(
      collection === 'users'
        ? this.emulator.store.list('users').filter((user) => user.status === 'active')
        : collection === 'enrollments'
          ? this.activeStudentEnrollments()
          : this.emulator.store.list('classes').filter((classroom) => classroom.status === 'active'),
    );
    this.put(collection, { sourcedId: record.sourcedId, status: 'tobedeleted' });
    this.deleted.push({ collection, sourcedId: record.sourcedId });
  }

  /** Sends a record marked tobedeleted earlier as active again. */
  private bringBack(): void {
    if (this.deleted.length === 0) return this.markTobedeleted();
    const index = this.random.integer(0, this.deleted.length - 1);
    const [record] = this.deleted.splice(index, 1);
    this.put(record!.collection, { sourcedId: record!.sourcedId, status: 'active' });
  }

  private newContact(): void {
    const child = this.random.pick(this.users('student'));
    this.put('users', {
      sourcedId: this.newId('par'),
      role: 'guardian',
      givenName: 'Robin',
      familyName: child.familyName,
      email: `robin.${child.sourcedId}@example.net`,
      orgSourcedIds: child.orgSourcedIds,
      agentSourcedIds: [child.sourcedId],
    });
  }

  /**
   * Adds a child with a new `sourcedId`, enrolled and with demographics. With `sameIdentifier`, it
   * carries the identifier and user ids of a child already on the roster, as when a roster server
   * gives a child a new `sourcedId`. Half the time, that child is marked tobedeleted in the same delta.
   */
  private newChild(sameIdentifier: boolean): void {
    const model = this.random.pick(this.users('student'));
    const sourcedId = this.newId('stu');
    const identifier = sameIdentifier ? model.identifier : `N-${sourcedId}`;
    this.put('users', {
      ...model,
      sourcedId,
      status: 'active',
      givenName: `New${this.created}`,
      identifier,
      userIds: sameIdentifier ? model.userIds : [{ type: 'SIS', identifier: `N-${sourcedId}` }],
      agentSourcedIds: [],
    });
    if (sameIdentifier && this.random.chance(0.5))
      this.put('users', { sourcedId: model.sourcedId, status: 'tobedeleted' });
    const enrollment = this.random.pick(this.activeStudentEnrollments());
    this.put('enrollments', { ...enrollment, sourcedId: this.newId('enr'), userSourcedId: sourcedId });
    const demographics = this.emulator.store.get('demographics', model.sourcedId);
    if (demographics) this.put('demographics', { ...demographics, sourcedId });
  }

  /** Turns an educator into a child or a child into an aide, under the same `sourcedId`. */
  private changeRole(): void {
    if (this.random.chance(0.5)) {
      const educator = this.random.pick(this.users('teacher'));
      this.put('users', { sourcedId: educator.sourcedId, role: 'student', grades: ['PK'] });
    } else {
      const child = this.random.pick(this.users('student'));
      this.put('users', { sourcedId: child.sourcedId, role: 'aide', grades: [] });
    }
  }

  private otherClass(classSourcedId: string): string {
    const others = this.emulator.store
      .list('classes')
      .filter((classroom) => classroom.sourcedId !== classSourcedId);
    return this.random.pick(others).sourcedId;
  }

  private newId(prefix: string): string {
    this.created += 1;
    return `${prefix}-new-${String(this.created).padStart(4, '0')}`;
  }
}
