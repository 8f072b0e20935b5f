// R9.6, the whole Article 9(6) life cycle on real storage (PGlite, and
// PostgreSQL when available): a Russian node asks a Kazakh node; messages go
// through receiveMessage (the federation adapter's verification is replaced by
// handing over the composed message, as the adapter would). After the purge a
// scan of every column of every table of the node — plain values searched as
// text, sealed values opened with the node's key under every AAD the node uses
// — finds none of the destroyed data.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { sha256Hex } from '../../src/adapters/crypto/jws.js';
import { actOnRequest } from '../../src/app/act-on-request.js';
import { answerRequest } from '../../src/app/answer-request.js';
import { checkRetentionRules } from '../../src/app/check-retention-rules.js';
import { composeMessage } from '../../src/app/compose-message.js';
import type { Actor, Officer } from '../../src/app/context.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { purgeExpiredData, type PurgeResult } from '../../src/app/purge-expired-data.js';
import { receiveMessage } from '../../src/app/receive-message.js';
import { recordJwsHeaders, sealJws } from '../../src/app/stored-jws.js';
import { consentDetailsAad } from '../../src/app/record-consent-request.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { requestDisclosureConsent } from '../../src/app/request-disclosure-consent.js';
import { setRetentionRule } from '../../src/app/set-retention-rule.js';
import { signRequest } from '../../src/app/sign-request.js';
import { sealFor, verifyPaperOriginal } from '../../src/app/verify-paper-original.js';
import type { InboundType, TypedMessage } from '../../src/domain/messages.js';
import { personTerms } from '../../src/domain/search.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { aRequest } from '../support/requests.js';

const SYSTEM: Actor = { kind: 'system', name: 'retention-test' };
const MONTH = 31 * 86_400_000;
const example = aRequest();

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
// The header as a node signs it (alg, typ, x5c): stored by reference to jws_headers (src/app/stored-jws.ts).
const fakeJws = (payload: unknown) =>
  [b64({ alg: 'ES256', typ: 'eix+jws', x5c: ['ZmFrZS1jZXJ0aWZpY2F0ZQ=='] }), b64(payload), b64('signature')].join('.');

/**
 * What the transport does with an outbox row: compose and sign it (sealed in
 * the outbox with its hash), deliver it to the other node (receiveMessage
 * stores it sealed in the inbox and answers a receipt) and record the delivery.
 * `legacy`: a row signed before migration 008 (no hash beside the bytes, the JWS sealed whole as before 029).
 */
async function transmit(from: TestNode, to: TestNode, messageId: string, legacy = false): Promise<string> {
  const row = await from.ctx.db
    .selectFrom('outbox')
    .selectAll()
    .where('message_id', '=', messageId)
    .executeTakeFirstOrThrow();
  const message = await composeMessage(from.ctx, row);
  const jws = fakeJws(message);
  const digest = sha256Hex(jws);
  if (!legacy) await recordJwsHeaders(from.ctx.db, [jws]);
  await from.ctx.db
    .updateTable('outbox')
    .set({
      signed_enc: legacy
        ? from.ctx.sealer.encrypt(Buffer.from(jws), `outbox:${messageId}`)
        : sealJws(from.ctx, jws, `outbox:${messageId}`),
      signed_key_id: from.ctx.sealer.activeKeyId,
      signed_sha256: legacy ? null : digest,
    })
    .where('id', '=', row.id)
    .execute();
  const accepted = await receiveMessage(to.ctx, {
    verified: { message: message as TypedMessage<InboundType>, digest, jws },
    receivedAt: to.ctx.clock.now(),
    freshness: async () => null,
    signReceipt: async (r) => fakeJws(r),
  });
  await recordDelivery(from.ctx, SYSTEM, {
    messageId,
    receiptAt: to.ctx.clock.now().toISOString(),
    receipt: { jws: accepted.receiptJws },
  });
  return digest;
}

/** Every AAD the node seals under, built from the keys of its rows. */
async function knownAads(node: TestNode): Promise<string[]> {
  const db = node.ctx.db;
  const aads = [
    ...(await db.selectFrom('requests').select('id').execute()).map((r) => `request:${r.id}`),
    ...(await db.selectFrom('answers').select('id').execute()).map((r) => `answer:${r.id}`),
    ...(await db.selectFrom('attachments').select('sha256').execute()).map((r) => `attachment:${r.sha256}`),
    ...(await db.selectFrom('inbox').select('message_id').execute()).map((r) => `inbox:${r.message_id}`),
    ...(await db.selectFrom('outbox').select('message_id').execute()).map((r) => `outbox:${r.message_id}`),
    ...(await db.selectFrom('received_consents').select('id').execute()).map((r) => consentDetailsAad(r.id)),
  ];
  const events = await db.selectFrom('request_events').select(['request_id', 'data']).execute();
  for (const e of events) {
    const id = (e.data as Record<string, unknown>).messageId;
    if (typeof id === 'string') aads.push(`event:${e.request_id}:${id}`);
  }
  return aads;
}

interface Finding {
  where: string;
  needle: string;
}

/**
 * Scans every column of every table of the node's schema: plain values as
 * text; bytea values and base64 strings inside plain values opened with the
 * node's key under every known AAD. Returns each needle found and where; a
 * bytea value nothing opens is reported too (an unknown seal could hide data).
 */
async function scan(node: TestNode, needles: readonly string[]): Promise<Finding[]> {
  const db = node.ctx.db;
  const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(db);
  assert.ok(columns.rows.length > 50, 'the scan sees the node tables');
  const aads = await knownAads(node);
  const open = (sealed: Uint8Array): string | null => {
    for (const aad of aads) {
      try {
        return node.ctx.sealer.decrypt(sealed, aad).toString('utf8');
      } catch {
        /* another AAD */
      }
    }
    return null;
  };
  const found: Finding[] = [];
  const look = (where: string, text: string) => {
    for (const n of needles) if (text.includes(n)) found.push({ where, needle: n });
  };
  for (const c of columns.rows) {
    const where = `${c.table_name}.${c.column_name}`;
    if (c.data_type === 'bytea') {
      const rows = await sql<{ v: Uint8Array | null }>`select ${sql.ref(c.column_name)} as v from ${sql.table(
        c.table_name,
      )}`.execute(db);
      for (const r of rows.rows) {
        if (r.v === null) continue;
        const plain = open(r.v);
        if (plain === null) found.push({ where, needle: '<sealed value no known AAD opens>' });
        else look(`${where} (opened)`, plain);
      }
      continue;
    }
    const rows = await sql<{ v: string | null }>`select ${sql.ref(c.column_name)}::text as v from ${sql.table(
      c.table_name,
    )}`.execute(db);
    for (const r of rows.rows) {
      if (r.v === null) continue;
      look(where, r.v);
      // Sealed values carried inside JSON (history entries keep them in base64).
      for (const m of r.v.match(/[A-Za-z0-9+/]{40,}={0,2}/g) ?? []) {
        const plain = open(Buffer.from(m, 'base64'));
        if (plain !== null) look(`${where} (opened)`, plain);
      }
    }
  }
  return found;
}

const kinds = (r: PurgeResult, requestId: string) =>
  r.destroyed
    .filter((d) => d.requestId === requestId)
    .map((d) => d.kind)
    .sort();

for (const e of ENGINES) {
  describe(`R9.6 retention life cycle on ${e.engine}`, () => {
    let ru: TestNode;
    let kz: TestNode;
    let officer: Officer;
    let kzOfficer: Officer;
    let kzAdmin: Officer;
    let ruAdmin: Officer;
    let outgoingId: string;
    let incomingId: string;
    let requestMessageId: string;
    let requestSha: string;
    /** The debtor's data and everything received or answered about them. */
    let kzNeedles: string[];
    const answerNeedles = ['KZ86125KZT5004100100', 'пр. Абая, д. 10', 'Алматы Строй', 'Выписка по счёту'];

    before(async () => {
      const [a, b] = await Promise.all([e.open(), e.open()]);
      ru = nodeOn(a, 'RU');
      kz = nodeOn(b, 'KZ', ru.clock);
      const ruBody = await seedBody(ru.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      officer = await seedOfficer(ru.ctx, ruBody);
      ruAdmin = await seedOfficer(ru.ctx, ruBody, ['admin']);
      await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
      kzOfficer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
      kzAdmin = await seedOfficer(kz.ctx, 'kz-central', ['admin']);
      kzNeedles = [
        'Иванов',
        'IVANOV',
        '500100732259',
        'Тверская',
        'Налоговый орган',
        ...answerNeedles,
        ...personTerms(example.debtor).map((t) => kz.ctx.sealer.blindIndex(t)),
      ];

      // RU asks KZ; the request travels, RU consults (a text naming the debtor), KZ answers, RU asks consent (R9.2).
      const proceedingId = (
        await createProceeding(ru.ctx, officer, {
          number: '555/26/77001-ИП',
          openedOn: '2026-03-02',
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocuments: [example.executiveDocument],
        })
      ).id;
      outgoingId = (
        await draftRequest(ru.ctx, officer, {
          proceedingId,
          requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
          items: example.items,
          grounds: example.grounds,
        })
      ).id;
      requestMessageId = (await signRequest(ru.ctx, officer, { requestId: outgoingId })).messageId;
      requestSha = await transmit(ru, kz, requestMessageId);
      incomingId = (
        await kz.ctx.db
          .selectFrom('requests')
          .select('id')
          .where('message_id', '=', requestMessageId)
          .executeTakeFirstOrThrow()
      ).id;
      const consult = await actOnRequest(ru.ctx, officer, {
        requestId: outgoingId,
        step: 'consult',
        data: { text: 'Должник Иванов Иван Иванович, ИНН 500100732259, мог сменить адрес на ул. Тверская.' },
      });
      await transmit(ru, kz, consult.messageId!, true);
      const answered = await answerRequest(kz.ctx, kzOfficer, {
        requestId: incomingId,
        final: true,
        items: [
          { itemNo: 1, outcome: 'not_found' },
          {
            itemNo: 2,
            outcome: 'found',
            data: {
              accounts: [{ bank: 'АО «Народный банк Казахстана»', number: 'KZ86125KZT5004100100', currency: 'KZT' }],
            },
            attachments: [
              {
                fileName: 'выписка.txt',
                mediaType: 'text/plain',
                contentBase64: Buffer.from('Выписка по счёту KZ86125KZT5004100100').toString('base64'),
              },
            ],
          },
          { itemNo: 3, outcome: 'found', data: { employer: { name: 'ТОО «Алматы Строй»', position: 'инженер' } } },
          {
            itemNo: 4,
            outcome: 'found',
            data: { addresses: [{ address: 'г. Алматы, пр. Абая, д. 10, кв. 5', kind: 'место жительства' }] },
          },
        ],
      });
      assert.equal(answered.state, 'answered');
      await transmit(kz, ru, answered.messageId);
      assert.equal((await getRequest(ru.ctx, officer, outgoingId)).state, 'answered');
      const consent = await requestDisclosureConsent(ru.ctx, officer, {
        requestId: outgoingId,
        recipient: 'Налоговый орган г. Москвы',
        purpose: 'Проверка доходов должника Иванова',
      });
      await transmit(ru, kz, consent.messageId);
      assert.equal((await getRequest(kz.ctx, kzOfficer, incomingId)).consentRequests.length, 1);
    });
    after(async () => {
      await ru.database.close();
      await kz.database.close();
    });

    test('R9.6: while a needed rule is missing nothing is destroyed, and the check, the purge and the rules name it', async () => {
      const check = await checkRetentionRules(kz.ctx, kzAdmin);
      assert.deepEqual(check.missing, [
        { party: 'KZ', kinds: ['answers_received', 'step_texts', 'messages'], requests: 0 },
        { party: 'RU', kinds: ['incoming_requests', 'answers_sent', 'step_texts', 'messages'], requests: 1 },
      ]);
      // The node's own rule does not govern what the requesting Party sent (Article 9(6)).
      await setRetentionRule(kz.ctx, kzAdmin, { party: 'KZ', months: 1, legalBasis: 'Закон РК' });
      kz.clock.advance(13 * MONTH);
      try {
        const r = await purgeExpiredData(kz.ctx, SYSTEM);
        assert.deepEqual([r.destroyed, r.requests], [[], []]);
        assert.deepEqual(r.missingRules, [
          { party: 'RU', kinds: ['incoming_requests', 'answers_sent', 'step_texts', 'messages'], requests: 1 },
        ]);
        assert.ok(
          (await kz.ctx.db.selectFrom('requests').select('document_enc').executeTakeFirstOrThrow()).document_enc,
        );
      } finally {
        kz.clock.advance(-13 * MONTH);
      }
      await rejects(
        setRetentionRule(kz.ctx, kzAdmin, { party: 'XX', months: 12, legalBasis: 'x' }),
        'input.party',
        'party',
      );
      await rejects(
        setRetentionRule(kz.ctx, kzAdmin, { party: 'RU', kind: 'everything', months: 12, legalBasis: 'x' }),
        'input.invalid',
        'kind',
      );
    });

    test('R9.6: the rule set for the requesting Party governs its incoming requests, kind by kind; the result says what went under which rule', async () => {
      await setRetentionRule(kz.ctx, kzAdmin, {
        party: 'RU',
        months: 12,
        legalBasis: 'ФЗ «Об исполнительном производстве», ст. 9',
      });
      await setRetentionRule(kz.ctx, kzAdmin, {
        party: 'RU',
        kind: 'messages',
        months: 24,
        legalBasis: 'Приказ ФССП России о сроках хранения',
      });
      assert.deepEqual((await checkRetentionRules(kz.ctx, kzAdmin)).missing, []);
      assert.deepEqual((await purgeExpiredData(kz.ctx, SYSTEM)).destroyed, [], 'nothing before the period ends');
      kz.clock.advance(13 * MONTH);
      const r = await purgeExpiredData(kz.ctx, SYSTEM);
      assert.deepEqual(r.requests, [incomingId]);
      assert.deepEqual(kinds(r, incomingId), ['answers_sent', 'incoming_requests', 'step_texts']);
      const doc = r.destroyed.find((d) => d.kind === 'incoming_requests')!;
      assert.deepEqual(
        { ...doc, expiredAt: typeof doc.expiredAt },
        {
          kind: 'incoming_requests',
          requestId: incomingId,
          requestNumber: 'ru-fssp-77/2026/000001',
          direction: 'incoming',
          counterpartParty: 'RU',
          counterpartBody: 'ru-fssp-77',
          requestMessageId,
          rule: { party: 'RU', kind: 'all', months: 12, legalBasis: 'ФЗ «Об исполнительном производстве», ст. 9' },
          expiredAt: 'string',
          count: 1,
          messageIds: [],
        },
      );
      assert.equal(
        r.destroyed.find((d) => d.kind === 'answers_sent')!.count,
        4 + 1,
        'four answers and their attachment',
      );
      assert.equal(
        r.destroyed.find((d) => d.kind === 'step_texts')!.count,
        2 + 1,
        'consult and consent texts, consent details',
      );
      const audit = await kz.ctx.db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'personal_data.purge')
        .where('request_id', '=', incomingId)
        .execute();
      assert.equal(audit.length, 1, 'one audit entry per request purged');
      // The messages have a longer rule of their own: still whole, the paper check opens them.
      const paper = await verifyPaperOriginal(kz.ctx, kzOfficer, { payload: `EIX1|${requestMessageId}|${requestSha}` });
      assert.deepEqual([paper.valid, paper.contentDestroyed], [true, undefined]);

      kz.clock.advance(12 * MONTH);
      const later = await purgeExpiredData(kz.ctx, SYSTEM);
      assert.deepEqual(kinds(later, incomingId), ['messages']);
      const m = later.destroyed[0]!;
      assert.deepEqual([m.rule.kind, m.rule.months, m.count], ['messages', 24, 4]);
      assert.equal(new Set(m.messageIds).size, 4, 'request, consult and consent received; answer sent');
      assert.ok(m.messageIds.includes(requestMessageId));
      assert.equal(
        (
          await kz.ctx.db
            .selectFrom('audit_log')
            .select('seq')
            .where('action', '=', 'personal_data.purge')
            .where('request_id', '=', incomingId)
            .execute()
        ).length,
        2,
      );
    });

    test('R9.6: a second run destroys nothing (idempotent)', async () => {
      const again = await purgeExpiredData(kz.ctx, SYSTEM);
      assert.deepEqual([again.destroyed, again.requests], [[], []]);
      assert.deepEqual(
        Object.values(again.totals).filter((n) => n !== 0),
        [],
      );
    });

    test('R9.6: after the purge no column of any table holds the destroyed data, plain or sealed', async () => {
      const findings = await scan(kz, kzNeedles);
      assert.deepEqual(findings, []);
      // What proves the exchange stays: header, hash of the signed bytes, receipt.
      const inbox = await kz.ctx.db
        .selectFrom('inbox')
        .selectAll()
        .where('message_id', '=', requestMessageId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        [inbox.payload_enc, inbox.payload_sha256, inbox.from_party, inbox.type, inbox.purged_at !== null],
        [null, requestSha, 'RU', 'request', true],
      );
      assert.equal((inbox.receipt as { messageSha256: string }).messageSha256, requestSha);
      const sent = await kz.ctx.db.selectFrom('outbox').selectAll().where('request_id', '=', incomingId).execute();
      // R9.6: RU, which provided the request, is told (a signed deletion notice, queued by the purge itself).
      const notices = sent.filter((o) => o.type === 'deletion_notice');
      assert.deepEqual(
        notices.map((n) => [n.to_party, (n.payload as { destroyed: string[] }).destroyed]),
        [
          ['RU', ['request', 'messages']],
          ['RU', ['messages']],
        ],
        'one notice per purge that destroyed what RU provided',
      );
      assert.ok(
        sent
          .filter((o) => o.type !== 'deletion_notice')
          .every((o) => o.signed_enc === null && /^[0-9a-f]{64}$/.test(o.signed_sha256 ?? '') && o.receipt),
      );
    });

    test('R9.6, R10.a: the paper original is checked from the kept hash and says the content was destroyed', async () => {
      const ok = await verifyPaperOriginal(kz.ctx, kzOfficer, { payload: `EIX1|${requestMessageId}|${requestSha}` });
      assert.deepEqual([ok.valid, ok.contentDestroyed, ok.requestId], [true, true, incomingId]);
      const bad = await verifyPaperOriginal(kz.ctx, kzOfficer, {
        payload: `EIX1|${requestMessageId}|${'0'.repeat(64)}`,
      });
      assert.deepEqual([bad.valid, bad.reason, bad.contentDestroyed], [false, 'hash_mismatch', true]);
      const view = await getRequest(kz.ctx, kzOfficer, incomingId);
      const seal = await sealFor(kz.ctx, view, 'request');
      assert.deepEqual([seal?.messageId, seal?.documentSha256], [requestMessageId, requestSha]);
    });

    test('R9.6: the officer sees the tombstone: the request, its answers, texts and consent requests are marked destroyed', async () => {
      const reads = async () =>
        (
          await kz.ctx.db
            .selectFrom('audit_log')
            .select('seq')
            .where('action', '=', 'personal_data.read')
            .where('request_id', '=', incomingId)
            .execute()
        ).length;
      const before = await reads();
      const v = await getRequest(kz.ctx, kzOfficer, incomingId);
      assert.equal(v.documentPurged, true);
      assert.ok(v.purgedAt);
      assert.deepEqual(v.document, {
        number: 'ru-fssp-77/2026/000001',
        requestingBody: v.counterpartBody,
      });
      assert.ok(v.answers.length === 4 && v.answers.every((a) => a.purged && a.data === null));
      assert.ok(v.consentRequests.every((c) => c.purged && c.recipient === '—'));
      const consult = v.events.find((x) => x.event === 'consult')!;
      assert.equal(typeof consult.data.purgedAt, 'string');
      assert.equal(consult.data.text, undefined);
      assert.deepEqual(v.items.length, 4, 'the items asked (kinds, provisions) stay');
      assert.equal(await reads(), before, 'nothing received is left to read, so no read is logged');
    });

    test('R9.6: the requesting side destroys the answers it received under its own Party’s rule', async () => {
      const before = await checkRetentionRules(ru.ctx, ruAdmin);
      assert.deepEqual(before.missing, [
        { party: 'RU', kinds: ['answers_received', 'step_texts', 'messages'], requests: 1 },
      ]);
      assert.deepEqual((await purgeExpiredData(ru.ctx, SYSTEM)).destroyed, [], 'no rule, nothing destroyed');
      await setRetentionRule(ru.ctx, ruAdmin, {
        party: 'RU',
        months: 12,
        legalBasis: 'ФЗ «Об исполнительном производстве»',
      });
      const r = await purgeExpiredData(ru.ctx, SYSTEM);
      assert.deepEqual(kinds(r, outgoingId), ['answers_received', 'messages']);
      assert.equal(
        r.destroyed.find((d) => d.kind === 'messages')!.count,
        4,
        'request, consult, consent request sent; answer received',
      );
      assert.deepEqual([r.totals.answers, r.totals.attachments], [4, 1]);
      assert.deepEqual(await scan(ru, answerNeedles), []);
      const v = await getRequest(ru.ctx, officer, outgoingId);
      assert.ok(v.purgedAt && v.answers.every((a) => a.purged));
      assert.equal(v.documentPurged, false, 'the requesting body’s own request stays');
      assert.deepEqual((await purgeExpiredData(ru.ctx, SYSTEM)).destroyed, []);
    });
  });
}
