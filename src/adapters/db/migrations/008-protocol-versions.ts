// 008: every stored message keeps the protocol version it was built in, so a
// message verified years later is read against its own version's schema
// (docs/MESSAGES.md §3.1). Messages stored before versions existed are version 1.
export const statements: readonly string[] = [
  'alter table inbox add column schema_version integer not null default 1',
  'alter table outbox add column schema_version integer',
];
