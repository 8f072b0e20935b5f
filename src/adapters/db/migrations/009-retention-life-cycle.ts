// 009: the whole Article 9(6) life cycle (docs/ARCHITECTURE.md, decision 26).
// - retention_rules: a rule per Party *and kind of data* (`all` = the Party's
//   general period; existing rules become general ones).
// - requests.purged_at: an incoming request whose document was destroyed
//   keeps its header (number, parties, dates, state) and a tombstone.
// - inbox / outbox: after the purge a message keeps what proves the exchange:
//   header fields, the SHA-256 of the signed bytes and the receipt; the sealed
//   bytes go. inbox.payload_sha256 is filled from the receipt it already held;
//   outbox.signed_sha256 is written when the message is signed (older rows
//   get it at the purge, from the sealed bytes), outbox.receipt at delivery.
// - received_consents: the sealed third party and purpose may be destroyed.
export const statements: readonly string[] = [
  `alter table retention_rules add column kind text not null default 'all'
    check (kind in ('all', 'answers_received', 'incoming_requests', 'answers_sent', 'step_texts', 'messages'))`,
  'alter table retention_rules drop constraint retention_rules_pkey',
  'alter table retention_rules add primary key (party, kind)',
  'alter table requests add column purged_at timestamptz',
  'alter table requests drop constraint requests_check',
  `alter table requests add constraint requests_document_check check (
    (direction = 'outgoing' and proceeding_id is not null and document is not null and document_enc is null and purged_at is null)
    or (direction = 'incoming' and document is null and (document_enc is null) = (purged_at is not null)))`,
  'alter table inbox alter column payload_enc drop not null',
  'alter table inbox alter column key_id drop not null',
  'alter table inbox add column payload_sha256 text',
  'alter table inbox add column purged_at timestamptz',
  `update inbox set payload_sha256 = receipt->>'messageSha256' where receipt is not null`,
  'alter table inbox add constraint inbox_purged_check check ((payload_enc is null) = (purged_at is not null))',
  'alter table outbox add column signed_sha256 text',
  'alter table outbox add column receipt jsonb',
  'alter table outbox add column purged_at timestamptz',
  'alter table received_consents alter column details_enc drop not null',
  'alter table received_consents alter column key_id drop not null',
  'alter table received_consents add column purged_at timestamptz',
  `alter table received_consents add constraint received_consents_purged_check
    check ((details_enc is null) = (purged_at is not null))`,
];
