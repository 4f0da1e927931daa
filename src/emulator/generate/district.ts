import { absentFiles, generatedColumns } from './columns.ts';
import type { GeneratedFile } from './columns.ts';
import { writeFamilies } from './families.ts';
import type { DistrictPlan, PlannedClassroom } from './plan.ts';
import { gradeMix, planDistrict } from './plan.ts';
import { SeededRandom } from './random.ts';
import type { RowSink } from './sink.ts';

export interface GenerateOptions {
  /** Number of children. */
  students: number;
  /** Same seed, same district, byte for byte. Default `rostersync`. */
  seed?: string | number;
  /** The ending year of the school year, e.g. 2026 for 2025-26. Default 2026. */
  schoolYear?: number;
}

/**
 * Rates of the deliberate mess real districts send, as shares of children unless stated.
 * Each kind appears at least once, whatever the size, so tests can always find one.
 */
export const messRates = {
  /** A child enrolled in a second classroom of the same school. */
  childInTwoClasses: 0.01,
  /** A lead teacher who also co-teaches in another school (share of lead teachers; none with one school). */
  teacherInTwoSchools: 0.02,
  /** A child whose demographics row has no birth date. */
  missingBirthDate: 0.01,
  /** A child given the same given and family name as a child of another family. */
  sameName: 0.005,
  /** A classroom with its teacher but no children (per child: one per 1,000). */
  emptyClassroom: 0.001,
  /** A child marked `tobedeleted`, with its enrollments and demographics. */
  tobedeleted: 0.01,
  /** An enrollment whose `userSourcedId` names no user (per child: one per 500). */
  unknownUserEnrollment: 0.002,
} as const;

/** What the generator wrote, and where it put each deliberate quirk. */
export interface GenerationResult {
  seed: string;
  schoolYear: number;
  counts: Record<GeneratedFile, number>;
  rates: typeof messRates;
  mess: {
    childrenInTwoClasses: string[];
    teachersInTwoSchools: string[];
    missingBirthDates: string[];
    /** Pairs of child sourcedIds with the same name. */
    sameNamePairs: Array<[string, string]>;
    emptyClassrooms: string[];
    tobedeleted: string[];
    /** Enrollment sourcedIds that name an unknown user. */
    unknownUserEnrollments: string[];
  };
}

/**
 * Generates a deterministic early-learning district as a OneRoster 1.1 CSV bundle into `sink`:
 * a district and its schools, classrooms by grade, lead teachers with co-teachers and aides,
 * children with birth dates that fit their grade, parents and guardians linked as agents,
 * demographics, enrollments and one schoolYear session, plus the mess of `messRates`. Rows
 * stream out school by school, so memory stays bounded. Throws on `students` below 1.
 */
export async function generateDistrict(options: GenerateOptions, sink: RowSink): Promise<GenerationResult> {
  if (!Number.isInteger(options.students) || options.students < 1) {
    throw new RangeError(`students must be a whole number of at least 1; got ${options.students}.`);
  }
  const seed = String(options.seed ?? 'rostersync');
  const schoolYear = options.schoolYear ?? 2026;
  const random = new SeededRandom(seed);
  const atLeastOne = (rate: number, base: number): number => Math.max(1, Math.round(rate * base));
  const students = options.students;

  const plan = planDistrict(random, students, atLeastOne(messRates.emptyClassroom, students));
  const context = new GenerationContext(sink, seed, schoolYear);
  for (const [file, columns] of Object.entries(generatedColumns)) sink.begin(file, columns);

  await writeOrgsAndSessions(context, plan);
  const twoSchoolTeachers =
    plan.schools.length > 1 ? pickTwoSchoolTeachers(random, plan, atLeastOne) : new Map();
  for (const classroom of plan.classrooms) await writeClassroom(context, plan, classroom, twoSchoolTeachers);

  const picks = {
    twoClasses: new Set(random.sample(students, atLeastOne(messRates.childInTwoClasses, students))),
    missingBirthDate: new Set(random.sample(students, atLeastOne(messRates.missingBirthDate, students))),
    sameName: new Set(random.sample(students, atLeastOne(messRates.sameName, students))),
    tobedeleted: new Set(random.sample(students, atLeastOne(messRates.tobedeleted, students))),
  };
  await writeFamilies(context, random, plan, picks);
  await writeUnknownUserEnrollments(
    context,
    random,
    plan,
    atLeastOne(messRates.unknownUserEnrollment, students),
  );

  context.result.mess.emptyClassrooms = plan.classrooms.filter((c) => c.size === 0).map((c) => c.sourcedId);
  context.result.mess.teachersInTwoSchools = [...twoSchoolTeachers.keys()];
  await writeManifest(sink, seed);
  context.result.counts['manifest.csv'] = 1;
  await sink.close();
  return context.result;
}

/** Shared state of one generation: the sink, row counters, fixed timestamps and the result. */
export class GenerationContext {
  readonly result: GenerationResult;
  readonly modified: string;
  readonly yearId: string;
  readonly yearStart: string;
  private enrollmentNumber = 0;

  constructor(
    readonly sink: RowSink,
    seed: string,
    readonly schoolYear: number,
  ) {
    const counts = Object.fromEntries(
      [...Object.keys(generatedColumns), 'manifest.csv'].map((file) => [file, 0]),
    ) as Record<GeneratedFile, number>;
    this.result = {
      seed,
      schoolYear,
      counts,
      rates: messRates,
      mess: {
        childrenInTwoClasses: [],
        teachersInTwoSchools: [],
        missingBirthDates: [],
        sameNamePairs: [],
        emptyClassrooms: [],
        tobedeleted: [],
        unknownUserEnrollments: [],
      },
    };
    // A fixed timestamp keeps the output the same on every run.
    this.modified = `${schoolYear - 1}-08-01T12:00:00.000Z`;
    this.yearId = `sy-${schoolYear - 1}-${schoolYear}`;
    this.yearStart = `${schoolYear - 1}-08-15`;
  }

  async write(file: keyof typeof generatedColumns, cells: string[]): Promise<void> {
    this.result.counts[file] += 1;
    await this.sink.row(file, cells);
  }

  /** Writes one enrollment row and returns its sourcedId. */
  async enroll(
    classroom: PlannedClassroom,
    schoolId: string,
    userId: string,
    role: string,
    primary: boolean,
    status = 'active',
  ): Promise<string> {
    const id = `enr-${String(++this.enrollmentNumber).padStart(7, '0')}`;
    await this.write('enrollments.csv', [
      id,
      status,
      this.modified,
      classroom.sourcedId,
      schoolId,
      userId,
      role,
      String(primary),
      this.yearStart,
      '',
    ]);
    return id;
  }
}

async function writeOrgsAndSessions(context: GenerationContext, plan: DistrictPlan): Promise<void> {
  const { modified, schoolYear, yearId } = context;
  await context.write('orgs.csv', [
    plan.districtId,
    'active',
    modified,
    plan.districtName,
    'district',
    'D001',
    '',
  ]);
  for (const [index, school] of plan.schools.entries()) {
    const identifier = `S${String(index + 1).padStart(3, '0')}`;
    await context.write('orgs.csv', [
      school.sourcedId,
      'active',
      modified,
      school.name,
      'school',
      identifier,
      plan.districtId,
    ]);
  }

  const title = `${schoolYear - 1}-${String(schoolYear).slice(2)} School Year`;
  const yearEnd = `${schoolYear}-06-16`;
  await context.write('academicSessions.csv', [
    yearId,
    'active',
    modified,
    title,
    'schoolYear',
    context.yearStart,
    yearEnd,
    '',
    String(schoolYear),
  ]);

  for (const { grade, title: courseTitle } of gradeMix) {
    await context.write('courses.csv', [
      `crs-${grade}`,
      'active',
      modified,
      yearId,
      courseTitle,
      grade,
      grade,
      plan.districtId,
      'Early Learning',
      '',
    ]);
  }
}

async function writeClassroom(
  context: GenerationContext,
  plan: DistrictPlan,
  classroom: PlannedClassroom,
  twoSchoolTeachers: Map<string, PlannedClassroom>,
): Promise<void> {
  const school = plan.schools[classroom.schoolIndex];
  if (school === undefined) return;
  const room = `Room ${classroom.code.split('-')[1] ?? '1'}`;
  await context.write('classes.csv', [
    classroom.sourcedId,
    'active',
    context.modified,
    classroom.title,
    classroom.grade,
    `crs-${classroom.grade}`,
    classroom.code,
    'homeroom',
    room,
    school.sourcedId,
    context.yearId,
    'Early Learning',
    '',
    '',
  ]);

  const staff: Array<[string, string, boolean]> = [[classroom.leadTeacherId, 'teacher', true]];
  for (const id of classroom.coTeacherIds) staff.push([id, 'teacher', false]);
  if (classroom.aideId !== null) staff.push([classroom.aideId, 'aide', false]);

  for (const [id, role, primary] of staff) {
    const second = twoSchoolTeachers.get(id);
    const secondSchool = second === undefined ? undefined : plan.schools[second.schoolIndex];
    const orgs =
      secondSchool === undefined ? school.sourcedId : `${school.sourcedId},${secondSchool.sourcedId}`;
    await writeStaffUser(context, id, role, orgs);
    await context.enroll(classroom, school.sourcedId, id, role, primary);
    if (second !== undefined && secondSchool !== undefined) {
      await context.enroll(second, secondSchool.sourcedId, id, 'teacher', false);
    }
  }
}

const staffGiven = [
  'Maria',
  'Jennifer',
  'Aisha',
  'Linda',
  'Rosa',
  'Keisha',
  'Anne',
  'Mei',
  'Carlos',
  'David',
  'Samir',
  'Paul',
];
const staffFamily = [
  'Alvarez',
  'Bennett',
  'Chowdhury',
  'Dunn',
  'Ellison',
  'Fischer',
  'Grant',
  'Holloway',
  'Ito',
  'Jensen',
];

async function writeStaffUser(
  context: GenerationContext,
  id: string,
  role: string,
  orgs: string,
): Promise<void> {
  const number = Number(id.slice(4));
  const given = staffGiven[number % staffGiven.length] ?? 'Alex';
  const family = staffFamily[Math.floor(number / staffGiven.length) % staffFamily.length] ?? 'Smith';
  const username = `${given}.${family}${number}`.toLowerCase();
  await context.write('users.csv', [
    id,
    'active',
    context.modified,
    'true',
    orgs,
    role,
    username,
    `{SIS:E${number}}`,
    given,
    family,
    '',
    `E${number}`,
    `${username}@example.net`,
    '',
    '',
    '',
    '',
  ]);
}

function pickTwoSchoolTeachers(
  random: SeededRandom,
  plan: DistrictPlan,
  atLeastOne: (rate: number, base: number) => number,
): Map<string, PlannedClassroom> {
  const chosen = new Map<string, PlannedClassroom>();
  const count = atLeastOne(messRates.teacherInTwoSchools, plan.classrooms.length);
  for (const index of random.sample(plan.classrooms.length, count)) {
    const home = plan.classrooms[index];
    if (home === undefined) continue;
    const otherSchool = plan.schools[(home.schoolIndex + 1) % plan.schools.length];
    const other = otherSchool?.classrooms[0];
    if (other !== undefined) chosen.set(home.leadTeacherId, other);
  }
  return chosen;
}

async function writeUnknownUserEnrollments(
  context: GenerationContext,
  random: SeededRandom,
  plan: DistrictPlan,
  count: number,
): Promise<void> {
  for (let n = 1; n <= count; n += 1) {
    const classroom = random.pick(plan.classrooms);
    const school = plan.schools[classroom.schoolIndex];
    if (school === undefined) continue;
    const unknownUser = `stu-unknown-${String(n).padStart(4, '0')}`;
    const id = await context.enroll(classroom, school.sourcedId, unknownUser, 'student', false);
    context.result.mess.unknownUserEnrollments.push(id);
  }
}

async function writeManifest(sink: RowSink, seed: string): Promise<void> {
  sink.begin('manifest.csv', ['propertyName', 'value']);
  const rows: Array<[string, string]> = [
    ['manifest.version', '1.0'],
    ['oneroster.version', '1.1'],
    ...Object.keys(generatedColumns).map((file): [string, string] => [
      `file.${file.replace('.csv', '')}`,
      'bulk',
    ]),
    ...absentFiles.map((name): [string, string] => [`file.${name}`, 'absent']),
    ['source.systemName', 'rostersync generate'],
    ['source.systemCode', `seed:${seed}`],
  ];
  for (const row of rows) await sink.row('manifest.csv', row);
}
