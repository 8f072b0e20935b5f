// 028: two counters of the exactly-once machinery, where no constraint would show them (issue 18).
// inbox.resends: how many times the node answered a resend of this stored message with its receipt (the
// sender had not recorded the first one: the receipt was lost after the commit, or the sender died) — the
// duplicate the inbox's primary key turned away. outbox.lease_takeovers: how many times a worker claimed this
// row while it was still `sending` under a lease that had expired (the holder died or lost its database before
// it could record the outcome), as against a retry after a failure it recorded.
export const statements: readonly string[] = [
  'alter table inbox add column resends integer not null default 0',
  'alter table outbox add column lease_takeovers integer not null default 0',
];
