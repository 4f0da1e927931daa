import fs from 'node:fs';
import path from 'node:path';

import type { Kysely } from 'kysely';

import { writeCsvFile } from '../core/csv-writer.ts';
import { AppError } from '../core/errors.ts';
import { getOrganizationBySlug, getSyncSettings } from '../db/queries/organizations.ts';
import type { Database } from '../db/schema.ts';

export interface ExportOptions {
  /** Also write inactive (deactivated) rows. Archived rows are never exported. */
  includeInactive?: boolean;
}

/** File name and row count of each file written. */
export type ExportSummary = { file: string; rows: number }[];

/**
 * Writes the organization's current roster as six CSV files (schools, classrooms, educators,
 * children, memberships, contacts) into `outDir`, creating it if needed. Every file has a header
 * row even when empty; ids are the roster source's `sourcedId`. Throws `INVALID_INPUT` naming
 * `outDir` when the folder cannot be created.
 */
export async function exportRoster(
  db: Kysely<Database>,
  slug: string,
  outDir: string,
  options: ExportOptions = {},
): Promise<ExportSummary> {
  const org = await getOrganizationBySlug(db, slug);
  const settings = await getSyncSettings(db, org.id);
  createExportFolder(outDir);
  const statuses: ('active' | 'inactive')[] = options.includeInactive ? ['active', 'inactive'] : ['active'];
  const summary: ExportSummary = [];
  const write = async (file: string, header: string[], rows: unknown[][]) => {
    summary.push({ file, rows: await writeCsvFile(path.join(outDir, file), header, rows) });
  };

  const schools = await db
    .selectFrom('schools')
    .select(['sourcedId', 'status', 'name', 'identifier'])
    .where('orgId', '=', org.id)
    .where('status', 'in', statuses)
    .orderBy('sourcedId')
    .execute();
  await write(
    'schools.csv',
    ['sourcedId', 'status', 'name', 'identifier'],
    schools.map((row) => [row.sourcedId, row.status, row.name, row.identifier]),
  );

  const classrooms = await db
    .selectFrom('classrooms as c')
    .leftJoin('schools as s', 's.id', 'c.schoolId')
    .select([
      'c.sourcedId',
      'c.status',
      'c.rosterName',
      'c.displayName',
      'c.classCode',
      'c.grades',
      's.sourcedId as schoolSourcedId',
    ])
    .where('c.orgId', '=', org.id)
    .where('c.status', 'in', statuses)
    .where('c.archivedAt', 'is', null)
    .orderBy('c.sourcedId')
    .execute();
  await write(
    'classrooms.csv',
    ['sourcedId', 'status', 'name', 'rosterName', 'schoolSourcedId', 'grades', 'classCode'],
    classrooms.map((row) => [
      row.sourcedId,
      row.status,
      settings.allowClassroomRename && row.displayName ? row.displayName : row.rosterName,
      row.rosterName,
      row.schoolSourcedId,
      row.grades,
      row.classCode,
    ]),
  );

  const educators = await db
    .selectFrom('educators as e')
    .leftJoin('schools as s', 's.id', 'e.schoolId')
    .select([
      'e.sourcedId',
      'e.status',
      'e.givenName',
      'e.familyName',
      'e.email',
      'e.role',
      'e.identifier',
      's.sourcedId as schoolSourcedId',
    ])
    .where('e.orgId', '=', org.id)
    .where('e.status', 'in', statuses)
    .orderBy('e.sourcedId')
    .execute();
  await write(
    'educators.csv',
    ['sourcedId', 'status', 'givenName', 'familyName', 'email', 'role', 'schoolSourcedId', 'identifier'],
    educators.map((row) => [
      row.sourcedId,
      row.status,
      row.givenName,
      row.familyName,
      row.email,
      row.role,
      row.schoolSourcedId,
      row.identifier,
    ]),
  );

  const children = await db
    .selectFrom('children as ch')
    .leftJoin('classrooms as c', 'c.id', 'ch.classroomId')
    .leftJoin('schools as s', 's.id', 'ch.schoolId')
    .select([
      'ch.sourcedId',
      'ch.status',
      'ch.givenName',
      'ch.familyName',
      'ch.birthDate',
      'ch.grade',
      'c.sourcedId as classroomSourcedId',
      's.sourcedId as schoolSourcedId',
      'ch.journey',
      'ch.level',
      'ch.identifier',
      'ch.origin',
    ])
    .where('ch.orgId', '=', org.id)
    .where('ch.status', 'in', statuses)
    .where('ch.archivedAt', 'is', null)
    .where('ch.mergedIntoId', 'is', null)
    .orderBy('ch.sourcedId')
    .orderBy('ch.familyName')
    .execute();
  await write(
    'children.csv',
    [
      'sourcedId',
      'status',
      'givenName',
      'familyName',
      'birthDate',
      'grade',
      'classroomSourcedId',
      'schoolSourcedId',
      'journey',
      'level',
      'identifier',
      'origin',
    ],
    children.map((row) => [
      row.sourcedId,
      row.status,
      row.givenName,
      row.familyName,
      row.birthDate,
      row.grade,
      row.classroomSourcedId,
      row.schoolSourcedId,
      row.journey,
      row.level,
      row.identifier,
      row.origin,
    ]),
  );

  const memberships = await db
    .selectFrom('memberships as m')
    .innerJoin('classrooms as c', 'c.id', 'm.classroomId')
    .leftJoin('children as ch', 'ch.id', 'm.childId')
    .leftJoin('educators as e', 'e.id', 'm.educatorId')
    .select([
      'm.sourcedId',
      'm.status',
      'c.sourcedId as classroomSourcedId',
      'ch.sourcedId as childSourcedId',
      'e.sourcedId as educatorSourcedId',
      'm.role',
      'm.isPrimary',
    ])
    .where('m.orgId', '=', org.id)
    .where('m.status', 'in', statuses)
    .where('m.archivedAt', 'is', null)
    .orderBy('m.sourcedId')
    .execute();
  await write(
    'memberships.csv',
    ['sourcedId', 'status', 'classroomSourcedId', 'personSourcedId', 'role', 'primary'],
    memberships.map((row) => [
      row.sourcedId,
      row.status,
      row.classroomSourcedId,
      row.childSourcedId ?? row.educatorSourcedId,
      row.role,
      row.isPrimary ? 'true' : 'false',
    ]),
  );

  const contacts = await db
    .selectFrom('childContacts as link')
    .innerJoin('familyContacts as f', 'f.id', 'link.contactId')
    .innerJoin('children as ch', 'ch.id', 'link.childId')
    .select([
      'f.sourcedId',
      'link.status',
      'f.givenName',
      'f.familyName',
      'f.email',
      'f.phone',
      'f.relationship',
      'ch.sourcedId as childSourcedId',
    ])
    .where('link.orgId', '=', org.id)
    .where('link.status', 'in', statuses)
    .where('ch.archivedAt', 'is', null)
    .orderBy('f.sourcedId')
    .orderBy('ch.sourcedId')
    .execute();
  await write(
    'contacts.csv',
    ['sourcedId', 'status', 'givenName', 'familyName', 'email', 'phone', 'relationship', 'childSourcedId'],
    contacts.map((row) => [
      row.sourcedId,
      row.status,
      row.givenName,
      row.familyName,
      row.email,
      row.phone,
      row.relationship,
      row.childSourcedId,
    ]),
  );

  return summary;
}

/** Creates the export folder, or throws `INVALID_INPUT` naming it when mkdir fails. */
function createExportFolder(outDir: string): void {
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    const reason =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file, not a folder, has that path'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code;
    throw new AppError(
      'INVALID_INPUT',
      `The export folder ${outDir} could not be created: ${reason}. Give another folder with --out.`,
      { cause: error },
    );
  }
}
