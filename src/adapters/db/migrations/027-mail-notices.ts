// 027: e-mail notices to officers (issue 17 item 3, docs/OPERATIONS.md «Почтовые
// уведомления», docs/ARCHITECTURE.md decision 44).
// - mail_preferences: an officer's choice per topic (new request, ≤ 5 working
//   days left, overdue, answer received, delivery failed): at once, in the daily
//   digest, or not at all. No row: at once (MAIL_DEFAULT_DELIVERY).
// - mail_cursor: events up to this id have been turned into letters (ids become
//   visible in order, migration 014, so none is skipped). It starts at the newest
//   event: the history before this migration is not mailed.
// - mail_outbox: the durable queue of letters, as rendered (recipient, subject,
//   text: a request number, a Party, dates and a link, never the debtor), with
//   attempts, the next attempt, the last error. A letter at once names its event
//   (unique per officer and event: queued once); a digest names its slot (the
//   local hour it was due; unique per officer and slot: one letter a day).
// - mail_digest_items: the events waiting for an officer's next digest, and the
//   letter that carried them.
export const statements: readonly string[] = [
  `create table mail_preferences (
    officer_id uuid not null references officers(id),
    topic text not null check (topic in ('new_request', 'deadline_soon', 'overdue', 'answer_received',
      'delivery_failed')),
    delivery text not null check (delivery in ('immediate', 'digest', 'none')),
    updated_at timestamptz not null,
    primary key (officer_id, topic)
  )`,
  `create table mail_cursor (
    singleton boolean primary key default true check (singleton),
    after_id bigint not null
  )`,
  'insert into mail_cursor (after_id) select coalesce(max(id), 0) from events',
  `create table mail_outbox (
    id bigserial primary key,
    officer_id uuid not null references officers(id),
    event_id bigint references events(id),
    digest_slot timestamptz,
    recipient text not null,
    subject text not null,
    body text not null,
    status text not null default 'pending' check (status in ('pending', 'sending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    last_attempt_at timestamptz,
    last_error text,
    delivered_at timestamptz,
    created_at timestamptz not null,
    check ((event_id is null) <> (digest_slot is null)),
    unique (officer_id, event_id),
    unique (officer_id, digest_slot)
  )`,
  `create index mail_outbox_due on mail_outbox (next_attempt_at) where status in ('pending', 'sending')`,
  `create index mail_outbox_status on mail_outbox (status, id)`,
  `create table mail_digest_items (
    officer_id uuid not null references officers(id),
    event_id bigint not null references events(id),
    queued_at timestamptz not null,
    letter_id bigint references mail_outbox(id),
    primary key (officer_id, event_id)
  )`,
  'create index mail_digest_waiting on mail_digest_items (officer_id) where letter_id is null',
];
