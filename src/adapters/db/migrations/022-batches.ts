// 022: batch requests (issue 16, item 1). One operation creates many requests from a file or an API call.
// - batches: the stored job. The rows as submitted are sealed under the data key (rows_enc, AAD `batch:<id>`)
//   and dropped when the batch ends; the counts show progress; `next_row` is the cursor of the chunks: every
//   chunk commits its requests and the cursor in one transaction, so a restart resumes after the last
//   committed chunk and no row is created twice. `claimed_by` / `claimed_at` are the lease of the runner
//   (a process of the node) that works on it.
// - batch_problems: the per-row report (row number as the officer sees it, the column or field in Russian,
//   the Russian message, the rule code and the field path for programs).
// - requests.batch_id / batch_row: the batch and row a request was created from (its progress page counts
//   the requests receipted; no constraint ties a row to one request: the chunk's cursor does).
export const statements: readonly string[] = [
  `create table batches (
    id uuid primary key default gen_random_uuid(),
    body_id text not null references bodies(id),
    created_by uuid not null references officers(id),
    source text not null check (source in ('csv', 'xlsx', 'json')),
    file_name text,
    requested_body jsonb not null,
    state text not null default 'queued'
      check (state in ('queued', 'validating', 'creating', 'done', 'failed')),
    total integer not null,
    validated integer not null default 0,
    failed integer not null default 0,
    created integer not null default 0,
    next_row integer not null default 0,
    error text,
    rows_enc bytea,
    key_id text,
    claimed_by text,
    claimed_at timestamptz,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    validated_at timestamptz,
    finished_at timestamptz
  )`,
  'create index batches_by_body on batches (body_id, created_at desc)',
  `create index batches_open on batches (state) where state in ('queued', 'validating', 'creating')`,
  `create table batch_problems (
    id bigserial primary key,
    batch_id uuid not null references batches(id) on delete cascade,
    row_no integer not null,
    field text not null,
    path text not null,
    code text not null,
    message text not null
  )`,
  'create index batch_problems_by_row on batch_problems (batch_id, row_no, id)',
  'alter table requests add column batch_id uuid references batches(id)',
  'alter table requests add column batch_row integer',
  'create index requests_by_batch on requests (batch_id) where batch_id is not null',
];
