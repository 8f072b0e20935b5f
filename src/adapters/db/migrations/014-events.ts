// 014: one durable event log (issue 14 item 7 — in-app notices; issue 17 reuses
// it for the pull feed and webhooks) and each officer's read state.
// - events: what happened to a request that somebody must be told of, written
//   in the transaction of the change itself (exactly once with it). `id` is the
//   feed's cursor: writers take the audit log's transaction lock (audit.ts), so
//   ids become visible in order and a reader after cursor N never skips one.
//   `data` holds no personal data (kind-specific codes, dates, counts).
//   Time-driven kinds (≤ 5 working days left, overdue) are recorded once per
//   request by a periodic job: the partial unique index makes a second run, or
//   a second process, a no-op.
// - notice_cursors: everything up to `read_through` is read ("mark all as
//   read"); notice_reads: single notices read above that cursor.
export const statements: readonly string[] = [
  `create table events (
    id bigserial primary key,
    kind text not null check (kind in ('request_received', 'request_forwarded', 'answer_received',
      'step_received', 'deadline_soon', 'overdue', 'delivery_failed', 'data_destroyed')),
    request_id uuid references requests(id),
    body_id text not null references bodies(id),
    occurred_at timestamptz not null,
    data jsonb not null default '{}'
  )`,
  // The notices of a body, newest first (the badge and the list read this).
  'create index events_by_body on events (body_id, id)',
  'create index events_by_request on events (request_id, id)',
  `create unique index events_once_per_request on events (request_id, kind)
    where kind in ('deadline_soon', 'overdue')`,
  `create table notice_cursors (
    officer_id uuid primary key references officers(id),
    read_through bigint not null,
    updated_at timestamptz not null default now()
  )`,
  `create table notice_reads (
    officer_id uuid not null references officers(id),
    event_id bigint not null references events(id),
    read_at timestamptz not null default now(),
    primary key (officer_id, event_id)
  )`,
];
