/**
 * Grade codes as real rosters send them, folded onto the CEDS codes OneRoster names: IT (infant
 * and toddler), PR (preschool), PK (prekindergarten), TK (transitional kindergarten), KG, 01 to
 * 13, PS (postsecondary), UG (ungraded) and Other. Two early-learning variants keep the child's
 * age band that the plain code loses: `PK3` and `PK4`.
 */
export type GradeCode =
  'IT' | 'PR' | 'PK' | 'PK3' | 'PK4' | 'TK' | 'KG' | NumberedGrade | 'PS' | 'UG' | 'Other';

/** Grades 1 to 13 as two digits. */
export type NumberedGrade =
  '01' | '02' | '03' | '04' | '05' | '06' | '07' | '08' | '09' | '10' | '11' | '12' | '13';

const aliases: Record<string, GradeCode> = {
  it: 'IT',
  infant: 'IT',
  infants: 'IT',
  toddler: 'IT',
  toddlers: 'IT',
  infanttoddler: 'IT',
  infantstoddlers: 'IT',
  infantandtoddler: 'IT',
  infantsandtoddlers: 'IT',
  pr: 'PR',
  preschool: 'PR',
  ps3: 'PK3',
  pk: 'PK',
  prek: 'PK',
  prekindergarten: 'PK',
  pk3: 'PK3',
  prek3: 'PK3',
  p3: 'PK3',
  pk4: 'PK4',
  prek4: 'PK4',
  p4: 'PK4',
  tk: 'TK',
  transitionalkindergarten: 'TK',
  kg: 'KG',
  k: 'KG',
  '0': 'KG',
  '00': 'KG',
  kindergarten: 'KG',
  kinder: 'KG',
  ps: 'PS',
  postsecondary: 'PS',
  ug: 'UG',
  ungraded: 'UG',
  other: 'Other',
};

const ordinalWords = [
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
  'eleventh',
  'twelfth',
  'thirteenth',
];

/**
 * Folds a grade as a roster sent it onto a grade code, or returns null when it is not one:
 * `K`, `00` and `Kindergarten` are `KG`; `PreK` and `Pre-K` are `PK`; `1`, `01`, `1st` and
 * `First grade` are `01`. Case, spaces, hyphens and a trailing "grade" do not matter.
 */
export function normalizeGradeCode(raw: string): GradeCode | null {
  const folded = raw
    .trim()
    .toLowerCase()
    .replace(/[\s\-_.]+/g, '')
    .replace(/^grade/, '')
    .replace(/grade$/, '');
  if (folded.length === 0) return null;

  const alias = aliases[folded];
  if (alias) return alias;

  const numeric = /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(folded);
  if (numeric) return gradeNumberCode(Number(numeric[1]));

  const ordinal = ordinalWords.indexOf(folded);
  if (ordinal >= 0) return gradeNumberCode(ordinal + 1);
  return null;
}

function gradeNumberCode(grade: number): GradeCode | null {
  if (grade === 0) return 'KG';
  if (grade < 1 || grade > 13) return null;
  return String(grade).padStart(2, '0') as NumberedGrade;
}

/** Returns the grade codes of `grades` in order, each once, leaving out what is not a grade code. */
export function normalizeGradeCodes(grades: readonly string[]): GradeCode[] {
  const codes: GradeCode[] = [];
  for (const grade of grades) {
    const code = normalizeGradeCode(grade);
    if (code && !codes.includes(code)) codes.push(code);
  }
  return codes;
}
