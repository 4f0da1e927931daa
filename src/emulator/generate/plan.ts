import { districtNames, schoolNames } from './names.ts';
import type { SeededRandom } from './random.ts';

/** Grade codes of the generated children, with their share of children and classroom size. */
export const gradeMix = [
  { grade: 'IT', share: 0.1, classSize: 8, title: 'Infants and Toddlers', ageMonths: [2, 23] },
  { grade: 'PR', share: 0.15, classSize: 12, title: 'Preschool', ageMonths: [24, 47] },
  { grade: 'PK', share: 0.35, classSize: 18, title: 'Pre-Kindergarten', ageMonths: [48, 59] },
  { grade: 'TK', share: 0.12, classSize: 20, title: 'Transitional Kindergarten', ageMonths: [56, 64] },
  { grade: 'KG', share: 0.22, classSize: 22, title: 'Kindergarten', ageMonths: [60, 71] },
  { grade: '01', share: 0.06, classSize: 24, title: 'First Grade', ageMonths: [72, 83] },
] as const;

export type GradeCode = (typeof gradeMix)[number]['grade'];

/** Children per school, on average. */
export const childrenPerSchool = 200;

/** Grades whose classrooms get an aide as well as a lead teacher. */
const gradesWithAides: ReadonlySet<string> = new Set(['IT', 'PR', 'PK']);
/** Share of classrooms with a second (co-)teacher, `primary` false. */
export const coTeacherRate = 0.1;

const roomNames = [
  'Ladybugs',
  'Butterflies',
  'Caterpillars',
  'Dragonflies',
  'Bumblebees',
  'Owls',
  'Penguins',
  'Turtles',
  'Dolphins',
  'Koalas',
  'Pandas',
  'Otters',
  'Foxes',
  'Robins',
  'Seahorses',
  'Hedgehogs',
];

export interface PlannedClassroom {
  sourcedId: string;
  schoolIndex: number;
  grade: GradeCode;
  title: string;
  code: string;
  /** Children placed in it (0 for a deliberately empty classroom). */
  size: number;
  leadTeacherId: string;
  coTeacherIds: string[];
  aideId: string | null;
}

export interface PlannedSchool {
  sourcedId: string;
  name: string;
  /** Grade of each child of the school, in order. */
  grades: GradeCode[];
  classrooms: PlannedClassroom[];
}

export interface DistrictPlan {
  districtId: string;
  districtName: string;
  schools: PlannedSchool[];
  classrooms: PlannedClassroom[];
}

/**
 * Plans schools and classrooms before any row is written, so that rows can stream out school by
 * school while a teacher's row can still name a second school. `emptyClassrooms` extra
 * classrooms get a teacher and no children.
 */
export function planDistrict(random: SeededRandom, students: number, emptyClassrooms: number): DistrictPlan {
  const schoolCount = Math.max(1, Math.ceil(students / childrenPerSchool));
  const districtName = `${random.pick(districtNames)} Early Learning District`;
  let staffNumber = 0;
  const nextStaffId = (prefix: string): string => `${prefix}-${String(++staffNumber).padStart(5, '0')}`;

  const schools: PlannedSchool[] = [];
  for (let s = 0; s < schoolCount; s += 1) {
    const first = Math.floor((s * students) / schoolCount);
    const last = Math.floor(((s + 1) * students) / schoolCount);
    const grades = Array.from({ length: last - first }, () => pickGrade(random));
    grades.sort((a, b) => gradeIndex(a) - gradeIndex(b));
    const suffix = s < schoolNames.length ? '' : ` ${Math.floor(s / schoolNames.length) + 1}`;
    schools.push({
      sourcedId: `sch-${String(s + 1).padStart(3, '0')}`,
      name: `${schoolNames[s % schoolNames.length]} Early Learning Center${suffix}`,
      grades,
      classrooms: [],
    });
  }

  for (const [schoolIndex, school] of schools.entries()) {
    for (const { grade, classSize } of gradeMix) {
      const count = school.grades.filter((g) => g === grade).length;
      const rooms = Math.ceil(count / classSize);
      for (let r = 0; r < rooms; r += 1) {
        const size = Math.floor(((r + 1) * count) / rooms) - Math.floor((r * count) / rooms);
        school.classrooms.push(newClassroom(school, schoolIndex, grade, size));
      }
    }
  }
  for (const index of random.sample(schools.length, emptyClassrooms)) {
    const school = schools[index];
    if (school !== undefined) school.classrooms.push(newClassroom(school, index, 'PK', 0));
  }

  for (const classroom of schools.flatMap((school) => school.classrooms)) {
    classroom.leadTeacherId = nextStaffId('tch');
    if (random.chance(coTeacherRate)) classroom.coTeacherIds.push(nextStaffId('tch'));
    if (gradesWithAides.has(classroom.grade)) classroom.aideId = nextStaffId('aid');
  }

  return {
    districtId: 'dist-001',
    districtName,
    schools,
    classrooms: schools.flatMap((school) => school.classrooms),
  };

  function newClassroom(
    school: PlannedSchool,
    schoolIndex: number,
    grade: GradeCode,
    size: number,
  ): PlannedClassroom {
    const number = school.classrooms.length + 1;
    const room = roomNames[(number - 1) % roomNames.length] ?? 'Room';
    return {
      sourcedId: `cls-${school.sourcedId.slice(4)}-${String(number).padStart(2, '0')}`,
      schoolIndex,
      grade,
      title: `${grade} ${room}`,
      code: `${grade}-${number}`,
      size,
      leadTeacherId: '',
      coTeacherIds: [],
      aideId: null,
    };
  }
}

function pickGrade(random: SeededRandom): GradeCode {
  let roll = random.next();
  for (const entry of gradeMix) {
    roll -= entry.share;
    if (roll < 0) return entry.grade;
  }
  return 'KG';
}

function gradeIndex(grade: GradeCode): number {
  return gradeMix.findIndex((entry) => entry.grade === grade);
}
