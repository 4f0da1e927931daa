import type { GenerationContext } from './context.ts';
import { messRates } from './context.ts';
import type { DistrictPlan, PlannedClassroom } from './plan.ts';
import type { SeededRandom } from './random.ts';

export async function writeClassroom(
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

export function pickTwoSchoolTeachers(
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
