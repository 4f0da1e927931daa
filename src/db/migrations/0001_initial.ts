import { type Kysely, sql } from 'kysely';

/**
 * The schema for the whole product. Every roster table (schools, classrooms, educators, children,
 * family contacts, memberships) carries the same lineage columns: the source `sourced_id` and
 * `source_status`, the first and last run that saw the row, and when and by which run it was
 * deactivated. `status` is the platform's own state (`active` or `inactive`); a row is never
 * deleted by a sync.
 */
const lineage = `
  sourced_id text,
  source_status text,
  status text not null default 'active' check (status in ('active', 'inactive')),
  first_seen_run_id uuid,
  last_seen_run_id uuid,
  deactivated_at timestamptz,
  deactivated_by_run_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()`;

const statements = [
  `create table organizations (
    id uuid primary key default gen_random_uuid(),
    slug text not null unique,
    name text not null,
    timezone text not null default 'America/New_York',
    auto_rostering boolean not null default true,
    archive_month smallint not null default 8 check (archive_month between 1 and 12),
    archive_day smallint not null default 1 check (archive_day between 1 and 31),
    current_school_year integer,
    district_sourced_id text,
    district_name text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,

  `create table roster_connections (
    org_id uuid primary key references organizations(id) on delete cascade,
    provider text not null default 'classlink',
    oneroster_version text not null default '1.1' check (oneroster_version in ('1.1', '1.2')),
    endpoint_url text not null,
    auth_kind text not null default 'oauth1' check (auth_kind in ('oauth1', 'oauth2', 'bearer')),
    signature_method text not null default 'HMAC-SHA256' check (signature_method in ('HMAC-SHA256', 'HMAC-SHA1')),
    client_key text not null,
    secret_ciphertext text not null,
    secret_key_id text not null,
    token_url text,
    scopes text,
    last_tested_at timestamptz,
    last_test_ok boolean,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,

  `create table sync_settings (
    org_id uuid primary key references organizations(id) on delete cascade,
    schedule_frequency text not null default 'off' check (schedule_frequency in ('off', 'daily', 'weekly', 'monthly')),
    schedule_time text,
    schedule_weekday smallint check (schedule_weekday between 1 and 7),
    schedule_month_day smallint check (schedule_month_day between 1 and 28),
    next_run_at timestamptz,
    last_scheduled_run_at timestamptz,
    sync_now_used_at timestamptz,
    allow_removal boolean not null default false,
    send_emails boolean not null default true,
    carryover boolean not null default false,
    allow_classroom_rename boolean not null default false,
    school_filter jsonb not null default '[]',
    grade_filter jsonb not null default '[]',
    max_deactivate_ratio real not null default 0.10,
    max_change_ratio real not null default 0.75,
    full_sync_interval_days integer not null default 7,
    default_journey jsonb not null default '[]',
    extra_emails jsonb not null default '[]',
    one_classroom_per_child boolean not null default true,
    one_school_per_educator boolean not null default true,
    max_classrooms_per_educator integer not null default 10,
    max_contacts_per_child integer not null default 4,
    classroom_size_warning integer not null default 32,
    updated_at timestamptz not null default now()
  )`,

  `create table school_years (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    school_year integer not null,
    title text,
    start_date date,
    end_date date,
    ${lineage},
    unique (org_id, sourced_id)
  )`,

  `create table schools (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    name text not null,
    identifier text,
    ${lineage}
  )`,
  `create unique index schools_sourced_id on schools (org_id, sourced_id) where sourced_id is not null`,

  `create table classrooms (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    school_id uuid references schools(id),
    roster_name text not null,
    display_name text,
    class_code text,
    class_type text,
    grades jsonb not null default '[]',
    archived_school_year integer,
    archived_at timestamptz,
    ${lineage}
  )`,
  `create unique index classrooms_sourced_id on classrooms (org_id, sourced_id) where sourced_id is not null and archived_at is null`,
  `create index classrooms_school on classrooms (school_id)`,

  `create table educators (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    school_id uuid references schools(id),
    role text not null default 'teacher' check (role in ('teacher', 'aide')),
    given_name text not null,
    family_name text not null,
    email text,
    identifier text,
    user_ids jsonb not null default '[]',
    ${lineage}
  )`,
  `create unique index educators_sourced_id on educators (org_id, sourced_id) where sourced_id is not null`,

  `create table children (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    school_id uuid references schools(id),
    classroom_id uuid references classrooms(id),
    origin text not null default 'roster' check (origin in ('roster', 'manual')),
    given_name text not null,
    family_name text not null,
    middle_name text,
    preferred_given_name text,
    preferred_family_name text,
    name_key text not null,
    identifier text,
    user_ids jsonb not null default '[]',
    birth_date date,
    sex text,
    american_indian_or_alaska_native boolean,
    asian boolean,
    black_or_african_american boolean,
    native_hawaiian_or_other_pacific_islander boolean,
    white boolean,
    two_or_more_races boolean,
    hispanic_or_latino boolean,
    grade text,
    journey jsonb not null default '[]',
    level text,
    level_set_by text check (level_set_by in ('placement', 'educator', 'admin')),
    enabled boolean not null default true,
    archived_school_year integer,
    archived_at timestamptz,
    merged_into_id uuid references children(id),
    ${lineage}
  )`,
  `create unique index children_sourced_id on children (org_id, sourced_id) where sourced_id is not null and archived_at is null and merged_into_id is null`,
  `create index children_name_key on children (org_id, name_key)`,
  `create index children_identifier on children (org_id, identifier) where identifier is not null`,
  `create index children_classroom on children (classroom_id)`,

  `create table family_contacts (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    given_name text not null,
    family_name text not null,
    email text,
    phone text,
    sms text,
    relationship text not null default 'guardian' check (relationship in ('parent', 'guardian', 'relative')),
    ${lineage}
  )`,
  `create unique index family_contacts_sourced_id on family_contacts (org_id, sourced_id) where sourced_id is not null`,

  `create table child_contacts (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    child_id uuid not null references children(id),
    contact_id uuid not null references family_contacts(id),
    ${lineage},
    unique (child_id, contact_id)
  )`,

  `create table memberships (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    classroom_id uuid not null references classrooms(id),
    child_id uuid references children(id),
    educator_id uuid references educators(id),
    role text not null check (role in ('student', 'teacher', 'aide')),
    is_primary boolean not null default false,
    begin_date date,
    end_date date,
    archived_school_year integer,
    archived_at timestamptz,
    ${lineage},
    check ((child_id is null) <> (educator_id is null))
  )`,
  `create unique index memberships_sourced_id on memberships (org_id, sourced_id) where sourced_id is not null and archived_at is null`,
  `create index memberships_classroom on memberships (classroom_id)`,

  `create table archive_records (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    school_year integer not null,
    kind text not null check (kind in ('child', 'classroom', 'membership', 'educator', 'contact')),
    record_id uuid not null,
    sourced_id text,
    data jsonb not null,
    archived_at timestamptz not null default now(),
    restored_at timestamptz,
    restored_by_run_id uuid
  )`,
  `create index archive_records_org_year on archive_records (org_id, school_year, kind)`,

  `create table products (
    code text primary key,
    name text not null,
    description text not null default '',
    created_at timestamptz not null default now()
  )`,

  `create table licences (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    product_code text not null references products(code),
    seats integer not null check (seats >= 0),
    starts_on date,
    ends_on date,
    created_at timestamptz not null default now(),
    unique (org_id, product_code)
  )`,

  `create table duplicate_reviews (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    child_id uuid not null references children(id),
    candidate_ids jsonb not null default '[]',
    reason text not null,
    status text not null default 'open' check (status in ('open', 'merged', 'kept')),
    run_id uuid,
    created_at timestamptz not null default now(),
    resolved_at timestamptz,
    resolved_by text
  )`,
  `create index duplicate_reviews_open on duplicate_reviews (org_id) where status = 'open'`,

  `create table sync_runs (
    id uuid primary key default gen_random_uuid(),
    org_id uuid not null references organizations(id) on delete cascade,
    trigger text not null check (trigger in ('manual', 'scheduled', 'cli')),
    mode text not null check (mode in ('full', 'delta')),
    status text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'held_for_review', 'rejected')),
    source text not null default 'rest',
    dry_run boolean not null default false,
    phase text,
    progress jsonb not null default '{}',
    counts jsonb not null default '{}',
    warning_count integer not null default 0,
    error jsonb,
    watermark timestamptz,
    complete boolean not null default false,
    requested_by text,
    worker_id text,
    job_id text,
    heartbeat_at timestamptz,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    reviewed_at timestamptz,
    reviewed_by text
  )`,
  `create unique index sync_runs_one_running on sync_runs (org_id) where status = 'running'`,
  `create index sync_runs_org_created on sync_runs (org_id, created_at desc)`,

  `create table sync_run_warnings (
    run_id uuid not null references sync_runs(id) on delete cascade,
    seq integer not null,
    code text not null,
    sourced_id text,
    message text not null,
    primary key (run_id, seq)
  )`,

  `create table sync_run_plans (
    run_id uuid primary key references sync_runs(id) on delete cascade,
    plan jsonb not null,
    roster_fingerprint text not null,
    created_at timestamptz not null default now()
  )`,

  `create table staging_records (
    run_id uuid not null,
    collection text not null,
    sourced_id text not null,
    data jsonb not null,
    primary key (run_id, collection, sourced_id)
  )`,

  `create table app_users (
    id uuid primary key default gen_random_uuid(),
    email text not null,
    password_hash text,
    role text not null check (role in ('platform-admin', 'org-admin', 'educator')),
    org_id uuid references organizations(id) on delete cascade,
    educator_id uuid references educators(id),
    disabled boolean not null default false,
    created_at timestamptz not null default now(),
    last_login_at timestamptz,
    check ((role = 'platform-admin') = (org_id is null))
  )`,
  `create unique index app_users_email on app_users (lower(email))`,

  `create table audit_log (
    id uuid primary key default gen_random_uuid(),
    org_id uuid references organizations(id) on delete cascade,
    actor text not null,
    action text not null,
    changes jsonb not null default '{}',
    created_at timestamptz not null default now()
  )`,
  `create index audit_log_org on audit_log (org_id, created_at desc)`,

  `create table email_messages (
    id uuid primary key default gen_random_uuid(),
    org_id uuid references organizations(id) on delete cascade,
    run_id uuid references sync_runs(id) on delete set null,
    kind text not null,
    recipients jsonb not null,
    subject text not null,
    text_body text not null,
    html_body text not null,
    status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'stored', 'suppressed')),
    dedupe_key text,
    attempts integer not null default 0,
    last_error text,
    created_at timestamptz not null default now(),
    sent_at timestamptz
  )`,
  `create index email_messages_dedupe on email_messages (org_id, dedupe_key, created_at desc)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
