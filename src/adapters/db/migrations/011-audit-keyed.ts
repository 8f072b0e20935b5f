// 011: an audit log you can trust (issue 13). Each entry carries the HMAC
// chain value under the node's audit key (kept in the node home); entries
// written before the key existed keep a null mac and are anchored by the
// first keyed entry. Signed checkpoints of the log's head are kept here as
// well as shipped off the machine; like the log, they are append-only.
export const statements: readonly string[] = [
  'alter table audit_log add column mac text',
  `create table audit_checkpoints (
    id bigserial primary key,
    created_at timestamptz not null,
    seq bigint not null check (seq >= 0),
    hash text not null,
    mac text,
    count bigint not null check (count >= 0),
    jws text not null
  )`,
  `create trigger audit_checkpoints_no_update before update or delete on audit_checkpoints
    for each row execute function audit_log_append_only()`,
];
