// Counterpart binding (docs: /work/shared/RECEIVING.md, issue 11 "Done when"):
// a node believes a verified message only for what its sender may say about
// the request it names. Every hostile message below is built by a real Party of
// the test federation with nothing but its own keys (its node's TLS key and
// chain, its bodies' signing keys) and delivered over real mutual TLS to the
// target node's federation endpoint, with an envelope that tells the truth
// about who signed it — so transport and signature checks pass and only the
// binding rules can stop it. Each refusal is checked for its stable code, for
// storing nothing (the request's state, version, history, answers, consents,
// the inbox row), for an unchanged officer's view and for the
// `federation.rejected` audit entry. Control tests send the same kind of
// message from the legitimate counterpart and check that it IS applied, so a
// refusal can never come from something else.
//
// Storage engines: the whole matrix runs on PGlite, and again on PostgreSQL
// (three throwaway databases on the local server, one per node, dropped after)
// when the test server answers (test/support/db.ts, EIX_TEST_DATABASE_URL).
// Both together take about a minute (PGlite ~45 s, most of it starting the
// three nodes; PostgreSQL ~15 s), so PostgreSQL gets the full matrix too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { certificateInfo, issueBodyCertificate, type CertAndKey } from '../../src/adapters/crypto/pki.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import type { Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { forwardRequest } from '../../src/app/forward-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { requestDisclosureConsent } from '../../src/app/request-disclosure-consent.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { DemoParty, RunningDemo } from '../../src/demo/federation.js';
import type { Message, MessageType } from '../../src/domain/messages.js';
import type { Registry } from '../../src/domain/registry.js';
import { TEST_DATABASE_URL, throwawayDatabases } from '../support/db.js';
import { officer, settle, startTestFederation } from '../support/federation.js';
import { hostileParty, type HostileParty, type PostResult } from '../support/hostile-peer.js';
import { aRequest } from '../support/requests.js';

const DAY = 86_400_000;

/** Codes of the checks that run before binding: a hostile message that meets one of them is a broken test, not a refusal by binding. */
const PRE_BINDING_CODES = [
  'message.tls',
  'message.signature',
  'message.schema',
  'message.type',
  'message.clock',
  'message.replay',
  'transport.failed',
  'input.media_type',
  'input.too_large',
];

const BODIES = {
  kzCentral: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
  byCentral: { id: 'by-central', party: 'BY', name: 'ГУПИ Минюста Республики Беларусь' },
};

const FALSE_ACCOUNT = {
  items: [
    {
      itemNo: 1,
      outcome: 'found',
      data: { accounts: [{ bank: 'ОАО «Подставной банк»', number: 'BY00FAKE00000000000000000000', currency: 'BYN' }] },
    },
  ],
};

/** A valid body of each requested-side step (MESSAGE_TYPES) and the history event it becomes. */
const REQUESTED_STEPS: readonly { type: MessageType; event: string; body: Record<string, unknown> }[] = [
  { type: 'refusal', event: 'refuse', body: { ground: 'law', circumstances: 'Исполнение противоречит закону.' } },
  {
    type: 'notify_delay',
    event: 'notify_delay',
    body: { newDate: new Date(Date.now() + 60 * DAY).toISOString().slice(0, 10), reason: 'Ожидается ответ банка.' },
  },
  { type: 'postpone', event: 'postpone', body: { reason: 'Идёт проверка сведений.' } },
  { type: 'consult', event: 'consult', body: { text: 'Уточните, пожалуйста, реквизиты должника.' } },
  { type: 'request_additional_info', event: 'request_additional_info', body: { questions: 'Укажите ИИН должника.' } },
  { type: 'forward', event: 'forward', body: { body: 'kz-almaty', name: 'Департамент юстиции города Алматы' } },
];

interface EngineRun {
  readonly engine: 'pglite' | 'postgres';
  /** Per node, when the nodes run on PostgreSQL. */
  databases?(): Promise<{ urls: Record<DemoParty, string>; drop(): Promise<void> }>;
}

const RUNS: readonly EngineRun[] = [
  { engine: 'pglite' },
  ...(TEST_DATABASE_URL
    ? [{ engine: 'postgres' as const, databases: () => throwawayDatabases(TEST_DATABASE_URL!, 'cb') }]
    : []),
];

for (const run of RUNS) {
  describe(`counterpart binding: who may say what about a request (${run.engine})`, { timeout: 600_000 }, () => {
    let fed: RunningDemo & { dir: string; close(): Promise<void> };
    let dropDatabases: (() => Promise<void>) | null = null;
    let ruOfficer: Officer;
    let kzOfficer: Officer;
    let proceedingId: string;
    let urls: Record<DemoParty, string>;
    let RU: HostileParty;
    let KZ: HostileParty;
    let BY: HostileParty;

    before(async () => {
      const dbs = run.databases ? await run.databases() : null;
      dropDatabases = dbs?.drop ?? null;
      fed = await startTestFederation(dbs ? { databaseUrls: dbs.urls } : {});
      ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
      kzOfficer = await officer(fed.nodes.KZ, 'kz.officer');
      proceedingId = (
        await ctx('RU')
          .db.selectFrom('proceedings')
          .select('id')
          .where('number', '=', '123456/26/77001-ИП')
          .executeTakeFirstOrThrow()
      ).id;
      const registry = fed.nodes.RU.wired.federation!.registry();
      urls = { RU: nodeUrl(registry, 'RU'), KZ: nodeUrl(registry, 'KZ'), BY: nodeUrl(registry, 'BY') };
      [RU, KZ, BY] = await Promise.all([
        hostileParty(fed.dir, 'RU'),
        hostileParty(fed.dir, 'KZ'),
        hostileParty(fed.dir, 'BY'),
      ]);
    });
    after(async () => {
      await fed?.close();
      await dropDatabases?.();
    });

    const nodeUrl = (registry: Registry, p: DemoParty) => registry.parties[p]!.nodes[0]!.url;
    const ctx = (p: DemoParty) => fed.nodes[p].wired.ctx;

    // ---- building messages ------------------------------------------------------------------

    const message = (
      type: MessageType,
      from: { party: string; body: string },
      to: { party: string; body: string },
      body: Record<string, unknown>,
      opts: { inReplyTo?: string; createdAt?: Date } = {},
    ): Message => ({
      envelope: {
        id: randomUUID(),
        type,
        schemaVersion: 1,
        from,
        to,
        ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo } : {}),
        createdAt: (opts.createdAt ?? new Date()).toISOString(),
        officer: { id: 'hostile', name: 'Иванов Иван Иванович', position: 'судебный исполнитель' },
      },
      body,
    });
    const from = (party: string, body: string) => ({ party, body });
    const RU_77 = from('RU', 'ru-fssp-77');
    const KZ_CENTRAL = from('KZ', 'kz-central');
    const KZ_ALMATY = from('KZ', 'kz-almaty');
    const BY_CENTRAL = from('BY', 'by-central');

    /** A new `request` from BY's central body to RU's central body: valid in every respect unless `change` says otherwise. */
    const byRequest = (
      change: { from?: { party: string; body: string }; to?: { party: string; body: string }; createdAt?: Date } = {},
      requestingBody = { id: 'by-central', party: 'BY', name: BODIES.byCentral.name },
    ): Message =>
      message(
        'request',
        change.from ?? BY_CENTRAL,
        change.to ?? from('RU', 'ru-fssp'),
        {
          request: aRequest((r) => {
            r.number = `BY-${randomBytes(3).toString('hex')}`;
            r.requestingBody = requestingBody;
            // R10.b: the body that asks holds the proceeding.
            r.proceeding = { ...r.proceeding, bodyId: requestingBody.id };
            r.requestedBody = { id: 'ru-fssp', party: 'RU', name: 'Федеральная служба судебных приставов' };
          }),
        },
        change.createdAt ? { createdAt: change.createdAt } : {},
      );

    // ---- the set-up: a real RU → KZ request ---------------------------------------------------

    interface Shared {
      /** The request at RU (outgoing). */
      ruId: string;
      /** Its message id: what an attacker reads from the QR code of the paper original. */
      messageId: string;
      /** The same request at the requested node (incoming). */
      remoteId: string;
    }

    /** RU's officer drafts and signs a request to `to`; it is delivered and received. */
    async function sentRequest(to: { id: string; party: string; name: string } = BODIES.kzCentral): Promise<Shared> {
      const d = await draftRequest(ctx('RU'), ruOfficer, {
        proceedingId,
        requestedBody: to,
        items: [{ kind: 'property', subItems: ['a', 'b'] }],
        grounds: 'Должник проживает и получает доход на территории запрашиваемой Стороны.',
      });
      const s = await signRequest(ctx('RU'), ruOfficer, { requestId: d.id });
      await settle(fed);
      const remote = await ctx(to.party as DemoParty)
        .db.selectFrom('requests')
        .select(['id', 'state'])
        .where('message_id', '=', s.messageId)
        .where('direction', '=', 'incoming')
        .executeTakeFirstOrThrow();
      assert.equal(remote.state, 'received', 'set-up: the request was delivered');
      const ru = await ctx('RU')
        .db.selectFrom('requests')
        .select('state')
        .where('id', '=', d.id)
        .executeTakeFirstOrThrow();
      assert.equal(ru.state, 'received', 'set-up: RU holds the receipt');
      return { ruId: d.id, messageId: s.messageId, remoteId: remote.id };
    }

    // ---- what a node holds ----------------------------------------------------------------------

    /** Everything a refused message must leave as it was: the row, its history, answers, consents and the officer's view. */
    async function snapshot(p: DemoParty, requestId: string, viewer: Officer) {
      const db = ctx(p).db;
      const row = await db
        .selectFrom('requests')
        .select(['state', 'version', 'body_id', 'delay_until', 'counterpart_party', 'counterpart_body'])
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow();
      const count = async (table: 'request_events' | 'answers' | 'disclosure_consents') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('request_id', '=', requestId)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const consents = await db
        .selectFrom('disclosure_consents')
        .select(['id', 'status', 'decided_at'])
        .where('request_id', '=', requestId)
        .orderBy('id')
        .execute();
      const view = await getRequest(ctx(p), viewer, requestId);
      return {
        row,
        events: await count('request_events'),
        answers: await count('answers'),
        consents,
        view,
      };
    }

    async function requestCount(p: DemoParty): Promise<number> {
      const r = await ctx(p)
        .db.selectFrom('requests')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    }

    async function inboxRows(p: DemoParty, messageId: string): Promise<number> {
      const r = await ctx(p)
        .db.selectFrom('inbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('message_id', '=', messageId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    }

    // ---- assertions -------------------------------------------------------------------------------

    function describeResult(r: PostResult): string {
      return r.status === 200
        ? 'ACCEPTED (HTTP 200, a signed receipt came back)'
        : `HTTP ${r.status} ${r.error?.code ?? '?'}: ${r.error?.message ?? r.text.slice(0, 200)}`;
    }

    async function rejectionCount(p: DemoParty): Promise<number> {
      const r = await ctx(p)
        .db.selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('action', '=', 'federation.rejected')
        .executeTakeFirstOrThrow();
      return Number(r.n);
    }

    /**
     * POSTs `m` (through `post`) and checks the node refused it with `code` (one of `code`), stored no inbox row
     * and wrote one `federation.rejected` audit entry naming the code (and the message id, if it names one: a
     * node may decline to record the id of a message whose certificate it did not accept).
     */
    async function assertRefused(
      target: DemoParty,
      m: Message,
      code: string | readonly string[],
      post: () => Promise<PostResult>,
    ): Promise<PostResult> {
      const codes = typeof code === 'string' ? [code] : code;
      const what = `${m.envelope.type} from ${m.envelope.from.party}/${m.envelope.from.body} to ${m.envelope.to.party}/${m.envelope.to.body}`;
      const auditBefore = await rejectionCount(target);
      const sent = await post();
      assert.notEqual(sent.status, 200, `${what}: expected refusal ${codes.join(' or ')}, got ${describeResult(sent)}`);
      assert.ok(sent.status >= 400 && sent.status < 500, `${what}: ${describeResult(sent)}`);
      const got = sent.error?.code ?? '?';
      assert.ok(
        !PRE_BINDING_CODES.includes(got),
        `${what}: refused by an earlier check (${got}) — the hostile message must pass transport, signature and schema; the test is wrong`,
      );
      assert.ok(codes.includes(got), `${what}: expected ${codes.join(' or ')}, got ${describeResult(sent)}`);
      assert.equal(await inboxRows(target, m.envelope.id), 0, `${what}: no inbox row for the refused message`);
      assert.equal(await rejectionCount(target), auditBefore + 1, `${what}: one federation.rejected audit entry`);
      const entry = await ctx(target)
        .db.selectFrom('audit_log')
        .select(['subject', 'details'])
        .where('action', '=', 'federation.rejected')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      assert.equal((entry.details as { code?: string }).code, got, `${what}: the audit entry names the code`);
      if (entry.subject !== null) assert.equal(entry.subject, m.envelope.id, `${what}: the audit entry’s message id`);
      return sent;
    }

    async function assertAccepted(target: DemoParty, sent: PostResult & { jws: string }, m: Message): Promise<void> {
      const what = `${m.envelope.type} from ${m.envelope.from.party}/${m.envelope.from.body} to ${m.envelope.to.party}/${m.envelope.to.body}`;
      assert.equal(sent.status, 200, `${what} (control): expected acceptance, got ${describeResult(sent)}`);
      assert.ok(sent.receipt && sent.receipt.split('.').length === 3, `${what}: a compact JWS receipt`);
      assert.equal(await inboxRows(target, m.envelope.id), 1, `${what}: the inbox holds the accepted message`);
    }

    /** Sends a hostile message about a request and checks the refusal stored nothing and changed no view. */
    async function refusedAbout(
      target: DemoParty,
      requestId: string,
      viewer: Officer,
      sender: HostileParty,
      m: Message,
      code: string | readonly string[],
    ): Promise<void> {
      const before = await snapshot(target, requestId, viewer);
      await assertRefused(target, m, code, () => sender.send(urls[target], m));
      const afterIt = await snapshot(target, requestId, viewer);
      assert.deepEqual(afterIt.row, before.row, 'the request row (state, version, body, delay) is unchanged');
      assert.equal(afterIt.events, before.events, 'no history event');
      assert.equal(afterIt.answers, before.answers, 'no answer stored');
      assert.deepEqual(afterIt.consents, before.consents, 'consents unchanged');
      assert.deepEqual(afterIt.view, before.view, 'the officer’s view is unchanged');
    }

    // ---- control: the legitimate counterpart is believed ----------------------------------------

    test('control (requested side → RU): KZ’s requested body answers RU’s request; RU stores the answer and its officer sees it', async () => {
      const r = await sentRequest();
      const m = message('answer_final', KZ_CENTRAL, RU_77, FALSE_ACCOUNT, { inReplyTo: r.messageId });
      await assertAccepted('RU', await KZ.send(urls.RU, m), m);
      const v = await getRequest(ctx('RU'), ruOfficer, r.ruId);
      assert.equal(v.state, 'answered');
      assert.equal(v.answers.length, 1);
      assert.match(JSON.stringify(v.answers[0]!.data), /BY00FAKE/);
    });

    for (const step of REQUESTED_STEPS) {
      test(`control (requested side → RU): KZ’s requested body sends \`${step.type}\`; RU records it`, async () => {
        const r = await sentRequest();
        const m = message(step.type, KZ_CENTRAL, RU_77, step.body, { inReplyTo: r.messageId });
        await assertAccepted('RU', await KZ.send(urls.RU, m), m);
        const v = await getRequest(ctx('RU'), ruOfficer, r.ruId);
        assert.ok(
          v.events.some((e) => e.event === step.event && e.side === 'requested'),
          `RU's history has ${step.event}: ${v.events.map((e) => e.event).join(', ')}`,
        );
      });
    }

    test('control (requesting side → KZ): RU’s requesting body withdraws its request; KZ shows it withdrawn', async () => {
      const r = await sentRequest();
      const m = message('withdraw', RU_77, KZ_CENTRAL, { reason: 'Долг погашен.' }, { inReplyTo: r.messageId });
      await assertAccepted('KZ', await RU.send(urls.KZ, m), m);
      assert.equal((await getRequest(ctx('KZ'), kzOfficer, r.remoteId)).state, 'withdrawn');
    });

    test('control (consent): KZ, which was asked, grants the consent RU asked it for; the consent is granted', async () => {
      const r = await sentRequest();
      const c = await requestDisclosureConsent(ctx('RU'), ruOfficer, {
        requestId: r.ruId,
        recipient: 'Налоговый орган',
        purpose: 'Взыскание налоговой задолженности',
      });
      await settle(fed);
      const m = message(
        'consent_answer',
        KZ_CENTRAL,
        RU_77,
        { consentId: c.consentId, granted: true },
        {
          inReplyTo: r.messageId,
        },
      );
      await assertAccepted('RU', await KZ.send(urls.RU, m), m);
      const v = await getRequest(ctx('RU'), ruOfficer, r.ruId);
      assert.equal(v.consents.find((x) => x.id === c.consentId)?.status, 'granted');
    });

    test('control (new request): BY’s designated body, signing as the request’s requesting body, to a body RU serves, is accepted', async () => {
      const before = await requestCount('RU');
      const m = byRequest();
      await assertAccepted('RU', await BY.send(urls.RU, m), m);
      assert.equal(await requestCount('RU'), before + 1);
    });

    // ---- 1–4: a third Party acts on another pair's request ---------------------------------------

    test('1. a third Party (BY) answers RU’s request to KZ with a false bank account (answer_final, answer_partial): refused with message.context; RU’s officer sees no answer', async () => {
      const r = await sentRequest();
      for (const type of ['answer_final', 'answer_partial'] as const) {
        const m = message(type, BY_CENTRAL, RU_77, FALSE_ACCOUNT, { inReplyTo: r.messageId });
        await refusedAbout('RU', r.ruId, ruOfficer, BY, m, 'message.context');
      }
      const v = await getRequest(ctx('RU'), ruOfficer, r.ruId);
      assert.deepEqual([v.state, v.answers.length], ['received', 0]);
    });

    test('2. a third Party (BY) withdraws RU’s request at KZ: refused with message.context; KZ still shows it open', async () => {
      const r = await sentRequest();
      const m = message('withdraw', BY_CENTRAL, KZ_CENTRAL, { reason: 'Отзываем.' }, { inReplyTo: r.messageId });
      await refusedAbout('KZ', r.remoteId, kzOfficer, BY, m, 'message.context');
      assert.equal((await getRequest(ctx('KZ'), kzOfficer, r.remoteId)).state, 'received');
    });

    for (const step of REQUESTED_STEPS) {
      test(`3. a third Party (BY) sends \`${step.type}\` about RU’s request to KZ, to RU: refused with message.context`, async () => {
        const r = await sentRequest();
        const body = step.type === 'forward' ? { body: 'by-minsk', name: 'УПИ Мингорисполкома' } : step.body;
        const m = message(step.type, BY_CENTRAL, RU_77, body, { inReplyTo: r.messageId });
        await refusedAbout('RU', r.ruId, ruOfficer, BY, m, 'message.context');
      });
    }

    test('4. a third Party (BY) grants a consent RU asked KZ for: refused with message.context; the consent stays «requested»', async () => {
      const r = await sentRequest();
      const c = await requestDisclosureConsent(ctx('RU'), ruOfficer, {
        requestId: r.ruId,
        recipient: 'Налоговый орган',
        purpose: 'Взыскание налоговой задолженности',
      });
      await settle(fed);
      const m = message(
        'consent_answer',
        BY_CENTRAL,
        RU_77,
        { consentId: c.consentId, granted: true },
        {
          inReplyTo: r.messageId,
        },
      );
      await refusedAbout('RU', r.ruId, ruOfficer, BY, m, 'message.context');
      const v = await getRequest(ctx('RU'), ruOfficer, r.ruId);
      assert.equal(v.consents.find((x) => x.id === c.consentId)?.status, 'requested');
    });

    test('4b. a consent answer only from the Party asked: KZ, inside its own request, answers a consent RU asked BY for — refused with message.context', async () => {
      const kzReq = await sentRequest();
      const byReq = await sentRequest(BODIES.byCentral);
      const c = await requestDisclosureConsent(ctx('RU'), ruOfficer, {
        requestId: byReq.ruId,
        recipient: 'Налоговый орган',
        purpose: 'Взыскание налоговой задолженности',
      });
      await settle(fed);
      const m = message(
        'consent_answer',
        KZ_CENTRAL,
        RU_77,
        { consentId: c.consentId, granted: true },
        {
          inReplyTo: kzReq.messageId,
        },
      );
      await refusedAbout('RU', byReq.ruId, ruOfficer, KZ, m, 'message.context');
      const v = await getRequest(ctx('RU'), ruOfficer, byReq.ruId);
      assert.equal(v.consents.find((x) => x.id === c.consentId)?.status, 'requested');
    });

    test('4c. one answer per consent: after KZ granted it, a second consent_answer (refusing) is refused with message.context; the consent stays granted', async () => {
      const r = await sentRequest();
      const c = await requestDisclosureConsent(ctx('RU'), ruOfficer, {
        requestId: r.ruId,
        recipient: 'Налоговый орган',
        purpose: 'Взыскание налоговой задолженности',
      });
      await settle(fed);
      const first = message(
        'consent_answer',
        KZ_CENTRAL,
        RU_77,
        { consentId: c.consentId, granted: true },
        {
          inReplyTo: r.messageId,
        },
      );
      await assertAccepted('RU', await KZ.send(urls.RU, first), first);
      const second = message(
        'consent_answer',
        KZ_CENTRAL,
        RU_77,
        { consentId: c.consentId, granted: false },
        {
          inReplyTo: r.messageId,
        },
      );
      await refusedAbout('RU', r.ruId, ruOfficer, KZ, second, 'message.context');
      const v = await getRequest(ctx('RU'), ruOfficer, r.ruId);
      assert.equal(v.consents.find((x) => x.id === c.consentId)?.status, 'granted');
    });

    // ---- 5: the right Party, the wrong body; a forwarded body before and after the forward -----

    test('5a. the right Party, the wrong body: KZ’s kz-almaty (not the requested body, no forward) answers RU’s request — refused with message.context', async () => {
      const r = await sentRequest();
      for (const type of ['answer_final', 'answer_partial'] as const) {
        const m = message(type, KZ_ALMATY, RU_77, FALSE_ACCOUNT, { inReplyTo: r.messageId });
        await refusedAbout('RU', r.ruId, ruOfficer, KZ, m, 'message.context');
      }
    });

    test('5b. a forwarded body before and after the forward, on one request: kz-almaty’s answer is refused before KZ forwards the request to it (R18) and accepted after', async () => {
      const r = await sentRequest();
      // Before the forward: refused (as in 5a) …
      const early = message('answer_partial', KZ_ALMATY, RU_77, FALSE_ACCOUNT, { inReplyTo: r.messageId });
      await refusedAbout('RU', r.ruId, ruOfficer, KZ, early, 'message.context');
      // … the forward, through the use case and the outbox …
      await forwardRequest(ctx('KZ'), kzOfficer, { requestId: r.remoteId, toBodyId: 'kz-almaty' });
      await settle(fed);
      const v0 = await getRequest(ctx('RU'), ruOfficer, r.ruId);
      assert.ok(
        v0.events.some((e) => e.event === 'forward' && e.side === 'requested'),
        'RU accepted KZ’s forward',
      );
      // … after it: accepted.
      const m = message('answer_final', KZ_ALMATY, RU_77, FALSE_ACCOUNT, { inReplyTo: r.messageId });
      await assertAccepted('RU', await KZ.send(urls.RU, m), m);
      const v = await getRequest(ctx('RU'), ruOfficer, r.ruId);
      assert.equal(v.state, 'answered');
      assert.equal(v.answers.length, 1);
    });

    test('5c. control: after KZ’s central body forwards the request to kz-almaty (R18), kz-almaty’s answer is accepted', async () => {
      const r = await sentRequest();
      await forwardRequest(ctx('KZ'), kzOfficer, { requestId: r.remoteId, toBodyId: 'kz-almaty' });
      await settle(fed);
      const m = message('answer_final', KZ_ALMATY, RU_77, FALSE_ACCOUNT, { inReplyTo: r.messageId });
      await assertAccepted('RU', await KZ.send(urls.RU, m), m);
      const v = await getRequest(ctx('RU'), ruOfficer, r.ruId);
      assert.ok(
        v.events.some((e) => e.event === 'forward' && e.side === 'requested'),
        'RU accepted KZ’s forward',
      );
      assert.deepEqual([v.state, v.answers.length], ['answered', 1]);
    });

    // ---- 6: the right body on the wrong side -----------------------------------------------------

    test('6a. the right body on the wrong side: KZ’s kz-central sends a withdraw (requesting side) of RU’s request to RU — refused with message.context', async () => {
      const r = await sentRequest();
      const m = message('withdraw', KZ_CENTRAL, RU_77, { reason: 'Отзываем.' }, { inReplyTo: r.messageId });
      await refusedAbout('RU', r.ruId, ruOfficer, KZ, m, 'message.context');
    });

    test('6b. the right body on the wrong side: RU sends answer_final about its own outgoing request to KZ — refused with message.context', async () => {
      const r = await sentRequest();
      const m = message('answer_final', RU_77, KZ_CENTRAL, FALSE_ACCOUNT, { inReplyTo: r.messageId });
      await refusedAbout('KZ', r.remoteId, kzOfficer, RU, m, 'message.context');
    });

    // ---- 7: the wrong `to.body` ------------------------------------------------------------------

    test('7a. wrong to.body: KZ answers RU’s request but addresses ru-fssp (not the body that sent it) — refused with message.context', async () => {
      const r = await sentRequest();
      const m = message('answer_final', KZ_CENTRAL, from('RU', 'ru-fssp'), FALSE_ACCOUNT, { inReplyTo: r.messageId });
      await refusedAbout('RU', r.ruId, ruOfficer, KZ, m, 'message.context');
    });

    test('7b. wrong to.body: RU withdraws its request at KZ addressing kz-almaty (the request was not forwarded there) — refused with message.context', async () => {
      const r = await sentRequest();
      const m = message('withdraw', RU_77, KZ_ALMATY, { reason: 'Долг погашен.' }, { inReplyTo: r.messageId });
      await refusedAbout('KZ', r.remoteId, kzOfficer, RU, m, 'message.context');
    });

    // ---- 8: a new request ------------------------------------------------------------------------

    /** A new request must be refused without a trace but the audit entry. */
    async function refusedRequest(
      m: Message,
      sender: HostileParty,
      target: DemoParty,
      code: string | readonly string[],
      key?: CertAndKey,
    ) {
      const before = await requestCount(target);
      await assertRefused(target, m, code, () => sender.send(urls[target], m, key));
      assert.equal(await requestCount(target), before, 'no request stored');
      const held = await ctx(target)
        .db.selectFrom('requests')
        .select('id')
        .where('message_id', '=', m.envelope.id)
        .executeTakeFirst();
      assert.equal(held, undefined, 'no request under the message id');
    }

    test('8a. a new request signed by a body other than its requestingBody (ru-fssp signs ru-fssp-77’s request): refused with message.sender', async () => {
      const m = message('request', from('RU', 'ru-fssp'), KZ_CENTRAL, { request: aRequest() });
      assert.equal((m.body.request as { requestingBody: { id: string } }).requestingBody.id, 'ru-fssp-77');
      await refusedRequest(m, RU, 'KZ', 'message.sender');
    });

    test('8b. a new request to a body the receiving node does not serve (BY’s body, sent to KZ’s node): refused with message.recipient', async () => {
      const m = message('request', RU_77, from('KZ', 'by-central'), { request: aRequest() });
      await refusedRequest(m, RU, 'KZ', 'message.recipient');
    });

    test('8c. a new request from a body BY’s CA certified but BY never designated (Article 18): refused', async () => {
      const byCa: CertAndKey = {
        certPem: await readFile(path.join(fed.dir, 'pki', 'by', 'party-ca.crt'), 'utf8'),
        keyPem: await readFile(path.join(fed.dir, 'pki', 'by', 'party-ca.key'), 'utf8'),
      };
      const rogue = await issueBodyCertificate({
        party: 'BY',
        bodyId: 'by-undesignated',
        bodyName: 'Орган, не назначенный по статье 18',
        issuer: byCa,
      });
      const m = byRequest({ from: from('BY', 'by-undesignated') }, { id: 'by-undesignated', party: 'BY', name: 'X' });
      const before = await requestCount('RU');
      // RECEIVING.md names the rule (a designated body of that Party) but not which of its two codes applies.
      await assertRefused('RU', m, ['message.sender', 'message.context'], async () =>
        BY.post(urls.RU, await BY.sign(m, rogue)),
      );
      assert.equal(await requestCount('RU'), before, 'no request stored');
    });

    // ---- 9: certificates valid now, not only at the sender-chosen createdAt ------------------------

    /**
     * Runs `body` while RU's running node believes a registry that revokes `serialNumber` at `revokedAt`.
     * The federation server holds this very Federation object, so the revocation applies over the wire.
     * (Until a running node can load a newer signed registry, this is how a test installs one.)
     */
    async function withRevocation<T>(serialNumber: string, revokedAt: Date, body: () => Promise<T>): Promise<T> {
      const live = fed.nodes.RU.wired.federation! as { registry: Federation['registry'] };
      const original = live.registry;
      const revoked: Registry = {
        ...original(),
        revocations: [...original().revocations, { serialNumber, party: 'BY', revokedAt: revokedAt.toISOString() }],
      };
      live.registry = () => revoked;
      try {
        return await body();
      } finally {
        live.registry = original;
      }
    }

    /** A second certificate of BY's by-central body from BY's real CA (a Party CA may hold several per body). */
    async function byCentralCertificate(validity: { notBefore: Date; validDays: number }): Promise<CertAndKey> {
      const byCa: CertAndKey = {
        certPem: await readFile(path.join(fed.dir, 'pki', 'by', 'party-ca.crt'), 'utf8'),
        keyPem: await readFile(path.join(fed.dir, 'pki', 'by', 'party-ca.key'), 'utf8'),
      };
      return issueBodyCertificate({
        party: 'BY',
        bodyId: 'by-central',
        bodyName: BODIES.byCentral.name,
        issuer: byCa,
        ...validity,
      });
    }

    test('9a. back-dated: BY’s by-central certificate revoked at T, a message dated two days before T sent after it — refused with message.certificate', async () => {
      // Valid since ten days ago (the demo's own certificates date from an hour before the federation was built,
      // so a back-dated message signed with them would be refused as "not yet valid", not for the revocation).
      const cert = await byCentralCertificate({ notBefore: new Date(Date.now() - 10 * DAY), validDays: 825 });
      const T = new Date(Date.now() - 3_600_000);
      const backDated = () => byRequest({ createdAt: new Date(T.getTime() - 2 * DAY) });
      // Control: before the revocation the same back-dated message is accepted (the age and the certificate's
      // validity at createdAt are not what refuses it below).
      const control = backDated();
      await assertAccepted('RU', await BY.send(urls.RU, control, cert), control);
      await withRevocation(certificateInfo(cert.certPem).serialNumber, T, async () => {
        // The revocation is in force: a message dated now is refused (this part holds on the current code) …
        await refusedRequest(byRequest(), BY, 'RU', 'message.certificate', cert);
        // … and so must be one dated before T: the certificate is revoked at the time of receipt.
        await refusedRequest(backDated(), BY, 'RU', 'message.certificate', cert);
      });
    });

    test('9b. back-dated: a body certificate that expired yesterday, on a message created before it expired — refused with message.certificate', async () => {
      const createdAt = new Date(Date.now() - 2 * DAY);
      // Control: the same back-dated message with a certificate valid then and now is accepted.
      const valid = await byCentralCertificate({ notBefore: new Date(Date.now() - 10 * DAY), validDays: 825 });
      const control = byRequest({ createdAt });
      await assertAccepted('RU', await BY.send(urls.RU, control, valid), control);
      const expired = await byCentralCertificate({ notBefore: new Date(Date.now() - 10 * DAY), validDays: 9 }); // notAfter: yesterday
      await refusedRequest(byRequest({ createdAt }), BY, 'RU', 'message.certificate', expired);
    });

    test('9c. archival: a message accepted before its certificate was revoked, re-delivered with identical bytes, still gets its original receipt', async () => {
      const m = byRequest();
      const first = await BY.send(urls.RU, m);
      await assertAccepted('RU', first, m);
      const count = await requestCount('RU');
      const serial = certificateInfo((await BY.bodyKey('by-central')).certPem).serialNumber;
      await withRevocation(serial, new Date(), async () => {
        const again = await BY.post(urls.RU, first.jws);
        assert.equal(again.status, 200, `the resend: ${describeResult(again)}`);
        assert.equal(again.receipt, first.receipt, 'the original receipt');
        // Not vacuous: the revocation is in force for anything not already in the inbox.
        await refusedRequest(byRequest(), BY, 'RU', 'message.certificate');
      });
      assert.equal(await requestCount('RU'), count, 'the resend stored nothing');
    });
  });
}
