// Kysely table types of the node database (migrations/*.ts create them).
import type { ColumnType, Generated } from 'kysely';
import type { InboundType, MessageType } from '../../domain/messages.js';
import type { ReceiptCheck } from '../../domain/receiving.js';
import type { RetentionKind } from '../../domain/retention.js';
import type { EventKind } from '../../domain/events.js';
import type { RequestEventKind } from '../../domain/workflow.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type GenTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateCol = ColumnType<string, string, string>;
type Json<T = unknown> = ColumnType<T, string, string>;
type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface BodiesTable {
  id: string;
  party: string;
  name: string;
  kind: 'central' | 'territorial' | 'other';
  parent_id: string | null;
  time_zone: string | null;
  created_at: GenTimestamp;
  /** Letterhead of the body's printed forms (014). */
  address: ColumnType<string | null, string | null | undefined, string | null>;
  phone: ColumnType<string | null, string | null | undefined, string | null>;
  email: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface OfficersTable {
  id: Generated<string>;
  body_id: string;
  login: string;
  full_name: string;
  position: string;
  roles: string[];
  password_hash: string;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  disabled_at: Timestamp | null;
  created_at: GenTimestamp;
  password_must_change: Generated<boolean>;
  totp_secret_enc: Bytes | null;
  totp_enabled_at: Timestamp | null;
  totp_last_step: ColumnType<string | null, number | string | null, number | string | null>;
  /** Contacts printed under the officer's signature (014). */
  phone: ColumnType<string | null, string | null | undefined, string | null>;
  email: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TotpRecoveryCodesTable {
  officer_id: string;
  code_hash: string;
  created_at: GenTimestamp;
  used_at: Timestamp | null;
}

export interface RoleGrantsTable {
  id: Generated<string>;
  officer_id: string;
  roles: string[];
  previous_roles: string[];
  reasons: string[];
  requested_by: string;
  requested_at: Timestamp;
  status: Generated<'pending' | 'approved' | 'rejected'>;
  decided_by: string | null;
  decided_at: Timestamp | null;
}

export interface ApiTokensTable {
  id: string;
  officer_id: string;
  name: string;
  token_hash: string;
  created_at: GenTimestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  expires_at: Timestamp;
  created_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ProceedingsTable {
  id: Generated<string>;
  body_id: string;
  number: string;
  opened_on: DateCol;
  debtor: Json;
  creditor: Json;
  executive_documents: Json<unknown[]>;
  search_keys: Generated<string[]>;
  created_by: string | null;
  created_at: GenTimestamp;
}

export interface RequestCountersTable {
  body_id: string;
  year: number;
  last: number;
}

export interface RequestsTable {
  id: Generated<string>;
  direction: 'outgoing' | 'incoming';
  number: string;
  body_id: string;
  proceeding_id: string | null;
  counterpart_party: string;
  counterpart_body: Json<{ id: string; party: string; name: string }>;
  state: string;
  document: Json | null;
  document_enc: Bytes | null;
  key_id: string | null;
  confidential: Generated<boolean>;
  shorter_term: DateCol | null;
  received_at: Timestamp | null;
  received_on: DateCol | null;
  deadline: DateCol | null;
  deadline_basis: string | null;
  delay_until: DateCol | null;
  message_id: string | null;
  search_keys: Generated<string[]>;
  created_by: string | null;
  created_at: GenTimestamp;
  updated_at: GenTimestamp;
  version: Generated<number>;
  /** Incoming: the body the request was addressed to, kept across a forward (R18). */
  addressed_to: ColumnType<string | null, string | null | undefined, string | null>;
  /** Outgoing: the other Party's body the request was forwarded to (its accepted `forward`, R18). */
  counterpart_forwarded_to: ColumnType<string | null, string | null | undefined, string | null>;
  /** Incoming: what the check on receipt found (missing Article 11 elements, R13.d and R-KZ notices). */
  receipt_check: ColumnType<ReceiptCheck | null, string | null | undefined, string | null>;
  /** Incoming: when the document and its search keys were destroyed (R9.6); the row is then a tombstone. */
  purged_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The requested Party's local day of the first final answer or refusal (020; statistics, R12). */
  responded_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** The Article 13 ground of a refusal (020; a code). */
  refusal_ground: ColumnType<string | null, string | null | undefined, string | null>;
  /** The requested body asked for additional information (020; R14). */
  additional_info_asked: ColumnType<boolean, boolean | undefined, boolean>;
  /** Article 11 problems found on receipt (020; generated from receipt_check). */
  receipt_problems: ColumnType<number, never, never>;
  /** Outgoing: the batch and its row the request was created from (022). */
  batch_id: ColumnType<string | null, string | null | undefined, string | null>;
  batch_row: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface RequestItemsTable {
  request_id: string;
  item_no: number;
  kind: string;
  provisions: string[];
}

export interface AnswersTable {
  id: Generated<string>;
  request_id: string;
  item_no: number;
  outcome: 'found' | 'not_found' | 'partial' | 'not_disclosable';
  final: boolean;
  data_enc: Bytes | null;
  key_id: string | null;
  created_by: string | null;
  created_at: GenTimestamp;
  purged_at: Timestamp | null;
}

export interface RequestEventsTable {
  id: Generated<string>;
  request_id: string;
  event: RequestEventKind;
  side: 'requesting' | 'requested';
  officer_id: string | null;
  data: Json<Record<string, unknown>>;
  at: GenTimestamp;
}

export interface AttachmentsTable {
  sha256: string;
  size: number;
  media_type: string;
  content_enc: Bytes | null;
  key_id: string | null;
  created_at: GenTimestamp;
  purged_at: Timestamp | null;
}

export interface AnswerAttachmentsTable {
  answer_id: string;
  sha256: string;
  file_name: string;
}

export interface OutboxTable {
  id: Generated<string>;
  message_id: string;
  request_id: string | null;
  type: MessageType;
  to_party: string;
  to_body: string;
  payload: Json;
  status: Generated<'pending' | 'sending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: GenTimestamp;
  last_error: string | null;
  created_at: GenTimestamp;
  delivered_at: Timestamp | null;
  /** The signed JWS of the first attempt, sealed (retries resend these bytes). */
  signed_enc: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  signed_key_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The worker (host#pid) that holds or last held the lease. */
  claimed_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** The protocol version the signed bytes were built in (chosen for the recipient at the first attempt). */
  schema_version: ColumnType<number | null, number | null | undefined, number | null>;
  /** SHA-256 (hex) of the signed JWS: what proves the exchange after the purge (R9.6, R10.a). */
  signed_sha256: ColumnType<string | null, string | null | undefined, string | null>;
  /** The receiver's signed receipt, `{ jws, … }`, written at delivery. */
  receipt: ColumnType<unknown, string | null | undefined, string | null>;
  /** When the signed bytes were destroyed (R9.6). */
  purged_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** When the worker last tried the message and failed (last_error); the health page reads it (issue 15.4). */
  last_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Claims of the row while still `sending` under an expired lease (its holder died or lost the database). */
  lease_takeovers: Generated<number>;
}

export interface InboxTable {
  message_id: string;
  from_party: string;
  from_body: string;
  type: InboundType;
  /** The signed JWS as received, sealed; null after the purge (R9.6). */
  payload_enc: ColumnType<Uint8Array | null, Uint8Array | null, Uint8Array | null>;
  key_id: string | null;
  received_at: GenTimestamp;
  receipt: Json | null;
  processed_at: Timestamp | null;
  /** The protocol version the message was built in (docs/MESSAGES.md §3.1). */
  schema_version: ColumnType<number, number | undefined, number>;
  /** SHA-256 (hex) of the JWS as received: kept after the purge (R9.6, R10.a). */
  payload_sha256: ColumnType<string | null, string | null | undefined, string | null>;
  purged_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Resends of this stored message answered with its receipt (the sender had not recorded the first). */
  resends: Generated<number>;
}

export interface AuditLogTable {
  seq: ColumnType<string, number | string, never>;
  at: Timestamp;
  actor: string;
  body_id: string | null;
  action: string;
  request_id: string | null;
  subject: string | null;
  details: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
  /** HMAC chain value under the node's audit key; null on entries written before the key existed. */
  mac: ColumnType<string | null, string | null | undefined, never>;
}

/** Signed checkpoints of the audit log's head (issue 13). */
export interface AuditCheckpointsTable {
  id: Generated<string>;
  created_at: Timestamp;
  seq: ColumnType<string, number | string, never>;
  hash: string;
  mac: string | null;
  count: ColumnType<string, number | string, never>;
  jws: string;
}

export interface RetentionRulesTable {
  party: string;
  /** R9.6: the kind of data the rule covers; `all` is the Party's general period. */
  kind: ColumnType<RetentionKind, RetentionKind | undefined, RetentionKind>;
  months: number;
  legal_basis: string;
  updated_at: GenTimestamp;
}

export interface NodeSettingsTable {
  key: string;
  value: Json;
  updated_at: GenTimestamp;
}

export interface DisclosureConsentsTable {
  id: Generated<string>;
  request_id: string;
  recipient: string;
  purpose: string;
  status: 'requested' | 'granted' | 'refused';
  requested_at: GenTimestamp;
  decided_at: Timestamp | null;
}

/** R9.2, providing side: a consent request received about an incoming request. */
export interface ReceivedConsentsTable {
  id: Generated<string>;
  request_id: string;
  /** The requesting node's consent id, carried in consent_request and echoed in consent_answer. */
  consent_id: string;
  message_id: string;
  /** Sealed `{ recipient, purpose }`; null after the purge (R9.6). */
  details_enc: ColumnType<Uint8Array | null, Uint8Array, Uint8Array | null>;
  key_id: string | null;
  received_at: Timestamp;
  status: Generated<'requested' | 'granted' | 'refused'>;
  decided_at: Timestamp | null;
  decided_by: string | null;
  answer_message_id: string | null;
  purged_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** R9.5, asking side: a protection_query this node sent (id = its message id) and the answer. */
export interface ProtectionQueriesTable {
  id: string;
  to_party: string;
  to_body: string;
  from_body: string;
  asked_by: string | null;
  asked_at: Timestamp;
  answered_at: Timestamp | null;
  answer_message_id: string | null;
  measures: string | null;
  retention: string | null;
  contact: string | null;
}

export interface PaperOriginalsTable {
  request_id: string;
  /** R10.a: whose paper original (009). */
  document: ColumnType<'request' | 'answer' | 'refusal', 'request' | 'answer' | 'refusal' | undefined>;
  /** Its dispatch (the side that made it) or its arrival (the other side). */
  movement: ColumnType<'dispatch' | 'arrival', 'dispatch' | 'arrival' | undefined>;
  /** The day it was posted, or the day it arrived. */
  dated_on: DateCol;
  means: string;
  tracking: string | null;
  recorded_by: string | null;
  recorded_at: GenTimestamp;
}

/** The short verification code printed next to a form's QR code, and the signed message it stands for (014). */
export interface PaperCodesTable {
  code: string;
  message_id: string;
  document_sha256: string;
  request_id: string | null;
  created_at: GenTimestamp;
}

export interface SessionsTable {
  id: string;
  officer_id: string;
  csrf: string;
  created_at: GenTimestamp;
  expires_at: Timestamp;
  last_seen_at: GenTimestamp;
  flash: ColumnType<string | null, string | null | undefined, string | null>;
  second_factor_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  second_factor_failures: Generated<number>;
}

/** The node's event log (014): the officer's notices and, later, the national systems' feed (issue 17). */
export interface EventsTable {
  /** bigserial: the cursor (a string, as every int8). */
  id: Generated<string>;
  kind: EventKind;
  request_id: string | null;
  body_id: string;
  occurred_at: Timestamp;
  data: Json<Record<string, unknown>>;
}

/** An officer's notices up to `read_through` are read ("mark all as read"). */
export interface NoticeCursorsTable {
  officer_id: string;
  read_through: ColumnType<string, number | string, number | string>;
  updated_at: GenTimestamp;
}

/** A single notice read above the officer's cursor. */
export interface NoticeReadsTable {
  officer_id: string;
  event_id: ColumnType<string, number | string, number | string>;
  read_at: GenTimestamp;
}

/** The receipt of a bundle of messages (docs/MESSAGES.md §2.1), stored once for all of them. */
/** Every trust registry version the node accepted (migration 026): what an evidence pack carries. */
export interface RegistryVersionsTable {
  version: number;
  sha256: string;
  issued_at: Timestamp;
  jws: string;
  accepted_at: GenTimestamp;
}

/** A protected header shared by stored JWSs (migration 029, src/app/stored-jws.ts). */
export interface JwsHeadersTable {
  /** SHA-256 (hex) of `header`. */
  sha256: string;
  /** The protected header exactly as it appears in the JWS (base64url). */
  header: string;
  created_at: Generated<Timestamp>;
}

export interface BundleReceiptsTable {
  id: string;
  /** 'in': a bundle this node received (the receipt it signed); 'out': one it sent (the receipt it verified). */
  direction: 'in' | 'out';
  /** The other Party. */
  party: string;
  from_body: string;
  to_body: string;
  bundle_sha256: string;
  jws: string;
  created_at: Timestamp;
}

/** The pull feed's server-side cursor of an account (issue 17, migration 023). */
export interface EventCursorsTable {
  officer_id: string;
  after_id: ColumnType<string, number | string, number | string>;
  updated_at: GenTimestamp;
}

/** A webhook an administrator registered for a body (issue 17, migration 023). */
export interface WebhookSubscriptionsTable {
  id: Generated<string>;
  body_id: string;
  url: string;
  /** The event kinds sent; null: all. */
  kinds: EventKind[] | null;
  /** The signing secret, sealed with the node data key (aad `webhook:<id>`). */
  secret_enc: Buffer;
  secret_key_id: string;
  enabled: Generated<boolean>;
  /** Events up to this id are queued for the subscription. */
  cursor: ColumnType<string, number | string, number | string>;
  created_at: Timestamp;
  created_by: string | null;
}

/** One event to one subscription: the durable queue of webhook deliveries. */
export interface WebhookDeliveriesTable {
  id: Generated<string>;
  subscription_id: string;
  event_id: ColumnType<string, number | string, number | string>;
  status: Generated<'pending' | 'sending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_attempt_at: Timestamp | null;
  last_error: string | null;
  last_status: number | null;
  delivered_at: Timestamp | null;
  created_at: Timestamp;
}

/** Issue 17 item 3: an officer's choice of e-mail notices per topic (025). */
export interface MailPreferencesTable {
  officer_id: string;
  topic: 'new_request' | 'deadline_soon' | 'overdue' | 'answer_received' | 'delivery_failed';
  delivery: 'immediate' | 'digest' | 'none';
  updated_at: Timestamp;
}

export interface MailCursorTable {
  singleton: Generated<boolean>;
  after_id: ColumnType<string, number | string, number | string>;
}

/** The queue of letters to officers (025): rendered, without personal data of the debtor. */
export interface MailOutboxTable {
  id: Generated<string>;
  officer_id: string;
  event_id: ColumnType<string | null, number | string | null, number | string | null>;
  digest_slot: Timestamp | null;
  recipient: string;
  subject: string;
  body: string;
  status: Generated<'pending' | 'sending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_attempt_at: Timestamp | null;
  last_error: string | null;
  delivered_at: Timestamp | null;
  created_at: Timestamp;
}

export interface MailDigestItemsTable {
  officer_id: string;
  event_id: ColumnType<string, number | string, number | string>;
  queued_at: Timestamp;
  letter_id: ColumnType<string | null, number | string | null, number | string | null>;
}

export interface DB {
  sessions: SessionsTable;
  bodies: BodiesTable;
  officers: OfficersTable;
  api_tokens: ApiTokensTable;
  totp_recovery_codes: TotpRecoveryCodesTable;
  role_grants: RoleGrantsTable;
  proceedings: ProceedingsTable;
  request_counters: RequestCountersTable;
  requests: RequestsTable;
  request_items: RequestItemsTable;
  answers: AnswersTable;
  request_events: RequestEventsTable;
  attachments: AttachmentsTable;
  answer_attachments: AnswerAttachmentsTable;
  outbox: OutboxTable;
  inbox: InboxTable;
  bundle_receipts: BundleReceiptsTable;
  jws_headers: JwsHeadersTable;
  audit_log: AuditLogTable;
  audit_checkpoints: AuditCheckpointsTable;
  retention_rules: RetentionRulesTable;
  node_settings: NodeSettingsTable;
  registry_versions: RegistryVersionsTable;
  disclosure_consents: DisclosureConsentsTable;
  received_consents: ReceivedConsentsTable;
  protection_queries: ProtectionQueriesTable;
  paper_originals: PaperOriginalsTable;
  events: EventsTable;
  notice_cursors: NoticeCursorsTable;
  notice_reads: NoticeReadsTable;
  event_cursors: EventCursorsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  mail_preferences: MailPreferencesTable;
  mail_cursor: MailCursorTable;
  mail_outbox: MailOutboxTable;
  mail_digest_items: MailDigestItemsTable;
  paper_codes: PaperCodesTable;
  batches: BatchesTable;
  batch_problems: BatchProblemsTable;
  answer_drafts: AnswerDraftsTable;
}

/** Issue 16.1: a batch of requests (019). */
export interface BatchesTable {
  id: Generated<string>;
  body_id: string;
  created_by: string;
  source: 'csv' | 'xlsx' | 'json';
  file_name: string | null;
  requested_body: Json<{ party: string; id: string; name: string }>;
  state: Generated<'queued' | 'validating' | 'creating' | 'done' | 'failed'>;
  total: number;
  validated: Generated<number>;
  failed: Generated<number>;
  created: Generated<number>;
  next_row: Generated<number>;
  error: string | null;
  rows_enc: Bytes | null;
  key_id: string | null;
  claimed_by: string | null;
  claimed_at: Timestamp | null;
  created_at: GenTimestamp;
  started_at: Timestamp | null;
  validated_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface BatchProblemsTable {
  id: Generated<string>;
  batch_id: string;
  row_no: number;
  field: string;
  path: string;
  code: string;
  message: string;
}

/** Issue 17 item 2: the draft answer of an incoming request from the domestic registries (025). */
export interface AnswerDraftsTable {
  request_id: string;
  status: Generated<'pending' | 'looking_up' | 'ready' | 'failed'>;
  attempts: Generated<number>;
  lease_until: Timestamp | null;
  claimed_by: string | null;
  /** The draft (src/app/answer-draft-record.ts), sealed with the data key (aad `answer_draft:<request id>`). */
  draft_enc: Bytes | null;
  key_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
