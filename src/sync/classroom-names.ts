import type { Kysely } from 'kysely';

import { AppError } from '../core/errors.ts';
import { getSyncSettings, insertAuditEntry } from '../db/queries/organizations.ts';
import type { Database } from '../db/schema.ts';

export interface ClassroomRename {
  orgId: string;
  classroomId: string;
  /** The local display name; null or blank goes back to the roster name. */
  name: string | null;
  actor: string;
}

/**
 * Sets a classroom's local display name, which syncs keep while the roster name goes on
 * updating. Allowed only with "Allow edits to classroom names to override roster names" on:
 * otherwise throws `CLASSROOM_RENAME_NOT_ALLOWED`, and the next sync clears any display name.
 * Throws `INVALID_INPUT` for a name over 200 characters, `NOT_FOUND` for an unknown classroom and
 * `ARCHIVE_READ_ONLY` for an archived one.
 */
export async function renameClassroom(db: Kysely<Database>, rename: ClassroomRename): Promise<void> {
  const settings = await getSyncSettings(db, rename.orgId);
  if (!settings.allowClassroomRename) throw new AppError('CLASSROOM_RENAME_NOT_ALLOWED');

  const name = rename.name?.trim() ? rename.name.trim() : null;
  if (name !== null && name.length > 200) {
    throw new AppError('INVALID_INPUT', `The classroom name has ${name.length} characters; use at most 200.`);
  }
  const classroom = await db
    .selectFrom('classrooms')
    .select(['id', 'displayName', 'archivedAt'])
    .where('id', '=', rename.classroomId)
    .where('orgId', '=', rename.orgId)
    .executeTakeFirst();
  if (!classroom) throw new AppError('NOT_FOUND', `No classroom has the id ${rename.classroomId}.`);
  if (classroom.archivedAt) throw new AppError('ARCHIVE_READ_ONLY');

  await db
    .updateTable('classrooms')
    .set({ displayName: name, updatedAt: new Date() })
    .where('id', '=', classroom.id)
    .execute();
  await insertAuditEntry(db, {
    orgId: rename.orgId,
    actor: rename.actor,
    action: 'classroom.rename',
    changes: { classroomId: classroom.id, from: classroom.displayName, to: name },
  });
}
