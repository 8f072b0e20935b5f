// 001: the node's tables (issue: node). Same SQL on PGlite and PostgreSQL 15.
export const statements: readonly string[] = [
  `create table bodies (
    id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    party char(2) not null check (party ~ '^[A-Z]{2}$'),
    name text not null,
    kind text not null check (kind in ('central', 'territorial', 'other')),
    parent_id text references bodies(id),
    time_zone text,
    created_at timestamptz not null default now()
  )`,
  `create table officers (
    id uuid primary key default gen_random_uuid(),
    body_id text not null references bodies(id),
    login text not null unique,
    full_name text not null,
    position text not null,
    roles text[] not null,
    password_hash text not null,
    failed_logins integer not null default 0,
    locked_until timestamptz,
    disabled_at timestamptz,
    created_at timestamptz not null default now()
  )`,
  `create table api_tokens (
    id text primary key,
    officer_id uuid not null references officers(id),
    name text not null,
    token_hash text not null unique,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `create table proceedings (
    id uuid primary key default gen_random_uuid(),
    body_id text not null references bodies(id),
    number text not null,
    opened_on date not null,
    debtor jsonb not null,
    creditor jsonb not null,
    executive_documents jsonb not null,
    search_keys text[] not null default '{}',
    created_by uuid references officers(id),
    created_at timestamptz not null default now(),
    unique (body_id, number)
  )`,
  `create table request_counters (
    body_id text not null references bodies(id),
    year integer not null,
    last integer not null,
    primary key (body_id, year)
  )`,
  // Outgoing requests keep their document in clear (our own data, needed for
  // editing and search); incoming ones only encrypted (R9.4), searchable
  // through keyed hashes of name keys and ids (search_keys).
  `create table requests (
    id uuid primary key default gen_random_uuid(),
    direction text not null check (direction in ('outgoing', 'incoming')),
    number text not null,
    body_id text not null references bodies(id),
    proceeding_id uuid references proceedings(id),
    counterpart_party char(2) not null,
    counterpart_body jsonb not null,
    state text not null,
    document jsonb,
    document_enc bytea,
    key_id text,
    confidential boolean not null default false,
    shorter_term date,
    received_at timestamptz,
    received_on date,
    deadline date,
    deadline_basis text,
    delay_until date,
    message_id text unique,
    search_keys text[] not null default '{}',
    created_by uuid references officers(id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    version integer not null default 0,
    check ((direction = 'outgoing' and proceeding_id is not null and document is not null and document_enc is null)
        or (direction = 'incoming' and document is null and document_enc is not null))
  )`,
  'create index requests_by_body on requests (body_id, direction, state, deadline)',
  'create index requests_by_proceeding on requests (proceeding_id)',
  'create index requests_search on requests using gin (search_keys)',
  'create index proceedings_search on proceedings using gin (search_keys)',
  `create table request_items (
    request_id uuid not null references requests(id) on delete cascade,
    item_no integer not null,
    kind text not null,
    provisions text[] not null,
    primary key (request_id, item_no)
  )`,
  // Answers hold personal data: always encrypted (R9.4); purged_at marks a
  // tombstone after the retention period (R9.6).
  `create table answers (
    id uuid primary key default gen_random_uuid(),
    request_id uuid not null references requests(id),
    item_no integer not null,
    outcome text not null check (outcome in ('found', 'not_found', 'partial', 'not_disclosable')),
    final boolean not null,
    data_enc bytea,
    key_id text,
    created_by uuid references officers(id),
    created_at timestamptz not null default now(),
    purged_at timestamptz,
    check ((purged_at is null) = (data_enc is not null))
  )`,
  'create index answers_by_request on answers (request_id, item_no)',
  `create table request_events (
    id bigserial primary key,
    request_id uuid not null references requests(id),
    event text not null,
    side text not null check (side in ('requesting', 'requested')),
    officer_id uuid references officers(id),
    data jsonb not null default '{}',
    at timestamptz not null default now()
  )`,
  'create index request_events_by_request on request_events (request_id, id)',
  `create table attachments (
    sha256 text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
    size integer not null check (size > 0 and size <= 20971520),
    media_type text not null,
    content_enc bytea,
    key_id text,
    created_at timestamptz not null default now(),
    purged_at timestamptz
  )`,
  `create table answer_attachments (
    answer_id uuid not null references answers(id),
    sha256 text not null references attachments(sha256),
    file_name text not null,
    primary key (answer_id, sha256)
  )`,
  `create table outbox (
    id bigserial primary key,
    message_id text not null unique,
    request_id uuid references requests(id),
    type text not null,
    to_party char(2) not null,
    to_body text not null,
    payload jsonb not null,
    status text not null default 'pending' check (status in ('pending', 'sending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    created_at timestamptz not null default now(),
    delivered_at timestamptz
  )`,
  'create index outbox_due on outbox (status, next_attempt_at)',
  `create table inbox (
    message_id text primary key,
    from_party char(2) not null,
    from_body text not null,
    type text not null,
    payload_enc bytea not null,
    key_id text not null,
    received_at timestamptz not null default now(),
    receipt jsonb,
    processed_at timestamptz
  )`,
  `create table audit_log (
    seq bigint primary key,
    at timestamptz not null,
    actor text not null,
    body_id text,
    action text not null,
    request_id uuid,
    subject text,
    details jsonb not null,
    prev_hash text not null,
    hash text not null unique
  )`,
  'create index audit_by_request on audit_log (request_id)',
  'create index audit_by_body on audit_log (body_id, seq)',
  // Append-only (R9.1): the node's own role cannot change or remove entries.
  `create function audit_log_append_only() returns trigger language plpgsql as $$
    begin raise exception 'audit_log is append-only'; end $$`,
  `create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only()`,
  `create table retention_rules (
    party char(2) primary key check (party ~ '^[A-Z]{2}$'),
    months integer not null check (months > 0 and months <= 1200),
    legal_basis text not null,
    updated_at timestamptz not null default now()
  )`,
  `create table node_settings (
    key text primary key,
    value jsonb not null,
    updated_at timestamptz not null default now()
  )`,
  `create table disclosure_consents (
    id uuid primary key default gen_random_uuid(),
    request_id uuid not null references requests(id),
    recipient text not null,
    purpose text not null,
    status text not null check (status in ('requested', 'granted', 'refused')),
    requested_at timestamptz not null default now(),
    decided_at timestamptz
  )`,
  `create table paper_originals (
    request_id uuid primary key references requests(id),
    dispatched_on date not null,
    means text not null,
    tracking text,
    recorded_by uuid references officers(id),
    recorded_at timestamptz not null default now()
  )`,
];
