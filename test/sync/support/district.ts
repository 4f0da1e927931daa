import { saveRosterConnection } from '../../../src/roster/organizations.ts';
import type { Store } from '../../../src/db/store.ts';
import { type RunningEmulator, startEmulator } from '../../../src/emulator/server.ts';
import { emptyRosterData, type RosterData } from '../../../src/emulator/store.ts';
import { blankRecord } from '../../../src/emulator/templates.ts';
import type { AnyRecord, CollectionName } from '../../../src/oneroster/types.ts';
import { testSecretKey } from './harness.ts';

const modified = '2026-09-01T12:00:00.000Z';

function record<C extends CollectionName>(
  collection: C,
  sourcedId: string,
  fields: Record<string, unknown>,
): AnyRecord {
  return { ...blankRecord(collection, sourcedId), dateLastModified: modified, ...fields } as AnyRecord;
}

/**
 * A small district: one school, homeroom classes PK-A and PK-B, and TK-C whose only member is its
 * teacher. PK-A has co-teachers (t1 primary, t2 not) and an aide; four students with
 * demographics (s1 to s3 in PK-A, s4 in PK-B); a guardian g1 linked to s1 through the student's
 * `agents`, and a parent p1 linking itself to s2.
 */
export function smallDistrict(): RosterData {
  const data = emptyRosterData();
  const add = (collection: CollectionName, sourcedId: string, fields: Record<string, unknown>) => {
    (data[collection] as AnyRecord[]).push(record(collection, sourcedId, fields));
  };

  add('orgs', 'd1', { name: 'Maple District', type: 'district' });
  add('orgs', 'sch1', {
    name: 'Maple Early Learning Center',
    type: 'school',
    identifier: 'MELC',
    parentSourcedId: 'd1',
  });
  add('academicSessions', 'y2027', {
    title: '2026-27',
    type: 'schoolYear',
    startDate: '2026-08-15',
    endDate: '2027-06-15',
    schoolYear: '2027',
  });

  add('classes', 'cA', {
    title: 'PK-A Bears',
    classCode: 'PKA',
    classType: 'homeroom',
    grades: ['PK'],
    schoolSourcedId: 'sch1',
  });
  add('classes', 'cB', {
    title: 'PK-B Owls',
    classCode: 'PKB',
    classType: 'homeroom',
    grades: ['PK'],
    schoolSourcedId: 'sch1',
  });
  add('classes', 'cC', {
    title: 'TK-C Foxes',
    classCode: 'TKC',
    classType: 'homeroom',
    grades: ['TK'],
    schoolSourcedId: 'sch1',
  });

  const staff = { orgSourcedIds: ['sch1'], primaryOrgSourcedId: 'sch1' };
  add('users', 't1', {
    ...staff,
    role: 'teacher',
    givenName: 'Ana',
    familyName: 'Lopez',
    email: 'ana@maple.example',
  });
  add('users', 't2', {
    ...staff,
    role: 'teacher',
    givenName: 'Ben',
    familyName: 'Okafor',
    email: 'ben@maple.example',
  });
  add('users', 't3', {
    ...staff,
    role: 'teacher',
    givenName: 'Cleo',
    familyName: 'Nguyen',
    email: 'cleo@maple.example',
  });
  add('users', 'a1', { ...staff, role: 'aide', givenName: 'Dev', familyName: 'Patel' });
  const students: [string, string, string, string][] = [
    ['s1', 'Emma', 'Stone', 'PK'],
    ['s2', 'Liam', "O'Neil", 'PK'],
    ['s3', 'Zoë', 'Brandt', 'PK'],
    ['s4', 'Noah', 'Kim', 'PK'],
  ];
  for (const [sourcedId, givenName, familyName, grade] of students) {
    add('users', sourcedId, {
      ...staff,
      role: 'student',
      givenName,
      familyName,
      grades: [grade],
      identifier: `ID-${sourcedId}`,
      userIds: [{ type: 'SIS', identifier: `sis-${sourcedId}` }],
      agentSourcedIds: sourcedId === 's1' ? ['g1'] : [],
    });
    add('demographics', sourcedId, {
      birthDate: '2022-03-0' + sourcedId.slice(1),
      sex: 'female',
      asian: sourcedId === 's3',
    });
  }
  add('users', 'g1', {
    role: 'guardian',
    givenName: 'Grace',
    familyName: 'Stone',
    email: 'grace@home.example',
    orgSourcedIds: ['sch1'],
  });
  add('users', 'p1', {
    role: 'parent',
    givenName: 'Paul',
    familyName: "O'Neil",
    agentSourcedIds: ['s2'],
    orgSourcedIds: ['sch1'],
  });

  const enroll = (sourcedId: string, user: string, cls: string, role: string, primary = false) =>
    add('enrollments', sourcedId, {
      userSourcedId: user,
      classSourcedId: cls,
      schoolSourcedId: 'sch1',
      role,
      primary,
      beginDate: '2026-08-15',
    });
  enroll('e-t1-A', 't1', 'cA', 'teacher', true);
  enroll('e-t2-A', 't2', 'cA', 'teacher', false);
  enroll('e-a1-A', 'a1', 'cA', 'aide');
  enroll('e-t3-C', 't3', 'cC', 'teacher', true);
  enroll('e-t1-B', 't1', 'cB', 'teacher', true);
  enroll('e-s1-A', 's1', 'cA', 'student');
  enroll('e-s2-A', 's2', 'cA', 'student');
  enroll('e-s3-A', 's3', 'cA', 'student');
  enroll('e-s4-B', 's4', 'cB', 'student');
  return data;
}

/** Starts an emulator serving `data` and connects the organization to it with OAuth 1.0a. */
export async function connectEmulator(
  store: Store,
  slug: string,
  data: RosterData = smallDistrict(),
  options: { maxPage?: number } = {},
): Promise<RunningEmulator> {
  const emulator = await startEmulator({ roster: data, maxPage: options.maxPage });
  await saveEmulatorConnection(store, slug, emulator);
  return emulator;
}

/** Connects the organization to a running emulator with OAuth 1.0a. */
export async function saveEmulatorConnection(
  store: Store,
  slug: string,
  emulator: RunningEmulator,
): Promise<void> {
  await saveRosterConnection(
    store.db,
    slug,
    {
      endpointUrl: emulator.baseUrl,
      version: '1.1',
      authKind: 'oauth1',
      key: emulator.key,
      secret: emulator.secret,
      actor: 'test',
    },
    testSecretKey,
  );
}
