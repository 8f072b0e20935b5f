// Hostile peers of the federation endpoint: RU's real node (its TLS client
// certificate, its body's signing key) sends KZ's node fast-check generated
// garbage — random bytes, strings and JSON under any content type, JWS-shaped
// x.y.z strings, deeply nested JSON, bodies over the endpoint's limit — and
// valid signed messages mutated character by character, re-signed with forged
// headers (alg none / HS256 / other algs, missing or foreign x5c, extra fields)
// or with semantically random envelopes. Every refusal is a 4xx with the
// project's error shape and a code from ERROR_CODES, KZ keeps answering, and
// nothing of a refused payload is stored (requests, inbox, request_events,
// outbox unchanged); only a message that is truly valid is accepted, once.
// The tally of codes per generator goes to stdout and to test-results/hostile-federation-fuzz.json; each
// generator must have reached several different checks (assertGenerated).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, randomUUID, sign as cryptoSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import {
  createDepositaryCa,
  createPartyCa,
  issueBodyCertificate,
  certificateInfo,
  type CertAndKey,
} from '../../src/adapters/crypto/pki.js';
import { canonicalBytes, pemToDerBase64, signCompact } from '../../src/adapters/crypto/jws.js';
import { FEDERATION_PATH, MESSAGE_JWS_TYPE, RECEIPT_JWS_TYPE } from '../../src/adapters/federation/context.js';
import { MAX_MESSAGE_BYTES } from '../../src/adapters/federation/server.js';
import { ERROR_CODES, type ErrorCode } from '../../src/domain/errors.js';
import { MESSAGE_TYPE_NAMES, isMessageType, type Message } from '../../src/domain/messages.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { aRequest } from '../support/requests.js';
import { startTestFederation } from '../support/federation.js';
import { writeResult } from '../support/results.js';

const SEED = 42;
// Each case is an HTTPS exchange with a live node: a failure ends the run and
// reports the case as generated (no shrinking through hundreds of exchanges), with its error.
const FC = { seed: SEED, endOnFailure: true, includeErrorInReport: true } as const;
const RUNS = 150;
const ANSWER_MS = 20_000;

const b64u = (x: string | Uint8Array): string => Buffer.from(x).toString('base64url');
const nested = (depth: number, open: string, leaf: string, close: string): string =>
  open.repeat(depth) + leaf + close.repeat(depth);
const PROTO_JSON = [
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '[{"__proto__":{"polluted":true}}]',
];
/** Codes a document that was not re-signed can get: everything checked before (and at) the signature. */
const UNSIGNED_CODES: readonly ErrorCode[] = [
  'message.signature',
  'message.schema',
  'message.sender',
  'message.certificate',
  'pki.certificate',
];

interface Reply {
  readonly status: number;
  readonly text: string;
}
interface Counts {
  requests: number;
  inbox: number;
  request_events: number;
  outbox: number;
}
type Expect =
  | { readonly accept: true; readonly messageId: string }
  | { readonly accept: false; readonly codes?: readonly ErrorCode[] };

/** An envelope field: its value (ABSENT deletes it) and, if it is wrong, the codes it may be refused with. */
const ABSENT = Symbol('absent');
interface Choice {
  readonly value: unknown;
  readonly bad?: readonly ErrorCode[];
}
const ok = (value: unknown): Choice => ({ value });
const bad = (value: unknown, ...codes: ErrorCode[]): Choice => ({ value, bad: codes });

describe('federation endpoint under fuzzing (mutual TLS, RU → KZ)', () => {
  let fed: RunningDemo & { dir: string; close(): Promise<void> };
  let url: URL;
  let tls: { key: string; cert: string; ca: string };
  let ruBody: CertAndKey;
  let bodyAlg: 'ES256' | 'EdDSA';
  let bodyNotBefore: number;
  const der: Record<string, string> = {};
  const tally = {
    cases: 0,
    accepted: 0,
    byCode: {} as Record<string, number>,
    byGroup: {} as Record<string, Record<string, number>>,
  };

  before(async () => {
    fed = await startTestFederation();
    const kzFed = fed.nodes.KZ.wired.federation!;
    url = new URL(FEDERATION_PATH, kzFed.registry().parties.KZ!.nodes[0]!.url);
    const ru = path.join(fed.dir, 'ru', 'keys');
    tls = {
      key: await readFile(path.join(ru, 'tls', 'node.key'), 'utf8'),
      cert: await readFile(path.join(ru, 'tls', 'node-chain.crt'), 'utf8'),
      ca: await readFile(path.join(fed.dir, 'pki', 'depositary.crt'), 'utf8'),
    };
    ruBody = {
      certPem: await readFile(path.join(ru, 'bodies', 'ru-fssp-77.crt'), 'utf8'),
      keyPem: await readFile(path.join(ru, 'bodies', 'ru-fssp-77.key'), 'utf8'),
    };
    bodyAlg = createPrivateKey(ruBody.keyPem).asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256';
    bodyNotBefore = Date.parse(certificateInfo(ruBody.certPem).notBefore);
    const ruCa = {
      certPem: await readFile(path.join(fed.dir, 'pki', 'ru', 'party-ca.crt'), 'utf8'),
      keyPem: await readFile(path.join(fed.dir, 'pki', 'ru', 'party-ca.key'), 'utf8'),
    };
    const rogue = await issueBodyCertificate({
      party: 'RU',
      bodyId: 'ru-fssp-77',
      bodyName: 'Подложный орган',
      issuer: await createPartyCa({
        party: 'RU',
        name: 'Чужой УЦ',
        issuer: await createDepositaryCa({ name: 'Чужой центр' }),
      }),
    });
    Object.assign(der, {
      ru: pemToDerBase64(ruBody.certPem),
      ruCentral: pemToDerBase64(await readFile(path.join(ru, 'bodies', 'ru-fssp.crt'), 'utf8')),
      kzCentral: pemToDerBase64(await readFile(path.join(fed.dir, 'kz', 'keys', 'bodies', 'kz-central.crt'), 'utf8')),
      ruNode: pemToDerBase64(tls.cert.split(/(?<=-----END CERTIFICATE-----\n)/)[0]!),
      ruCa: pemToDerBase64(ruCa.certPem),
      depositary: pemToDerBase64(tls.ca),
      rogue: pemToDerBase64(rogue.certPem),
    });
  });

  after(async () => {
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    const line = JSON.stringify(tally);
    console.log(`federation-fuzz: ${line}`);
    await writeResult('hostile-federation-fuzz.json', { seed: SEED, runsPerProperty: RUNS, ...tally });
    await fed?.close();
  });

  // ---- the exchange ---------------------------------------------------------------

  /** One POST over mutual TLS with RU's node certificate, on its own connection (a reset is the server's doing). */
  function post(
    body: Buffer | string,
    contentType: string | undefined,
    opts: { chunked?: boolean } = {},
  ): Promise<Reply> {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (contentType !== undefined) headers['content-type'] = contentType;
      if (!opts.chunked) headers['content-length'] = data.length;
      const req = httpsRequest(url, { method: 'POST', agent: false, ...tls, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(ANSWER_MS, () => req.destroy(new Error(`KZ did not answer within ${ANSWER_MS} ms`)));
      if (opts.chunked) {
        for (let i = 0; i < data.length; i += 1 << 20) req.write(data.subarray(i, i + (1 << 20)));
        req.end();
      } else {
        req.end(data);
      }
    });
  }

  async function counts(): Promise<Counts> {
    const r = await sql<
      Record<keyof Counts, string>
    >`select (select count(*) from requests) as requests, (select count(*) from inbox) as inbox,
      (select count(*) from request_events) as request_events, (select count(*) from outbox) as outbox`.execute(
      fed.nodes.KZ.wired.ctx.db,
    );
    const row = r.rows[0]!;
    return {
      requests: Number(row.requests),
      inbox: Number(row.inbox),
      request_events: Number(row.request_events),
      outbox: Number(row.outbox),
    };
  }

  function count(group: string, outcome: string): void {
    tally.cases += 1;
    if (outcome === 'accepted') tally.accepted += 1;
    else tally.byCode[outcome] = (tally.byCode[outcome] ?? 0) + 1;
    const g = (tally.byGroup[group] ??= {});
    g[outcome] = (g[outcome] ?? 0) + 1;
  }

  /**
   * The generator's report for one group: it generated cases, they were refused by at least `codes` different checks
   * (not all stopped at the first one), and, where the group makes valid documents too, some were accepted.
   */
  function assertGenerated(group: string, expect: { codes: number; accepted?: boolean }): void {
    const outcomes = Object.entries(tally.byGroup).flatMap(([g, o]) =>
      g === group || g.startsWith(`${group}: `) ? Object.entries(o) : [],
    );
    const refusedBy = new Set(outcomes.filter(([o]) => o !== 'accepted').map(([o]) => o));
    const report = JSON.stringify(Object.fromEntries(outcomes));
    assert.ok(refusedBy.size >= expect.codes, `${group}: refused by ${refusedBy.size} checks only: ${report}`);
    if (expect.accepted)
      assert.ok(
        outcomes.some(([o]) => o === 'accepted'),
        `${group}: nothing accepted: ${report}`,
      );
  }

  /** The refusal's code, after checking its status and the error shape. */
  function refusal(res: Reply, what: string): ErrorCode {
    assert.ok(
      res.status >= 400 && res.status < 500,
      `${what}: status ${res.status} (expected 4xx): ${res.text.slice(0, 400)}`,
    );
    let parsed: { error?: { code?: unknown; message?: unknown; details?: unknown } };
    try {
      parsed = JSON.parse(res.text) as typeof parsed;
    } catch {
      assert.fail(`${what}: the refusal is not JSON: ${res.text.slice(0, 300)}`);
    }
    const { code, message, details } = parsed.error ?? {};
    assert.ok(
      typeof code === 'string' && Object.hasOwn(ERROR_CODES, code),
      `${what}: unknown error code ${String(code)}: ${res.text.slice(0, 300)}`,
    );
    assert.equal(res.status, ERROR_CODES[code as ErrorCode].http, `${what}: status of ${code}`);
    assert.ok(typeof message === 'string' && /[А-Яа-яЁё]/.test(message), `${what}: a Russian message`);
    assert.ok(details !== null && typeof details === 'object', `${what}: details object`);
    return code as ErrorCode;
  }

  /** Sends one case and checks the outcome and what KZ stored. */
  async function exchange(
    group: string,
    body: Buffer | string,
    contentType: string | undefined,
    expect: Expect,
    opts: { chunked?: boolean } = {},
  ): Promise<void> {
    const before = await counts();
    const res = await post(body, contentType, opts);
    const after = await counts();
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    const what = `${group} (${String(contentType)}, ${data.length} bytes: ${JSON.stringify(data.subarray(0, 160).toString())})`;
    if (expect.accept) {
      assert.equal(res.status, 200, `${what}: expected acceptance, got ${res.status}: ${res.text.slice(0, 400)}`);
      const receipt = JSON.parse(Buffer.from(res.text.split('.')[1] ?? '', 'base64url').toString()) as Message<{
        messageId: string;
      }>;
      assert.equal(receipt.envelope.type, 'receipt');
      assert.equal(receipt.body.messageId, expect.messageId, 'the receipt names the message');
      assert.deepEqual(
        after,
        {
          ...before,
          requests: before.requests + 1,
          inbox: before.inbox + 1,
          request_events: before.request_events + 1,
        },
        `${what}: stored exactly once`,
      );
      count(group, 'accepted');
      return;
    }
    const code = refusal(res, what);
    if (expect.codes)
      assert.ok(
        expect.codes.includes(code),
        `${what}: expected one of ${expect.codes.join(', ')}, got ${code}: ${res.text.slice(0, 300)}`,
      );
    assert.deepEqual(after, before, `${what}: nothing stored from a refused payload (${code})`);
    count(group, code);
  }

  // ---- valid documents ------------------------------------------------------------

  const REQUEST = {
    ...aRequest(),
    requestingBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' },
  };
  const OFFICER = { id: 'x', name: 'Петрова А. С.', position: 'судебный пристав-исполнитель' };
  const validMessage = (): Message => ({
    envelope: {
      id: randomUUID(),
      type: 'request',
      schemaVersion: 1,
      from: { party: 'RU', body: 'ru-fssp-77' },
      to: { party: 'KZ', body: 'kz-central' },
      createdAt: new Date().toISOString(),
      officer: OFFICER,
    },
    body: { request: REQUEST },
  });
  const sign = (m: unknown): Promise<string> =>
    signCompact(canonicalBytes(m), ruBody.keyPem, ruBody.certPem, MESSAGE_JWS_TYPE);
  const signatureOf = (input: string, keyPem = ruBody.keyPem): Buffer => {
    const key = createPrivateKey(keyPem);
    return key.asymmetricKeyType === 'ed25519'
      ? cryptoSign(null, Buffer.from(input), key)
      : cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  };
  /** A compact JWS with any header (object or literal text), signed with RU's real body key unless `sig` says otherwise. */
  const signRaw = (
    header: Record<string, unknown> | string,
    payload: Uint8Array,
    sig: (input: string) => Buffer | string = (i) => signatureOf(i),
  ): string => {
    const input = `${b64u(typeof header === 'string' ? header : JSON.stringify(header))}.${b64u(payload)}`;
    const s = sig(input);
    return `${input}.${typeof s === 'string' ? s : s.toString('base64url')}`;
  };
  const validHeader = (): Record<string, unknown> => ({ alg: bodyAlg, typ: MESSAGE_JWS_TYPE, x5c: [der.ru] });

  /** A valid message is still accepted (a control); returns its id. */
  async function assertAlive(group: string): Promise<string> {
    const m = validMessage();
    await exchange(`${group}: control`, await sign(m), 'application/jose', { accept: true, messageId: m.envelope.id });
    return m.envelope.id;
  }

  // ---- random bodies --------------------------------------------------------------

  const contentTypeArb: fc.Arbitrary<string | undefined> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom('application/jose', 'application/jose; charset=utf-8', 'APPLICATION/JOSE'),
    },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        undefined,
        '',
        'text/plain',
        'text/plain; charset=utf-8',
        'application/json',
        'application/json; charset=utf-8',
        'application/octet-stream',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=eix',
        'application/jwt',
        'application/jose+json',
        '*/*',
      ),
    },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{1,12}\/[a-z0-9.+-]{1,20}$/) },
  );
  const deepJsonArb = fc
    .tuple(
      fc.integer({ min: 1_000, max: 200_000 }),
      fc.constantFrom(['[', '', ']'], ['{"a":', '1', '}'], ['[{"x":', 'null', '}]']),
    )
    .map(([d, [o, l, c]]) => nested(d, o!, l!, c!));
  const randomBodyArb: fc.Arbitrary<Buffer | string> = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 2000 }),
    fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)),
    fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom('', ' ', '\n', 'null', '{}', '[]', '""', 'a.b.c', '..', '...', ...PROTO_JSON),
    { weight: 1, arbitrary: deepJsonArb },
  );

  test('random bytes, strings, JSON values and deeply nested JSON under any content type: a coded 4xx, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(randomBodyArb, contentTypeArb, async (body, contentType) => {
        await exchange('random body', body, contentType, { accept: false });
      }),
      { ...FC, numRuns: RUNS },
    );
    await assertAlive('random body');
    assertGenerated('random body', { codes: 2 });
  });

  test('JWS-shaped x.y.z strings (random base64url parts, crafted headers, random or deep payloads): a coded 4xx, nothing stored', async () => {
    const part = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_-]{0,200}$/),
      fc.uint8Array({ maxLength: 300 }).map(b64u),
      fc.jsonValue({ maxDepth: 3 }).map((v) => b64u(JSON.stringify(v) ?? 'null')),
    );
    const x5c = fc.oneof(
      fc.constant([der.ru]),
      fc.constant([]),
      fc.constant(['']),
      fc.constant(der.ru),
      fc.constant([der.kzCentral]),
      fc.array(fc.string(), { maxLength: 2 }),
      fc.array(fc.stringMatching(/^[A-Za-z0-9+/]{0,400}={0,2}$/), { minLength: 1, maxLength: 2 }),
      fc.uint8Array({ minLength: 1, maxLength: 600 }).map((b) => [Buffer.from(b).toString('base64')]),
    );
    const header = fc
      .record(
        {
          alg: fc.oneof(
            fc.constantFrom('ES256', 'EdDSA', 'none', 'HS256', 'RS256', 'ES384'),
            fc.jsonValue({ maxDepth: 1 }),
          ),
          typ: fc.oneof(fc.constant(MESSAGE_JWS_TYPE), fc.constant(RECEIPT_JWS_TYPE), fc.string({ maxLength: 20 })),
          x5c,
        },
        { requiredKeys: [] },
      )
      .map((h) => b64u(JSON.stringify(h)));
    const valid = validMessage();
    const payload = fc.oneof(
      part,
      fc
        .tuple(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }))
        .map(([envelope, body]) => b64u(JSON.stringify({ envelope, body }))),
      fc.constant(b64u(canonicalBytes(valid))),
      deepJsonArb.map(b64u),
      fc
        .integer({ min: 100, max: 5_000 })
        .map((d) =>
          b64u(`{"envelope":${JSON.stringify(valid.envelope)},"body":${nested(d, '{"request":', '{}', '}')}}`),
        ),
    );
    const jws = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(fc.oneof(header, part), payload, part).map((p) => p.join('.')) },
      { weight: 1, arbitrary: fc.array(part, { maxLength: 6 }).map((p) => p.join('.')) },
    );
    await fc.assert(
      fc.asyncProperty(
        jws,
        fc.oneof({ weight: 5, arbitrary: fc.constant('application/jose') }, { weight: 1, arbitrary: contentTypeArb }),
        async (body, contentType) => {
          await exchange('jws-shaped', body, contentType, {
            accept: false,
            ...(contentType === 'application/jose' ? { codes: UNSIGNED_CODES } : {}),
          });
        },
      ),
      { ...FC, numRuns: RUNS },
    );
    await assertAlive('jws-shaped');
    assertGenerated('jws-shaped', { codes: 3 });
  });

  test(
    `bodies over the endpoint's limit (${MAX_MESSAGE_BYTES} bytes), declared or chunked: 413 before anything is read`,
    { timeout: 60_000 },
    async () => {
      const big = Buffer.alloc(MAX_MESSAGE_BYTES + (1 << 20), 'x');
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 1 << 20 }),
          fc.constantFrom('application/jose', 'text/plain'),
          fc.boolean(),
          async (extra, contentType, chunked) => {
            await exchange(
              'oversized',
              big.subarray(0, MAX_MESSAGE_BYTES + extra),
              contentType,
              { accept: false, codes: ['input.too_large'] },
              { chunked },
            );
          },
        ),
        { ...FC, numRuns: 4 },
      );
      await assertAlive('oversized');
      assertGenerated('oversized', { codes: 1 });
    },
  );

  // ---- mutated signed messages ----------------------------------------------------

  type Mutation =
    | { kind: 'replace' | 'insert'; seg: number; at: number; ch: string }
    | { kind: 'delete' | 'truncate'; seg: number; at: number }
    | { kind: 'flip'; seg: number; at: number; mask: number }
    | { kind: 'drop' | 'duplicate' | 'empty'; seg: number }
    | { kind: 'swap'; seg: number; with: number }
    | { kind: 'wrap'; prefix: string; suffix: string };

  const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const charArb = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...B64URL) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  );
  const seg = fc.nat({ max: 2 });
  const at = fc.nat({ max: 5_000 });
  const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constantFrom('replace' as const, 'insert' as const), seg, at, ch: charArb }),
    fc.record({ kind: fc.constantFrom('delete' as const, 'truncate' as const), seg, at }),
    fc.record({ kind: fc.constant('flip' as const), seg, at, mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constantFrom('drop' as const, 'duplicate' as const, 'empty' as const), seg }),
    fc.record({ kind: fc.constant('swap' as const), seg, with: seg }),
    fc.record({
      kind: fc.constant('wrap' as const),
      prefix: fc.constantFrom('', ' ', '\n', '"', '.'),
      suffix: fc.constantFrom('', ' ', '\r\n', '"', '.', '='),
    }),
  );

  function mutate(jws: string, m: Mutation): string {
    if (m.kind === 'wrap') return `${m.prefix}${jws}${m.suffix}`;
    const parts = jws.split('.');
    const i = m.seg % parts.length;
    const s = parts[i]!;
    const p = s.length === 0 ? 0 : ('at' in m ? m.at : 0) % s.length;
    switch (m.kind) {
      case 'replace':
        parts[i] = s.slice(0, p) + m.ch + s.slice(p + 1);
        break;
      case 'insert':
        parts[i] = s.slice(0, p) + m.ch + s.slice(p);
        break;
      case 'delete':
        parts[i] = s.slice(0, p) + s.slice(p + 1);
        break;
      case 'truncate':
        parts[i] = s.slice(0, p);
        break;
      case 'flip': {
        const bytes = Buffer.from(s, 'base64url');
        if (bytes.length > 0) bytes[m.at % bytes.length]! ^= m.mask;
        parts[i] = bytes.toString('base64url');
        break;
      }
      case 'drop':
        parts.splice(i, 1);
        break;
      case 'duplicate':
        parts.splice(i, 0, s);
        break;
      case 'empty':
        parts[i] = '';
        break;
      case 'swap':
        [parts[i], parts[m.with % parts.length]] = [parts[m.with % parts.length]!, s];
        break;
    }
    return parts.join('.');
  }

  /** A mutation is a no-op if the document is unchanged: same header and payload text, same signature bytes. */
  function sameDocument(original: string, mutated: string): boolean {
    if (original === mutated) return true;
    const [a, b] = [original.split('.'), mutated.split('.')];
    if (b.length !== 3 || a[0] !== b[0] || a[1] !== b[1] || !/^[A-Za-z0-9_-]*$/.test(b[2]!)) return false;
    return Buffer.from(a[2]!, 'base64url').equals(Buffer.from(b[2]!, 'base64url'));
  }

  test('R11.3: a signed message mutated in its header, payload or signature (characters, bits, segments) is refused by the signature checks; a no-op mutation is accepted once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const m = validMessage();
        const original = await sign(m);
        const mutated = mutations.reduce(mutate, original);
        await exchange(
          'mutated',
          mutated,
          'application/jose',
          sameDocument(original, mutated)
            ? { accept: true, messageId: m.envelope.id }
            : { accept: false, codes: UNSIGNED_CODES },
        );
      }),
      { ...FC, numRuns: RUNS },
    );

    // Explicit no-op: the last character of a base64url signature carries unused bits; changing only
    // those leaves the signature bytes as they were, so the document is the same and is accepted.
    const m = validMessage();
    const jws = await sign(m);
    const last = jws.at(-1)!;
    const noop = jws.slice(0, -1) + B64URL[B64URL.indexOf(last) ^ 1]!;
    assert.notEqual(noop, jws);
    assert.ok(sameDocument(jws, noop), 'the unused bits of the last character are ignored by base64url decoding');
    await exchange('mutated: no-op', noop, 'application/jose', { accept: true, messageId: m.envelope.id });
    await assertAlive('mutated');
    assertGenerated('mutated', { codes: 2, accepted: true });
  });

  // ---- re-signed headers ----------------------------------------------------------

  type HeaderCase = {
    readonly header: Record<string, unknown> | string;
    readonly sig?: (input: string) => Buffer | string;
    readonly expect: readonly ErrorCode[] | 'accept';
  };
  const FORBIDDEN_HEADER = ['crit', 'jku', 'jwk', 'x5u'];

  test('headers re-signed with RU’s real body key: alg none / HS256 / other algs, wrong typ, missing or foreign x5c are refused; extra harmless fields are accepted', async () => {
    const hmac = (secret: string | Buffer) => (input: string) => createHmac('sha256', secret).update(input).digest();
    const sigArb = fc.constantFrom<[string, (input: string) => Buffer | string]>(
      ['empty', () => ''],
      ['real', (i) => signatureOf(i)],
      ['random', () => b64u(Buffer.from(randomUUID() + randomUUID()))],
      ['hmac(pem)', hmac(ruBody.certPem)],
      ['hmac(der)', hmac(Buffer.from(der.ru!, 'base64'))],
    );
    const alg = fc
      .tuple(
        fc.oneof(
          fc.constantFrom(
            'none',
            'None',
            'NONE',
            'HS256',
            'HS384',
            'HS512',
            'RS256',
            'PS256',
            'ES384',
            'ES512',
            'ES256K',
            'EdDSA',
            'ES256',
            '',
            'es256',
            'ES256 ',
          ),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        sigArb,
      )
      .filter(([a]) => a !== bodyAlg)
      .map(([a, [, sig]]): HeaderCase => ({
        header: { ...validHeader(), alg: a },
        sig,
        expect: ['message.signature'],
      }));
    const typ = fc
      .oneof(
        fc.constantFrom('JWT', 'JOSE', RECEIPT_JWS_TYPE, 'eix-message+JWS', ''),
        fc.string({ maxLength: 30 }),
        fc.constant(ABSENT),
      )
      .filter((t) => t !== MESSAGE_JWS_TYPE)
      .map((t): HeaderCase => {
        const h = validHeader();
        if (t === ABSENT) delete h.typ;
        else h.typ = t;
        return { header: h, expect: ['message.signature'] };
      });
    const x5cCases: HeaderCase[] = [
      ...[ABSENT, [], 'string', der.ru, [null], [42], [{ der: der.ru }]].map((x): HeaderCase => {
        const h = validHeader();
        if (x === ABSENT) delete h.x5c;
        else h.x5c = x;
        return { header: h, expect: ['message.signature'] };
      }),
      ...[
        [''],
        ['\n'],
        ['   '],
        ['!!!'],
        ['AAAA'],
        [`-----BEGIN CERTIFICATE-----\n${der.ru}\n-----END CERTIFICATE-----`],
        [der.ru!.slice(0, 200)],
      ].map((x): HeaderCase => ({
        header: { ...validHeader(), x5c: x },
        expect: ['message.signature', 'pki.certificate'],
      })),
      // Another certificate (or a corrupted one) in x5c: not this body's, not chained to RU's CA, or not the signing key.
      ...[
        der.ruCentral,
        der.kzCentral,
        der.ruNode,
        der.ruCa,
        der.depositary,
        der.rogue,
        der.ru!.replace(/A/g, 'B'),
      ].map((x): HeaderCase => ({
        header: { ...validHeader(), x5c: [x] },
        expect: ['message.sender', 'message.certificate', 'message.signature', 'pki.certificate'],
      })),
      // A chain after the signing certificate is allowed (RFC 7515 §4.1.6): the first one signs.
      { header: { ...validHeader(), x5c: [der.ru, der.ruCa] }, expect: 'accept' },
      // Duplicate names: the last one counts, for the checker and for the verifier alike.
      { header: `{"alg":"none","typ":"${MESSAGE_JWS_TYPE}","x5c":["${der.ru}"],"alg":"${bodyAlg}"}`, expect: 'accept' },
      {
        header: `{"alg":"${bodyAlg}","typ":"${MESSAGE_JWS_TYPE}","x5c":["${der.ru}"],"alg":"none"}`,
        expect: ['message.signature'],
      },
      {
        header: `{"alg":"${bodyAlg}","typ":"${MESSAGE_JWS_TYPE}","x5c":["${der.ru}"],"x5c":["${der.kzCentral}"]}`,
        expect: ['message.sender'],
      },
    ];
    const x5c = fc.constantFrom(...x5cCases);
    const extra = fc
      .dictionary(
        fc
          .oneof(
            fc.string({ maxLength: 10 }),
            fc.constantFrom('crit', 'jku', 'jwk', 'x5u', 'kid', 'b64', 'cty', 'x5t', 'x5t#S256', 'zip', '__proto__'),
          )
          .filter((k) => !['alg', 'typ', 'x5c'].includes(k)),
        fc.jsonValue({ maxDepth: 2 }),
        { minKeys: 1, maxKeys: 4 },
      )
      .map((e): HeaderCase => ({
        header: { ...validHeader(), ...e },
        expect: Object.keys(e).some((k) => FORBIDDEN_HEADER.includes(k)) ? ['message.signature'] : 'accept',
      }));

    await fc.assert(
      fc.asyncProperty(fc.oneof(alg, typ, x5c, { weight: 1, arbitrary: extra }), async (c) => {
        const m = validMessage();
        const jws = signRaw(c.header, canonicalBytes(m), c.sig);
        await exchange(
          're-signed header',
          jws,
          'application/jose',
          c.expect === 'accept' ? { accept: true, messageId: m.envelope.id } : { accept: false, codes: c.expect },
        );
      }),
      { ...FC, numRuns: RUNS },
    );
    await assertAlive('re-signed header');
    assertGenerated('re-signed header', { codes: 3, accepted: true });
  });

  // ---- re-signed envelopes --------------------------------------------------------

  test('envelopes with semantically random fields, re-signed with RU’s real body key: each refused with its field’s code, only truly valid ones accepted', async () => {
    const json = fc.jsonValue({ maxDepth: 2 });
    const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
    const unknownType = fc
      .oneof(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'REQUEST', 'request '),
      )
      .filter((t) => !isMessageType(t));
    const type = fc.oneof(
      w(8, fc.constant(ok('request'))),
      w(
        1,
        unknownType.map((t) => bad(t, 'message.type', 'message.schema')),
      ),
      w(
        1,
        fc
          .constantFrom(...MESSAGE_TYPE_NAMES.filter((t) => t !== 'request'))
          .map((t) => bad(t, t === 'receipt' ? 'message.type' : 'message.schema')),
      ),
      w(
        1,
        fc
          .oneof(
            fc.constant(''),
            fc.constant('r'.repeat(65)),
            json.filter((v) => typeof v !== 'string'),
            fc.constant(ABSENT),
          )
          .map((t) => bad(t, 'message.schema')),
      ),
    );
    const id = fc.oneof(
      w(8, fc.constant(ok('fresh'))),
      w(1, fc.constant(bad('replay', 'message.replay'))),
      w(
        1,
        fc
          .oneof(fc.string({ maxLength: 40 }), json, fc.constant(ABSENT), fc.constant(randomUUID().replace(/-/g, '')))
          .map((v) => bad(v, 'message.schema')),
      ),
    );
    // Protocol versions (docs/MESSAGES.md §3.1): 1 and 2 are spoken; another integer is refused for its version
    // before anything else is read; anything that is no integer (or none) breaks the envelope schema.
    const schemaVersion = fc.oneof(
      w(4, fc.constant(ok(1))),
      w(4, fc.constant(ok(2))),
      w(
        1,
        fc
          .integer({ min: -5, max: 1_000_000 })
          .filter((v) => v !== 1 && v !== 2)
          .map((v) => bad(v, 'message.version')),
      ),
      w(
        1,
        fc
          .oneof(
            json.filter((v) => typeof v !== 'number'),
            fc.constant(ABSENT),
          )
          .map((v) => bad(v, 'message.schema')),
      ),
    );
    const party = (p: string, b: string) => ({ party: p, body: b });
    const from = fc.oneof(
      w(8, fc.constant(ok(party('RU', 'ru-fssp-77')))),
      w(
        1,
        fc
          .constantFrom(
            party('KZ', 'kz-central'),
            party('BY', 'by-central'),
            party('RU', 'ru-fssp'),
            party('XX', 'xx-body'),
            party('RU', 'ru-fssp-78'),
          )
          .map((v) => bad(v, 'message.sender')),
      ),
      w(
        1,
        fc
          .oneof(
            json,
            fc.constant(ABSENT),
            fc.constant({ ...party('RU', 'ru-fssp-77'), node: 'ru-node' }),
            fc.constant(party('ru', 'ru-fssp-77')),
            fc.constant(party('RU', 'RU-FSSP-77')),
          )
          .map((v) => bad(v, 'message.schema')),
      ),
    );
    const to = fc.oneof(
      w(8, fc.constant(ok(party('KZ', 'kz-central')))),
      w(
        1,
        fc
          .constantFrom(
            party('KZ', 'kz-nowhere'),
            party('RU', 'ru-fssp-77'),
            party('BY', 'by-central'),
            party('KZ', 'ru-fssp-77'),
          )
          .map((v) => bad(v, 'message.recipient')),
      ),
      w(
        1,
        fc
          .oneof(
            json,
            fc.constant(ABSENT),
            fc.constant({ ...party('KZ', 'kz-central'), cc: 'RU' }),
            fc.constant(party('KZ', '')),
          )
          .map((v) => bad(v, 'message.schema')),
      ),
    );
    // createdAt: an offset from the moment of sending (the text is made then), or literal text.
    type When = { readonly ms?: number; readonly form?: 'iso' | 'lower' | 'offset'; readonly text?: string };
    const createdAt = fc.oneof(
      w(
        6,
        fc
          .record({
            back: fc.double({ min: 0, max: 1, noNaN: true }),
            form: fc.constantFrom('iso' as const, 'lower' as const, 'offset' as const),
          })
          .map((x) => ok({ ms: -x.back, form: x.form } satisfies When)),
      ),
      // Ahead of the clock: within the certificate's validity (clock), or beyond it (certificate).
      w(
        1,
        fc
          .oneof(
            fc.integer({ min: 5 * 60_000 + 5_000, max: 86_400_000 }),
            fc.integer({ min: 5 * 60_000 + 5_000, max: 10 * 365 * 86_400_000 }),
          )
          .map((ms) => bad({ ms, form: 'iso' } satisfies When, 'message.clock', 'message.certificate')),
      ),
      w(
        1,
        fc
          .integer({ min: 7 * 86_400_000 + 60_000, max: 30 * 365 * 86_400_000 })
          .map((ms) => bad({ ms: -ms, form: 'iso' } satisfies When, 'message.clock', 'message.certificate')),
      ),
      // A leap second is RFC 3339 but no instant Date can hold (NaN): refused as a malformed field, never compared.
      w(
        1,
        fc
          .tuple(fc.integer({ min: 1972, max: 2030 }), fc.constantFrom('23:59:60Z', '23:59:60.5Z', '23:59:60z'))
          .map(([y, t]) => bad({ text: `${y}-12-31T${t}` } satisfies When, 'message.schema')),
      ),
      w(
        1,
        fc
          .oneof(
            fc.string({ maxLength: 30 }),
            fc.constantFrom(
              '2026-13-01T00:00:00Z',
              '2026-02-30T00:00:00Z',
              '2026-11-26',
              'now',
              '1790000000000',
              '2026-11-26T25:00:00Z',
            ),
          )
          .map((text) => bad({ text } satisfies When, 'message.schema')),
      ),
    );
    const officer = fc.oneof(
      w(6, fc.constant(ok(OFFICER))),
      w(1, fc.constant(ok(ABSENT))),
      w(
        1,
        fc
          .record({
            id: fc.string({ unit: 'binary', maxLength: 100 }),
            name: fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
            position: fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
          })
          .map((o) => (Object.values(o).some((s) => s.includes('\u0000')) ? bad(o, 'message.schema') : ok(o))),
      ),
      w(
        1,
        fc
          .oneof(json, fc.constant({ ...OFFICER, name: '' }), fc.constant({ ...OFFICER, role: 'admin' }))
          .map((v) => bad(v, 'message.schema')),
      ),
    );
    const inReplyTo = fc.oneof(
      w(8, fc.constant(ok(ABSENT))),
      // RECEIVING.md: a new request answers nothing; one naming another message is refused for its context.
      w(1, fc.constant(bad(randomUUID(), 'message.context'))),
      w(
        1,
        fc.string({ maxLength: 40 }).map((v) => bad(v, 'message.schema')),
      ),
    );
    const extra = fc.oneof(
      w(8, fc.constant(ok(ABSENT))),
      w(
        1,
        fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), json).map((kv) => bad(kv, 'message.schema')),
      ),
    );
    const body = fc.oneof(
      w(8, fc.constant(ok({ request: REQUEST }))),
      // Never a body some other type would take (every body schema refuses unknown fields).
      w(
        1,
        fc
          .oneof(
            json.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
            json.map((v) => ({ zz_unknown: v })),
            json.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((v) => ({ request: v })),
            fc.constant({ request: REQUEST, attachment: 'x' }),
            fc
              .integer({ min: 100, max: 2_000 })
              .map((d) => ({ request: JSON.parse(nested(d, '[', '', ']')) as unknown })),
          )
          .map((v) => bad(v, 'message.schema')),
      ),
    );

    const fields = fc.record({ type, id, schemaVersion, from, to, createdAt, officer, inReplyTo, extra, body });
    // The ids this test had accepted, a control first: a replay repeats the latest from the first case on.
    const acceptedIds = [await assertAlive('re-signed envelope')];
    await fc.assert(
      fc.asyncProperty(fields, async (f) => {
        const now = Date.now();
        const when = f.createdAt.value as When;
        // A "valid" time lies between the body certificate's start and now.
        const ms =
          when.ms === undefined
            ? 0
            : when.ms > -1 && when.ms <= 0
              ? Math.round(when.ms * Math.max(0, Math.min(60_000, now - bodyNotBefore - 2_000)))
              : when.ms;
        const t = new Date(now + ms);
        const offset = (d: Date) => `${new Date(d.getTime() + 3 * 3_600_000).toISOString().slice(0, -1)}+03:00`;
        const text =
          when.text ??
          (when.form === 'lower'
            ? t.toISOString().replace('T', 't').replace('Z', 'z')
            : when.form === 'offset'
              ? offset(t)
              : t.toISOString());
        const replayOf = acceptedIds.at(-1);
        const messageId =
          f.id.value === 'fresh' || (f.id.value === 'replay' && !replayOf)
            ? randomUUID()
            : f.id.value === 'replay'
              ? replayOf
              : f.id.value;
        const fieldChoices: Record<string, Choice> = {
          type: f.type,
          id: f.id.value === 'replay' && !replayOf ? ok('fresh') : f.id,
          schemaVersion: f.schemaVersion,
          from: f.from,
          to: f.to,
          createdAt: f.createdAt,
          officer: f.officer,
          inReplyTo: f.inReplyTo,
        };
        const envelope: Record<string, unknown> = {};
        for (const [k, c] of Object.entries(fieldChoices)) {
          const v = k === 'id' ? messageId : k === 'createdAt' ? text : c.value;
          if (v !== ABSENT) envelope[k] = v;
        }
        if (f.extra.value !== ABSENT) {
          const [k, v] = f.extra.value as [string, unknown];
          Object.defineProperty(envelope, Object.hasOwn(envelope, k) ? `${k}_` : k, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        const message = { envelope, body: f.body.value };
        const codes = [...Object.values(fieldChoices), f.extra, f.body].flatMap((c) => c.bad ?? []);
        const jws = await sign(message);
        await exchange(
          're-signed envelope',
          jws,
          'application/jose',
          codes.length === 0 ? { accept: true, messageId: messageId as string } : { accept: false, codes },
        );
        if (codes.length === 0) acceptedIds.push(messageId as string);
      }),
      { ...FC, numRuns: RUNS },
    );
    await assertAlive('re-signed envelope');
    assertGenerated('re-signed envelope', { codes: 4, accepted: true });
  });
});
