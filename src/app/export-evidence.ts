// The court evidence pack of a request (issue 17 item 4, docs/EVIDENCE.md):
// one ZIP holding every signed message of the request both ways and the
// signed receipt of each (a bundle's receipt once), the trust registry
// versions they were verified against, the certificates, this node's
// verification report (the same checks `eix evidence verify` runs, on the
// signed material alone) and a Russian summary PDF — listed with their
// SHA-256 in manifest.json, which the exporting officer's body seals
// (manifest.jws), so a changed byte in any file is found.
//
// After an Article 9(6) destruction the signed bytes are gone: the pack then
// lists the message by its id, type, bodies and SHA-256, and the receipt —
// kept in clear, it holds no personal data — still proves what was received
// and when. The messages carry personal data until then, so the export is a
// read of received personal data with its purpose in the audit log (R9.1),
// open to whoever may open the request (R16, R18: loadRequest).
import { sql, type Selectable } from 'kysely';
import Type from 'typebox';
import { compactPayload, derBase64ToPem, sha256Hex, canonicalBytes } from '../adapters/crypto/jws.js';
import { certificateInfo } from '../adapters/crypto/pki.js';
import type { RegistryVersionsTable } from '../adapters/db/schema.js';
import { writeZip } from '../adapters/fs/zip-archive.js';
import { renderEvidenceSummary } from '../adapters/pdf/evidence-pdf.js';
import { EixError } from '../domain/errors.js';
import {
  DEPOSITARY_FILE,
  EVIDENCE_FORMAT,
  EVIDENCE_MANIFEST_JWS_TYPE,
  MANIFEST_FILE,
  MANIFEST_SEAL_FILE,
  REPORT_FILE,
  SUMMARY_FILE,
  evidencePaths,
  type EvidenceManifest,
  type EvidenceProblem,
  type ManifestMessage,
} from '../domain/evidence.js';
import { partyTimeZone } from '../domain/parties.js';
import type { Registry } from '../domain/registry.js';
import type { Tx } from '../ports/store.js';
import { appendAudit } from './audit.js';
import { CASEWORK_ROLES, requestScope, requireRole } from './authorize.js';
import type { Actor, AppContext, Officer } from './context.js';
import { requireSeal } from './get-body-seal.js';
import { parseInput } from './input.js';
import { loadRequest, type RequestRow } from './request-record.js';
import { originalJwsAll, unsealedJws } from './stored-jws.js';
import { checkExchange } from './verify-evidence.js';

export const ExportEvidenceInput = Type.Object(
  {
    /** The request's id, or its registration number as the officer knows it. */
    request: Type.String({ minLength: 1, maxLength: 200 }),
    /** Why the pack is made (a court's request, a case number): recorded in the audit log (R9.1). */
    purpose: Type.String({ minLength: 1, maxLength: 1000 }),
  },
  { additionalProperties: false },
);

export interface EvidenceExport {
  readonly requestId: string;
  readonly number: string;
  /** A file name for the pack (the request's number in it). */
  readonly fileName: string;
  readonly pack: Buffer;
  /** SHA-256 of the pack file, as recorded in the audit log. */
  readonly sha256: string;
  readonly messages: number;
  /** Messages whose signed bytes were destroyed after the retention period (R9.6): hash and receipt only. */
  readonly destroyed: number;
  /** What this node's own check found (empty: everything verifies). */
  readonly problems: readonly EvidenceProblem[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Address = { party: string; body: string };
interface Envelope {
  id?: string;
  from?: Address;
  to?: Address;
  createdAt?: string;
  officer?: { name?: string; position?: string };
}
type ReceiptRef = { jws: string; bundleId: string | null; item: number | null };
interface Gathered {
  readonly messageId: string;
  readonly type: string;
  readonly direction: 'sent' | 'received';
  readonly from: Address;
  readonly to: Address;
  readonly status: ManifestMessage['status'];
  readonly jws: string | null;
  readonly sha256: string | null;
  readonly destroyedAt: string | null;
  readonly receipt: ReceiptRef | null;
  /** When the node sent or received it: picks the registry version then in force. */
  readonly at: Date;
}

const envelopeOf = (jws: string | null): Envelope | null =>
  jws ? ((compactPayload<{ envelope?: Envelope }>(jws).envelope ?? null) as Envelope | null) : null;

/** The request by id or by its number among the requests the officer may open. */
async function findRequest(tx: Tx, o: Officer, ref: string): Promise<RequestRow> {
  if (UUID.test(ref)) return loadRequest(tx, o, ref, { act: false });
  const rows = await tx.selectFrom('requests').select('id').where('number', '=', ref).where(requestScope(o)).execute();
  if (rows.length === 0) throw new EixError('request.not_found', { field: 'request', number: ref });
  if (rows.length > 1)
    throw new EixError(
      'input.invalid',
      { field: 'request', number: ref },
      `Номеру ${ref} соответствуют несколько запросов: укажите идентификатор запроса`,
    );
  return loadRequest(tx, o, rows[0]!.id, { act: false });
}

/** Every message of the request this node sent or received, with its signed bytes (if kept) and receipt. */
async function gather(tx: Tx, ctx: AppContext, row: RequestRow): Promise<Gathered[]> {
  const out: Gathered[] = [];
  const bundleIds = new Set<string>();
  const outbox = await tx.selectFrom('outbox').selectAll().where('request_id', '=', row.id).orderBy('id').execute();
  const sentReceipts = outbox.map(
    (m) => (m.receipt ?? null) as { jws?: string; bundle?: string; item?: number } | null,
  );
  for (const r of sentReceipts) if (r?.bundle) bundleIds.add(r.bundle);
  // Received messages: the request itself (incoming), the steps the history names, the consent requests.
  const refs = await tx
    .selectFrom('request_events')
    .select(sql<string | null>`data->>'messageId'`.as('id'))
    .where('request_id', '=', row.id)
    .execute();
  const consents = await tx
    .selectFrom('received_consents')
    .select('message_id')
    .where('request_id', '=', row.id)
    .execute();
  const ids = [
    ...new Set([
      ...refs.flatMap((r) => (typeof r.id === 'string' ? [r.id] : [])),
      ...(row.direction === 'incoming' && row.message_id ? [row.message_id] : []),
      ...consents.map((c) => c.message_id),
    ]),
  ];
  const inbox = ids.length ? await tx.selectFrom('inbox').selectAll().where('message_id', 'in', ids).execute() : [];
  const receivedReceipts = inbox.map(
    (m) => (m.receipt ?? null) as { jws?: string; bundle?: string; messageSha256?: string } | null,
  );
  for (const r of receivedReceipts) if (r?.bundle) bundleIds.add(r.bundle);
  const bundleRows = bundleIds.size
    ? await tx
        .selectFrom('bundle_receipts')
        .select(['id', 'jws'])
        .where('id', 'in', [...bundleIds])
        .execute()
    : [];
  // Every JWS as signed: stored forms name their header (src/app/stored-jws.ts), put back here in one read.
  const sealedOut = outbox.map((m) => (m.signed_enc ? unsealedJws(ctx, m.signed_enc, `outbox:${m.message_id}`) : null));
  const sealedIn = inbox.map((m) => (m.payload_enc ? unsealedJws(ctx, m.payload_enc, `inbox:${m.message_id}`) : null));
  const stored = [
    ...sealedOut,
    ...sealedIn,
    ...sentReceipts.map((r) => (typeof r?.jws === 'string' ? r.jws : null)),
    ...receivedReceipts.map((r) => (typeof r?.jws === 'string' ? r.jws : null)),
    ...bundleRows.map((b) => b.jws),
  ];
  const original = await originalJwsAll(ctx.db, stored, tx);
  let at = 0;
  const take = (n: number) => original.slice(at, (at += n));
  const [sentJws, receivedJws, sentReceiptJws, receivedReceiptJws, bundleJws] = [
    take(outbox.length),
    take(inbox.length),
    take(sentReceipts.length),
    take(receivedReceipts.length),
    take(bundleRows.length),
  ];
  const bundles = new Map(bundleRows.map((b, i) => [b.id, bundleJws[i]!]));
  const bundleItem = (id: string, find: (items: { messageId?: string; messageSha256?: string }[]) => number) => {
    const jws = bundles.get(id);
    if (!jws) return null;
    const items = compactPayload<{ body?: { items?: { messageId?: string; messageSha256?: string }[] } }>(jws).body
      ?.items;
    const item = items ? find(items) : -1;
    return item >= 0 ? { jws, bundleId: id, item } : null;
  };

  outbox.forEach((m, i) => {
    const jws = sentJws[i] ?? null;
    const r = sentReceipts[i];
    const receipt: ReceiptRef | null = sentReceiptJws[i]
      ? { jws: sentReceiptJws[i]!, bundleId: null, item: null }
      : r?.bundle && typeof r.item === 'number'
        ? bundleItem(r.bundle, () => r.item!)
        : null;
    const env = envelopeOf(jws);
    // Without the signed bytes (destroyed, or not signed yet): the receipt names the sender, else the request's body.
    const receiptEnv = receipt ? (compactPayload<{ envelope?: Envelope }>(receipt.jws).envelope ?? null) : null;
    out.push({
      messageId: m.message_id,
      type: m.type,
      direction: 'sent',
      from: env?.from ?? receiptEnv?.to ?? { party: ctx.party, body: row.body_id },
      to: { party: m.to_party, body: m.to_body },
      status: m.status,
      jws,
      sha256: m.signed_sha256 ?? (jws ? sha256Hex(jws) : null),
      destroyedAt: m.purged_at?.toISOString() ?? null,
      receipt,
      at: m.delivered_at ?? m.last_attempt_at ?? m.created_at,
    });
  });
  inbox.forEach((m, i) => {
    const jws = receivedJws[i] ?? null;
    const r = receivedReceipts[i];
    const sha256 = m.payload_sha256 ?? r?.messageSha256 ?? (jws ? sha256Hex(jws) : null);
    const receipt: ReceiptRef | null = receivedReceiptJws[i]
      ? { jws: receivedReceiptJws[i]!, bundleId: null, item: null }
      : r?.bundle
        ? bundleItem(r.bundle, (items) =>
            items.findIndex((x) => x.messageSha256 === sha256 && (x.messageId ?? m.message_id) === m.message_id),
          )
        : null;
    const env = envelopeOf(jws);
    const receiptEnv = receipt ? (compactPayload<{ envelope?: Envelope }>(receipt.jws).envelope ?? null) : null;
    out.push({
      messageId: m.message_id,
      type: m.type,
      direction: 'received',
      from: { party: m.from_party, body: m.from_body },
      to: env?.to ?? receiptEnv?.from ?? { party: ctx.party, body: row.body_id },
      status: 'received',
      jws,
      sha256,
      destroyedAt: m.purged_at?.toISOString() ?? null,
      receipt,
      at: m.received_at,
    });
  });
  return out;
}

/** What a receipt states about the message: its time of receipt (its own, or the bundle item's). */
function receivedAtOf(r: ReceiptRef): string {
  const body = compactPayload<{
    body?: { receivedAt?: string; items?: { receivedAt?: string }[] };
  }>(r.jws).body;
  return (r.item === null ? body?.receivedAt : body?.items?.[r.item]?.receivedAt) ?? '';
}

/** The order of the exchange: by time of receipt, else signing, else when the node handled it. */
function sortKey(g: Gathered): number {
  const receivedAt = g.receipt ? Date.parse(receivedAtOf(g.receipt)) : NaN;
  if (!Number.isNaN(receivedAt)) return receivedAt;
  const created = Date.parse(envelopeOf(g.jws)?.createdAt ?? '');
  return Number.isNaN(created) ? g.at.getTime() : created;
}

const x5cPem = (jws: string): string | null => {
  try {
    const h = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { x5c?: unknown };
    return Array.isArray(h.x5c) && typeof h.x5c[0] === 'string' ? derBase64ToPem(h.x5c[0]) : null;
  } catch {
    return null;
  }
};

/** What the pack is made of, read in one transaction. */
interface Read {
  readonly row: RequestRow;
  readonly versions: readonly Selectable<RegistryVersionsTable>[];
  readonly gathered: readonly Gathered[];
  readonly own: readonly { id: string; party: string; name: string; time_zone: string | null }[];
}

async function read(tx: Tx, ctx: AppContext, o: Officer, ref: string): Promise<Read> {
  const row = await findRequest(tx, o, ref);
  const versions = await tx.selectFrom('registry_versions').selectAll().orderBy('version').execute();
  if (versions.length === 0)
    throw new EixError(
      'evidence.no_registry',
      { requestId: row.id },
      'На узле нет реестра доверия: подписи сообщений не с чем проверить',
    );
  const gathered = (await gather(tx, ctx, row)).sort((a, b) => sortKey(a) - sortKey(b));
  const own = await tx.selectFrom('bodies').select(['id', 'party', 'name', 'time_zone']).execute();
  return { row, versions, gathered, own };
}

/** Russian names of bodies: this node's, the counterpart as the request names it, the registries' designated ones. */
function bodyNames(r: Read): (party: string, body: string) => string {
  const names = new Map<string, string>();
  for (const v of r.versions)
    for (const e of compactPayload<Registry>(v.jws).treaty.events)
      if (e.type === 'bodies')
        for (const b of [...e.central, ...(e.territorial ?? [])]) names.set(`${e.party}/${b.id}`, b.name);
  const counterpart = r.row.counterpart_body as { id: string; party: string; name?: string };
  if (counterpart.name) names.set(`${counterpart.party}/${counterpart.id}`, counterpart.name);
  for (const b of r.own) names.set(`${b.party}/${b.id}`, b.name);
  return (party, body) => names.get(`${party}/${body}`) ?? body;
}

/** The pack's files but the summary and the manifest: messages, receipts, registries, certificates. */
class PackFiles {
  readonly files = new Map<string, Uint8Array>();
  private readonly certificates = new Map<string, string>();
  put(path: string, content: string | Uint8Array): void {
    this.files.set(path, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  }
  certificate(pem: string | null, name: (sha: string, info: ReturnType<typeof certificateInfo>) => string): void {
    if (!pem) return;
    const info = certificateInfo(pem);
    if (this.certificates.has(info.sha256)) return;
    this.certificates.set(info.sha256, name(info.sha256, info));
    this.put(this.certificates.get(info.sha256)!, pem);
  }
  /** The certificate a JWS carries in its x5c (a body's seal). */
  signerOf(jws: string, fallbackBody = 'unknown'): void {
    this.certificate(x5cPem(jws), (sha, info) => evidencePaths.body(info.bodyId ?? fallbackBody, sha));
  }
}

/** Each message in the manifest, its JWS and receipt put in the pack; the registry versions they were checked against. */
function listMessages(r: Read, out: PackFiles): { messages: ManifestMessage[]; used: Set<number> } {
  // The version in force on this node when it sent or received the message (registry_versions, migration 026).
  const registryAt = (t: Date) => [...r.versions].reverse().find((v) => v.accepted_at <= t) ?? r.versions[0]!;
  const used = new Set<number>([r.versions.at(-1)!.version]);
  const messages = r.gathered.map((g, i): ManifestMessage => {
    const no = i + 1;
    const env = envelopeOf(g.jws);
    const file = g.jws ? evidencePaths.message(no, g.type, g.messageId) : null;
    if (file && g.jws) {
      out.put(file, g.jws);
      out.signerOf(g.jws);
    }
    let receipt: ManifestMessage['receipt'] = null;
    if (g.receipt) {
      const rfile =
        g.receipt.bundleId === null
          ? evidencePaths.receipt(no, g.messageId)
          : evidencePaths.bundleReceipt(g.receipt.bundleId);
      if (!out.files.has(rfile)) {
        out.put(rfile, g.receipt.jws);
        out.signerOf(g.receipt.jws);
      }
      receipt = { file: rfile, item: g.receipt.item, receivedAt: receivedAtOf(g.receipt) };
    }
    const version = registryAt(g.at).version;
    used.add(version);
    const officer = env?.officer;
    return {
      no,
      messageId: g.messageId,
      type: g.type,
      direction: g.direction,
      from: g.from,
      to: g.to,
      status: g.status,
      sha256: g.sha256,
      file,
      destroyedAt: g.destroyedAt,
      createdAt: env?.createdAt ?? null,
      signer:
        typeof officer?.name === 'string' && typeof officer.position === 'string'
          ? { name: officer.name, position: officer.position }
          : null,
      registryVersion: version,
      receipt,
    };
  });
  return { messages, used };
}

/** The registry versions used, each with the CAs it lists for the Parties of the exchange; the depositary's certificate. */
function listRegistries(
  r: Read,
  used: ReadonlySet<number>,
  parties: readonly string[],
  out: PackFiles,
): { registries: EvidenceManifest['registries']; depositaryPem: string } {
  const registries: EvidenceManifest['registries'] = [];
  let depositaryPem = '';
  for (const v of r.versions.filter((x) => used.has(x.version))) {
    const file = evidencePaths.registry(v.version);
    out.put(file, v.jws);
    registries.push({ version: v.version, sha256: v.sha256, issuedAt: v.issued_at.toISOString(), file });
    // The registry's signer: the depositary certificate this node pinned when it accepted the registry.
    depositaryPem = x5cPem(v.jws) ?? depositaryPem;
    const reg = compactPayload<Registry>(v.jws);
    for (const party of parties)
      for (const ca of reg.parties[party]?.caCertificates ?? [])
        out.certificate(ca, (sha) => evidencePaths.partyCa(party, sha));
  }
  if (depositaryPem) out.put(DEPOSITARY_FILE, depositaryPem);
  return { registries, depositaryPem };
}

export async function exportEvidence(ctx: AppContext, actor: Actor, input: unknown): Promise<EvidenceExport> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const p = parseInput(ExportEvidenceInput, input, { request: 'запрос', purpose: 'цель выгрузки' });
  const purpose = p.purpose.trim();
  if (purpose.length < 3)
    throw new EixError(
      'input.invalid',
      { field: 'purpose' },
      'Укажите цель выгрузки (например: по запросу суда, дело № …): она записывается в журнал действий',
    );
  // The manifest is sealed by the officer's body: a node outside the exchange, or a body without a seal, cannot.
  const signer = ctx.credentials?.signer;
  if (!signer)
    throw new EixError(
      'signer.no_certificate',
      { bodyId: o.bodyId },
      'Узел не подключён к обмену: доказательный пакет нечем заверить печатью органа',
    );
  await requireSeal(ctx, o.bodyId);
  const now = ctx.clock.now();
  // Read in one transaction; built (signatures checked, PDF printed, sealed) outside any, so that an embedded
  // database is not held meanwhile; handed out only once the export is in the audit log (R9.1).
  const r = await ctx.db.transaction().execute((tx) => read(tx, ctx, o, p.request.trim()));
  const { row } = r;
  const out = new PackFiles();
  const { messages, used } = listMessages(r, out);
  const parties = [
    ...new Set([ctx.party, row.counterpart_party, ...messages.flatMap((m) => [m.from.party, m.to.party])]),
  ].sort();
  const { registries, depositaryPem } = listRegistries(r, used, parties, out);
  out.certificate(await signer.certificatePem(o.bodyId), (sha, info) =>
    evidencePaths.body(info.bodyId ?? o.bodyId, sha),
  );

  // This node's own check of the signed material (the same as `eix evidence verify`), and the summary.
  const check = await checkExchange(out.files, { registries, messages }, depositaryPem);
  out.put(
    REPORT_FILE,
    `${JSON.stringify(
      {
        format: 'eix-evidence-report/1',
        checkedAt: now.toISOString(),
        checkedBy: { party: ctx.party, body: o.bodyId },
        depositaryCertificateSha256: depositaryPem ? certificateInfo(depositaryPem).sha256 : null,
        ok: check.problems.length === 0,
        registries: check.registries,
        messages: check.messages,
        problems: check.problems,
      },
      null,
      2,
    )}\n`,
  );
  const bodyName = bodyNames(r);
  const mine = r.own.find((b) => b.id === o.bodyId);
  const counterpart = row.counterpart_body as { id: string };
  const holder = {
    party: ctx.party,
    body: row.direction === 'incoming' ? (row.addressed_to ?? row.body_id) : row.body_id,
  };
  const other = { party: row.counterpart_party, body: counterpart.id };
  const [requesting, requested] = row.direction === 'outgoing' ? [holder, other] : [other, holder];
  const header: Omit<EvidenceManifest, 'files'> = {
    format: EVIDENCE_FORMAT,
    createdAt: now.toISOString(),
    exportedBy: {
      party: ctx.party,
      body: o.bodyId,
      bodyName: bodyName(ctx.party, o.bodyId),
      officer: { name: o.fullName, position: o.position },
    },
    purpose,
    timeZone: mine?.time_zone ?? partyTimeZone(ctx.party),
    request: {
      id: row.id,
      number: row.number,
      direction: row.direction,
      messageId: row.message_id,
      requesting: { ...requesting, name: bodyName(requesting.party, requesting.body) },
      requested: { ...requested, name: bodyName(requested.party, requested.body) },
    },
    registries,
    messages,
  };
  out.put(SUMMARY_FILE, await renderEvidenceSummary({ manifest: header, check, bodyName }));

  // The manifest lists every file with its SHA-256; the officer's body seals exactly its bytes.
  const manifest: EvidenceManifest = {
    ...header,
    files: [...out.files.entries()]
      .map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), size: bytes.length }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
  const manifestBytes = canonicalBytes(manifest);
  const seal = await signer.sign(o.bodyId, manifestBytes, EVIDENCE_MANIFEST_JWS_TYPE);
  const pack = await writeZip(
    new Map<string, Uint8Array>([
      [MANIFEST_FILE, manifestBytes],
      [MANIFEST_SEAL_FILE, Buffer.from(seal, 'utf8')],
      ...manifest.files.map((f): [string, Uint8Array] => [f.path, out.files.get(f.path)!]),
    ]),
  );
  const sha256 = sha256Hex(pack);
  const destroyed = messages.filter((m) => m.destroyedAt !== null && m.file === null).length;
  await ctx.db.transaction().execute((tx) =>
    appendAudit(tx, ctx, o, {
      action: 'personal_data.export.evidence',
      bodyId: row.body_id,
      requestId: row.id,
      subject: row.number,
      details: {
        purpose,
        messages: messages.length,
        withContent: messages.filter((m) => m.file !== null).length,
        destroyed,
        manifestSha256: sha256Hex(manifestBytes),
        packSha256: sha256,
      },
    }),
  );
  return {
    requestId: row.id,
    number: row.number,
    fileName: `evidence-${row.number.replace(/[^\p{L}\p{N}-]+/gu, '_') || row.id}.zip`,
    pack,
    sha256,
    messages: messages.length,
    destroyed,
    problems: check.problems,
  };
}
