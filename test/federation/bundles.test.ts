// Bundled delivery (issue 16, docs/MESSAGES.md §2.1), rejections first: a bundle is refused whole when its
// TLS peer is not a node of the Party it names, when it is addressed to a body the node does not serve, when
// it is malformed or too long, or when the node does not speak protocol version 3 — and then nothing of it is
// stored. Inside a bundle each message is judged alone (a forged signature, a message of another body) and
// the receipt says which; the others are received, once. Then the outbox: many requests to one body leave
// in one bundle over real mutual TLS, each recorded delivered with its deadline; a peer that speaks only
// versions 1–2 gets them one by one.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { acceptBundle, acceptMessage, verifySigned } from '../../src/adapters/federation/inbound.js';
import { canonicalBytes, sha256Hex, signCompact } from '../../src/adapters/crypto/jws.js';
import {
  BUNDLE_RECEIPT_JWS_TYPE,
  MESSAGE_JWS_TYPE,
  RECEIPT_JWS_TYPE,
  type Federation,
} from '../../src/adapters/federation/context.js';
import { issueBodyCertificate, type CertAndKey } from '../../src/adapters/crypto/pki.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { EixError } from '../../src/domain/errors.js';
import type { Message } from '../../src/domain/messages.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { aRequest } from '../support/requests.js';
import { officer, ruKeys, startTestFederation } from '../support/federation.js';
import { originalJws } from '../../src/app/stored-jws.js';

type Item = {
  messageId?: string;
  messageSha256: string;
  receivedAt?: string;
  deadline?: string;
  error?: { code: string; message: string };
};

describe('bundled delivery (protocol version 3)', () => {
  let fed: RunningDemo & { dir: string; close(): Promise<void> };
  let kzFed: Federation;
  let ruFed: Federation;
  let ruBodyKey: CertAndKey;
  let ruNodeCert: string;
  let ruCa: CertAndKey;
  const RU77 = { party: 'RU', body: 'ru-fssp-77' };
  const KZC = { party: 'KZ', body: 'kz-central' };

  before(async () => {
    fed = await startTestFederation({ protocolVersions: { BY: [1, 2] } });
    kzFed = fed.nodes.KZ.wired.federation!;
    ruFed = fed.nodes.RU.wired.federation!;
    ({ body: ruBodyKey, nodeCert: ruNodeCert, ca: ruCa } = await ruKeys(fed.dir));
  });
  after(async () => {
    await fed?.close();
  });

  const requestMessage = (over: Partial<Message['envelope']> = {}, by = 'ru-fssp-77'): Message => ({
    envelope: {
      id: randomUUID(),
      type: 'request',
      schemaVersion: 3,
      from: RU77,
      to: KZC,
      createdAt: new Date().toISOString(),
      officer: { id: 'x', name: 'Петрова А. С.', position: 'судебный пристав-исполнитель' },
      ...over,
    },
    body: {
      request: {
        ...aRequest(),
        requestingBody: { id: by, party: 'RU', name: 'ГУФССП России' },
        proceeding: { ...aRequest().proceeding, bodyId: by },
      },
    },
  });
  const sign = (m: Message, key: CertAndKey = ruBodyKey) =>
    signCompact(canonicalBytes(m), key.keyPem, key.certPem, MESSAGE_JWS_TYPE);
  const bundleOf = (messages: string[], over: Record<string, unknown> = {}) =>
    JSON.stringify({ from: RU77, to: KZC, messages, ...over });
  const count = async (table: 'inbox' | 'requests' | 'bundle_receipts', party: 'RU' | 'KZ' = 'KZ') =>
    Number(
      (
        await fed.nodes[party].wired.ctx.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const rejectedBundles = async () =>
    (
      await fed.nodes.KZ.wired.ctx.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'federation.rejected')
        .execute()
    ).filter((r) => (r.details as { type?: string }).type === 'bundle').length;

  /** The bundle receipt, verified as the sender verifies it (signed by kz-central, for these bytes). */
  async function receiptOf(text: string, jws: string): Promise<Item[]> {
    const { message } = await verifySigned(ruFed, jws, BUNDLE_RECEIPT_JWS_TYPE, {
      party: 'KZ',
      body: 'kz-central',
      at: (m) => new Date(m.envelope.createdAt),
    });
    const body = message.body as { bundleSha256: string; items: Item[] };
    assert.equal(message.envelope.type, 'bundle_receipt');
    assert.equal(body.bundleSha256, sha256Hex(text));
    return body.items;
  }

  async function refusedWhole(text: string, code: string, f: Federation = kzFed, peer = ruNodeCert): Promise<void> {
    const before = [await count('inbox'), await count('requests'), await count('bundle_receipts')];
    const audited = await rejectedBundles();
    await assert.rejects(
      acceptBundle(f, text, { certPem: peer }),
      (e: unknown) =>
        (e instanceof EixError && e.code === code) ||
        assert.fail(`expected ${code}, got ${(e as EixError).code}: ${(e as Error).message}`),
    );
    assert.deepEqual(
      [await count('inbox'), await count('requests'), await count('bundle_receipts')],
      before,
      'nothing of a refused bundle is stored',
    );
    assert.equal(await rejectedBundles(), audited + 1, 'one audit entry for the refused bundle');
  }

  test('a bundle is refused whole: another Party than its TLS peer, a body not served, bad form, too long, no version 3', async () => {
    const good = await sign(requestMessage());
    // The TLS peer is RU's node: a bundle in KZ's or BY's name is not RU's to send.
    await refusedWhole(bundleOf([good], { from: { party: 'BY', body: 'by-central' } }), 'message.sender');
    await refusedWhole(bundleOf([good], { to: { party: 'KZ', body: 'kz-nowhere' } }), 'message.recipient');
    await refusedWhole(bundleOf([good], { to: { party: 'RU', body: 'ru-fssp-77' } }), 'message.recipient');
    await refusedWhole('{"from":', 'message.schema');
    await refusedWhole(bundleOf([]), 'message.schema');
    await refusedWhole(bundleOf(Array.from({ length: 501 }, () => good)), 'message.schema');
    await refusedWhole(bundleOf([good], { extra: true }), 'message.schema');
    // A node whose operator narrowed it to versions 1 and 2 does not take bundles.
    await refusedWhole(bundleOf([good]), 'message.version', { ...kzFed, protocolVersions: [1, 2] });
  });

  test('each message is judged alone: a forged one and one of another body are refused in the receipt, the others received', async () => {
    const a = requestMessage();
    const d = requestMessage();
    const forged = await sign(requestMessage());
    const [h, p, s] = forged.split('.');
    const broken = `${h}.${p}.${s!.slice(0, -4)}${s!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const otherBodyKey = await issueBodyCertificate({
      party: 'RU',
      bodyId: 'ru-fssp',
      bodyName: 'ФССП России',
      issuer: ruCa,
    });
    // A valid request of RU's central body (alone it would be received): not in ru-fssp-77's bundle.
    const otherBody = await sign(requestMessage({ from: { party: 'RU', body: 'ru-fssp' } }, 'ru-fssp'), otherBodyKey);
    const messages = [await sign(a), broken, otherBody, await sign(d)];
    const text = bundleOf(messages);
    const before = await count('requests');
    const r = await acceptBundle(kzFed, text, { certPem: ruNodeCert });
    const items = await receiptOf(text, r.receiptJws);
    assert.equal(items.length, 4);
    assert.deepEqual(
      items.map((i) => i.error?.code ?? 'received'),
      ['received', 'message.signature', 'message.sender', 'received'],
    );
    assert.deepEqual(
      items.map((i) => i.messageSha256),
      messages.map(sha256Hex),
    );
    assert.equal(items[0]!.messageId, a.envelope.id);
    assert.match(items[0]!.deadline ?? '', /^\d{4}-\d{2}-\d{2}$/, 'a request item carries its R12.a deadline');
    assert.equal(await count('requests'), before + 2, 'the two good requests, and only they');
    const inbox = await fed.nodes.KZ.wired.ctx.db
      .selectFrom('inbox')
      .select(['message_id', 'receipt'])
      .where('message_id', 'in', [a.envelope.id, d.envelope.id])
      .execute();
    assert.equal(inbox.length, 2);
    const stored = await fed.nodes.KZ.wired.ctx.db
      .selectFrom('bundle_receipts')
      .selectAll()
      .where('direction', '=', 'in')
      .where('bundle_sha256', '=', sha256Hex(text))
      .execute();
    assert.equal(stored.length, 1, 'the bundle receipt is stored once');
    assert.equal(await originalJws(fed.nodes.KZ.wired.ctx.db, stored[0]!.jws), r.receiptJws);
    for (const row of inbox) assert.equal((row.receipt as { bundle: string }).bundle, stored[0]!.id);
  });

  test('resent, a bundle gets the same facts and stores nothing twice (each resend counted on its inbox row); a bundled message resent alone gets its own receipt', async () => {
    const m = requestMessage();
    const jws = await sign(m);
    const other = requestMessage();
    const text = bundleOf([jws, await sign(other)]);
    const resends = async () =>
      (
        await fed.nodes.KZ.wired.ctx.db
          .selectFrom('inbox')
          .select(['message_id', 'resends'])
          .where('message_id', 'in', [m.envelope.id, other.envelope.id])
          .orderBy('message_id')
          .execute()
      ).map((r) => [r.message_id, r.resends]);
    const resent = (a: number, b: number) =>
      [
        [m.envelope.id, a],
        [other.envelope.id, b],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    const first = await receiptOf(text, (await acceptBundle(kzFed, text, { certPem: ruNodeCert })).receiptJws);
    const counts = [await count('inbox'), await count('requests')];
    const receiveEvents = async () =>
      Number(
        (
          await fed.nodes.KZ.wired.ctx.db
            .selectFrom('events')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('kind', '=', 'request_received')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const events = await receiveEvents();
    assert.deepEqual(await resends(), resent(0, 0), 'a first receipt is no resend');
    const again = await receiptOf(text, (await acceptBundle(kzFed, text, { certPem: ruNodeCert })).receiptJws);
    assert.deepEqual(await resends(), resent(1, 1), 'the resent bundle: one resend answered per message');
    assert.deepEqual(again, first, 'the same receipt facts (the first time of receipt) for every message');
    assert.deepEqual([await count('inbox'), await count('requests')], counts);
    assert.equal(await receiveEvents(), events, 'no second «request received» event');
    // Alone, the same bytes: a receipt of its own, signed now, stating the bundle's time of receipt.
    const alone = await acceptMessage(kzFed, jws, { certPem: ruNodeCert });
    assert.equal(alone.duplicate, true);
    assert.deepEqual(await resends(), resent(2, 1));
    const { message } = await verifySigned(ruFed, alone.receiptJws, RECEIPT_JWS_TYPE, {
      party: 'KZ',
      body: 'kz-central',
      at: (x) => new Date(x.envelope.createdAt),
    });
    const body = message.body as { messageId: string; receivedAt: string; messageSha256: string; deadline: string };
    assert.deepEqual(
      [body.messageId, body.messageSha256, body.receivedAt, body.deadline],
      [m.envelope.id, sha256Hex(jws), first[0]!.receivedAt, first[0]!.deadline],
    );
    // A different document under a bundled message's id is a replay, in a bundle too.
    const replay = bundleOf([await sign({ ...m, body: { request: { ...aRequest(), grounds: 'Иное' } } })]);
    const items = await receiptOf(replay, (await acceptBundle(kzFed, replay, { certPem: ruNodeCert })).receiptJws);
    assert.equal(items[0]!.error?.code, 'message.replay');
    assert.deepEqual(await resends(), resent(2, 1), 'a replay (other bytes) is refused, not answered as a resend');
  });

  test('the outbox sends many requests to one body in one bundle; a peer speaking versions 1–2 gets them one by one', async () => {
    const ru = fed.nodes.RU.wired.ctx;
    const o = await officer(fed.nodes.RU, 'ru.officer');
    const ex = aRequest();
    const { id: proceedingId } = await createProceeding(ru, o, {
      number: 'BUNDLE-1',
      openedOn: '2026-03-02',
      debtor: ex.debtor,
      creditor: ex.creditor,
      executiveDocuments: [ex.executiveDocument],
    });
    const send = async (to: { id: string; party: string; name: string }) => {
      const d = await draftRequest(ru, o, {
        proceedingId,
        requestedBody: to,
        items: [{ kind: 'location', target: 'debtor' }],
        grounds: 'Должник выехал за пределы Российской Федерации.',
      });
      await signRequest(ru, o, { requestId: d.id });
      return d.id;
    };
    // The worker would send each request as soon as it is signed; here they wait and leave together.
    await fed.nodes.RU.worker!.stop();
    const outBefore = await count('bundle_receipts', 'RU');
    const toKz = [];
    for (let i = 0; i < 7; i++) toKz.push(await send({ id: 'kz-central', party: 'KZ', name: 'Казахстан' }));
    const toBy = [await send({ id: 'by-central', party: 'BY', name: 'Беларусь' })];
    toBy.push(await send({ id: 'by-central', party: 'BY', name: 'Беларусь' }));
    await fed.nodes.RU.worker!.drain();
    const rows = await ru.db
      .selectFrom('requests')
      .select(['id', 'state', 'deadline'])
      .where('id', 'in', [...toKz, ...toBy])
      .execute();
    assert.deepEqual(
      rows.map((r) => r.state),
      rows.map(() => 'received'),
    );
    assert.ok(
      rows.every((r) => r.deadline),
      'each request has the deadline its receipt stated',
    );
    const sent = await ru.db
      .selectFrom('outbox')
      .select(['request_id', 'to_party', 'receipt', 'attempts'])
      .where('request_id', 'in', [...toKz, ...toBy])
      .execute();
    const kzReceipts = new Set(
      sent.filter((r) => r.to_party === 'KZ').map((r) => (r.receipt as { bundle?: string }).bundle),
    );
    assert.equal(kzReceipts.size, 1, 'the seven requests to KZ share one bundle receipt');
    assert.ok(!kzReceipts.has(undefined));
    assert.ok(
      sent.filter((r) => r.to_party === 'BY').every((r) => typeof (r.receipt as { jws?: string }).jws === 'string'),
      'BY (versions 1–2): a receipt of its own per message',
    );
    assert.ok(sent.every((r) => r.attempts === 1));
    assert.equal(await count('bundle_receipts', 'RU'), outBefore + 1);
    const kzInbox = await fed.nodes.KZ.wired.ctx.db
      .selectFrom('requests')
      .select('message_id')
      .where(
        'message_id',
        'in',
        (await ru.db.selectFrom('requests').select('message_id').where('id', 'in', toKz).execute()).map(
          (r) => r.message_id!,
        ),
      )
      .execute();
    assert.equal(kzInbox.length, 7, 'KZ holds each of the seven once');
  });
});
