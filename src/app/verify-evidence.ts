// Checks a court evidence pack (issue 17 item 4, docs/EVIDENCE.md) offline,
// with nothing but the pack and the depositary certificate: no database, no
// network, no node. The same checks make the exporting node's own report
// (checkExchange, run by export-evidence.ts before it seals the manifest).
//
// What is proven, and how:
// - every registry version in the pack is signed by the depositary key given
//   (the certificate inside the pack is never trusted);
// - every message and receipt verifies with the certificate in its x5c, that
//   certificate names the body the document says sent it and chains to a CA
//   the registry lists for that body's Party, valid when it was signed and not
//   revoked then (the newest registry's revocations);
// - every receipt names the message (id and SHA-256 of its exact bytes): after
//   an Article 9(6) destruction the receipt still proves what was exchanged;
// - the manifest is sealed by the exporting body (same checks), and every file
//   of the pack has the SHA-256 the manifest gives — so one changed byte in any
//   file, the summary PDF and the report included, is found and named.
import { sha256Hex } from '../adapters/crypto/jws.js';
import { certificateInfo, verifyCertificate } from '../adapters/crypto/pki.js';
import { verifyRegistry, registrySha256 } from '../adapters/crypto/registry-jws.js';
import { readCompact, verifyCompact } from '../adapters/federation/jws.js';
import { readZip } from '../adapters/fs/zip-archive.js';
import { EixError } from '../domain/errors.js';
import {
  EVIDENCE_MANIFEST_JWS_TYPE,
  EvidenceManifestSchema,
  MANIFEST_FILE,
  MANIFEST_SEAL_FILE,
  evidenceProblem,
  type EvidenceManifest,
  type EvidenceProblem,
  type EvidenceProblemCode,
  type ManifestMessage,
} from '../domain/evidence.js';
import { checkSchema } from '../domain/problems.js';
import { isRevoked, type Registry } from '../domain/registry.js';
import { messageTypeLabel } from '../domain/vocabulary.js';

export const MESSAGE_TYP = 'eix-message+jws';
export const RECEIPT_TYP = 'eix-receipt+jws';
export const BUNDLE_RECEIPT_TYP = 'eix-bundle-receipt+jws';

export type EvidenceFiles = ReadonlyMap<string, Uint8Array>;

/** What the check found about one message of the exchange. */
export interface MessageFinding {
  readonly no: number;
  readonly messageId: string;
  readonly type: string;
  /** Russian name of the type (the vocabulary's). */
  readonly label: string;
  readonly sha256: string | null;
  /** The signed bytes: in the pack, destroyed after the retention period (R9.6), or never signed. */
  readonly content: 'present' | 'destroyed' | 'unsigned';
  /** The message's own signature (null: no content to check). */
  readonly signature: boolean | null;
  /** The receipt proves this message was received (null: no receipt — not delivered). */
  readonly receipt: boolean | null;
  readonly receivedAt: string | null;
}

export interface ExchangeCheck {
  readonly problems: EvidenceProblem[];
  readonly messages: MessageFinding[];
  readonly registries: { version: number; issuedAt: string; ok: boolean }[];
}

export interface EvidenceVerdict extends ExchangeCheck {
  readonly ok: boolean;
  /** The manifest as sealed (null when it could not be read). */
  readonly manifest: EvidenceManifest | null;
  /** The exporting body's seal on the manifest. */
  readonly seal: { readonly ok: boolean; readonly party: string; readonly body: string } | null;
  /** SHA-256 of the depositary certificate the pack was checked with (DER), to compare with the published one. */
  readonly depositarySha256: string;
}

interface Signed {
  readonly payload: Record<string, unknown>;
  readonly certPem: string;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

class Findings {
  readonly problems: EvidenceProblem[] = [];
  add(file: string, code: EvidenceProblemCode, detail?: string): false {
    if (!this.problems.some((p) => p.file === file && p.code === code))
      this.problems.push(evidenceProblem(file, code, detail));
    return false;
  }
}

/** The depositary certificate's DER SHA-256, or an input error naming the option. */
function depositaryDigest(pem: string): string {
  try {
    return certificateInfo(pem).sha256;
  } catch {
    throw new EixError(
      'input.invalid',
      { field: 'depositary' },
      'Сертификат депозитария не прочитан: ожидается сертификат X.509 в формате PEM',
    );
  }
}

/** The registry versions the manifest lists, each verified with the depositary certificate given. */
async function loadRegistries(
  f: Findings,
  files: EvidenceFiles,
  list: EvidenceManifest['registries'],
  depositaryPem: string,
): Promise<{ byVersion: Map<number, Registry>; newest: Registry | null; list: ExchangeCheck['registries'] }> {
  const byVersion = new Map<number, Registry>();
  const out: ExchangeCheck['registries'] = [];
  for (const r of list) {
    const bytes = files.get(r.file);
    if (!bytes) f.add(r.file, 'missing');
    else {
      try {
        const reg = await verifyRegistry(text(bytes), depositaryPem);
        if (reg.version !== r.version || registrySha256(reg) !== r.sha256)
          f.add(r.file, 'content', `версия реестра ${reg.version} не совпадает с описью (${r.version})`);
        else byVersion.set(reg.version, reg);
      } catch (e) {
        f.add(r.file, 'registry', errorText(e));
      }
    }
    out.push({ version: r.version, issuedAt: r.issuedAt, ok: byVersion.has(r.version) });
  }
  const newest = [...byVersion.values()].sort((a, b) => b.version - a.version)[0] ?? null;
  return { byVersion, newest, list: out };
}

/**
 * The exchange part of the check (registries, messages, receipts) against a manifest's lists. Used alone by
 * the exporting node for its report, before the manifest is sealed.
 */
export async function checkExchange(
  files: EvidenceFiles,
  m: Pick<EvidenceManifest, 'registries' | 'messages'>,
  depositaryPem: string,
): Promise<ExchangeCheck> {
  const f = new Findings();
  const r = await loadRegistries(f, files, m.registries, depositaryPem);
  const messages = await checkMessages(f, files, m.messages, r.byVersion, r.newest);
  return { problems: f.problems, messages, registries: r.list };
}

async function checkMessages(
  f: Findings,
  files: EvidenceFiles,
  list: readonly ManifestMessage[],
  registries: ReadonlyMap<number, Registry>,
  newest: Registry | null,
): Promise<MessageFinding[]> {
  const receipts = new Map<string, Signed | null>();
  const out: MessageFinding[] = [];
  for (const msg of list) out.push(await checkMessage(f, files, msg, registries, newest, receipts));
  return out;
}

/**
 * A signed document of the pack: its JWS form, signature and canonical payload, signed by the body it
 * names (`from` of its envelope, or `expect`) with a certificate of that body's Party CA in `registry`,
 * valid at `at` and not revoked then in the newest registry. Null (and a finding) when any of it fails.
 */
async function checkSigned(
  f: Findings,
  file: string,
  bytes: Uint8Array | undefined,
  typ: string,
  registry: Registry | null,
  newest: Registry | null,
  signer: (payload: Record<string, unknown>) => { party: string; body: string } | null,
  at: (payload: Record<string, unknown>) => string | null,
): Promise<Signed | null> {
  if (!bytes) return f.add(file, 'missing') || null;
  const jws = text(bytes);
  let certPem: string;
  let payload: Record<string, unknown>;
  try {
    const u = readCompact(jws, typ);
    certPem = u.certPem;
    payload = (u.payload ?? {}) as Record<string, unknown>;
    await verifyCompact(jws, certPem);
  } catch (e) {
    return f.add(file, 'signature', errorText(e)) || null;
  }
  const who = signer(payload);
  let info;
  try {
    info = certificateInfo(certPem);
  } catch (e) {
    return f.add(file, 'certificate', errorText(e)) || null;
  }
  if (!who || info.bodyId !== who.body || info.party !== who.party)
    return (
      f.add(
        file,
        'signer',
        `подписан органом ${info.party ?? '?'}/${info.bodyId ?? '?'}, указан ${who ? `${who.party}/${who.body}` : 'неизвестный'}`,
      ) || null
    );
  const when = at(payload);
  const instant = when ? new Date(when) : null;
  if (!instant || Number.isNaN(instant.getTime())) return f.add(file, 'content', 'нет времени подписания') || null;
  if (!registry) return null; // the missing or broken registry is its own finding
  const cas = registry.parties[who.party]?.caCertificates ?? [];
  const chained = (await Promise.all(cas.map((ca) => verifyCertificate(certPem, ca, instant)))).some((c) => c.ok);
  if (!chained)
    return f.add(file, 'certificate', `нет действовавшего ${when} сертификата Стороны ${who.party} в реестре`) || null;
  if (newest && isRevoked(newest, info.serialNumber, instant))
    return f.add(file, 'certificate', `сертификат ${info.serialNumber} отозван`) || null;
  return { payload, certPem };
}

const envelopeOf = (p: Record<string, unknown>) =>
  (p.envelope ?? {}) as { id?: unknown; type?: unknown; from?: unknown; to?: unknown; createdAt?: unknown };
const addressOf = (a: unknown): { party: string; body: string } | null => {
  const x = a as { party?: unknown; body?: unknown } | null;
  return typeof x?.party === 'string' && typeof x.body === 'string' ? { party: x.party, body: x.body } : null;
};
const createdAtOf = (p: Record<string, unknown>): string | null => {
  const c = envelopeOf(p).createdAt;
  return typeof c === 'string' ? c : null;
};

async function checkMessage(
  f: Findings,
  files: EvidenceFiles,
  msg: ManifestMessage,
  registries: ReadonlyMap<number, Registry>,
  newest: Registry | null,
  receipts: Map<string, Signed | null>,
): Promise<MessageFinding> {
  const registry = registries.get(msg.registryVersion) ?? null;
  let signature: boolean | null = null;
  if (msg.file) {
    const bytes = files.get(msg.file);
    const signed = await checkSigned(
      f,
      msg.file,
      bytes,
      MESSAGE_TYP,
      registry,
      newest,
      (p) => addressOf(envelopeOf(p).from),
      createdAtOf,
    );
    signature = signed !== null;
    if (signed) {
      const env = envelopeOf(signed.payload);
      const from = addressOf(env.from);
      const to = addressOf(env.to);
      if (
        env.id !== msg.messageId ||
        env.type !== msg.type ||
        from?.party !== msg.from.party ||
        from.body !== msg.from.body ||
        to?.party !== msg.to.party ||
        to.body !== msg.to.body
      )
        signature = f.add(msg.file, 'content', 'идентификатор, вид, отправитель или получатель другие');
    }
    if (bytes && msg.sha256 !== sha256Hex(bytes)) signature = f.add(msg.file, 'hash');
  }
  let receipt: boolean | null = null;
  let receivedAt: string | null = null;
  if (msg.receipt) {
    const r = msg.receipt;
    const key = r.file;
    if (!receipts.has(key)) {
      receipts.set(
        key,
        await checkSigned(
          f,
          r.file,
          files.get(r.file),
          r.item === null ? RECEIPT_TYP : BUNDLE_RECEIPT_TYP,
          registry,
          newest,
          // A receipt is signed by the body the message was addressed to.
          (p) => addressOf(envelopeOf(p).from),
          createdAtOf,
        ),
      );
    }
    const signed = receipts.get(key) ?? null;
    receipt = false;
    if (signed) {
      const from = addressOf(envelopeOf(signed.payload).from);
      const body = (signed.payload.body ?? {}) as Record<string, unknown>;
      const stated = (
        r.item === null ? body : ((Array.isArray(body.items) ? body.items[r.item] : undefined) ?? {})
      ) as { messageId?: unknown; messageSha256?: unknown; receivedAt?: unknown };
      if (from?.party !== msg.to.party || from.body !== msg.to.body)
        f.add(r.file, 'receipt', `подписана органом ${from?.party ?? '?'}/${from?.body ?? '?'}, а не получателем`);
      else if (
        stated.messageSha256 !== msg.sha256 ||
        (stated.messageId !== undefined && stated.messageId !== msg.messageId) ||
        (r.item === null && stated.messageId !== msg.messageId)
      )
        f.add(r.file, 'receipt', `не названо сообщение ${msg.messageId} с этим хешем`);
      else if (stated.receivedAt !== r.receivedAt) f.add(r.file, 'receipt', 'время получения другое, чем в описи');
      else {
        receipt = true;
        receivedAt = r.receivedAt;
      }
    }
  } else if (!msg.file && msg.sha256 && (msg.status === 'delivered' || msg.status === 'received')) {
    f.add('', 'unproven', `сообщение ${msg.messageId}`);
  }
  return {
    no: msg.no,
    messageId: msg.messageId,
    type: msg.type,
    label: messageTypeLabel(msg.type),
    sha256: msg.sha256,
    content: msg.file ? 'present' : msg.destroyedAt ? 'destroyed' : 'unsigned',
    signature,
    receipt,
    receivedAt,
  };
}

/** The whole check of a pack's files: the sealed manifest, every file's hash, then the exchange. */
export async function checkPack(files: EvidenceFiles, depositaryPem: string): Promise<EvidenceVerdict> {
  const depositarySha256 = depositaryDigest(depositaryPem);
  const f = new Findings();
  const fail = (): EvidenceVerdict => ({
    ok: false,
    problems: f.problems,
    manifest: null,
    seal: null,
    messages: [],
    registries: [],
    depositarySha256,
  });
  const manifestBytes = files.get(MANIFEST_FILE);
  const sealBytes = files.get(MANIFEST_SEAL_FILE);
  if (!manifestBytes) f.add(MANIFEST_FILE, 'missing');
  if (!sealBytes) f.add(MANIFEST_SEAL_FILE, 'missing');
  if (!manifestBytes || !sealBytes) return fail();
  let manifest: EvidenceManifest;
  try {
    const parsed = JSON.parse(text(manifestBytes)) as unknown;
    const problems = checkSchema(EvidenceManifestSchema, parsed);
    if (problems.length) throw new Error(`${problems[0]!.path}: ${problems[0]!.message}`);
    manifest = parsed as EvidenceManifest;
  } catch (e) {
    f.add(MANIFEST_FILE, 'manifest', errorText(e));
    return fail();
  }
  // Every file listed has its hash; nothing unlisted travels with the pack.
  const listed = new Set([MANIFEST_FILE, MANIFEST_SEAL_FILE]);
  for (const entry of manifest.files) {
    listed.add(entry.path);
    const bytes = files.get(entry.path);
    if (!bytes) f.add(entry.path, 'missing');
    else if (sha256Hex(bytes) !== entry.sha256 || bytes.length !== entry.size) f.add(entry.path, 'hash');
  }
  for (const name of files.keys()) if (!listed.has(name)) f.add(name, 'unlisted');
  const registries = await loadRegistries(f, files, manifest.registries, depositaryPem);
  const messages = await checkMessages(f, files, manifest.messages, registries.byVersion, registries.newest);
  // The seal: the exporting body signed exactly these manifest bytes, under a certificate of its Party's CA.
  const by = manifest.exportedBy;
  const sealed = await checkSigned(
    f,
    MANIFEST_SEAL_FILE,
    sealBytes,
    EVIDENCE_MANIFEST_JWS_TYPE,
    registries.newest,
    registries.newest,
    () => ({ party: by.party, body: by.body }),
    () => manifest.createdAt,
  );
  let sealOk = sealed !== null;
  if (sealed) {
    const payload = Buffer.from(text(sealBytes).split('.')[1] ?? '', 'base64url');
    if (!payload.equals(Buffer.from(manifestBytes)))
      sealOk = f.add(MANIFEST_FILE, 'manifest', 'опись не совпадает с заверенной печатью органа');
  } else if (!f.problems.some((p) => p.file === MANIFEST_SEAL_FILE)) f.add(MANIFEST_SEAL_FILE, 'seal');
  return {
    ok: f.problems.length === 0,
    problems: f.problems,
    manifest,
    seal: { ok: sealOk, party: by.party, body: by.body },
    messages,
    registries: registries.list,
    depositarySha256,
  };
}

/** `eix evidence verify`: the pack (ZIP bytes) and the depositary certificate (PEM), nothing else. */
export async function verifyEvidence(input: { pack: Uint8Array; depositaryPem: string }): Promise<EvidenceVerdict> {
  if (!(input?.pack instanceof Uint8Array))
    throw new EixError('input.invalid', { field: 'pack' }, 'Не передан файл доказательного пакета');
  if (typeof input.depositaryPem !== 'string' || !input.depositaryPem.includes('BEGIN CERTIFICATE'))
    throw new EixError(
      'input.invalid',
      { field: 'depositary' },
      'Сертификат депозитария не прочитан: ожидается сертификат X.509 в формате PEM',
    );
  depositaryDigest(input.depositaryPem);
  return checkPack(await readZip(input.pack), input.depositaryPem);
}
