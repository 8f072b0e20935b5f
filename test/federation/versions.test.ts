// A federation of mixed versions (docs/MESSAGES.md §3.1): RU and KZ run as
// a release of protocol versions 1 and 2 would (EIX_PROTOCOL_VERSIONS=1,2;
// version 3, bundles, has its own test in bundles.test.ts), BY an older one
// (version 1 only), over real mutual TLS. Requests, answers and steps flow both ways in
// the version both speak; a type only version 2 has (the deletion notice) is
// held for BY with a status the officer reads, and goes out once BY is
// upgraded and the depositary's registry says so; a version a node does not
// speak is refused with a code that lists the versions it accepts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { actOnRequest } from '../../src/app/act-on-request.js';
import { answerRequest } from '../../src/app/answer-request.js';
import type { Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { listWaitingMessages } from '../../src/app/list-waiting-messages.js';
import { notifyDeletion } from '../../src/app/notify-deletion.js';
import { signRequest } from '../../src/app/sign-request.js';
import { sha256Hex } from '../../src/adapters/crypto/jws.js';
import { signRegistry, verifyRegistry } from '../../src/adapters/crypto/registry-jws.js';
import type { Message } from '../../src/domain/messages.js';
import type { Registry } from '../../src/domain/registry.js';
import { nodePaths, type RunningNode } from '../../src/main.js';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';
import { officer, settle, startTestFederation } from '../support/federation.js';
import { hostileParty } from '../support/hostile-peer.js';
import { openSealedJws, originalJws } from '../../src/app/stored-jws.js';

type Fed = Awaited<ReturnType<typeof startTestFederation>>;
// ajv-formats is CommonJS; under NodeNext its default export is the module object (as in test/domain/schemas.test.ts).
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

describe('protocol versions: RU and KZ speak 1 and 2, BY only 1', () => {
  let fed: Fed;
  let ruOfficer: Officer;
  let proceedingId: string;
  const ru = () => fed.nodes.RU.wired.ctx;
  const by = () => fed.nodes.BY.wired.ctx;

  before(async () => {
    fed = await startTestFederation({ protocolVersions: { RU: [1, 2], KZ: [1, 2], BY: [1] } });
    ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    proceedingId = (
      await ru()
        .db.selectFrom('proceedings')
        .select('id')
        .where('number', '=', '123456/26/77001-ИП')
        .executeTakeFirstOrThrow()
    ).id;
  });
  after(async () => {
    await fed?.close();
  });

  /** The protocol version a node stored an exchanged message under, and the version inside its signed bytes. */
  async function storedVersion(node: RunningNode, messageId: string): Promise<{ stored: number; signed: number }> {
    const ctx = node.wired.ctx;
    const row = await ctx.db
      .selectFrom('inbox')
      .select(['schema_version', 'payload_enc'])
      .where('message_id', '=', messageId)
      .executeTakeFirstOrThrow();
    const jws = await openSealedJws(ctx, row.payload_enc!, `inbox:${messageId}`);
    const signed = (JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Message).envelope
      .schemaVersion;
    return { stored: row.schema_version, signed };
  }

  async function sendTo(body: { id: string; party: string; name: string }): Promise<{ id: string; messageId: string }> {
    const d = await draftRequest(ru(), ruOfficer, {
      proceedingId,
      requestedBody: body,
      items: [{ kind: 'location', target: 'debtor' }],
      grounds: 'Должник, по имеющимся сведениям, проживает на территории запрашиваемой Стороны.',
    });
    const s = await signRequest(ru(), ruOfficer, { requestId: d.id });
    await settle(fed);
    return { id: d.id, messageId: s.messageId };
  }

  // One life told step by step: the held notice is about the request sent to BY in the first step, and the
  // recipe checks the messages the steps before stored, so the steps are subtests of one test, which runs alone as a
  // whole (ARCHITECTURE.md, house rule 14).
  test('protocol versions step by step: exchanges with BY in version 1 and KZ in version 2, a version-2 type held for BY until its upgrade, then the stored messages of both versions checked by the §10.1 recipe', async (t) => {
    let toBy: { id: string; messageId: string };
    await t.test(
      'requests, answers and steps flow both ways in version 1 with BY, in version 2 with KZ; receipts keep the version',
      async () => {
        toBy = await sendTo({ id: 'by-central', party: 'BY', name: 'ГУПИ Минюста Республики Беларусь' });
        assert.equal((await getRequest(ru(), ruOfficer, toBy.id)).state, 'received', 'BY received it');
        assert.deepEqual(await storedVersion(fed.nodes.BY, toBy.messageId), { stored: 1, signed: 1 });
        const sent = await ru()
          .db.selectFrom('outbox')
          .select(['schema_version', 'receipt'])
          .where('message_id', '=', toBy.messageId)
          .executeTakeFirstOrThrow();
        assert.equal(sent.schema_version, 1, 'RU built the request in version 1 for BY');
        // The receipt's bytes are kept once, on the outbox row; the history names them by their SHA-256.
        const receiptJws = await originalJws(ru().db, (sent.receipt as { jws: string }).jws);
        const receipt = (await getRequest(ru(), ruOfficer, toBy.id)).events.find((e) => e.event === 'receipt')!;
        assert.equal((receipt.data.receipt as { jwsSha256: string }).jwsSha256, sha256Hex(receiptJws));
        assert.equal((receipt.data.receipt as { jws?: string }).jws, undefined, 'not stored again in the history');
        const receiptEnvelope = (JSON.parse(Buffer.from(receiptJws.split('.')[1]!, 'base64url').toString()) as Message)
          .envelope;
        assert.equal(receiptEnvelope.schemaVersion, 1, "BY's receipt is in the request's version");

        // BY (version 1 only) consults and answers; RU stores them as version 1.
        const byOfficer = await officer(fed.nodes.BY, 'by.officer');
        const incoming = await by()
          .db.selectFrom('requests')
          .select('id')
          .where('message_id', '=', toBy.messageId)
          .executeTakeFirstOrThrow();
        const consult = await actOnRequest(by(), byOfficer, {
          requestId: incoming.id,
          step: 'consult',
          data: { text: 'Уточните, пожалуйста, последний известный адрес должника.' },
        });
        await settle(fed);
        assert.deepEqual(await storedVersion(fed.nodes.RU, consult.messageId!), { stored: 1, signed: 1 });
        const answered = await answerRequest(by(), byOfficer, {
          requestId: incoming.id,
          final: true,
          items: [{ itemNo: 1, outcome: 'found', data: { addresses: [{ address: 'г. Минск, ул. Немига, д. 3' }] } }],
        });
        await settle(fed);
        assert.equal((await getRequest(ru(), ruOfficer, toBy.id)).state, 'answered');
        assert.deepEqual(await storedVersion(fed.nodes.RU, answered.messageId), { stored: 1, signed: 1 });

        // RU replies to a step in version 1 too (a requesting-side message to BY).
        const toKz = await sendTo({
          id: 'kz-central',
          party: 'KZ',
          name: 'Комитет по обеспечению исполнения судебных актов Министерства юстиции Республики Казахстан',
        });
        assert.deepEqual(await storedVersion(fed.nodes.KZ, toKz.messageId), { stored: 2, signed: 2 });
        const withdrawn = await actOnRequest(ru(), ruOfficer, {
          requestId: toKz.id,
          step: 'withdraw',
          data: { reason: 'Долг погашен.' },
        });
        await settle(fed);
        assert.deepEqual(await storedVersion(fed.nodes.KZ, withdrawn.messageId!), { stored: 2, signed: 2 });
      },
    );

    await t.test(
      'a type only version 2 has is held for BY with a status the officer reads, and goes out after BY is upgraded and the registry says so',
      async () => {
        // R9.6: RU destroyed BY's answer; the notice exists only in version 2.
        const noticeId = await ru()
          .db.transaction()
          .execute((tx) =>
            notifyDeletion(
              tx,
              ru(),
              { kind: 'system', name: 'retention' },
              {
                requestId: toBy.id,
                destroyed: ['answers'],
                rule: 'Федеральный закон «Об исполнительном производстве»: 5 лет',
                destroyedAt: new Date().toISOString(),
              },
            ),
          );
        await settle(fed);
        const held = await ru()
          .db.selectFrom('outbox')
          .selectAll()
          .where('message_id', '=', noticeId!)
          .executeTakeFirstOrThrow();
        assert.equal(held.status, 'pending', 'held, not failed');
        assert.equal(held.attempts, 0, 'a hold is no attempt');
        assert.equal(held.signed_enc, null, 'nothing was signed in a version BY would read wrongly');
        assert.match(held.last_error ?? '', /^protocol\.unsupported: Узел Беларуси ещё не поддерживает сообщение/);
        // The administrator sees what waits, for whom and why (no personal data).
        const ruAdmin = await officer(fed.nodes.RU, 'ru.admin');
        const waiting = await listWaitingMessages(ru(), ruAdmin);
        assert.deepEqual(
          waiting.map((w) => [w.messageId, w.type, w.toParty]),
          [[noticeId, 'deletion_notice', 'BY']],
        );
        assert.match(waiting[0]!.reason, /^Узел Беларуси ещё не поддерживает сообщение «Уведомление об уничтожении/);
        const view = await getRequest(ru(), ruOfficer, toBy.id);
        const delivery = view.delivery.find((d) => d.messageId === noticeId)!;
        assert.equal(delivery.status, 'pending');
        const page = await fetch(`${fed.nodes.RU.apiUrl}/api/v1/requests/${toBy.id}`, {
          headers: { authorization: `Bearer ${fed.logins.find((l) => l.login === 'ru.officer')!.token}` },
        });
        assert.equal(page.status, 200);

        // BY upgrades its node (versions 1 and 2), and the depositary publishes a registry saying so.
        await fed.restart('BY', { protocolVersions: { BY: [1, 2] } });
        const regFile = nodePaths(path.join(fed.dir, 'ru')).registry;
        const depositaryPem = await readFile(path.join(fed.dir, 'pki', 'depositary.crt'), 'utf8');
        const current = (await verifyRegistry(await readFile(regFile, 'utf8'), depositaryPem)) as Registry;
        const next: Registry = structuredClone(current);
        next.version = current.version + 1;
        next.issuedAt = new Date().toISOString();
        next.parties.BY!.nodes = next.parties.BY!.nodes.map((n) => ({ ...n, protocolVersions: [1, 2] }));
        const depositary = {
          certPem: depositaryPem,
          keyPem: await readFile(path.join(fed.dir, 'pki', 'depositary.key'), 'utf8'),
        };
        const jws = await signRegistry(next, depositary);
        for (const cc of ['ru', 'kz', 'by']) await writeFile(nodePaths(path.join(fed.dir, cc)).registry, jws);
        // The running RU node picks the registry up (its watcher) and releases what it held.
        const deadline = Date.now() + 30_000;
        for (;;) {
          await settle(fed);
          const r = await ru()
            .db.selectFrom('outbox')
            .select(['status', 'schema_version'])
            .where('message_id', '=', noticeId!)
            .executeTakeFirstOrThrow();
          if (r.status === 'delivered') {
            assert.equal(r.schema_version, 2);
            break;
          }
          assert.ok(Date.now() < deadline, `the held notice was not sent after the upgrade (${r.status})`);
          await new Promise((res) => setTimeout(res, 250));
        }
        assert.deepEqual(await listWaitingMessages(ru(), ruAdmin), [], 'nothing waits any more');
        const byRequest = await by()
          .db.selectFrom('requests')
          .select('id')
          .where('message_id', '=', toBy.messageId)
          .executeTakeFirstOrThrow();
        const byView = await getRequest(by(), await officer(fed.nodes.BY, 'by.officer'), byRequest.id);
        const notice = byView.events.find((e) => e.event === 'deletion_notice');
        assert.ok(notice, 'BY keeps the notice in the request history');
        assert.deepEqual(notice.data.destroyed, ['answers']);
      },
    );

    await t.test(
      "the independent recipe of docs/MESSAGES.md §10.1 verifies stored messages of both versions, each against its own version's published schema",
      async () => {
        const stored = async (node: RunningNode, type: string, version: number): Promise<string> => {
          const ctx = node.wired.ctx;
          const row = await ctx.db
            .selectFrom('inbox')
            .select(['message_id', 'payload_enc'])
            .where('type', '=', type as never)
            .where('schema_version', '=', version)
            .orderBy('received_at')
            .executeTakeFirstOrThrow();
          return openSealedJws(ctx, row.payload_enc!, `inbox:${row.message_id}`);
        };
        for (const [node, version] of [
          [fed.nodes.BY, 1],
          [fed.nodes.KZ, 2],
        ] as const) {
          const jws = await stored(node, 'request', version);
          // §10.1, word for word: the key from x5c, jose's compactVerify.
          const { alg, x5c } = decodeProtectedHeader(jws) as { alg: string; x5c: string[] };
          const key = await importX509(`-----BEGIN CERTIFICATE-----\n${x5c[0]}\n-----END CERTIFICATE-----`, alg);
          const { payload } = await compactVerify(jws, key, { algorithms: ['ES256', 'EdDSA'] });
          const message = JSON.parse(new TextDecoder().decode(payload)) as Message;
          assert.equal(message.envelope.schemaVersion, version);
          // Then the published schema of that version (data/schemas/v<schemaVersion>/<type>.json), with ajv.
          const file = new URL(`../../data/schemas/v${version}/request.json`, import.meta.url);
          const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
          (addFormats as unknown as (a: Ajv) => void)(ajv);
          const validate = ajv.compile(JSON.parse(await readFile(file, 'utf8')) as object);
          assert.ok(validate(message), JSON.stringify(validate.errors));
          const other = new URL(`../../data/schemas/v${version === 1 ? 2 : 1}/request.json`, import.meta.url);
          assert.equal(
            ajv.compile(JSON.parse(await readFile(other, 'utf8')) as object)(message),
            false,
            "the other version's schema does not take it",
          );
        }
      },
    );
  });

  test('a version a node does not speak is refused with message.version, naming the versions it accepts', async () => {
    const ruParty = await hostileParty(fed.dir, 'RU');
    const message = (version: number, to: { party: string; body: string }): Message => ({
      envelope: {
        id: randomUUID(),
        type: 'protection_query',
        schemaVersion: version,
        from: { party: 'RU', body: 'ru-fssp' },
        to,
        createdAt: new Date().toISOString(),
      },
      body: {},
    });
    const kzUrl = fed.nodes.KZ.wired.federation!.registry().parties.KZ!.nodes[0]!.url;
    const r3 = await ruParty.send(kzUrl, message(3, { party: 'KZ', body: 'kz-central' }), 'ru-fssp');
    assert.equal(r3.status, 400);
    assert.equal(r3.error?.code, 'message.version');
    assert.deepEqual((r3.error?.details as { accepted: number[] }).accepted, [1, 2]);
    assert.match(r3.error?.message ?? '', /принимает версии 1, 2/);
    // A version-1-only node refuses version 2 the same way (BY before its upgrade is gone; a fresh one-version
    // node is what the restart above replaced, so check KZ narrowed through the same setting instead).
    await fed.restart('KZ', { protocolVersions: { KZ: [1] } });
    const r2 = await ruParty.send(kzUrl, message(2, { party: 'KZ', body: 'kz-central' }), 'ru-fssp');
    assert.equal(r2.error?.code, 'message.version');
    assert.deepEqual((r2.error?.details as { accepted: number[] }).accepted, [1]);
    const r1 = await ruParty.send(kzUrl, message(1, { party: 'KZ', body: 'kz-central' }), 'ru-fssp');
    assert.equal(r1.status, 200, `version 1 is still spoken: ${r1.text.slice(0, 200)}`);
  });
});
