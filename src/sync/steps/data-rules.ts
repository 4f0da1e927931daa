import type { SyncSettings } from '../../db/schema.ts';
import {
  applyDataRules as applyRosterRules,
  type RuleEnrollment,
  type RuleUser,
} from '../../roster/rules/index.ts';
import { type DesiredMembership, type DesiredRoster, skipRecord, type WarningSink } from '../model.ts';

type MembershipEnrollment = RuleEnrollment & { membership: DesiredMembership };

/**
 * Data-rules step: the platform's own limits from `src/roster/rules`, applied to the desired
 * roster after scoping and before matching, with the limits of `sync_settings`: one school per
 * educator, at most N classrooms per educator, one classroom per child (homeroom first, then the
 * latest `beginDate`, then the lowest class `sourcedId`), at most N family contacts per child, and
 * the classroom size and birth date warnings. Every warning goes to `sink`; dropped memberships
 * and contacts are skipped with `skipRecord`, so they are never removed because of a rule.
 *
 * The desired roster keeps each contact's children sorted, so the contact limit keeps contacts in
 * `sourcedId` order rather than in the order of the child's `agents`.
 *
 * NOTE: the rules weigh only this run's enrollments, and what they leave out is skipped, not
 * deactivated. A membership stored earlier (before a delta added a second classroom, or before a
 * limit was lowered) stays active until the source removes it.
 */
export function applyDataRules(desired: DesiredRoster, settings: SyncSettings, sink: WarningSink): void {
  // A classroom sent as tobedeleted, or missing from a full roster, gets no members, so it must
  // not win a child's one classroom. A delta run leaves unchanged classrooms out, so they count.
  const usable = (sourcedId: string) => {
    const classroom = desired.classrooms.get(sourcedId);
    return classroom ? classroom.status === 'active' : desired.mode === 'delta';
  };
  const classes = new Map(
    [...desired.classrooms.values()].map((classroom) => [
      classroom.sourcedId,
      {
        sourcedId: classroom.sourcedId,
        classType: classroom.classType ?? 'scheduled',
        schoolSourcedId: classroom.schoolSourcedId,
      },
    ]),
  );
  const enrollments: MembershipEnrollment[] = [...desired.memberships.values()]
    .filter((membership) => membership.status === 'active' && usable(membership.classroomSourcedId))
    .map((membership) => ({
      sourcedId: membership.sourcedId,
      role: membership.role,
      primary: membership.primary,
      userSourcedId: membership.personSourcedId,
      classSourcedId: membership.classroomSourcedId,
      beginDate: membership.beginDate,
      membership,
    }));
  const educators = [...desired.educators.values()].map((educator) => ({
    sourcedId: educator.sourcedId,
    schoolSourcedIds: educator.schoolSourcedIds.filter((school) => desired.schools.has(school)),
    primarySchoolSourcedId: educator.primarySchoolSourcedId ?? null,
  }));

  const users = new Map<string, RuleUser>();
  const children = [...desired.children.values()]
    .filter((child) => child.status === 'active')
    .map((child) => {
      const user = { sourcedId: child.sourcedId, role: 'student', agentSourcedIds: [] as string[] };
      users.set(child.sourcedId, user);
      return {
        ...user,
        birthDate: child.demographics?.birthDate ?? null,
        demographicsKnown: child.demographics !== undefined,
      };
    });
  for (const contact of desired.contacts.values()) {
    users.set(contact.sourcedId, {
      sourcedId: contact.sourcedId,
      role: contact.relationship,
      agentSourcedIds: contact.childSourcedIds,
    });
  }

  // Birth dates are only checked where demographics arrived: unknown ones keep the stored values.
  const known = children.filter((child) => child.demographicsKnown);
  const demographicsShared = desired.mode === 'delta' || children.length === 0 || known.length > 0;
  const result = applyRosterRules(
    {
      classes,
      enrollments,
      educators,
      children: demographicsShared ? known : children,
      users,
      demographicsShared,
    },
    settings,
  );

  for (const warning of result.warnings) sink.add(warning.code, warning.sourcedId, warning.message);

  const kept = new Set(result.enrollments);
  for (const enrollment of enrollments) {
    if (!kept.has(enrollment))
      skipRecord(desired, 'memberships', enrollment.sourcedId, 'left out by a data rule (see the warnings)');
  }
  for (const [educatorId, school] of result.schoolOf) {
    const educator = desired.educators.get(educatorId);
    if (educator) educator.schoolSourcedId = school;
  }
  applyContactLimit(desired, result.contactsOf);
}

/** Keeps each contact linked to the children whose kept contacts include it. */
function applyContactLimit(desired: DesiredRoster, contactsOf: Map<string, string[]>): void {
  for (const contact of [...desired.contacts.values()]) {
    const before = contact.childSourcedIds;
    const after = before.filter(
      (child) => !contactsOf.has(child) || contactsOf.get(child)!.includes(contact.sourcedId),
    );
    if (after.length === before.length) continue;
    if (after.length === 0)
      skipRecord(
        desired,
        'contacts',
        contact.sourcedId,
        'over the family contact limit of every linked child',
      );
    else contact.childSourcedIds = after;
  }
}
