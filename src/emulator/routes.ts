import type { AcademicSession, AnyRecord, Class, CollectionName, Org, User } from '../oneroster/types.ts';
import type { RosterStore } from './store.ts';

/** One REST resource of the OneRoster rostering service, resolved against the store. */
export type Endpoint =
  | { kind: 'list'; name: string; collection: CollectionName; envelope: string; records: AnyRecord[] }
  | { kind: 'single'; name: string; collection: CollectionName; envelope: string; record: AnyRecord }
  | { kind: 'missing'; name: string; message: string };

interface View {
  collection: CollectionName;
  /** Envelope key of a single object. */
  single: string;
  accepts: (record: AnyRecord) => boolean;
}

const any = (): boolean => true;
const orgOfType = (type: string) => (record: AnyRecord) => (record as Org).type === type;
const sessionOfType = (type: string) => (record: AnyRecord) => (record as AcademicSession).type === type;
const userWithRole = (role: string) => (record: AnyRecord) => (record as User).role === role;

/** Top-level resources: the collections and the typed views over them. */
const views: Record<string, View> = {
  orgs: { collection: 'orgs', single: 'org', accepts: any },
  schools: { collection: 'orgs', single: 'org', accepts: orgOfType('school') },
  academicSessions: { collection: 'academicSessions', single: 'academicSession', accepts: any },
  terms: { collection: 'academicSessions', single: 'academicSession', accepts: sessionOfType('term') },
  gradingPeriods: {
    collection: 'academicSessions',
    single: 'academicSession',
    accepts: sessionOfType('gradingPeriod'),
  },
  courses: { collection: 'courses', single: 'course', accepts: any },
  classes: { collection: 'classes', single: 'class', accepts: any },
  users: { collection: 'users', single: 'user', accepts: any },
  students: { collection: 'users', single: 'user', accepts: userWithRole('student') },
  teachers: { collection: 'users', single: 'user', accepts: userWithRole('teacher') },
  enrollments: { collection: 'enrollments', single: 'enrollment', accepts: any },
  demographics: { collection: 'demographics', single: 'demographics', accepts: any },
};

type NestedResolver = (store: RosterStore, parentId: string) => AnyRecord[];

/** Nested collections, keyed `parent/child`, each listing the child records of one parent. */
const nested: Record<string, { collection: CollectionName; resolve: NestedResolver }> = {
  'schools/classes': {
    collection: 'classes',
    resolve: (store, id) => store.list('classes').filter((room) => room.schoolSourcedId === id),
  },
  'schools/students': { collection: 'users', resolve: (store, id) => usersOfSchool(store, id, 'student') },
  'schools/teachers': { collection: 'users', resolve: (store, id) => usersOfSchool(store, id, 'teacher') },
  'schools/enrollments': {
    collection: 'enrollments',
    resolve: (store, id) =>
      store.list('enrollments').filter((enrollment) => enrollment.schoolSourcedId === id),
  },
  'classes/students': { collection: 'users', resolve: (store, id) => usersOfClass(store, id, 'student') },
  'classes/teachers': { collection: 'users', resolve: (store, id) => usersOfClass(store, id, 'teacher') },
  'students/classes': { collection: 'classes', resolve: (store, id) => classesOfUser(store, id) },
  'teachers/classes': { collection: 'classes', resolve: (store, id) => classesOfUser(store, id) },
};

/** The top-level resource names, for the emulator's index page and tests. */
export const resourceNames = Object.keys(views);
export const nestedResourceNames = Object.keys(nested);

/**
 * Resolves the path segments after the version's base path (`['schools', 's1', 'classes']`).
 * Returns null when no such resource exists in OneRoster.
 */
export function resolveEndpoint(store: RosterStore, segments: string[]): Endpoint | null {
  const [resource, id, child, ...rest] = segments;
  if (resource === undefined || rest.length > 0) return null;
  const view = views[resource];
  if (view === undefined) return null;

  if (id === undefined) {
    const all = store.list(view.collection) as AnyRecord[];
    const records = view.accepts === any ? all : all.filter(view.accepts);
    return { kind: 'list', name: resource, collection: view.collection, envelope: view.collection, records };
  }

  const parent = store.get(view.collection, id);
  if (parent === undefined || !view.accepts(parent)) {
    return {
      kind: 'missing',
      name: resource,
      message: `No ${view.single} has the sourcedId ${id} at /${resource}.`,
    };
  }
  if (child === undefined) {
    return {
      kind: 'single',
      name: resource,
      collection: view.collection,
      envelope: view.single,
      record: parent,
    };
  }

  const route = nested[`${resource}/${child}`];
  if (route === undefined) return null;
  const records = route.resolve(store, id);
  return { kind: 'list', name: child, collection: route.collection, envelope: route.collection, records };
}

function usersOfSchool(store: RosterStore, schoolId: string, role: string): User[] {
  return store.list('users').filter((user) => user.role === role && user.orgSourcedIds.includes(schoolId));
}

function usersOfClass(store: RosterStore, classId: string, role: string): User[] {
  const users: User[] = [];
  const seen = new Set<string>();
  for (const enrollment of store.enrollmentsOfClass(classId)) {
    if (enrollment.role !== role || seen.has(enrollment.userSourcedId)) continue;
    seen.add(enrollment.userSourcedId);
    const user = store.get('users', enrollment.userSourcedId);
    if (user !== undefined) users.push(user);
  }
  return users;
}

function classesOfUser(store: RosterStore, userId: string): Class[] {
  const classes: Class[] = [];
  const seen = new Set<string>();
  for (const enrollment of store.enrollmentsOfUser(userId)) {
    if (seen.has(enrollment.classSourcedId)) continue;
    seen.add(enrollment.classSourcedId);
    const room = store.get('classes', enrollment.classSourcedId);
    if (room !== undefined) classes.push(room);
  }
  return classes;
}
