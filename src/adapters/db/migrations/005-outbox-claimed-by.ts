// 005: which worker process holds (or last held) an outbox row's lease, so an
// operator running several node processes on one PostgreSQL database can see
// who is sending what.
export const statements: readonly string[] = ['alter table outbox add column claimed_by text'];
