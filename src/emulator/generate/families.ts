import type { GenerationContext } from './context.ts';
import { familyNames, givenNamesFemale, givenNamesMale } from './names.ts';
import type { DistrictPlan, GradeCode, PlannedClassroom, PlannedSchool } from './plan.ts';
import { gradeMix } from './plan.ts';
import type { SeededRandom } from './random.ts';

/** Share of families with two children in the same school. */
const siblingRate = 0.15;
/** Share of children with two adults on record (the others have one). */
const twoAdultRate = 0.6;
/** Share of adults recorded as `guardian` rather than `parent`. */
const guardianRate = 0.15;

export interface MessPicks {
  twoClasses: Set<number>;
  missingBirthDate: Set<number>;
  sameName: Set<number>;
  tobedeleted: Set<number>;
}

interface Child {
  index: number;
  id: string;
  given: string;
  family: string;
  sex: 'male' | 'female';
  classroom: PlannedClassroom;
}

/**
 * Writes the children of every school in family groups (one or two children, then their one or
 * two adults), with demographics and enrollments, applying the chosen mess by child index.
 */
export async function writeFamilies(
  context: GenerationContext,
  random: SeededRandom,
  plan: DistrictPlan,
  picks: MessPicks,
): Promise<void> {
  const names = new NameBook(random);
  let childIndex = 0;
  let adultNumber = 0;
  let previousFamilyChild: Child | null = null;

  for (const school of plan.schools) {
    const seats = classroomSeats(school);
    let i = 0;
    while (i < seats.length) {
      const size = i + 1 < seats.length && random.chance(siblingRate) ? 2 : 1;
      const family = names.familyName();
      const children: Child[] = [];
      for (let k = 0; k < size; k += 1) {
        const classroom = seats[i + k];
        if (classroom === undefined) break;
        const index = childIndex++;
        const sex = random.chance(0.5) ? 'female' : 'male';
        const child: Child = {
          index,
          id: `stu-${String(index + 1).padStart(6, '0')}`,
          sex,
          classroom,
          family,
          given: '',
        };
        if (picks.sameName.has(index) && previousFamilyChild !== null) {
          child.given = previousFamilyChild.given;
          child.family = previousFamilyChild.family;
          context.result.mess.sameNamePairs.push([previousFamilyChild.id, child.id]);
        } else {
          child.given = names.uniqueGiven(sex, family);
        }
        children.push(child);
      }
      i += children.length;

      const adults: string[] = [];
      const adultCount = random.chance(twoAdultRate) ? 2 : 1;
      for (let a = 0; a < adultCount; a += 1) adults.push(`par-${String(++adultNumber).padStart(6, '0')}`);

      for (const child of children) await writeChild(context, random, school, child, adults, picks);
      for (const [a, adultId] of adults.entries()) {
        await writeAdult(context, random, school, adultId, a === 0 ? family : names.familyName(), children);
      }
      previousFamilyChild = children[0] ?? previousFamilyChild;
    }
  }
}

/** Lists the classroom of each seat of a school, in the order its children are generated. */
function classroomSeats(school: PlannedSchool): PlannedClassroom[] {
  return school.classrooms.flatMap((classroom) => Array.from({ length: classroom.size }, () => classroom));
}

async function writeChild(
  context: GenerationContext,
  random: SeededRandom,
  school: PlannedSchool,
  child: Child,
  adults: string[],
  picks: MessPicks,
): Promise<void> {
  const { modified } = context;
  const status = picks.tobedeleted.has(child.index) ? 'tobedeleted' : 'active';
  if (status === 'tobedeleted') context.result.mess.tobedeleted.push(child.id);
  const number = `S${100000 + child.index + 1}`;

  await context.write('users.csv', [
    child.id,
    status,
    modified,
    'true',
    school.sourcedId,
    'student',
    '',
    `{SIS:${number}}`,
    child.given,
    child.family,
    '',
    number,
    '',
    '',
    '',
    adults.join(','),
    child.classroom.grade,
  ]);

  let birthDate = birthDateFor(random, child.classroom.grade, context.schoolYear);
  if (picks.missingBirthDate.has(child.index)) {
    birthDate = '';
    context.result.mess.missingBirthDates.push(child.id);
  }
  await context.write('demographics.csv', [
    child.id,
    status,
    modified,
    birthDate,
    child.sex,
    ...raceFlags(random),
    '',
    '',
    '',
    '',
  ]);

  await context.enroll(child.classroom, school.sourcedId, child.id, 'student', false, status);
  if (picks.twoClasses.has(child.index)) {
    const other = school.classrooms.find((c) => c !== child.classroom && c.size > 0) ?? null;
    if (other !== null) {
      await context.enroll(other, school.sourcedId, child.id, 'student', false, status);
      context.result.mess.childrenInTwoClasses.push(child.id);
    }
  }
}

async function writeAdult(
  context: GenerationContext,
  random: SeededRandom,
  school: PlannedSchool,
  id: string,
  family: string,
  children: Child[],
): Promise<void> {
  const female = random.chance(0.5);
  const given = random.pick(female ? givenNamesFemale : givenNamesMale);
  const role = random.chance(guardianRate) ? 'guardian' : 'parent';
  const email = `${given}.${family}.${id.slice(4)}@example.net`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
  const phone = `555-01${String(random.integer(0, 99)).padStart(2, '0')}`;
  await context.write('users.csv', [
    id,
    'active',
    context.modified,
    'true',
    school.sourcedId,
    role,
    email,
    '',
    given,
    family,
    '',
    '',
    email,
    '',
    phone,
    children.map((child) => child.id).join(','),
    '',
  ]);
}

/** Draws a birth date that fits the grade, by age in months on 1 September of the school year's start. */
function birthDateFor(random: SeededRandom, grade: GradeCode, schoolYear: number): string {
  const entry = gradeMix.find((g) => g.grade === grade) ?? gradeMix[2];
  const [minMonths, maxMonths] = entry.ageMonths;
  const months = random.integer(minMonths, maxMonths);
  const date = new Date(Date.UTC(schoolYear - 1, 8 - months, 1 + random.integer(0, 27)));
  return date.toISOString().slice(0, 10);
}

const raceShares = [0.02, 0.06, 0.14, 0.01, 0.62] as const;

/** Race flags (five races, two or more, Hispanic or Latino) as `true`/`false` strings. */
function raceFlags(random: SeededRandom): string[] {
  const flags = [false, false, false, false, false];
  let roll = random.next();
  let chosen = raceShares.length - 1;
  for (const [index, share] of raceShares.entries()) {
    roll -= share;
    if (roll < 0) {
      chosen = index;
      break;
    }
  }
  flags[chosen] = true;
  const twoOrMore = random.chance(0.05);
  if (twoOrMore) flags[(chosen + 1) % flags.length] = true;
  return [...flags, twoOrMore, random.chance(0.26)].map(String);
}

/** Draws names so that no two children share a full name unless a deliberate quirk needs it. */
class NameBook {
  private readonly taken = new Set<string>();

  constructor(private readonly random: SeededRandom) {}

  familyName(): string {
    return this.random.pick(familyNames);
  }

  uniqueGiven(sex: 'male' | 'female', family: string): string {
    const list = sex === 'female' ? givenNamesFemale : givenNamesMale;
    for (let attempt = 0; attempt < 40; attempt += 1) {
      const given = this.random.pick(list);
      if (this.claim(given, family)) return given;
    }
    // All common names are taken with this family name: add a second given name.
    for (;;) {
      const given = `${this.random.pick(list)} ${this.random.pick(list)}`;
      if (this.claim(given, family)) return given;
    }
  }

  private claim(given: string, family: string): boolean {
    const key = `${given}|${family}`;
    if (this.taken.has(key)) return false;
    this.taken.add(key);
    return true;
  }
}
