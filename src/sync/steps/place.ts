import type { Kysely } from 'kysely';

import type { Database, Organization } from '../../db/schema.ts';
import type { AcademicSession } from '../../oneroster/types.ts';
import { schoolYearInProgress } from '../../roster/archive.ts';
import { journeyForNewChildren } from '../../roster/journeys.ts';
import { defaultSchoolYearStart, placeChild } from '../../roster/placement.ts';
import type { DesiredChild, WarningSink } from '../model.ts';
import { type RecordCollector, sortedValues } from './collect.ts';

/** Starting point of a new child: its educational journey (product codes) and starting level. */
export interface Placement {
  journey: string[];
  level: string | null;
}

/** Run-wide inputs of placement, loaded once per run. */
export interface PlacementContext {
  /** The default journey without the products the organization is no longer licensed for. */
  journey: string[];
  /** First day (`YYYY-MM-DD`) of the school year that ages are measured on. */
  schoolYearStart: string;
}

/**
 * Loads the placement context of a run and reports a default journey product that lost its
 * licence. The school year is the collected `schoolYear` session that contains `now`, else the next
 * one to start, else the latest; without any (a delta run, or a source that sends none), it starts
 * on the organization's archive date in the school year in progress.
 */
export async function loadPlacementContext(
  db: Kysely<Database>,
  org: Organization,
  collected: RecordCollector,
  now: Date,
  sink: WarningSink,
): Promise<PlacementContext> {
  const { journey, warnings } = await journeyForNewChildren(db, org.id);
  for (const warning of warnings) sink.add(warning.code, warning.sourcedId, warning.message);

  const today = now.toISOString().slice(0, 10);
  const years: AcademicSession[] = [];
  for (const session of sortedValues(collected.academicSessions)) {
    if (session.type === 'schoolYear' && session.status === 'active' && session.startDate)
      years.push(session);
  }
  years.sort((a, b) => (a.startDate! < b.startDate! ? -1 : 1));
  const current =
    years.find((year) => year.startDate! <= today && (year.endDate === null || today < year.endDate)) ??
    years.find((year) => year.startDate! > today) ??
    years.at(-1);
  const schoolYearStart =
    current?.startDate ??
    defaultSchoolYearStart(schoolYearInProgress(org, now), org.archiveMonth, org.archiveDay);
  return { journey, schoolYearStart };
}

/**
 * Placement step: decides the journey and starting level of each child the run creates, with
 * `placeChild` of `src/roster/placement.ts`: the level from the grade code (IT, PR, PK, TK, KG,
 * 01...) or, without one, from the age in months on the school year's start, or the default level
 * with a `CHILD_NO_PLACEMENT` warning. Children that already exist keep their journey and level,
 * so a re-sync never moves a child that an educator moved.
 */
export function placeNewChildren(
  children: readonly DesiredChild[],
  context: PlacementContext,
  sink: WarningSink,
): Map<string, Placement> {
  const placements = new Map<string, Placement>();
  for (const child of children) {
    const placement = placeChild({
      sourcedId: child.sourcedId,
      grades: child.grade ? [child.grade] : [],
      birthDate: child.demographics?.birthDate ?? null,
      schoolYearStart: context.schoolYearStart,
    });
    for (const warning of placement.warnings) sink.add(warning.code, warning.sourcedId, warning.message);
    placements.set(child.sourcedId, { journey: [...context.journey], level: placement.level });
  }
  return placements;
}
