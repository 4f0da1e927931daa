import type { AnyRecord, CollectionName } from '../oneroster/types.ts';

const base = { status: 'active', dateLastModified: null, extensions: {} } as const;

/**
 * Builds an empty record of a collection with every field present. An admin patch that creates a
 * record is merged over it, and its rendering lists the fields a filter, sort or `fields` may name.
 */
export function blankRecord(collection: CollectionName, sourcedId: string): AnyRecord {
  switch (collection) {
    case 'orgs':
      return {
        ...base,
        sourcedId,
        name: '',
        type: 'school',
        identifier: null,
        parentSourcedId: null,
        childSourcedIds: [],
      };
    case 'academicSessions':
      return {
        ...base,
        sourcedId,
        title: '',
        type: 'schoolYear',
        startDate: null,
        endDate: null,
        parentSourcedId: null,
        schoolYear: null,
      };
    case 'courses':
      return {
        ...base,
        sourcedId,
        title: '',
        courseCode: null,
        grades: [],
        subjects: [],
        orgSourcedId: null,
        schoolYearSourcedId: null,
      };
    case 'classes':
      return {
        ...base,
        sourcedId,
        title: '',
        classCode: null,
        classType: 'homeroom',
        location: null,
        grades: [],
        subjects: [],
        courseSourcedId: null,
        schoolSourcedId: null,
        termSourcedIds: [],
        periods: [],
      };
    case 'users':
      return {
        ...base,
        sourcedId,
        username: null,
        userIds: [],
        enabledUser: true,
        givenName: '',
        familyName: '',
        middleName: null,
        preferredGivenName: null,
        preferredFamilyName: null,
        role: 'student',
        roles: [],
        orgSourcedIds: [],
        primaryOrgSourcedId: null,
        identifier: null,
        email: null,
        sms: null,
        phone: null,
        agentSourcedIds: [],
        grades: [],
      };
    case 'enrollments':
      return {
        ...base,
        sourcedId,
        role: 'student',
        primary: false,
        userSourcedId: '',
        classSourcedId: '',
        schoolSourcedId: null,
        beginDate: null,
        endDate: null,
      };
    case 'demographics':
      return {
        ...base,
        sourcedId,
        birthDate: null,
        sex: null,
        americanIndianOrAlaskaNative: null,
        asian: null,
        blackOrAfricanAmerican: null,
        nativeHawaiianOrOtherPacificIslander: null,
        white: null,
        demographicRaceTwoOrMoreRaces: null,
        hispanicOrLatinoEthnicity: null,
        countryOfBirthCode: null,
        stateOfBirthAbbreviation: null,
        cityOfBirth: null,
        publicSchoolResidenceStatus: null,
      };
  }
}
