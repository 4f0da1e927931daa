/**
 * Name keys for matching children whose names were typed differently in two systems. The key
 * folds case and accents and drops spaces, hyphens, apostrophes and periods, so "José O'Brien",
 * "jose obrien" and "Jose O Brien" share one key. The given and family names stay apart, so
 * "Mary | Ann Smith" and "Mary Ann | Smith" differ.
 */

const apostrophes = /['\u2018\u2019\u02bc`\u00b4]/g;
const separators = /[\s\-\u2010-\u2015_.,]+/g;
const combiningMarks = /\p{M}+/gu;

/** Folds one name part: lowercase, without accents, apostrophes, spaces, hyphens or periods. */
export function normalizeNamePart(value: string): string {
  return value
    .normalize('NFKD')
    .replace(combiningMarks, '')
    .toLowerCase()
    .replace(apostrophes, '')
    .replace(separators, '');
}

/**
 * Returns the matching key of a person's name: normalized given and family names joined by `|`.
 * Middle names are left out because rosters and hand entry disagree on them most often.
 */
export function nameKey(givenName: string, familyName: string): string {
  return `${normalizeNamePart(givenName)}|${normalizeNamePart(familyName)}`;
}
