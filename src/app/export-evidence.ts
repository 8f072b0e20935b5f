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
import { sql } from 'kysely';
import Type from 'typebox';
import { compactPayload, derBase64ToPem, sha256Hex, canonicalBytes } from '../adapters/crypto/jws.js';
import { certificateInfo } from '../adapters/crypto/pki.js';
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
  const bundles = new Map(
    bundleIds.size
      ? (
          await tx
            .selectFrom('bundle_receipts')
            .select(['id', 'jws'])
            .where('id', 'in', [...bundleIds])
            .execute()
        ).map((b) => [b.id, b.jws])
      : [],
  );
  const bundleItem = (id: string, find: (items: { messageId?: string; messageSha256?: string }[]) => number) => {
    const jws = bundles.get(id);
    if (!jws) return null;
    const items = compactPayload<{ body?: { items?: { messageId?: string; messageSha256?: string }[] } }>(jws).body
      ?.items;
    const item = items ? find(items) : -1;
    return item >= 0 ? { jws, bundleId: id, item } : null;
  };

  outbox.forEach((m, i) => {
    const jws = m.signed_enc ? ctx.sealer.decrypt(m.signed_enc, `outbox:${m.message_id}`).toString('utf8') : null;
    const r = sentReceipts[i];
    const receipt: ReceiptRef | null = r?.jws
      ? { jws: r.jws, bundleId: null, item: null }
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
    const jws = m.payload_enc ? ctx.sealer.decrypt(m.payload_enc, `inbox:${m.message_id}`).toString('utf8') : null;
    const r = receivedReceipts[i];
    const sha256 = m.payload_sha256 ?? r?.messageSha256 ?? (jws ? sha256Hex(jws) : null);
    const receipt: ReceiptRef | null = r?.jws
      ? { jws: r.jws, bundleId: null, item: null }
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
  return ctx.db.transaction().execute(async (tx) => {
    const row = await findRequest(tx, o, p.request.trim());
    const versions = await tx.selectFrom('registry_versions').selectAll().orderBy('version').execute();
    if (versions.length === 0)
      throw new EixError(
        'evidence.no_registry',
        { requestId: row.id },
        'На узле нет реестра доверия: подписи сообщений не с чем проверить',
      );
    const registryAt = (t: Date) => [...versions].reverse().find((v) => v.accepted_at <= t) ?? versions[0]!;
    const gathered = (await gather(tx, ctx, row)).sort((a, b) => sortKey(a) - sortKey(b));

    // ---- bodies and their names ----
    const own = await tx.selectFrom('bodies').select(['id', 'party', 'name', 'time_zone']).execute();
    const names = new Map<string, string>(own.map((b) => [`${b.party}/${b.id}`, b.name]));
    const counterpart = row.counterpart_body as { id: string; party: string; name?: string };
    for (const v of versions) {
      const reg = compactPayload<Registry>(v.jws);
      for (const e of reg.treaty.events)
        if (e.type === 'bodies')
          for (const b of [...e.central, ...(e.territorial ?? [])]) names.set(`${e.party}/${b.id}`, b.name);
    }
    if (counterpart.name) names.set(`${counterpart.party}/${counterpart.id}`, counterpart.name);
    const bodyName = (party: string, body: string) => names.get(`${party}/${body}`) ?? body;
    const mine = own.find((b) => b.id === o.bodyId);
    const holder = {
      party: ctx.party,
      body: row.direction === 'incoming' ? (row.addressed_to ?? row.body_id) : row.body_id,
    };
    const other = { party: row.counterpart_party, body: counterpart.id };
    const [requesting, requested] = row.direction === 'outgoing' ? [holder, other] : [other, holder];

    // ---- the files ----
    const files = new Map<string, Uint8Array>();
    const put = (path: string, content: string | Uint8Array) =>
      files.set(path, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
    const certificates = new Map<string, string>();
    const addCertificate = (
      pem: string | null,
      name: (sha: string, info: ReturnType<typeof certificateInfo>) => string,
    ) => {
      if (!pem) return;
      const info = certificateInfo(pem);
      if (!certificates.has(info.sha256)) certificates.set(info.sha256, name(info.sha256, info));
      if (!files.has(certificates.get(info.sha256)!)) put(certificates.get(info.sha256)!, pem);
    };
    const bodyCertificate = (jws: string) =>
      addCertificate(x5cPem(jws), (sha, info) => evidencePaths.body(info.bodyId ?? 'unknown', sha));

    const used = new Set<number>([versions.at(-1)!.version]);
    const messages: ManifestMessage[] = gathered.map((g, i) => {
      const no = i + 1;
      const env = envelopeOf(g.jws);
      const file = g.jws ? evidencePaths.message(no, g.type, g.messageId) : null;
      if (file && g.jws) {
        put(file, g.jws);
        bodyCertificate(g.jws);
      }
      let receipt: ManifestMessage['receipt'] = null;
      if (g.receipt) {
        const rfile =
          g.receipt.bundleId === null
            ? evidencePaths.receipt(no, g.messageId)
            : evidencePaths.bundleReceipt(g.receipt.bundleId);
        if (!files.has(rfile)) {
          put(rfile, g.receipt.jws);
          bodyCertificate(g.receipt.jws);
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

    const registries: EvidenceManifest['registries'] = [];
    const parties = new Set([ctx.party, row.counterpart_party, ...messages.flatMap((m) => [m.from.party, m.to.party])]);
    let depositaryPem: string | null = null;
    for (const v of versions.filter((x) => used.has(x.version))) {
      const file = evidencePaths.registry(v.version);
      put(file, v.jws);
      registries.push({ version: v.version, sha256: v.sha256, issuedAt: v.issued_at.toISOString(), file });
      // The registry's signer: the depositary certificate this node pinned when it accepted the registry.
      depositaryPem = x5cPem(v.jws) ?? depositaryPem;
      const reg = compactPayload<Registry>(v.jws);
      for (const party of [...parties].sort())
        for (const ca of reg.parties[party]?.caCertificates ?? [])
          addCertificate(ca, (sha) => evidencePaths.partyCa(party, sha));
    }
    if (depositaryPem) put(DEPOSITARY_FILE, depositaryPem);
    const sealPem = await signer.certificatePem(o.bodyId);
    addCertificate(sealPem, (sha, info) => evidencePaths.body(info.bodyId ?? o.bodyId, sha));

    // ---- this node's own check of the signed material, and the summary ----
    const check = await checkExchange(files, { registries, messages }, depositaryPem ?? '');
    put(
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
    const header: Omit<EvidenceManifest, 'files'> = {
      format: EVIDENCE_FORMAT,
      createdAt: now.toISOString(),
      exportedBy: {
        party: ctx.party,
        body: o.bodyId,
        bodyName: mine?.name ?? o.bodyId,
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
    put(SUMMARY_FILE, await renderEvidenceSummary({ manifest: header, check, bodyName }));

    // ---- the manifest and its seal ----
    const manifest: EvidenceManifest = {
      ...header,
      files: [...files.entries()]
        .map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), size: bytes.length }))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    };
    const manifestBytes = canonicalBytes(manifest);
    const seal = await signer.sign(o.bodyId, manifestBytes, EVIDENCE_MANIFEST_JWS_TYPE);
    put(MANIFEST_FILE, manifestBytes);
    put(MANIFEST_SEAL_FILE, seal);
    const ordered = new Map(
      [MANIFEST_FILE, MANIFEST_SEAL_FILE, ...manifest.files.map((f) => f.path)].map((k) => [k, files.get(k)!]),
    );
    const pack = await writeZip(ordered);
    const sha256 = sha256Hex(pack);
    const destroyed = messages.filter((m) => m.destroyedAt !== null && m.file === null).length;
    await appendAudit(tx, ctx, o, {
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
    });
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
  });
}
