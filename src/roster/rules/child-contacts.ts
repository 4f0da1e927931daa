import { listForMessage, rosterWarning, type RosterWarning } from '../warnings.ts';
import { compareText, contactRoles, type RuleUser } from './types.ts';

/**
 * Links family contacts to children and keeps at most `max` per child. A contact is a parent,
 * guardian or relative user linked through `agents` from either side: the child's own agent list
 * comes first in the roster's order, then contacts that name the child, by `sourcedId`. Links past
 * the limit are left out with a `CHILD_TOO_MANY_CONTACTS` warning. Returns the kept contact
 * `sourcedId`s per child `sourcedId`, for every child in `children`.
 */
export function linkFamilyContacts(
  children: readonly RuleUser[],
  users: ReadonlyMap<string, RuleUser>,
  max: number,
): { contactsOf: Map<string, string[]>; warnings: RosterWarning[] } {
  const isContact = (sourcedId: string) => contactRoles.has(users.get(sourcedId)?.role ?? '');
  const namedBy = new Map<string, string[]>();
  for (const user of users.values()) {
    if (!contactRoles.has(user.role)) continue;
    for (const child of user.agentSourcedIds)
      namedBy.set(child, [...(namedBy.get(child) ?? []), user.sourcedId]);
  }

  const contactsOf = new Map<string, string[]>();
  const warnings: RosterWarning[] = [];
  for (const child of children) {
    const fromChild = child.agentSourcedIds.filter(isContact);
    const fromContacts = (namedBy.get(child.sourcedId) ?? []).sort(compareText);
    const all = [...new Set([...fromChild, ...fromContacts])];
    contactsOf.set(child.sourcedId, all.slice(0, max));
    if (all.length <= max) continue;

    warnings.push(
      rosterWarning(
        'CHILD_TOO_MANY_CONTACTS',
        child.sourcedId,
        `The child has ${all.length} family contacts; the limit is ${max}, so ${listForMessage(all.slice(max))} ${all.length - max === 1 ? 'was' : 'were'} not linked (the contacts the child's record lists first are kept).`,
      ),
    );
  }
  return { contactsOf, warnings };
}
