// Article 9 end to end on three nodes (RU, KZ, BY) with real mutual TLS:
// R9.2 — RU asks KZ's consent to pass received data to a third party, KZ's
// officer grants or refuses it, the answer travels back and RU's export gate
// opens or stays closed; R9.5 — RU asks KZ about its protection measures and
// retention periods, KZ's node answers, RU shows the answer.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { answerRequest } from '../../src/app/answer-request.js';
import { askProtectionMeasures } from '../../src/app/ask-protection-measures.js';
import type { Officer } from '../../src/app/context.js';
import { decideDisclosureConsent } from '../../src/app/decide-disclosure-consent.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { exportReceivedData } from '../../src/app/export-received-data.js';
import { getRequest } from '../../src/app/get-request.js';
import { listProtectionQueries } from '../../src/app/list-protection-queries.js';
import { listRequests } from '../../src/app/list-requests.js';
import { recordConsentRequest } from '../../src/app/record-consent-request.js';
import { recordProtectionAnswer } from '../../src/app/record-protection-answer.js';
import { requestDisclosureConsent } from '../../src/app/request-disclosure-consent.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { Message, InboundType } from '../../src/domain/messages.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { officer, settle, startTestFederation } from '../support/federation.js';
import { openSealedJws } from '../../src/app/stored-jws.js';

const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;

describe('Article 9 across nodes: consent to disclose (R9.2) and protection measures (R9.5)', () => {
  let fed: RunningDemo & { close(): Promise<void> };
  let ruOfficer: Officer;
  let ruCentral: Officer;
  let kzOfficer: Officer;
  let kzAlmaty: Officer;
  let kzAdmin: Officer;
  let outgoingId: string;
  let incomingId: string;
  const ru = () => fed.nodes.RU.wired.ctx;
  const kz = () => fed.nodes.KZ.wired.ctx;
  const token = (login: string) => fed.logins.find((l) => l.login === login)!.token;

  /** The body of the last message of `type` RU received, as signed by its sender. */
  async function receivedBody(type: InboundType): Promise<Message> {
    const row = await ru()
      .db.selectFrom('inbox')
      .select(['message_id', 'payload_enc'])
      .where('type', '=', type)
      .orderBy('received_at', 'desc')
      .executeTakeFirstOrThrow();
    const jws = await openSealedJws(ru(), row.payload_enc!, `inbox:${row.message_id}`);
    return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as Message;
  }

  async function askConsent(recipient: string): Promise<string> {
    const c = await requestDisclosureConsent(ru(), ruOfficer, {
      requestId: outgoingId,
      recipient,
      purpose: 'Обращение в суд с иском об обращении взыскания на имущество должника.',
    });
    await settle(fed);
    return c.consentId;
  }

  before(async () => {
    fed = await startTestFederation();
    ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    ruCentral = await officer(fed.nodes.RU, 'ru.central');
    kzOfficer = await officer(fed.nodes.KZ, 'kz.officer');
    kzAlmaty = await officer(fed.nodes.KZ, 'kz.almaty');
    kzAdmin = await officer(fed.nodes.KZ, 'kz.admin');
    const proceedingId = (
      await ru()
        .db.selectFrom('proceedings')
        .select('id')
        .where('number', '=', '123456/26/77001-ИП')
        .executeTakeFirstOrThrow()
    ).id;
    const d = await draftRequest(ru(), ruOfficer, {
      proceedingId,
      requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
      items: [{ kind: 'property', subItems: ['a'] }],
      grounds: 'Должник проживает в г. Алматы и имеет счета в банках Республики Казахстан.',
    });
    outgoingId = d.id;
    await signRequest(ru(), ruOfficer, { requestId: outgoingId });
    await settle(fed);
    incomingId = (await listRequests(kz(), kzOfficer, { direction: 'incoming' })).items[0]!.id;
    await answerRequest(kz(), kzOfficer, {
      requestId: incomingId,
      final: true,
      items: [
        {
          itemNo: 1,
          outcome: 'found',
          data: { accounts: [{ bank: 'АО «Kaspi Bank»', number: 'KZ12722C000012345678', currency: 'KZT' }] },
        },
      ],
    });
    await settle(fed);
    assert.equal((await getRequest(ru(), ruOfficer, outgoingId)).state, 'answered');
  });
  after(async () => {
    await fed?.close();
  });

  test('R9.2: KZ sees RU’s consent request, grants it; the answer travels back and RU’s third-party export opens', async () => {
    const consentId = await askConsent('ТОО «Коллекторское агентство»');
    await assert.rejects(
      exportReceivedData(ru(), ruOfficer, { requestId: outgoingId, recipient: 'third_party', consentId }),
      code('consent.required'),
      'closed while the consent is only asked',
    );
    const v = await getRequest(kz(), kzOfficer, incomingId);
    const open = v.consentRequests.find((c) => c.consentId === consentId);
    assert.ok(open, JSON.stringify(v.consentRequests));
    assert.deepEqual(
      [open.recipient, open.status, open.decidedAt],
      ['ТОО «Коллекторское агентство»', 'requested', null],
    );
    assert.match(open.purpose, /Обращение в суд/);
    assert.ok(open.receivedAt);
    // Sealed at rest: the providing node does not keep the third party's name in clear.
    const raw = await kz()
      .db.selectFrom('received_consents')
      .selectAll()
      .where('consent_id', '=', consentId)
      .executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(raw).includes('Коллекторское'));

    const r = await decideDisclosureConsent(kz(), kzOfficer, { requestId: incomingId, consentId, granted: true });
    assert.equal(r.status, 'granted');
    const kzView = await getRequest(kz(), kzOfficer, incomingId);
    assert.equal(kzView.consentRequests.find((c) => c.consentId === consentId)!.status, 'granted');
    assert.ok(kzView.events.some((e) => e.event === 'consent_answer' && e.data.granted === true));
    await settle(fed);

    const wire = await receivedBody('consent_answer');
    assert.deepEqual(wire.body, { consentId, granted: true }, 'the wire body is exactly the schema’s');
    assert.equal(wire.envelope.from.body, 'kz-central');
    assert.equal(wire.envelope.to.body, 'ru-fssp-77');
    const ruView = await getRequest(ru(), ruOfficer, outgoingId);
    const answered = ruView.consents.find((c) => c.id === consentId)!;
    assert.equal(answered.status, 'granted');
    assert.ok(answered.decidedAt);
    const x = await exportReceivedData(ru(), ruOfficer, { requestId: outgoingId, recipient: 'third_party', consentId });
    assert.match(x.notice, /с согласия предоставившей Стороны/);
    assert.equal(x.items.length, 1);
  });

  test('R9.2: KZ refuses another consent through the API; RU’s export for that third party stays closed', async () => {
    const consentId = await askConsent('ИП Сидоров');
    const res = await fetch(`${fed.nodes.KZ.apiUrl}/api/v1/requests/${incomingId}/consents/${consentId}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('kz.officer')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ granted: false, note: 'Передача сведений коллекторам не допускается.' }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { status: string }).status, 'refused');
    await settle(fed);
    assert.deepEqual((await receivedBody('consent_answer')).body, { consentId, granted: false });
    const c = (await getRequest(ru(), ruOfficer, outgoingId)).consents.find((x) => x.id === consentId)!;
    assert.equal(c.status, 'refused');
    assert.ok(c.decidedAt);
    await assert.rejects(
      exportReceivedData(ru(), ruOfficer, { requestId: outgoingId, recipient: 'third_party', consentId }),
      (e: { code?: string; data?: { status?: string } }) =>
        e.code === 'consent.required' && e.data?.status === 'refused',
    );
  });

  test('R9.2: one decision per consent — a second one is refused and nothing more is sent', async () => {
    const consentId = await askConsent('АО «Оценщик»');
    await decideDisclosureConsent(kz(), kzOfficer, { requestId: incomingId, consentId, granted: false });
    const sent = async () =>
      (await kz().db.selectFrom('outbox').select('payload').where('type', '=', 'consent_answer').execute()).filter(
        (r) => (r.payload as { consentId: string }).consentId === consentId,
      ).length;
    assert.equal(await sent(), 1);
    for (const granted of [true, false])
      await assert.rejects(
        decideDisclosureConsent(kz(), kzOfficer, { requestId: incomingId, consentId, granted }),
        code('consent.decided'),
      );
    assert.equal(await sent(), 1);
    await settle(fed);
    assert.equal(
      (await getRequest(ru(), ruOfficer, outgoingId)).consents.find((x) => x.id === consentId)!.status,
      'refused',
    );
  });

  test('R9.2: only the body holding the request decides — a stranger body’s officer, an admin and the requesting side are refused', async () => {
    const consentId = await askConsent('ООО «Третье лицо»');
    await assert.rejects(
      decideDisclosureConsent(kz(), kzAlmaty, { requestId: incomingId, consentId, granted: true }),
      code('request.not_found'),
    );
    await assert.rejects(
      decideDisclosureConsent(kz(), kzAdmin, { requestId: incomingId, consentId, granted: true }),
      code('access.denied'),
    );
    await assert.rejects(
      decideDisclosureConsent(ru(), ruOfficer, { requestId: outgoingId, consentId, granted: true }),
      code('consent.not_found'),
    );
    const res = await fetch(`${fed.nodes.KZ.apiUrl}/api/v1/requests/${incomingId}/consents/${consentId}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('kz.almaty')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ granted: true }),
    });
    assert.equal(res.status, 404);
    const v = await getRequest(kz(), kzOfficer, incomingId);
    assert.equal(v.consentRequests.find((c) => c.consentId === consentId)!.status, 'requested');
    await settle(fed);
    assert.equal(
      (await getRequest(ru(), ruOfficer, outgoingId)).consents.find((x) => x.id === consentId)!.status,
      'requested',
    );
  });

  test('R9.2: a consent request is recorded once per (request, consentId); a replayed one under a new message id is refused', async () => {
    const request = await kz()
      .db.selectFrom('requests')
      .selectAll()
      .where('id', '=', incomingId)
      .executeTakeFirstOrThrow();
    const consentId = '0b7d2f4e-4f0a-4d39-9e8c-5a0b1c2d3e4f';
    const input = {
      request,
      messageId: 'e5c1b0a2-1111-4c3b-9a8d-000000000001',
      consentId,
      recipient: 'X',
      purpose: 'Y',
    };
    const first = await kz()
      .db.transaction()
      .execute((tx) => recordConsentRequest(tx, kz(), input));
    const again = await kz()
      .db.transaction()
      .execute((tx) => recordConsentRequest(tx, kz(), input));
    assert.equal(again.id, first.id);
    await assert.rejects(
      kz()
        .db.transaction()
        .execute((tx) =>
          recordConsentRequest(tx, kz(), { ...input, messageId: 'e5c1b0a2-1111-4c3b-9a8d-000000000002' }),
        ),
      code('message.context'),
    );
  });

  test('R9.5: RU’s central officer asks KZ about its protection measures; KZ’s node answers in reply to the query; RU shows it', async () => {
    await assert.rejects(askProtectionMeasures(ru(), ruOfficer, { party: 'KZ' }), code('access.denied'));
    await assert.rejects(askProtectionMeasures(ru(), ruCentral, { party: 'RU' }), code('registry.pair'));
    await assert.rejects(askProtectionMeasures(ru(), ruCentral, { party: 'UZ' }), code('registry.pair'));
    const q = await askProtectionMeasures(ru(), ruCentral, { party: 'KZ' });
    const before = await listProtectionQueries(ru(), ruCentral);
    const open = before.queries.find((x) => x.id === q.queryId)!;
    assert.deepEqual([open.party, open.answeredAt], ['KZ', null]);
    await settle(fed);
    const answer = await receivedBody('protection_answer');
    assert.equal(answer.envelope.inReplyTo, q.queryId, 'the answer names the query it answers');
    assert.equal(answer.envelope.to.body, 'ru-fssp');
    const list = await listProtectionQueries(ru(), ruCentral);
    const done = list.queries.find((x) => x.id === q.queryId)!;
    assert.ok(done.answeredAt);
    assert.match(done.measures!, /AES-256-GCM/);
    assert.match(done.retention!, /5 лет/);
    assert.ok(list.statement, 'the node’s own statement is shown beside the answers');
    assert.ok(list.parties.some((p) => p.code === 'KZ') && !list.parties.some((p) => p.code === 'RU'));

    // The REST API: an administrator asks BY and lists the queries.
    const post = await fetch(`${fed.nodes.RU.apiUrl}/api/v1/protection-queries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token('ru.admin')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ party: 'BY' }),
    });
    assert.equal(post.status, 201, await post.clone().text());
    const byQuery = ((await post.json()) as { queryId: string }).queryId;
    await settle(fed);
    const get = await fetch(`${fed.nodes.RU.apiUrl}/api/v1/protection-queries`, {
      headers: { authorization: `Bearer ${token('ru.admin')}` },
    });
    assert.equal(get.status, 200);
    const rows = ((await get.json()) as { queries: { id: string; party: string; answeredAt: string | null }[] })
      .queries;
    assert.ok(rows.find((x) => x.id === byQuery && x.party === 'BY' && x.answeredAt));
    const denied = await fetch(`${fed.nodes.RU.apiUrl}/api/v1/protection-queries`, {
      headers: { authorization: `Bearer ${token('ru.officer')}` },
    });
    assert.equal(denied.status, 403);
  });

  test('R9.5: an answer to no open query, or from a Party that was not asked, is refused and changes nothing', async () => {
    const q = await askProtectionMeasures(ru(), ruCentral, { party: 'KZ' });
    const answer = (queryId: string, fromParty: string) =>
      ru()
        .db.transaction()
        .execute((tx) =>
          recordProtectionAnswer(tx, ru(), {
            queryId,
            fromParty,
            measures: 'Ложные сведения',
            retention: '—',
            receivedAt: new Date(),
          }),
        );
    await assert.rejects(answer(q.queryId, 'BY'), code('message.context'));
    await assert.rejects(answer('6f0e1d2c-3b4a-4958-8776-655443322110', 'KZ'), code('message.context'));
    const row = (await listProtectionQueries(ru(), ruCentral)).queries.find((x) => x.id === q.queryId)!;
    assert.equal(row.answeredAt, null);
    await settle(fed);
    const done = (await listProtectionQueries(ru(), ruCentral)).queries.find((x) => x.id === q.queryId)!;
    assert.ok(done.answeredAt);
    await assert.rejects(answer(q.queryId, 'KZ'), code('message.context'), 'a query is answered once');
  });
});
