import type { Demographics, Sex } from '../types.ts';
import { knownFields, readBase } from './base.ts';
import { quoteValue, readBoolean, readDate, readString } from './values.ts';
import type { FieldContext, WireRecord } from './values.ts';

const raceFlags = [
  'americanIndianOrAlaskaNative',
  'asian',
  'blackOrAfricanAmerican',
  'nativeHawaiianOrOtherPacificIslander',
  'white',
  'demographicRaceTwoOrMoreRaces',
  'hispanicOrLatinoEthnicity',
] as const;

const known = knownFields([
  'birthDate',
  'sex',
  ...raceFlags,
  'countryOfBirthCode',
  'stateOfBirthAbbreviation',
  'cityOfBirth',
  'publicSchoolResidenceStatus',
]);

const sexWords: Record<string, Sex> = {
  male: 'male',
  m: 'male',
  female: 'female',
  f: 'female',
  other: 'other',
  unspecified: 'unspecified',
};

/** Normalizes demographics; race flags may be booleans or strings, and an unknown `sex` reads as null. */
export function normalizeDemographics(context: FieldContext, record: WireRecord): Demographics | null {
  const base = readBase(context, record, known);
  if (base === null) return null;

  return {
    sourcedId: base.sourcedId,
    status: base.status,
    dateLastModified: base.dateLastModified,
    extensions: base.extensions,
    birthDate: readDate(context, record.birthDate, 'birthDate'),
    sex: readSex(context, record.sex),
    americanIndianOrAlaskaNative: readBoolean(
      context,
      record.americanIndianOrAlaskaNative,
      'americanIndianOrAlaskaNative',
    ),
    asian: readBoolean(context, record.asian, 'asian'),
    blackOrAfricanAmerican: readBoolean(context, record.blackOrAfricanAmerican, 'blackOrAfricanAmerican'),
    nativeHawaiianOrOtherPacificIslander: readBoolean(
      context,
      record.nativeHawaiianOrOtherPacificIslander,
      'nativeHawaiianOrOtherPacificIslander',
    ),
    white: readBoolean(context, record.white, 'white'),
    demographicRaceTwoOrMoreRaces: readBoolean(
      context,
      record.demographicRaceTwoOrMoreRaces,
      'demographicRaceTwoOrMoreRaces',
    ),
    hispanicOrLatinoEthnicity: readBoolean(
      context,
      record.hispanicOrLatinoEthnicity,
      'hispanicOrLatinoEthnicity',
    ),
    countryOfBirthCode: readString(record.countryOfBirthCode),
    stateOfBirthAbbreviation: readString(record.stateOfBirthAbbreviation),
    cityOfBirth: readString(record.cityOfBirth),
    publicSchoolResidenceStatus: readString(record.publicSchoolResidenceStatus),
  };
}

function readSex(context: FieldContext, value: unknown): Sex | null {
  const text = readString(value);
  if (text === null) return null;

  const sex = sexWords[text.toLowerCase()];
  if (sex === undefined)
    context.warn('INVALID_SEX', `The sex ${quoteValue(text)} is not male, female, other or unspecified.`);
  return sex ?? null;
}
