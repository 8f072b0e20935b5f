// 002: the officer's lists read a body's requests in deadline order (incoming)
// or by last change (outgoing) straight from an index (bench: node).
export const statements: readonly string[] = [
  'create index requests_by_deadline on requests (body_id, direction, deadline, id)',
  'create index requests_by_update on requests (body_id, direction, updated_at desc, id)',
];
