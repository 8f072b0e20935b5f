// The federation's X.509 PKI: the depositary's root CA, one CA per Party
// (signed by the root), TLS certificates of nodes (mutual TLS) and signing
// certificates of bodies. Keys are PKCS#8 PEM; they are never logged and no
// error message carries key material.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  webcrypto,
  X509Certificate as NodeX509,
} from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { EixError } from '../../domain/errors.js';
import { PARTY_CODE } from '../../domain/parties.js';
import type { SealObjection } from '../../ports/body-seals.js';

// Node's WebCrypto (typed apart from the DOM `Crypto` the library declares).
x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export type Algorithm = 'ES256' | 'Ed25519';

export interface CertAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  /** Hex, lowercase. */
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** SHA-256 of the DER encoding, hex lowercase. */
  readonly sha256: string;
  readonly nodeId?: string;
  readonly bodyId?: string;
  readonly party?: string;
  readonly isCa: boolean;
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'signature' | 'expired' | 'not_yet_valid' | 'not_ca' };

const ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const DAY_MS = 86_400_000;
const NODE_URN = 'urn:eix:node:';
const BODY_URN = 'urn:eix:body:';

// ---- keys ---------------------------------------------------------------------------

const KEY_PARAMS: Record<
  Algorithm,
  {
    gen: webcrypto.EcKeyGenParams | Algorithm;
    sign: webcrypto.EcdsaParams | webcrypto.Algorithm;
    imp: webcrypto.EcKeyImportParams | webcrypto.Algorithm;
  }
> = {
  ES256: {
    gen: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' },
    imp: { name: 'ECDSA', namedCurve: 'P-256' },
  },
  Ed25519: { gen: 'Ed25519', sign: { name: 'Ed25519' }, imp: { name: 'Ed25519' } },
};

async function generateKeys(algorithm: Algorithm): Promise<CryptoKeyPair> {
  const p = KEY_PARAMS[algorithm];
  const gen = typeof p.gen === 'string' ? { name: p.gen } : p.gen;
  return (await webcrypto.subtle.generateKey(gen, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

/** The algorithm of a private key or certificate public key, or null when unsupported. */
function algorithmOf(key: {
  asymmetricKeyType?: string;
  asymmetricKeyDetails?: { namedCurve?: string };
}): Algorithm | null {
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return null;
}

interface LoadedIssuer {
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
  readonly algorithm: Algorithm;
}

/** Loads an issuer's certificate and key, checking that they belong together and that it is a CA. */
async function loadIssuer(issuer: CertAndKey): Promise<LoadedIssuer> {
  const cert = parseCert(issuer.certPem, 'issuer.certPem');
  let priv;
  try {
    priv = createPrivateKey({ key: issuer.keyPem, format: 'pem' });
  } catch {
    throw new EixError(
      'pki.key',
      { field: 'issuer.keyPem' },
      'Закрытый ключ издателя повреждён или имеет неподдерживаемый формат',
    );
  }
  const algorithm = algorithmOf(priv);
  if (!algorithm)
    throw new EixError(
      'pki.key',
      { field: 'issuer.keyPem' },
      'Неподдерживаемый алгоритм ключа издателя: ожидается ECDSA P-256 или Ed25519',
    );
  const spkiOfKey = createPublicKey(priv).export({ type: 'spki', format: 'der' });
  const spkiOfCert = Buffer.from(cert.publicKey.rawData);
  if (!spkiOfKey.equals(spkiOfCert)) {
    throw new EixError(
      'pki.key',
      { field: 'issuer.keyPem' },
      'Закрытый ключ издателя не соответствует его сертификату',
    );
  }
  if (!isCa(cert))
    throw new EixError(
      'pki.not_ca',
      { field: 'issuer.certPem' },
      'Сертификат издателя не является сертификатом удостоверяющего центра',
    );
  const der = priv.export({ type: 'pkcs8', format: 'der' });
  const key = await webcrypto.subtle.importKey('pkcs8', der, KEY_PARAMS[algorithm].imp, false, ['sign']);
  return { cert, key, algorithm };
}

function parseCert(pem: string, field: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem);
  } catch {
    throw new EixError('pki.certificate', { field }, 'Не удалось прочитать сертификат: ожидается X.509 в формате PEM');
  }
}

function isCa(cert: x509.X509Certificate): boolean {
  return cert.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

// ---- input checks -------------------------------------------------------------------

function checkParty(party: string): void {
  if (!PARTY_CODE.test(party))
    throw new EixError(
      'input.party',
      { field: 'party', value: party },
      `Код Стороны — две заглавные латинские буквы ISO 3166 (получено: ${party})`,
    );
}

function checkId(value: string, field: string, what: string): void {
  if (!ID.test(value)) {
    throw new EixError(
      'pki.input',
      { field, value },
      `${what}: строчные латинские буквы, цифры и дефис, от 2 до 63 символов (получено: ${value})`,
    );
  }
}

function checkText(value: string, field: string, what: string): void {
  if (value.trim() === '' || value.length > 200)
    throw new EixError('pki.input', { field }, `${what}: не заполнено или длиннее 200 символов`);
}

function validity(
  validDays: number,
  notBefore: Date | undefined,
  field = 'validDays',
): { notBefore: Date; notAfter: Date } {
  if (!Number.isInteger(validDays) || validDays < 1 || validDays > 36_500) {
    throw new EixError(
      'pki.input',
      { field, value: validDays },
      'Срок действия сертификата — целое число дней от 1 до 36500',
    );
  }
  // Unless told otherwise, valid from an hour ago: a peer whose clock is a few
  // minutes behind must not refuse a certificate issued just now.
  const from = notBefore ?? new Date(Date.now() - 3_600_000);
  return { notBefore: from, notAfter: new Date(from.getTime() + validDays * DAY_MS) };
}

/** 16 random bytes, first byte 0x01–0x7f: a positive, minimally encoded DER integer. */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = 1 + (b[0]! % 0x7f);
  return b.toString('hex');
}

function sanOf(hosts: readonly string[], urn: string): x509.SubjectAlternativeNameExtension {
  const names: x509.JsonGeneralName[] = hosts.map((h) => ({ type: isIP(h) ? 'ip' : 'dns', value: h }));
  names.push({ type: 'url', value: urn });
  return new x509.SubjectAlternativeNameExtension(names, false);
}

async function issue(params: {
  issuer: LoadedIssuer | null;
  subject: x509.JsonNameParams;
  algorithm: Algorithm;
  validDays: number;
  notBefore?: Date | undefined;
  extensions: x509.Extension[];
}): Promise<CertAndKey> {
  const keys = await generateKeys(params.algorithm);
  const { notBefore, notAfter } = validity(params.validDays, params.notBefore);
  const extensions = [...params.extensions, await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)];
  let cert: x509.X509Certificate;
  if (params.issuer) {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(params.issuer.cert.publicKey));
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: new x509.Name(params.subject),
      issuer: params.issuer.cert.subjectName,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: params.issuer.key,
      signingAlgorithm: KEY_PARAMS[params.issuer.algorithm].sign,
      extensions,
    });
  } else {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialNumber(),
      name: new x509.Name(params.subject),
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: KEY_PARAMS[params.algorithm].sign,
      extensions,
    });
  }
  return { certPem: `${cert.toString('pem')}\n`, keyPem: await exportKeyPem(keys.privateKey) };
}

const utf8 = (s: string) => [{ utf8String: s }];

// ---- issuing ------------------------------------------------------------------------

/** The depositary's self-signed root CA. */
export async function createDepositaryCa(opts: {
  name: string;
  validDays?: number;
  algorithm?: Algorithm;
  notBefore?: Date;
}): Promise<CertAndKey> {
  checkText(opts.name, 'name', 'Наименование депозитария');
  return issue({
    issuer: null,
    algorithm: opts.algorithm ?? 'ES256',
    validDays: opts.validDays ?? 3650,
    notBefore: opts.notBefore,
    subject: [{ CN: utf8(opts.name) }],
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
}

/** A Party's CA, signed by the depositary root: it issues the Party's node and body certificates. */
export async function createPartyCa(opts: {
  party: string;
  name: string;
  issuer: CertAndKey;
  validDays?: number;
  algorithm?: Algorithm;
  notBefore?: Date;
}): Promise<CertAndKey> {
  checkParty(opts.party);
  checkText(opts.name, 'name', 'Наименование Стороны');
  const issuer = await loadIssuer(opts.issuer);
  return issue({
    issuer,
    algorithm: opts.algorithm ?? issuer.algorithm,
    validDays: opts.validDays ?? 1825,
    notBefore: opts.notBefore,
    subject: [
      { CN: utf8(`EIX Party CA ${opts.party}`) },
      { O: utf8(opts.name) },
      { C: [{ printableString: opts.party }] },
    ],
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
}

/** A node's TLS certificate (server and client: mutual TLS between nodes). */
export async function issueNodeCertificate(opts: {
  party: string;
  nodeId: string;
  hosts: readonly string[];
  issuer: CertAndKey;
  validDays?: number;
  algorithm?: Algorithm;
  notBefore?: Date;
}): Promise<CertAndKey> {
  checkParty(opts.party);
  checkId(opts.nodeId, 'nodeId', 'Идентификатор узла');
  if (opts.hosts.length === 0)
    throw new EixError('pki.input', { field: 'hosts' }, 'Не указано ни одного имени или адреса узла');
  for (const h of opts.hosts) {
    if (!isIP(h) && !HOSTNAME.test(h))
      throw new EixError('pki.input', { field: 'hosts', value: h }, `Неверное DNS-имя или IP-адрес узла: ${h}`);
  }
  const issuer = await loadIssuer(opts.issuer);
  return issue({
    issuer,
    algorithm: opts.algorithm ?? issuer.algorithm,
    validDays: opts.validDays ?? 825,
    notBefore: opts.notBefore,
    subject: [{ CN: utf8(opts.nodeId) }, { C: [{ printableString: opts.party }] }],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // ECDHE key exchange does not use the certificate key: digitalSignature is enough.
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], false),
      sanOf(opts.hosts, `${NODE_URN}${opts.nodeId}`),
    ],
  });
}

/** A body's signing certificate (documents and messages of the body). */
export async function issueBodyCertificate(opts: {
  party: string;
  bodyId: string;
  bodyName: string;
  issuer: CertAndKey;
  validDays?: number;
  notBefore?: Date;
  algorithm?: Algorithm;
}): Promise<CertAndKey> {
  checkParty(opts.party);
  checkId(opts.bodyId, 'bodyId', 'Идентификатор органа');
  checkText(opts.bodyName, 'bodyName', 'Наименование органа');
  const issuer = await loadIssuer(opts.issuer);
  return issue({
    issuer,
    algorithm: opts.algorithm ?? issuer.algorithm,
    validDays: opts.validDays ?? 825,
    notBefore: opts.notBefore,
    subject: [{ CN: utf8(opts.bodyName) }, { C: [{ printableString: opts.party }] }],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      sanOf([], `${BODY_URN}${opts.bodyId}`),
    ],
  });
}

// ---- reading and verifying --------------------------------------------------------------

const infoCache = new Map<string, CertificateInfo>();

/** Parsed facts of a certificate (cached: messages carry the same few certificates again and again). */
export function certificateInfo(pem: string): CertificateInfo {
  let info = infoCache.get(pem);
  if (!info) {
    info = readCertificateInfo(pem);
    if (infoCache.size >= 1000) infoCache.delete(infoCache.keys().next().value!);
    infoCache.set(pem, info);
  }
  return info;
}

function readCertificateInfo(pem: string): CertificateInfo {
  const cert = parseCert(pem, 'certificate');
  const uris =
    cert
      .getExtension(x509.SubjectAlternativeNameExtension)
      ?.names.items.filter((n) => n.type === 'url')
      .map((n) => n.value) ?? [];
  const nodeId = uris.find((u) => u.startsWith(NODE_URN))?.slice(NODE_URN.length);
  const bodyId = uris.find((u) => u.startsWith(BODY_URN))?.slice(BODY_URN.length);
  const party = cert.subjectName.getField('C')[0];
  return {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    sha256: createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex'),
    ...(nodeId !== undefined ? { nodeId } : {}),
    ...(bodyId !== undefined ? { bodyId } : {}),
    ...(party !== undefined ? { party } : {}),
    isCa: isCa(cert),
  };
}

/** Whether `certPem` was signed by the CA `issuerPem` and is valid at `at`. */
export async function verifyCertificate(certPem: string, issuerPem: string, at: Date): Promise<VerifyResult> {
  const chain = issuedBy(certPem, issuerPem);
  if (!chain.ok) return chain;
  if (at.getTime() < chain.validFrom) return { ok: false, reason: 'not_yet_valid' };
  if (at.getTime() > chain.validTo) return { ok: false, reason: 'expired' };
  return { ok: true };
}

type Issued = { ok: true; validFrom: number; validTo: number } | { ok: false; reason: 'not_ca' | 'signature' };

/**
 * The part of the check that does not depend on the time: the issuer is a CA and signed the certificate.
 * Remembered per (certificate, issuer) — a signature never changes — so the node checks each peer's and
 * each body's certificate once, not at every message (validity dates and revocation are checked every time).
 */
function issuedBy(certPem: string, issuerPem: string): Issued {
  const key = `${certPem}\n${issuerPem}`;
  let hit = issuedCache.get(key);
  if (!hit) {
    hit = checkIssuedBy(certPem, issuerPem);
    if (issuedCache.size >= 1000) issuedCache.delete(issuedCache.keys().next().value!);
    issuedCache.set(key, hit);
  }
  return hit;
}

const issuedCache = new Map<string, Issued>();

function checkIssuedBy(certPem: string, issuerPem: string): Issued {
  // node:crypto (OpenSSL) checks the signature natively: ~50× faster than WebCrypto here.
  let cert: NodeX509;
  let issuer: NodeX509;
  try {
    cert = new NodeX509(certPem);
  } catch {
    throw new EixError(
      'pki.certificate',
      { field: 'certificate' },
      'Не удалось прочитать сертификат: ожидается X.509 в формате PEM',
    );
  }
  try {
    issuer = new NodeX509(issuerPem);
  } catch {
    throw new EixError(
      'pki.certificate',
      { field: 'issuer' },
      'Не удалось прочитать сертификат издателя: ожидается X.509 в формате PEM',
    );
  }
  if (!issuer.ca) return { ok: false, reason: 'not_ca' };
  let signed = false;
  try {
    signed = cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    signed = false;
  }
  if (!signed) return { ok: false, reason: 'signature' };
  return { ok: true, validFrom: Date.parse(cert.validFrom), validTo: Date.parse(cert.validTo) };
}

/** The algorithm of a certificate's key (for choosing the JWS `alg`). */
export function certificateAlgorithm(certPem: string): Algorithm {
  let a: Algorithm | null = null;
  try {
    a = algorithmOf(new NodeX509(certPem).publicKey);
  } catch {
    throw new EixError(
      'pki.certificate',
      { field: 'certificate' },
      'Не удалось прочитать сертификат: ожидается X.509 в формате PEM',
    );
  }
  if (!a)
    throw new EixError(
      'pki.key',
      { field: 'certificate' },
      'Неподдерживаемый алгоритм ключа сертификата: ожидается ECDSA P-256 или Ed25519',
    );
  return a;
}

// ---- files --------------------------------------------------------------------------

/** Writes a private key: mode 0600, never over an existing file. */
export async function writeSecretFile(path: string, pem: string): Promise<void> {
  try {
    await writeFile(path, pem, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new EixError('pki.exists', { file: path }, `Файл ключа ${path} уже существует; ключ не перезаписывается`);
    }
    throw e;
  }
  await chmod(path, 0o600);
}

/** Writes a certificate or another public document: mode 0644. */
export async function writePublicFile(path: string, pem: string): Promise<void> {
  await writeFile(path, pem, { mode: 0o644 });
  await chmod(path, 0o644);
}

// ---- body seals from a certificate signing request (issue 15.1) ----------------------------

export interface BodyRequest {
  readonly party: string;
  readonly bodyId: string;
  readonly bodyName: string;
}

function csrPemOf(csr: x509.Pkcs10CertificateRequest): string {
  return `${csr.toString('pem')}\n`;
}

/**
 * A body's signing key, made on the node, and its certificate signing request (PKCS#10) for the Party CA:
 * the subject and the body URN the issued certificate must carry (as issueBodyCertificate writes them).
 */
export async function createBodyRequest(
  opts: BodyRequest & { algorithm?: Algorithm },
): Promise<{ csrPem: string; keyPem: string }> {
  checkParty(opts.party);
  checkId(opts.bodyId, 'bodyId', 'Идентификатор органа');
  checkText(opts.bodyName, 'bodyName', 'Наименование органа');
  const algorithm = opts.algorithm ?? 'ES256';
  const keys = await generateKeys(algorithm);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name([{ CN: utf8(opts.bodyName) }, { C: [{ printableString: opts.party }] }]),
    keys: keys as never,
    signingAlgorithm: KEY_PARAMS[algorithm].sign,
    extensions: [sanOf([], `${BODY_URN}${opts.bodyId}`)],
  });
  return { csrPem: csrPemOf(csr), keyPem: await exportKeyPem(keys.privateKey) };
}

function parseCsr(pem: string, field: string): x509.Pkcs10CertificateRequest {
  try {
    return new x509.Pkcs10CertificateRequest(pem);
  } catch {
    throw new EixError(
      'pki.input',
      { field },
      'Не удалось прочитать запрос на сертификат: ожидается PKCS#10 в формате PEM',
    );
  }
}

/** What a body's CSR asks for; its own signature is checked (proof that the requester holds the key). */
export async function readBodyRequest(csrPem: string, field = 'csr'): Promise<BodyRequest> {
  const csr = parseCsr(csrPem, field);
  if (!(await csr.verify().catch(() => false)))
    throw new EixError('pki.input', { field }, 'Подпись запроса на сертификат не прошла проверку');
  const san = csr.getExtensions('2.5.29.17')[0];
  const uris = san
    ? new x509.SubjectAlternativeNameExtension(san.rawData).names.items
        .filter((n) => n.type === 'url')
        .map((n) => n.value)
    : [];
  const bodyId = uris.find((u) => u.startsWith(BODY_URN))?.slice(BODY_URN.length) ?? '';
  const party = csr.subjectName.getField('C')[0] ?? '';
  const bodyName = csr.subjectName.getField('CN')[0] ?? '';
  if (!ID.test(bodyId))
    throw new EixError('pki.input', { field }, 'В запросе на сертификат нет идентификатора органа (urn:eix:body:…)');
  if (!PARTY_CODE.test(party))
    throw new EixError('pki.input', { field }, 'В запросе на сертификат нет кода Стороны (C)');
  checkText(bodyName, field, 'Наименование органа в запросе на сертификат');
  return { party, bodyId, bodyName };
}

/** The Party CA issues a body's signing certificate on the key of a CSR (the key never leaves the node). */
export async function issueBodyCertificateFromRequest(opts: {
  csrPem: string;
  issuer: CertAndKey;
  validDays?: number;
  notBefore?: Date;
}): Promise<{ certPem: string; request: BodyRequest }> {
  const request = await readBodyRequest(opts.csrPem, 'csr');
  const csr = parseCsr(opts.csrPem, 'csr');
  const issuer = await loadIssuer(opts.issuer);
  const { notBefore, notAfter } = validity(opts.validDays ?? 825, opts.notBefore);
  const publicKey = await csr.publicKey.export();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: new x509.Name([{ CN: utf8(request.bodyName) }, { C: [{ printableString: request.party }] }]),
    issuer: issuer.cert.subjectName,
    notBefore,
    notAfter,
    publicKey,
    signingKey: issuer.key,
    signingAlgorithm: KEY_PARAMS[issuer.algorithm].sign,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      sanOf([], `${BODY_URN}${request.bodyId}`),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, request };
}

/**
 * Checks an issued certificate as a receiving node will (RECEIVING.md, inbound.ts): chained to one of the
 * Party's CA certificates in the registry, valid at `at`, the body URN and the Party in the subject, a
 * signing (not CA) certificate — and on the key of the body's CSR. Null when it fits.
 */
export async function checkBodyCertificate(opts: {
  certPem: string;
  csrPem: string;
  party: string;
  bodyId: string;
  caPems: readonly string[];
  at: Date;
}): Promise<SealObjection | null> {
  const cert = parseCert(opts.certPem, 'certificate');
  const csr = parseCsr(opts.csrPem, 'csr');
  if (!Buffer.from(cert.publicKey.rawData).equals(Buffer.from(csr.publicKey.rawData)))
    return { code: 'seal.key_mismatch' };
  const chained = await Promise.all(opts.caPems.map((ca) => verifyCertificate(opts.certPem, ca, opts.at)));
  if (!chained.some((c) => c.ok || c.reason === 'expired' || c.reason === 'not_yet_valid'))
    return { code: 'seal.issuer' };
  const info = certificateInfo(opts.certPem);
  if (info.party !== opts.party || info.bodyId !== opts.bodyId)
    return { code: 'seal.subject', party: info.party ?? null, bodyId: info.bodyId ?? null };
  const usage = cert.getExtension(x509.KeyUsagesExtension);
  if (info.isCa || (usage && (usage.usages & x509.KeyUsageFlags.digitalSignature) === 0)) return { code: 'seal.usage' };
  if (opts.at.getTime() < Date.parse(info.notBefore)) return { code: 'seal.not_yet_valid', notBefore: info.notBefore };
  if (opts.at.getTime() > Date.parse(info.notAfter)) return { code: 'seal.expired', notAfter: info.notAfter };
  return null;
}
