import { absentFiles, generatedColumns } from './columns.ts';
import type { GenerationResult } from './context.ts';
import { GenerationContext, messRates } from './context.ts';
import { writeFamilies } from './families.ts';
import type { DistrictPlan } from './plan.ts';
import { gradeMix, planDistrict } from './plan.ts';
import { SeededRandom } from './random.ts';
import type { RowSink } from './sink.ts';
import { pickTwoSchoolTeachers, writeClassroom } from './staff.ts';

export type { GenerationResult } from './context.ts';
export { messRates } from './context.ts';

export interface GenerateOptions {
  /** Number of children. */
  students: number;
  /** Same seed, same district, byte for byte. Default `rostersync`. */
  seed?: string | number;
  /** The ending year of the school year, e.g. 2026 for 2025-26. Default 2026. */
  schoolYear?: number;
}

/**
 * Generates a deterministic early-learning district as a OneRoster 1.1 CSV bundle into `sink`.
 * It contains a district and its schools, classrooms by grade, lead teachers with co-teachers and
 * aides, children with birth dates that fit their grade, and parents and guardians linked as
 * agents. Demographics, enrollments, one schoolYear session and the quirks of `messRates` come
 * with them. Rows
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
