// 036: the audit log's entry hash is no longer a unique index (issue 16: storage and the append under the log's
// lock). Nothing looks an entry up by its hash: the log is read by seq, and its verification (src/app/audit.ts)
// recomputes every entry's hash from its content, its seq and the previous entry's hash, so an entry whose hash is
// another's fails it whatever the index says. The index cost the largest share of the log's storage (121 bytes per
// entry, five entries per exchanged request on the requesting side: 8.9 of its 28.5 MB of audit indexes in the load
// bench) and, its keys being random, a leaf page anywhere in the index written (and, after a checkpoint, its full
// image logged) by every append, under the lock every writing transaction of the node waits for.
export const statements: readonly string[] = ['alter table audit_log drop constraint audit_log_hash_key'];
