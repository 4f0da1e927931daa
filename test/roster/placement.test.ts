import { describe, expect, it } from 'vitest';

import { normalizeGradeCode } from '../../src/roster/grades.ts';
import {
  ageInMonths,
  defaultLevel,
  defaultSchoolYearStart,
  levelAfterSync,
  levelForAge,
  placeChild,
} from '../../src/roster/placement.ts';

describe('normalizeGradeCode', () => {
  const cases: [string, string | null][] = [
    ['IT', 'IT'],
    ['InfantToddler', 'IT'],
    ['Infant/Toddler', null],
    ['infants and toddlers', 'IT'],
    ['PR', 'PR'],
    ['Preschool', 'PR'],
    ['PK', 'PK'],
    ['PreK', 'PK'],
    ['Pre-K', 'PK'],
    ['pre k', 'PK'],
    ['Prekindergarten', 'PK'],
    ['PK3', 'PK3'],
    ['PK4', 'PK4'],
    ['Pre-K 4', 'PK4'],
    ['TK', 'TK'],
    ['Transitional Kindergarten', 'TK'],
    ['KG', 'KG'],
    ['K', 'KG'],
    ['k', 'KG'],
    ['00', 'KG'],
    ['0', 'KG'],
    ['Kindergarten', 'KG'],
    ['01', '01'],
    ['1', '01'],
    ['1st', '01'],
    ['First grade', '01'],
    ['Grade 1', '01'],
    ['02', '02'],
    ['9', '09'],
    ['12', '12'],
    ['13', '13'],
    ['14', null],
    ['PS', 'PS'],
    ['UG', 'UG'],
    ['Ungraded', 'UG'],
    ['Other', 'Other'],
    [' kg ', 'KG'],
    ['', null],
    ['Nursery', null],
  ];
  it.each(cases)('%j folds to %j', (raw, expected) => {
    expect(normalizeGradeCode(raw)).toBe(expected);
  });
});

describe('ageInMonths', () => {
  const cases: [string, string, number][] = [
    ['2020-09-01', '2024-09-01', 48],
    ['2020-09-02', '2024-09-01', 47],
    ['2020-08-31', '2024-09-01', 48],
    ['2024-02-29', '2025-02-28', 11],
    ['2024-10-01', '2024-09-01', -1],
  ];
  it.each(cases)('born %s, on %s: %i months', (birth, on, months) => {
    expect(ageInMonths(birth, on)).toBe(months);
  });
});

describe('levelForAge', () => {
  const cases: [number, string][] = [
    [-3, 'infant'],
    [0, 'infant'],
    [11, 'infant'],
    [12, 'toddler'],
    [35, 'toddler'],
    [36, 'preschool-3'],
    [47, 'preschool-3'],
    [48, 'prek-4'],
    [59, 'prek-4'],
    [60, 'kindergarten'],
    [71, 'kindergarten'],
    [72, 'grade-1'],
    [83, 'grade-1'],
    [84, 'beyond'],
    [200, 'beyond'],
  ];
  it.each(cases)('%i months is %s', (months, level) => {
    expect(levelForAge(months)).toBe(level);
  });
});

describe('placeChild', () => {
  const start = '2024-08-01';
  const cases: {
    name: string;
    grades: string[];
    birthDate: string | null;
    level: string;
    basis: string;
    warnings: string[];
  }[] = [
    { name: 'PK by grade', grades: ['PK'], birthDate: null, level: 'prek-4', basis: 'grade', warnings: [] },
    {
      name: 'KG variant K',
      grades: ['K'],
      birthDate: '2019-03-01',
      level: 'kindergarten',
      basis: 'grade',
      warnings: [],
    },
    {
      name: 'TK only from the grade',
      grades: ['TK'],
      birthDate: '2019-12-01',
      level: 'tk',
      basis: 'grade',
      warnings: [],
    },
    {
      name: 'PK3 variant',
      grades: ['PK3'],
      birthDate: null,
      level: 'preschool-3',
      basis: 'grade',
      warnings: [],
    },
    {
      name: 'First grade words',
      grades: ['First grade'],
      birthDate: null,
      level: 'grade-1',
      basis: 'grade',
      warnings: [],
    },
    { name: 'K-12 grade 09', grades: ['09'], birthDate: null, level: 'beyond', basis: 'grade', warnings: [] },
    {
      name: 'IT infant by age',
      grades: ['IT'],
      birthDate: '2024-01-15',
      level: 'infant',
      basis: 'grade-and-age',
      warnings: [],
    },
    {
      name: 'IT toddler by age',
      grades: ['IT'],
      birthDate: '2022-12-01',
      level: 'toddler',
      basis: 'grade-and-age',
      warnings: [],
    },
    {
      name: 'IT clamps an older child',
      grades: ['IT'],
      birthDate: '2020-01-01',
      level: 'toddler',
      basis: 'grade-and-age',
      warnings: [],
    },
    {
      name: 'IT without birth date',
      grades: ['IT'],
      birthDate: null,
      level: 'infant',
      basis: 'grade',
      warnings: [],
    },
    {
      name: 'PR four-year-old',
      grades: ['PR'],
      birthDate: '2020-05-01',
      level: 'prek-4',
      basis: 'grade-and-age',
      warnings: [],
    },
    {
      name: 'PR clamps a two-year-old',
      grades: ['PR'],
      birthDate: '2022-05-01',
      level: 'preschool-3',
      basis: 'grade-and-age',
      warnings: [],
    },
    {
      name: 'age only',
      grades: [],
      birthDate: '2019-06-01',
      level: 'kindergarten',
      basis: 'age',
      warnings: [],
    },
    {
      name: 'PS falls to age',
      grades: ['PS'],
      birthDate: '2021-01-01',
      level: 'preschool-3',
      basis: 'age',
      warnings: [],
    },
    {
      name: 'UG without age is default',
      grades: ['UG'],
      birthDate: null,
      level: defaultLevel,
      basis: 'default',
      warnings: ['CHILD_NO_PLACEMENT'],
    },
    {
      name: 'unknown grade with age',
      grades: ['Nursery'],
      birthDate: '2023-01-01',
      level: 'toddler',
      basis: 'age',
      warnings: ['CHILD_GRADE_UNRECOGNIZED'],
    },
    {
      name: 'unknown then known grade',
      grades: ['Nursery', 'PK'],
      birthDate: null,
      level: 'prek-4',
      basis: 'grade',
      warnings: [],
    },
    {
      name: 'neither',
      grades: [],
      birthDate: null,
      level: defaultLevel,
      basis: 'default',
      warnings: ['CHILD_NO_PLACEMENT'],
    },
    {
      name: 'unknown grade, no age',
      grades: ['Nursery'],
      birthDate: null,
      level: defaultLevel,
      basis: 'default',
      warnings: ['CHILD_GRADE_UNRECOGNIZED', 'CHILD_NO_PLACEMENT'],
    },
  ];
  it.each(cases)('$name', ({ grades, birthDate, level, basis, warnings }) => {
    const placement = placeChild({ sourcedId: 'stu-1', grades, birthDate, schoolYearStart: start });
    expect(placement.level).toBe(level);
    expect(placement.basis).toBe(basis);
    expect(placement.warnings.map((warning) => warning.code)).toEqual(warnings);
    for (const warning of placement.warnings) expect(warning.sourcedId).toBe('stu-1');
  });

  it('explains the missing placement in plain words', () => {
    const [warning] = placeChild({
      sourcedId: 's',
      grades: [],
      birthDate: null,
      schoolYearStart: start,
    }).warnings;
    expect(warning?.message).toMatch(/neither a usable grade nor a birth date/);
    expect(warning?.message).toContain(defaultLevel);
  });
});

describe('levelAfterSync', () => {
  it('places a new child', () => {
    expect(levelAfterSync(null, 'tk')).toEqual({ level: 'tk', levelSetBy: 'placement', changed: true });
  });
  it('places a stored child without a level', () => {
    expect(levelAfterSync({ level: null, levelSetBy: null }, 'tk').level).toBe('tk');
  });
  it('keeps a level an educator set', () => {
    const after = levelAfterSync({ level: 'kindergarten', levelSetBy: 'educator' }, 'prek-4');
    expect(after).toEqual({ level: 'kindergarten', levelSetBy: 'educator', changed: false });
  });
  it('keeps an earlier placement', () => {
    expect(levelAfterSync({ level: 'prek-4', levelSetBy: 'placement' }, 'kindergarten').level).toBe('prek-4');
  });
});

describe('defaultSchoolYearStart', () => {
  it('uses the archive date of the year before', () => {
    expect(defaultSchoolYearStart(2025)).toBe('2024-08-01');
    expect(defaultSchoolYearStart(2025, 7, 15)).toBe('2024-07-15');
  });
});
