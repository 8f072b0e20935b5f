// 023: the event feed and webhooks for national systems (issue 17 item 1,
// docs/EVENTS.md, docs/ARCHITECTURE.md decision 39).
// - events.kind gains `delivery_delayed`: the first failed attempt of a message
//   (the transport goes on retrying; `delivery_failed` is the last).
// - event_cursors: the pull feed's server-side cursor of an account (a national
//   system that lost its own state resumes from here); per account, so a
//   rotated token keeps the place.
// - webhook_subscriptions: URLs an administrator registered for a body, the
//   event kinds wanted (null: all), the signing secret sealed with the node data
//   key (shown once), and `cursor`: events up to this id have been queued for it
//   (ids become visible in order, migration 014, so the queue never skips one).
//   A disabled subscription keeps its cursor: enabled again, it gets the backlog.
// - webhook_deliveries: the durable queue, one row per subscription and event
//   (unique: queued once), with attempts, the next attempt, the last error and
//   when it was delivered. Claimed with FOR UPDATE SKIP LOCKED.
export const statements: readonly string[] = [
  'alter table events drop constraint events_kind_check',
  `alter table events add constraint events_kind_check check (kind in ('request_received', 'request_forwarded',
    'answer_received', 'step_received', 'deadline_soon', 'overdue', 'delivery_delayed', 'delivery_failed',
    'data_destroyed'))`,
  `create table event_cursors (
    officer_id uuid primary key references officers(id),
    after_id bigint not null,
    updated_at timestamptz not null default now()
  )`,
  `create table webhook_subscriptions (
    id uuid primary key default gen_random_uuid(),
    body_id text not null references bodies(id),
    url text not null,
    kinds text[],
    secret_enc bytea not null,
    secret_key_id text not null,
    enabled boolean not null default true,
    cursor bigint not null,
    created_at timestamptz not null,
    created_by uuid references officers(id)
  )`,
  `create table webhook_deliveries (
    id bigserial primary key,
    subscription_id uuid not null references webhook_subscriptions(id) on delete cascade,
    event_id bigint not null references events(id),
    status text not null default 'pending' check (status in ('pending', 'sending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    last_attempt_at timestamptz,
    last_error text,
    last_status integer,
    delivered_at timestamptz,
    created_at timestamptz not null,
    unique (subscription_id, event_id)
  )`,
  `create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status in ('pending', 'sending')`,
  'create index webhook_deliveries_recent on webhook_deliveries (subscription_id, id)',
];
