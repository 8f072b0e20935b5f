// 007: the providing side of R9.2 and the asking side of R9.5.
// - received_consents: consent requests that arrived about an incoming request
//   (consent_id is the requesting node's id, carried in the message); the third
//   party's name and the purpose are sealed (they may carry personal data);
//   one decision each, answered by a consent_answer message.
// - protection_queries: questions this node sent to another Party about its
//   protection measures and retention periods (id = the query's message id),
//   filled in when the answer arrives. Node-level, no personal data.
export const statements: readonly string[] = [
  `create table received_consents (
    id uuid primary key default gen_random_uuid(),
    request_id uuid not null references requests(id),
    consent_id uuid not null,
    message_id text not null unique,
    details_enc bytea not null,
    key_id text not null,
    received_at timestamptz not null,
    status text not null default 'requested' check (status in ('requested', 'granted', 'refused')),
    decided_at timestamptz,
    decided_by uuid references officers(id),
    answer_message_id text,
    unique (request_id, consent_id)
  )`,
  `create table protection_queries (
    id uuid primary key,
    to_party char(2) not null,
    to_body text not null,
    from_body text not null references bodies(id),
    asked_by uuid references officers(id),
    asked_at timestamptz not null,
    answered_at timestamptz,
    answer_message_id text,
    measures text,
    retention text,
    contact text
  )`,
  'create index protection_queries_by_time on protection_queries (asked_at desc)',
];
