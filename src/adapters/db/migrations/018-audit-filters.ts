// 018: the «Журнал действий» filters (issue 15, item 3) read from indexes, newest first by seq:
// - by actor, by action (each with seq for the keyset page), by time (the period);
// - by subject (a request's number when its row is gone), and the requests a list read names
//   (details -> 'requestIds', a GIN index for `@>`).
export const statements: readonly string[] = [
  'create index audit_by_actor on audit_log (actor, seq)',
  'create index audit_by_action on audit_log (action, seq)',
  'create index audit_by_at on audit_log (at)',
  'create index audit_by_subject on audit_log (subject)',
  `create index audit_by_listed_requests on audit_log using gin ((details -> 'requestIds'))`,
];
