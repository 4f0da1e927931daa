import type { AnyRecord, CollectionName, Enrollment, RecordOf } from '../oneroster/types.ts';
import { collectionNames } from '../oneroster/types.ts';

/** Every record of a roster by collection, in source order. */
export type RosterData = { [C in CollectionName]: RecordOf[C][] };

export function emptyRosterData(): RosterData {
  return Object.fromEntries(collectionNames.map((name) => [name, []])) as unknown as RosterData;
}

/**
 * The emulator's roster, held in memory as normalized records. Lists keep the source order, so
 * paging is stable; a change bumps `revision`, which drops the cached lists and indexes.
 */
export class RosterStore {
  private maps = new Map<CollectionName, Map<string, AnyRecord>>();
  private listCache = new Map<CollectionName, AnyRecord[]>();
  private enrollmentIndex: { byClass: Map<string, Enrollment[]>; byUser: Map<string, Enrollment[]> } | null =
    null;
  revision = 0;

  constructor(data: RosterData = emptyRosterData()) {
    this.replace(data);
  }

  /** Replaces the whole roster. A repeated `sourcedId` keeps its last record. */
  replace(data: RosterData): void {
    this.maps = new Map(
      collectionNames.map((name) => [name, new Map(data[name].map((record) => [record.sourcedId, record]))]),
    );
    this.changed();
  }

  list<C extends CollectionName>(collection: C): RecordOf[C][] {
    let list = this.listCache.get(collection);
    if (list === undefined) {
      list = [...this.map(collection).values()];
      this.listCache.set(collection, list);
    }
    return list as RecordOf[C][];
  }

  get<C extends CollectionName>(collection: C, sourcedId: string): RecordOf[C] | undefined {
    return this.map(collection).get(sourcedId) as RecordOf[C] | undefined;
  }

  count(collection: CollectionName): number {
    return this.map(collection).size;
  }

  /** Adds or replaces one record, keeping its place in the order when it already exists. */
  put<C extends CollectionName>(collection: C, record: RecordOf[C]): void {
    this.map(collection).set(record.sourcedId, record);
    this.changed();
  }

  /** Removes one record; returns false when there was none. */
  remove(collection: CollectionName, sourcedId: string): boolean {
    const removed = this.map(collection).delete(sourcedId);
    if (removed) this.changed();
    return removed;
  }

  enrollmentsOfClass(classSourcedId: string): Enrollment[] {
    return this.enrollments().byClass.get(classSourcedId) ?? [];
  }

  enrollmentsOfUser(userSourcedId: string): Enrollment[] {
    return this.enrollments().byUser.get(userSourcedId) ?? [];
  }

  private enrollments(): { byClass: Map<string, Enrollment[]>; byUser: Map<string, Enrollment[]> } {
    if (this.enrollmentIndex !== null) return this.enrollmentIndex;
    const byClass = new Map<string, Enrollment[]>();
    const byUser = new Map<string, Enrollment[]>();
    for (const enrollment of this.list('enrollments')) {
      append(byClass, enrollment.classSourcedId, enrollment);
      append(byUser, enrollment.userSourcedId, enrollment);
    }
    this.enrollmentIndex = { byClass, byUser };
    return this.enrollmentIndex;
  }

  private map(collection: CollectionName): Map<string, AnyRecord> {
    let map = this.maps.get(collection);
    if (map === undefined) {
      map = new Map();
      this.maps.set(collection, map);
    }
    return map;
  }

  private changed(): void {
    this.revision += 1;
    this.listCache.clear();
    this.enrollmentIndex = null;
  }
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
