import type { IncomingChild } from './matching.ts';
import { nameKey } from './names.ts';
import { rosterWarning, type RosterWarning } from './warnings.ts';

/**
 * Warns with `CHILD_SAME_NAME` about each group of incoming children that share a name key. They
 * stay separate children, because each has its own `sourcedId`; the warning states whether their
 * birth dates tell them apart, so an admin can spot a child entered twice in the source.
 */
export function sameNameWarnings(incoming: readonly IncomingChild[]): RosterWarning[] {
  const groups = new Map<string, IncomingChild[]>();
  for (const child of incoming) {
    const key = nameKey(child.givenName, child.familyName);
    groups.set(key, [...(groups.get(key) ?? []), child]);
  }

  const warnings: RosterWarning[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const births = group.map((child) => child.birthDate);
    const apart = births.every((birth) => birth !== null) && new Set(births).size === births.length;
    const others = (child: IncomingChild) =>
      group
        .filter((other) => other !== child)
        .map((other) => other.sourcedId)
        .join(', ');
    for (const child of group) {
      warnings.push(
        rosterWarning(
          'CHILD_SAME_NAME',
          child.sourcedId,
          apart
            ? `The child has the same name as ${others(child)}, with a different birth date, so they are separate children.`
            : `The child has the same name as ${others(child)}, and their birth dates do not tell them apart. They were kept as separate children: check that the roster source does not list one child twice.`,
        ),
      );
    }
  }
  return warnings;
}
