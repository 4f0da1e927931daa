import { type Kysely, sql } from 'kysely';

/**
 * Storage for the roster rules. Archived children, classrooms and memberships become read-only:
 * a trigger rejects any update that leaves a row archived, so the only change an archived row
 * accepts is its restore (clearing `archived_at`, which carryover does). Each child has at most
 * one open possible-duplicate review, and each record one snapshot per archived school year.
 */
const readOnlyArchive = `
  create or replace function reject_archived_update() returns trigger language plpgsql as $$
  begin
    if old.archived_at is not null and new.archived_at is not null then
      raise exception 'archived % % of school year % is read-only', tg_table_name, old.id, old.archived_school_year
        using errcode = 'RS001', hint = 'Change the record in the current school year instead.';
    end if;
    return new;
  end
  $$`;

const statements = [
  readOnlyArchive,
  `create trigger children_archive_read_only before update on children
    for each row execute function reject_archived_update()`,
  `create trigger classrooms_archive_read_only before update on classrooms
    for each row execute function reject_archived_update()`,
  `create trigger memberships_archive_read_only before update on memberships
    for each row execute function reject_archived_update()`,

  `create index children_archived on children (org_id, archived_school_year) where archived_at is not null`,
  `create index children_archived_sourced_id on children (org_id, sourced_id) where archived_at is not null`,
  `create unique index archive_records_one_per_year on archive_records (org_id, school_year, kind, record_id)`,
  `create unique index duplicate_reviews_one_open on duplicate_reviews (child_id) where status = 'open'`,
  `alter table duplicate_reviews add column kept_child_id uuid references children(id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
