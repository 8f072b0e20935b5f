// Every place the node stores a value sealed with the data key ring (R9.4), in
// one table: which column, how its row is named in the AAD, which plain column
// repeats the key id. Re-encryption (reseal-data.ts) and key retirement
// (retire-data-key.ts) read this table only, and test/app/data-key-rotation.test.ts
// compares it with the `_enc` columns of the migrations, so a new sealed column
// cannot be forgotten silently (ASVS V1.6.3).
import { sql, type RawBuilder } from 'kysely';
import { sealedHeader } from '../adapters/crypto/data-key.js';
import type { Store, Tx } from '../ports/store.js';
import { consentDetailsAad } from './record-consent-request.js';
import { totpAad } from './start-totp-enrolment.js';
import { webhookSecretAad } from './manage-webhooks.js';
import { answerDraftAad } from './answer-draft-record.js';

export interface SealedColumn {
  readonly table: string;
  /** A bytea column, or (with `jsonField`) a jsonb column holding the sealed bytes in base64. */
  readonly column: string;
  readonly jsonField?: string;
  /** The primary key: rows are visited in its order (keyset batches). */
  readonly key: string;
  /** The plain column that repeats the sealing key's id, kept in step; null if none. */
  readonly keyIdColumn: string | null;
  /** SQL expressions (constants of this file) selected to build the AAD, by alias. */
  readonly aadSelect: Readonly<Record<string, string>>;
  aad(row: Readonly<Record<string, unknown>>): string;
  /** Most rows per batch (large values: attachments, signed messages with files). */
  readonly maxBatch?: number;
}

const s = (v: unknown): string => String(v);

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    table: 'requests',
    column: 'document_enc',
    key: 'id',
    keyIdColumn: 'key_id',
    aadSelect: { id: 'id' },
    aad: (r) => `request:${s(r.id)}`,
  },
  {
    table: 'answers',
    column: 'data_enc',
    key: 'id',
    keyIdColumn: 'key_id',
    aadSelect: { id: 'id' },
    aad: (r) => `answer:${s(r.id)}`,
  },
  {
    table: 'attachments',
    column: 'content_enc',
    key: 'sha256',
    keyIdColumn: 'key_id',
    aadSelect: { sha256: 'sha256' },
    aad: (r) => `attachment:${s(r.sha256)}`,
    maxBatch: 8,
  },
  {
    table: 'inbox',
    column: 'payload_enc',
    key: 'message_id',
    keyIdColumn: 'key_id',
    aadSelect: { message_id: 'message_id' },
    aad: (r) => `inbox:${s(r.message_id)}`,
    maxBatch: 16,
  },
  {
    table: 'outbox',
    column: 'signed_enc',
    key: 'id',
    keyIdColumn: 'signed_key_id',
    aadSelect: { message_id: 'message_id' },
    aad: (r) => `outbox:${s(r.message_id)}`,
    maxBatch: 16,
  },
  {
    table: 'received_consents',
    column: 'details_enc',
    key: 'id',
    keyIdColumn: 'key_id',
    aadSelect: { id: 'id' },
    aad: (r) => consentDetailsAad(s(r.id)),
  },
  {
    // Step texts received from the other Party (apply-remote-step.ts): { messageId, sealed } in the event's data.
    table: 'request_events',
    column: 'data',
    jsonField: 'sealed',
    key: 'id',
    keyIdColumn: null,
    aadSelect: { request_id: 'request_id', message_id: "data->>'messageId'" },
    aad: (r) => `event:${s(r.request_id)}:${s(r.message_id)}`,
  },
  {
    // A batch's rows as submitted (issue 16.1), kept until the batch ends.
    table: 'batches',
    column: 'rows_enc',
    key: 'id',
    keyIdColumn: 'key_id',
    aadSelect: { id: 'id' },
    aad: (r) => `batch:${s(r.id)}`,
    maxBatch: 4,
  },
  {
    // A webhook subscription's signing secret (issue 17.1).
    table: 'webhook_subscriptions',
    column: 'secret_enc',
    key: 'id',
    keyIdColumn: 'secret_key_id',
    aadSelect: { id: 'id' },
    aad: (r) => webhookSecretAad(s(r.id)),
  },
  {
    // The draft answer of an incoming request from the domestic registries (issue 17.2).
    table: 'answer_drafts',
    column: 'draft_enc',
    key: 'request_id',
    keyIdColumn: 'key_id',
    aadSelect: { request_id: 'request_id' },
    aad: (r) => answerDraftAad(s(r.request_id)),
  },
  {
    // An officer's TOTP secret (issue 13, item 3): no key-id column of its own.
    table: 'officers',
    column: 'totp_secret_enc',
    key: 'id',
    keyIdColumn: null,
    aadSelect: { id: 'id' },
    aad: (r) => totpAad(s(r.id)),
  },
];

/** `table.column` or `table.column.field`: how reports name a sealed column. */
export function sealedColumnName(c: SealedColumn): string {
  return `${c.table}.${c.column}${c.jsonField ? `.${c.jsonField}` : ''}`;
}

/** The sealed bytes of a row as an SQL expression (null where nothing is sealed). */
export function sealedBytes(c: SealedColumn): RawBuilder<Uint8Array | null> {
  return c.jsonField ? sql`decode(${sql.raw(`${c.column}->>'${c.jsonField}'`)}, 'base64')` : sql.raw(c.column);
}

/** Condition: the value is sealed, under `keyId` (`under`) or under any other key. */
export function sealedUnder(c: SealedColumn, keyId: string, under: boolean): RawBuilder<boolean> {
  const head = sealedHeader(keyId);
  const bytes = sealedBytes(c);
  const prefix = sql`substring(${bytes} from 1 for ${sql.lit(head.length)})`;
  return under
    ? sql`(${bytes} is not null and ${prefix} = ${head})`
    : sql`(${bytes} is not null and ${prefix} <> ${head})`;
}

/**
 * How many values of each column are sealed under each key id, read from the
 * sealed header (the ciphertext names its key). Values whose header cannot be
 * read count under the key id `?`.
 */
export async function countSealedByKey(db: Store | Tx): Promise<{ column: string; byKey: Record<string, number> }[]> {
  const out: { column: string; byKey: Record<string, number> }[] = [];
  for (const c of SEALED_COLUMNS) {
    const bytes = sealedBytes(c);
    const keyId = sql<string>`case when length(${bytes}) < 2 or get_byte(${bytes}, 0) <> 1 then '?'
      else encode(substring(${bytes} from 3 for get_byte(${bytes}, 1)), 'escape') end`;
    const rows = await sql<{ key_id: string; n: string | number }>`
      select ${keyId} as key_id, count(*) as n from ${sql.table(c.table)}
      where ${bytes} is not null group by 1 order by 1`.execute(db);
    out.push({ column: sealedColumnName(c), byKey: Object.fromEntries(rows.rows.map((r) => [r.key_id, Number(r.n)])) });
  }
  return out;
}
