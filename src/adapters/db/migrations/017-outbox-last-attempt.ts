// 017: the node health page (issue 15, item 4) tells a peer that is down from one that answers:
// outbox.last_attempt_at is when the worker last tried a message and failed (its error is last_error),
// so the newest failure to a Party can be set against the newest success (delivered_at, inbox.received_at).
// Rows failed before this column existed fall back to created_at on the health page.
export const statements: readonly string[] = [
  'alter table outbox add column last_attempt_at timestamptz',
  'create index outbox_party_attempt on outbox (to_party, last_attempt_at) where last_attempt_at is not null',
];
