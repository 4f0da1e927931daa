import type {
  AcademicSession,
  AnyRecord,
  BaseRecord,
  Class,
  CollectionName,
  Course,
  Demographics,
  Enrollment,
  OneRosterVersion,
  Org,
  RecordOf,
  User,
} from '../oneroster/types.ts';

/** A OneRoster wire object as the emulator sends it. */
export type WireObject = Record<string, unknown>;

/**
 * Renders normalized records as OneRoster REST wire JSON. Version 1.1 sends booleans as
 * `"true"`/`"false"` strings and absent values as `""`, as many 1.1 providers do. Version 1.2 sends JSON
 * booleans, leaves absent values out, and gives users `roles[]` and `primaryOrg` in place of
 * `role` and `orgs`. Normalizing the output gives back the same record, with one exception:
 * a 1.1 rendering keeps one role per user, so per-org roles of a 1.2 source are lost there.
 */
export class WireRenderer {
  /** `hrefBase` is the version's base URL, e.g. `http://127.0.0.1:8080/ims/oneroster/v1p1`. */
  constructor(
    readonly version: OneRosterVersion,
    readonly hrefBase: string,
  ) {}

  render<C extends CollectionName>(collection: C, record: RecordOf[C]): WireObject {
    const wire = this.renderFields(collection, record);
    return this.version === '1.2' ? dropAbsent(wire) : wire;
  }

  /**
   * Renders only the fields every record has (`sourcedId`, `status`, `dateLastModified`), as
   * `render` would: enough to apply a filter on them without rendering the whole record.
   */
  renderHead(record: BaseRecord): WireObject {
    return {
      sourcedId: record.sourcedId,
      status: record.status,
      dateLastModified: this.text(record.dateLastModified),
    };
  }

  private renderFields(collection: CollectionName, record: AnyRecord): WireObject {
    switch (collection) {
      case 'orgs':
        return this.org(record as Org);
      case 'academicSessions':
        return this.session(record as AcademicSession);
      case 'courses':
        return this.course(record as Course);
      case 'classes':
        return this.class(record as Class);
      case 'users':
        return this.user(record as User);
      case 'enrollments':
        return this.enrollment(record as Enrollment);
      default:
        return this.demographics(record as Demographics);
    }
  }

  private base(record: BaseRecord): WireObject {
    const wire: WireObject = {
      sourcedId: record.sourcedId,
      status: record.status,
      dateLastModified: this.text(record.dateLastModified),
    };
    if (Object.keys(record.extensions).length > 0) wire.metadata = { ...record.extensions };
    return wire;
  }

  private org(org: Org): WireObject {
    return {
      ...this.base(org),
      name: org.name,
      type: org.type,
      identifier: this.text(org.identifier),
      parent: this.ref('orgs', 'org', org.parentSourcedId),
      children: org.childSourcedIds.map((id) => this.ref('orgs', 'org', id)),
    };
  }

  private session(session: AcademicSession): WireObject {
    return {
      ...this.base(session),
      title: session.title,
      type: session.type,
      startDate: this.text(session.startDate),
      endDate: this.text(session.endDate),
      parent: this.ref('academicSessions', 'academicSession', session.parentSourcedId),
      schoolYear: this.text(session.schoolYear),
    };
  }

  private course(course: Course): WireObject {
    return {
      ...this.base(course),
      title: course.title,
      schoolYear: this.ref('academicSessions', 'academicSession', course.schoolYearSourcedId),
      courseCode: this.text(course.courseCode),
      grades: course.grades,
      subjects: course.subjects,
      org: this.ref('orgs', 'org', course.orgSourcedId),
    };
  }

  private class(room: Class): WireObject {
    return {
      ...this.base(room),
      title: room.title,
      classCode: this.text(room.classCode),
      classType: room.classType,
      location: this.text(room.location),
      grades: room.grades,
      subjects: room.subjects,
      course: this.ref('courses', 'course', room.courseSourcedId),
      school: this.ref('orgs', 'org', room.schoolSourcedId),
      terms: room.termSourcedIds.map((id) => this.ref('academicSessions', 'academicSession', id)),
      periods: room.periods,
    };
  }

  private user(user: User): WireObject {
    const wire: WireObject = {
      ...this.base(user),
      username: this.text(user.username),
      userIds: user.userIds,
      enabledUser: this.boolean(user.enabledUser),
      givenName: user.givenName,
      familyName: user.familyName,
      middleName: this.text(user.middleName),
    };
    if (user.preferredGivenName !== null) wire.preferredFirstName = user.preferredGivenName;
    if (user.preferredFamilyName !== null) wire.preferredLastName = user.preferredFamilyName;

    if (this.version === '1.2') {
      wire.roles = user.roles.map((role) => ({
        roleType: role.roleType,
        role: role.role,
        org: this.ref('orgs', 'org', role.orgSourcedId),
        ...(role.beginDate === null ? {} : { beginDate: role.beginDate }),
        ...(role.endDate === null ? {} : { endDate: role.endDate }),
      }));
      wire.primaryOrg = this.ref('orgs', 'org', user.primaryOrgSourcedId);
    } else {
      wire.role = user.role;
      wire.orgs = user.orgSourcedIds.map((id) => this.ref('orgs', 'org', id));
    }

    Object.assign(wire, {
      identifier: this.text(user.identifier),
      email: this.text(user.email),
      sms: this.text(user.sms),
      phone: this.text(user.phone),
      agents: user.agentSourcedIds.map((id) => this.ref('users', 'user', id)),
      grades: user.grades,
    });
    return wire;
  }

  private enrollment(enrollment: Enrollment): WireObject {
    return {
      ...this.base(enrollment),
      user: this.ref('users', 'user', enrollment.userSourcedId),
      class: this.ref('classes', 'class', enrollment.classSourcedId),
      school: this.ref('orgs', 'org', enrollment.schoolSourcedId),
      role: enrollment.role,
      primary: this.boolean(enrollment.primary),
      beginDate: this.text(enrollment.beginDate),
      endDate: this.text(enrollment.endDate),
    };
  }

  private demographics(record: Demographics): WireObject {
    const wire: WireObject = {
      ...this.base(record),
      birthDate: this.text(record.birthDate),
      sex: this.text(record.sex),
    };
    for (const flag of raceFlags) wire[flag] = this.boolean(record[flag]);
    Object.assign(wire, {
      countryOfBirthCode: this.text(record.countryOfBirthCode),
      stateOfBirthAbbreviation: this.text(record.stateOfBirthAbbreviation),
      cityOfBirth: this.text(record.cityOfBirth),
      publicSchoolResidenceStatus: this.text(record.publicSchoolResidenceStatus),
    });
    return wire;
  }

  private text(value: string | null): string | null {
    if (value !== null) return value;
    return this.version === '1.1' ? '' : null;
  }

  private boolean(value: boolean | null): string | boolean | null {
    if (this.version === '1.2') return value;
    return value === null ? '' : String(value);
  }

  private ref(path: string, type: string, sourcedId: string | null): WireObject | null {
    if (sourcedId === null) return null;
    return { href: `${this.hrefBase}/${path}/${encodeURIComponent(sourcedId)}`, sourcedId, type };
  }
}

/**
 * Caches the JSON text of rendered records by renderer (version and href base). Records are
 * never changed in place (a change stores a new object), so a cached text cannot go stale.
 */
export class RenderCache {
  private readonly texts = new Map<string, WeakMap<AnyRecord, string>>();

  /** Returns the JSON text of each record, rendering those not yet cached. */
  jsonOf(renderer: WireRenderer, collection: CollectionName, records: readonly AnyRecord[]): string[] {
    const key = `${renderer.version} ${renderer.hrefBase}`;
    let cache = this.texts.get(key);
    if (cache === undefined) {
      cache = new WeakMap();
      this.texts.set(key, cache);
    }
    return records.map((record) => {
      let text = cache.get(record);
      if (text === undefined) {
        text = JSON.stringify(renderer.render(collection, record as RecordOf[typeof collection]));
        cache.set(record, text);
      }
      return text;
    });
  }
}

const raceFlags = [
  'americanIndianOrAlaskaNative',
  'asian',
  'blackOrAfricanAmerican',
  'nativeHawaiianOrOtherPacificIslander',
  'white',
  'demographicRaceTwoOrMoreRaces',
  'hispanicOrLatinoEthnicity',
] as const;

function dropAbsent(wire: WireObject): WireObject {
  for (const key of Object.keys(wire)) if (wire[key] === null) delete wire[key];
  return wire;
}

/** Renders one record; a shortcut for tests and the admin endpoint. */
export function renderRecord(
  collection: CollectionName,
  record: AnyRecord,
  version: OneRosterVersion,
  hrefBase = '',
): WireObject {
  return new WireRenderer(version, hrefBase).render(collection, record as RecordOf[typeof collection]);
}
