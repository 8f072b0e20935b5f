// The court evidence pack (issue 17 item 4, docs/EVIDENCE.md): one ZIP file
// holding every signed message and receipt of a request, the trust registry
// versions they were verified against, the certificates, the exporting node's
// verification report and a Russian summary, listed with their SHA-256 in a
// manifest that the exporting body seals. This module is the format: names,
// the manifest's shape, and the problems a check can find (Russian, each
// naming a file). The cryptography is in src/app/verify-evidence.ts.
import Type, { type Static } from 'typebox';

export const EVIDENCE_FORMAT = 'eix-evidence/1';
/** The `typ` of the manifest's seal (a compact JWS whose payload is exactly manifest.json). */
export const EVIDENCE_MANIFEST_JWS_TYPE = 'eix-evidence+jws';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_SEAL_FILE = 'manifest.jws';
export const REPORT_FILE = 'verification.json';
export const SUMMARY_FILE = 'summary.pdf';
export const DEPOSITARY_FILE = 'certificates/depositary.pem';

/** Two-digit (or longer) running number of a message in the pack, so files sort in the order of the exchange. */
const seq = (no: number): string => String(no).padStart(2, '0');

export const evidencePaths = {
  message: (no: number, type: string, messageId: string): string => `messages/${seq(no)}-${type}-${messageId}.jws`,
  receipt: (no: number, messageId: string): string => `receipts/${seq(no)}-${messageId}.jws`,
  bundleReceipt: (receiptId: string): string => `receipts/bundle-${receiptId}.jws`,
  registry: (version: number): string => `registry/registry-v${version}.jws`,
  partyCa: (party: string, sha256: string): string => `certificates/party-ca-${party}-${sha256.slice(0, 16)}.pem`,
  body: (bodyId: string, sha256: string): string => `certificates/body-${bodyId}-${sha256.slice(0, 16)}.pem`,
};

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Instant = Type.String({ format: 'date-time' });
const Party = Type.String({ pattern: '^[A-Z]{2}$' });
const BodyId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const Address = Type.Object({ party: Party, body: BodyId }, { additionalProperties: false });
const NamedBody = Type.Object(
  { party: Party, body: BodyId, name: Type.String({ maxLength: 1000 }) },
  { additionalProperties: false },
);
const Person = Type.Object(
  { name: Type.String({ maxLength: 300 }), position: Type.String({ maxLength: 300 }) },
  { additionalProperties: false },
);
const FilePath = Type.String({ pattern: '^[a-z]+/[A-Za-z0-9._-]+$|^[a-z]+\\.[a-z]+$', maxLength: 200 });

export const ManifestMessageSchema = Type.Object(
  {
    /** Order in the exchange (1, 2 …): the file names carry it. */
    no: Type.Integer({ minimum: 1 }),
    messageId: Type.String({ minLength: 8, maxLength: 100 }),
    type: Type.String({ pattern: '^[a-z][a-z_]{1,63}$' }),
    /** Seen from the exporting node: sent by it, or received. */
    direction: Type.Union([Type.Literal('sent'), Type.Literal('received')]),
    from: Address,
    to: Address,
    status: Type.Union([
      Type.Literal('delivered'),
      Type.Literal('received'),
      Type.Literal('failed'),
      Type.Literal('pending'),
      Type.Literal('sending'),
    ]),
    /** SHA-256 of the compact JWS (what the receipt names); null for a message never signed. */
    sha256: Type.Union([Sha256, Type.Null()]),
    /** The JWS in the pack; null when it was destroyed (R9.6) or never signed. */
    file: Type.Union([FilePath, Type.Null()]),
    /** R9.6: when the signed bytes were destroyed after the retention period. */
    destroyedAt: Type.Union([Instant, Type.Null()]),
    /** From the signed envelope: when it was signed, and the officer who signed for the body (R11.3). */
    createdAt: Type.Union([Instant, Type.Null()]),
    signer: Type.Union([Person, Type.Null()]),
    /** The registry version in force on the exporting node when the message was sent or received. */
    registryVersion: Type.Integer({ minimum: 1 }),
    /** The signed receipt: its file, the item of a bundle receipt (null: a receipt of its own), the time of receipt. */
    receipt: Type.Union([
      Type.Object(
        { file: FilePath, item: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]), receivedAt: Instant },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);

export const EvidenceManifestSchema = Type.Object(
  {
    format: Type.Literal(EVIDENCE_FORMAT),
    createdAt: Instant,
    exportedBy: Type.Object(
      { party: Party, body: BodyId, bodyName: Type.String({ maxLength: 1000 }), officer: Person },
      { additionalProperties: false },
    ),
    purpose: Type.String({ minLength: 1, maxLength: 1000 }),
    /** The time zone the summary is written in (the exporting body's). */
    timeZone: Type.String({ minLength: 1, maxLength: 100 }),
    request: Type.Object(
      {
        id: Type.String({ format: 'uuid' }),
        number: Type.String({ maxLength: 200 }),
        direction: Type.Union([Type.Literal('outgoing'), Type.Literal('incoming')]),
        messageId: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
        requesting: NamedBody,
        requested: NamedBody,
      },
      { additionalProperties: false },
    ),
    registries: Type.Array(
      Type.Object(
        { version: Type.Integer({ minimum: 1 }), sha256: Sha256, issuedAt: Instant, file: FilePath },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    messages: Type.Array(ManifestMessageSchema),
    /** Every file of the pack but the manifest and its seal, with its SHA-256 and size. */
    files: Type.Array(
      Type.Object(
        { path: FilePath, sha256: Sha256, size: Type.Integer({ minimum: 0 }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type EvidenceManifest = Static<typeof EvidenceManifestSchema>;
export type ManifestMessage = Static<typeof ManifestMessageSchema>;

/** What a check of a pack can find wrong; each finding names the file it is about. */
export const EVIDENCE_PROBLEMS = {
  container: 'файл не является ZIP-архивом доказательного пакета или повреждён',
  missing: 'файл отсутствует в пакете',
  unlisted: 'файл не указан в описи пакета',
  hash: 'содержимое изменено: хеш SHA-256 не совпадает с описью',
  manifest: 'опись пакета повреждена или не совпадает с заверенной печатью',
  seal: 'печать органа на описи пакета не подтверждена',
  signature: 'электронная подпись неверна или документ изменён',
  signer: 'документ подписан не тем органом, который в нём указан',
  certificate:
    'сертификат подписи не выдан удостоверяющим центром Стороны из реестра доверия, не действовал в момент подписания или отозван',
  registry: 'реестр доверия не подписан депозитарием, сертификат которого указан для проверки, или повреждён',
  receipt: 'квитанция не подтверждает получение этого сообщения',
  content: 'сообщение не совпадает с его описанием в описи пакета',
  unproven: 'получение сообщения ничем не подтверждено: нет ни сообщения, ни квитанции',
} as const;
export type EvidenceProblemCode = keyof typeof EVIDENCE_PROBLEMS;

export interface EvidenceProblem {
  /** The file of the pack the problem is about (the pack itself: ''). */
  readonly file: string;
  readonly code: EvidenceProblemCode;
  /** Russian, naming the file; details after a dash when there are any. */
  readonly message: string;
}

export function evidenceProblem(file: string, code: EvidenceProblemCode, detail?: string): EvidenceProblem {
  const what = file ? `Файл «${file}»: ${EVIDENCE_PROBLEMS[code]}` : `Пакет: ${EVIDENCE_PROBLEMS[code]}`;
  return { file, code, message: detail ? `${what} — ${detail}` : what };
}

/** SHA-256 in groups of eight, as people compare it with a printout (wraps in a narrow column). */
export function groupedHash(sha256: string): string {
  return sha256.replace(/(.{8})(?=.)/g, '$1 ');
}
