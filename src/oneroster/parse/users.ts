import type { RoleAssignment, User, UserId } from '../types.ts';
import { knownFields, readBase } from './base.ts';
import {
  isWireRecord,
  quoteValue,
  readBoolean,
  readDate,
  readRef,
  readRefList,
  readString,
  readStringList,
} from './values.ts';
import type { FieldContext, WireRecord } from './values.ts';

// 1.2 `preferredMiddleName`, `userMasterIdentifier`, `pronouns` and `userProfiles` have no place
// in the shape and stay in `extensions`, profiles without their credential passwords.
const known = knownFields([
  'username',
  'userIds',
  'enabledUser',
  'givenName',
  'familyName',
  'middleName',
  'preferredFirstName',
  'preferredLastName',
  'role',
  'roles',
  'orgs',
  'primaryOrg',
  'identifier',
  'email',
  'sms',
  'phone',
  'agents',
  'grades',
]);

/**
 * Normalizes a user of either version. The shape is recognized by its fields, not by the version,
 * because providers mix them. A 1.2 user's `roles[]` gives the roles and orgs directly. A 1.1 user
 * gets one role per org in `orgs`, the first of them primary, since 1.1 has no primary org.
 *
 * A missing given or family name falls back to the preferred name, else `''`, with a warning: the
 * record is kept so that the sync sees the person still exists. A missing role reads as `''`.
 */
export function normalizeUser(context: FieldContext, record: WireRecord): User | null {
  const base = readBase(context, record, known);
  if (base === null) return null;

  const listedOrgs = readRefList(record.orgs);
  const assignments = Array.isArray(record.roles)
    ? readRoles12(context, record.roles)
    : readRoles11(record, listedOrgs);
  const primary = assignments.find((assignment) => assignment.roleType === 'primary') ?? assignments[0];
  const role = primary?.role ?? readString(record.role) ?? '';
  if (role === '') context.warn('MISSING_ROLE', 'The user has no role.');

  if (Array.isArray(base.extensions.userProfiles)) {
    base.extensions.userProfiles = base.extensions.userProfiles.map(withoutPasswords);
  }

  const preferredGivenName = readString(record.preferredFirstName);
  const preferredFamilyName = readString(record.preferredLastName);

  return {
    sourcedId: base.sourcedId,
    status: base.status,
    dateLastModified: base.dateLastModified,
    extensions: base.extensions,
    username: readString(record.username),
    userIds: readUserIds(record.userIds),
    enabledUser: readBoolean(context, record.enabledUser, 'enabledUser') ?? true,
    givenName: readName(context, record.givenName, preferredGivenName, 'givenName'),
    familyName: readName(context, record.familyName, preferredFamilyName, 'familyName'),
    middleName: readString(record.middleName),
    preferredGivenName,
    preferredFamilyName,
    role,
    roles: assignments,
    orgSourcedIds: uniqueOrgs(assignments, listedOrgs),
    primaryOrgSourcedId: readRef(record.primaryOrg) ?? primary?.orgSourcedId ?? null,
    identifier: readString(record.identifier),
    email: readString(record.email),
    sms: readString(record.sms),
    phone: readString(record.phone),
    agentSourcedIds: readRefList(record.agents),
    grades: readStringList(record.grades),
  };
}

function readName(context: FieldContext, value: unknown, preferred: string | null, field: string): string {
  const name = readString(value);
  if (name !== null) return name;

  const fallback = preferred === null ? "''" : 'the preferred name';
  context.warn('MISSING_NAME', `The user has no ${field}; ${fallback} is used instead.`);
  return preferred ?? '';
}

function readRoles11(record: WireRecord, orgs: readonly string[]): RoleAssignment[] {
  const role = readString(record.role);
  if (role === null) return [];

  return orgs.map((orgSourcedId, index) => ({
    roleType: index === 0 ? 'primary' : 'secondary',
    role,
    orgSourcedId,
    beginDate: null,
    endDate: null,
  }));
}

function readRoles12(context: FieldContext, roles: unknown[]): RoleAssignment[] {
  const assignments: RoleAssignment[] = [];
  for (const entry of roles) {
    const role = isWireRecord(entry) ? readString(entry.role) : null;
    const orgSourcedId = isWireRecord(entry) ? readRef(entry.org) : null;
    if (!isWireRecord(entry) || role === null || orgSourcedId === null) {
      context.warn(
        'INVALID_ROLE',
        `A role entry ${quoteValue(entry)} lacks a role or an org and was ignored.`,
      );
      continue;
    }

    const roleType = readString(entry.roleType)?.toLowerCase() === 'primary' ? 'primary' : 'secondary';
    assignments.push({
      roleType,
      role,
      orgSourcedId,
      beginDate: readDate(context, entry.beginDate, 'roles.beginDate'),
      endDate: readDate(context, entry.endDate, 'roles.endDate'),
    });
  }
  return assignments;
}

/** Lists the orgs of the roles, then the listed orgs, each once. A 1.1 user without a role still lists its orgs. */
function uniqueOrgs(assignments: RoleAssignment[], listed: readonly string[]): string[] {
  // Most users have one or two orgs, and searching a short array is faster than building a set.
  if (assignments.length + listed.length > 16) {
    const orgs = new Set(assignments.map((assignment) => assignment.orgSourcedId));
    for (const org of listed) orgs.add(org);
    return [...orgs];
  }

  const orgs: string[] = [];
  for (const assignment of assignments) {
    if (!orgs.includes(assignment.orgSourcedId)) orgs.push(assignment.orgSourcedId);
  }
  for (const org of listed) if (!orgs.includes(org)) orgs.push(org);
  return orgs;
}

/** Copies a 1.2 user profile without the `password` of its credentials, which is never kept. */
function withoutPasswords(profile: unknown): unknown {
  if (!isWireRecord(profile) || !Array.isArray(profile.credentials)) return profile;

  const credentials = profile.credentials.map((credential: unknown) => {
    if (!isWireRecord(credential) || !('password' in credential)) return credential;
    const { password: _password, ...rest } = credential;
    return rest;
  });
  return { ...profile, credentials };
}

const bracedIdPattern = /\{([^:{}]+):([^{}]*)\}/g;

/** Reads `userIds` as a list of `{type, identifier}` objects or as the CSV form `{LDAP:12},{LTI:15}`. */
function readUserIds(value: unknown): UserId[] {
  if (typeof value === 'string') {
    return [...value.matchAll(bracedIdPattern)].flatMap((match) => {
      const type = readString(match[1]);
      const identifier = readString(match[2]);
      return type !== null && identifier !== null ? [{ type, identifier }] : [];
    });
  }
  if (!Array.isArray(value)) return [];

  const ids: UserId[] = [];
  for (const entry of value) {
    if (!isWireRecord(entry)) continue;
    const type = readString(entry.type);
    const identifier = readString(entry.identifier);
    if (type !== null && identifier !== null) ids.push({ type, identifier });
  }
  return ids;
}
