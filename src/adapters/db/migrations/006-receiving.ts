// 006: what the receiving side binds messages to (RECEIVING.md, R18) and what
// it found on receipt of a request (Articles 11, 13, 25 and the reservations).
// - requests.addressed_to: incoming — the body the request was addressed to,
//   kept when a central body forwards it (messages may still name it).
// - requests.counterpart_forwarded_to: outgoing — the other Party's body the
//   request was forwarded to, set when that Party's `forward` is accepted.
// - requests.receipt_check: incoming — the missing Article 11 elements and the
//   R13.d / R-KZ notices found on receipt, for the requested officer.
export const statements: readonly string[] = [
  'alter table requests add column addressed_to text',
  'alter table requests add column counterpart_forwarded_to text',
  'alter table requests add column receipt_check jsonb',
  `update requests set addressed_to = coalesce(
     (select e.data->>'from' from request_events e where e.request_id = requests.id and e.event = 'forward' and e.data->>'from' is not null order by e.id limit 1),
     body_id)
   where direction = 'incoming'`,
];
