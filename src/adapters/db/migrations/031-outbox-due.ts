// 031: the outbox worker's claim reads the messages that are due, not every version a message ever had (issue 16,
// item 3). Every message passes through 'pending' and 'sending' before 'delivered', each a new row version, and
// the old `outbox_due (status, next_attempt_at)` kept an entry for each: PostgreSQL answered the claim (ordered by
// id) with a bitmap scan of that index, which reads every entry in the range and never marks the dead ones —
// under the load bench 2,100–7,600 index entries read per claim until a VACUUM, the second costliest statement of
// the sending node. Now the index holds only messages still to go, in the claim's order (when due,
// then id): the claim is a plain index scan that stops after its limit, and each scan marks the dead entries it
// passes so the next skips them. Messages held back for later (a peer's node not upgraded, a stale registry,
// retries in back-off) lie past the claim's range and are not read at all.
// `outbox_by_request` serves the claim's "an earlier message of the same request still to go" test and the
// request page's list of its messages, which read the whole outbox before.
export const statements: readonly string[] = [
  'drop index outbox_due',
  `create index outbox_due on outbox (next_attempt_at, id) where status in ('pending', 'sending')`,
  'create index outbox_by_request on outbox (request_id, id)',
];
