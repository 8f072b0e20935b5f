// Three nodes (RU, KZ, BY) in one test run, real mutual TLS on loopback, the
// depositary-signed registry: a full exchange, a refusal, a withdrawal and a
// duplicate delivery; the signatures verify with openssl (not our verifier).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { actOnRequest } from '../../src/app/act-on-request.js';
import { answerRequest } from '../../src/app/answer-request.js';
import type { Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { listRequests } from '../../src/app/list-requests.js';
import { refuseRequest } from '../../src/app/refuse-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { computeDeadline } from '../../src/domain/calendar.js';
import { addDays } from '../../src/domain/dates.js';
import { partyDay } from '../../src/domain/parties.js';
import { loadCalendar } from '../../src/adapters/calendars/json-calendar-source.js';
import { deliver, postMessage } from '../../src/adapters/federation/outbound.js';
import { composeMessage } from '../../src/app/compose-message.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import { canonicalBytes, derBase64ToPem } from '../../src/adapters/crypto/jws.js';
import { MESSAGE_JWS_TYPE } from '../../src/adapters/federation/context.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { officer, settle, startTestFederation } from '../support/federation.js';
import { openSealedJws, originalJws } from '../../src/app/stored-jws.js';

const run = promisify(execFile);

describe('federation end to end (RU, KZ, BY)', () => {
  let fed: RunningDemo & { close(): Promise<void> };
  let ruOfficer: Officer;
  let kzOfficer: Officer;
  let byOfficer: Officer;
  let proceedingId: string;
  const kzBody = { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' };

  before(async () => {
    fed = await startTestFederation();
    ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    kzOfficer = await officer(fed.nodes.KZ, 'kz.officer');
    byOfficer = await officer(fed.nodes.BY, 'by.officer');
    proceedingId = (
      await fed.nodes.RU.wired.ctx.db
        .selectFrom('proceedings')
        .select('id')
        .where('number', '=', '123456/26/77001-ИП')
        .executeTakeFirstOrThrow()
    ).id;
  });
  after(async () => {
    await fed.close();
  });

  const ru = () => fed.nodes.RU.wired.ctx;
  const kz = () => fed.nodes.KZ.wired.ctx;
  const by = () => fed.nodes.BY.wired.ctx;

  async function sendRequest(to: typeof kzBody, items: unknown[]): Promise<{ id: string; messageId: string }> {
    const d = await draftRequest(ru(), ruOfficer, {
      proceedingId,
      requestedBody: to,
      items,
      grounds: 'Должник проживает и получает доход на территории запрашиваемой Стороны.',
    });
    const s = await signRequest(ru(), ruOfficer, { requestId: d.id });
    await settle(fed);
    return { id: d.id, messageId: s.messageId };
  }

  // One life told step by step: each step works on the request the step before sent, so the steps are subtests of
  // one test, which runs alone as a whole (ARCHITECTURE.md, house rule 14).
  test('one request RU → KZ, step by step: sent and received with its deadline, consulted on, answered partially then finally', async (t) => {
    let outgoingId: string;
    let incomingId: string;
    await t.test(
      'R11, R-KZ, R12.a, R12.b: RU sends a property and income request to KZ; the receipt starts the KZ deadline and carries the date asked for',
      async () => {
        const requestedBy = addDays(partyDay(ru().clock.now(), 'RU'), 3);
        const d = await draftRequest(ru(), ruOfficer, {
          proceedingId,
          requestedBody: kzBody,
          items: [
            { kind: 'property', subItems: ['a', 'b'] },
            {
              kind: 'employment_income',
              workplace: true,
              income: true,
              period: { from: '2024-01-01', to: '2026-10-31' },
            },
          ],
          grounds: 'Должник с 2024 года проживает в г. Алматы и получает доход на территории Республики Казахстан.',
          shorterTerm: requestedBy,
        });
        assert.ok(
          d.check.warnings.some((w) => w.code === 'R-KZ'),
          'the 6.a reservation is warned about',
        );
        outgoingId = d.id;
        await signRequest(ru(), ruOfficer, { requestId: outgoingId });
        await settle(fed);
        const sent = await getRequest(ru(), ruOfficer, outgoingId);
        assert.equal(sent.state, 'received');
        const receipt = sent.events.find((e) => e.event === 'receipt')!;
        const list = await listRequests(kz(), kzOfficer, { direction: 'incoming' });
        assert.equal(list.total, 1);
        incomingId = list.items[0]!.id;
        const incoming = await getRequest(kz(), kzOfficer, incomingId);
        const expected = computeDeadline(await loadCalendar('KZ'), { receivedAt: new Date(incoming.receivedAt!) });
        assert.equal(incoming.deadline, expected.deadline);
        assert.equal(
          (receipt.data.receipt as { deadline: string }).deadline,
          expected.deadline,
          'the signed receipt carries the deadline',
        );
        // R12.b: the shorter date is a wish beside the legal term, on both sides.
        assert.equal((receipt.data.receipt as { requestedBy?: string }).requestedBy, requestedBy);
        assert.deepEqual([incoming.requestedBy, incoming.requestedEarlier], [requestedBy, true]);
        assert.deepEqual([sent.deadline, sent.requestedBy], [expected.deadline, requestedBy]);
        assert.equal((incoming.document.debtor as { surname: string }).surname, 'Иванов');
        const reads = await kz()
          .db.selectFrom('audit_log')
          .select('action')
          .where('request_id', '=', incomingId)
          .where('action', '=', 'personal_data.read')
          .execute();
        assert.equal(reads.length, 1);
      },
    );

    await t.test('R13.c, R14: KZ consults; the consultation appears in RU’s history', async () => {
      await actOnRequest(kz(), kzOfficer, { requestId: incomingId, step: 'take_into_work' });
      await actOnRequest(kz(), kzOfficer, {
        requestId: incomingId,
        step: 'consult',
        data: { text: 'Уточните, пожалуйста, номер счёта, если он известен.' },
      });
      await settle(fed);
      const v = await getRequest(ru(), ruOfficer, outgoingId);
      const c = v.events.find((e) => e.event === 'consult');
      assert.ok(c, JSON.stringify(v.events.map((e) => e.event)));
      assert.equal(c.side, 'requested');
      assert.match(String(c.data.text), /номер счёта/);
    });

    await t.test(
      'R4–R8, R9.1: KZ answers partially then finally; RU reads the answer with an audit entry',
      async () => {
        await answerRequest(kz(), kzOfficer, {
          requestId: incomingId,
          final: false,
          items: [
            {
              itemNo: 1,
              outcome: 'partial',
              data: {
                accounts: [{ bank: 'АО «Kaspi Bank»', number: 'KZ12722C000012345678', currency: 'KZT' }],
                text: 'Предоставлено в части, не противоречащей законодательству Республики Казахстан.',
              },
            },
          ],
        });
        await settle(fed);
        assert.equal((await getRequest(ru(), ruOfficer, outgoingId)).state, 'partially_answered');
        await answerRequest(kz(), kzOfficer, {
          requestId: incomingId,
          final: true,
          items: [
            {
              itemNo: 2,
              outcome: 'found',
              data: {
                employer: { name: 'ТОО «Алатау»' },
                income: [
                  {
                    from: '2025-01-01',
                    to: '2025-12-31',
                    amount: { value: 6_000_000, currency: 'KZT' },
                    source: 'заработная плата',
                  },
                ],
              },
              attachments: [
                {
                  fileName: 'справка.txt',
                  mediaType: 'text/plain',
                  contentBase64: Buffer.from('Справка о доходах').toString('base64'),
                },
              ],
            },
          ],
        });
        await settle(fed);
        const v = await getRequest(ru(), ruOfficer, outgoingId);
        assert.equal(v.state, 'answered');
        assert.equal(v.answers.length, 2);
        assert.equal(
          (v.answers.find((a) => a.itemNo === 2)!.data as { employer: { name: string } }).employer.name,
          'ТОО «Алатау»',
        );
        assert.equal(v.answers.find((a) => a.itemNo === 2)!.attachments[0]!.fileName, 'справка.txt');
        const reads = await ru()
          .db.selectFrom('audit_log')
          .select('action')
          .where('request_id', '=', outgoingId)
          .where('action', '=', 'personal_data.read')
          .execute();
        assert.ok(reads.length >= 1);
        assert.equal((await getRequest(kz(), kzOfficer, incomingId)).state, 'answered');
      },
    );
  });

  test('R13.a: a refusal travels back with its ground', async () => {
    const r = await sendRequest(kzBody, [{ kind: 'location', target: 'debtor' }]);
    const kzList = await listRequests(kz(), kzOfficer, { direction: 'incoming', states: ['received'] });
    const id = kzList.items[0]!.id;
    await refuseRequest(kz(), kzOfficer, {
      requestId: id,
      ground: 'law',
      circumstances: 'Сведения о месте жительства не предоставляются без решения суда.',
    });
    await settle(fed);
    const v = await getRequest(ru(), ruOfficer, r.id);
    assert.equal(v.state, 'refused');
    assert.equal(v.events.find((e) => e.event === 'refuse')!.data.ground, 'law');
  });

  test('R15, R24: RU withdraws a request sent to BY; BY sees it withdrawn', async () => {
    const r = await sendRequest({ id: 'by-central', party: 'BY', name: 'ГУПИ Минюста Республики Беларусь' }, [
      { kind: 'proceedings', results: ['collected'] },
    ]);
    assert.equal((await getRequest(ru(), ruOfficer, r.id)).state, 'received');
    await actOnRequest(ru(), ruOfficer, {
      requestId: r.id,
      step: 'withdraw',
      data: { reason: 'Задолженность погашена должником добровольно.' },
    });
    await settle(fed);
    const byList = await listRequests(by(), byOfficer, { direction: 'incoming' });
    assert.equal(byList.items[0]!.state, 'withdrawn');
  });

  test('delivery is at least once, processing exactly once: a duplicate gets the same receipt and changes nothing; openssl verifies the signature', async () => {
    const r = await sendRequest(kzBody, [{ kind: 'proceedings', results: ['arrested'] }]);
    const row = await ru()
      .db.selectFrom('outbox')
      .selectAll()
      .where('message_id', '=', r.messageId)
      .executeTakeFirstOrThrow();
    const fedRu = fed.nodes.RU.wired.federation!;
    const message = await composeMessage(fedRu.app, row);
    const jws = await fedRu.signer.sign(message.envelope.from.body, canonicalBytes(message), MESSAGE_JWS_TYPE);
    const before = await kz()
      .db.selectFrom('requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const url = fedRu.registry().parties.KZ!.nodes[0]!.url;
    // The first delivery of this exact document has not happened yet (the worker sent its own signature);
    // KZ already holds the message id, so the same id with another signature is a replay …
    await assert.rejects(
      postMessage(fedRu, { party: 'KZ', url }, jws),
      (e: { data: { remoteCode: string } }) => e.data.remoteCode === 'message.replay',
    );
    // … while the stored document itself, sent again, gets the original receipt.
    const stored = await kz()
      .db.selectFrom('inbox')
      .select(['payload_enc', 'receipt'])
      .where('message_id', '=', r.messageId)
      .executeTakeFirstOrThrow();
    const original = await openSealedJws(kz(), stored.payload_enc!, `inbox:${r.messageId}`);
    const again = await postMessage(fedRu, { party: 'KZ', url }, original);
    assert.equal(again, await originalJws(kz().db, (stored.receipt as { jws: string }).jws));
    const sealed = await ru()
      .db.selectFrom('outbox')
      .select('signed_enc')
      .where('message_id', '=', r.messageId)
      .executeTakeFirstOrThrow();
    assert.equal(
      await openSealedJws(ru(), sealed.signed_enc!, `outbox:${r.messageId}`),
      original,
      'retries resend the bytes signed at the first attempt',
    );
    const afterCount = await kz()
      .db.selectFrom('requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(afterCount.n, before.n);

    // Independent verification with openssl: the x5c certificate, the JWS signing input, the ES256 signature.
    const [h, p, s] = original.split('.');
    const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as { alg: string; x5c: string[] };
    assert.equal(header.alg, 'ES256');
    const dir = await mkdtemp(path.join(tmpdir(), 'eix-openssl-'));
    try {
      const sig = Buffer.from(s!, 'base64url');
      const int = (b: Buffer) => {
        let x = b;
        while (x.length > 1 && x[0] === 0 && x[1]! < 0x80) x = x.subarray(1);
        return x[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), x]) : x;
      };
      const [rr, ss] = [int(sig.subarray(0, 32)), int(sig.subarray(32))];
      const der = Buffer.concat([
        Buffer.from([0x30, rr.length + ss.length + 4, 0x02, rr.length]),
        rr,
        Buffer.from([0x02, ss.length]),
        ss,
      ]);
      await writeFile(path.join(dir, 'cert.pem'), derBase64ToPem(header.x5c[0]!));
      await writeFile(path.join(dir, 'sig.der'), der);
      await writeFile(path.join(dir, 'input.txt'), `${h}.${p}`);
      await run('openssl', [
        'x509',
        '-in',
        path.join(dir, 'cert.pem'),
        '-pubkey',
        '-noout',
        '-out',
        path.join(dir, 'pub.pem'),
      ]);
      const { stdout } = await run('openssl', [
        'dgst',
        '-sha256',
        '-verify',
        path.join(dir, 'pub.pem'),
        '-signature',
        path.join(dir, 'sig.der'),
        path.join(dir, 'input.txt'),
      ]);
      assert.match(stdout, /Verified OK/);
      await writeFile(path.join(dir, 'input.txt'), `${h}.${p}x`);
      await assert.rejects(
        run('openssl', [
          'dgst',
          '-sha256',
          '-verify',
          path.join(dir, 'pub.pem'),
          '-signature',
          path.join(dir, 'sig.der'),
          path.join(dir, 'input.txt'),
        ]),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an unreachable node: the officer sees "delivery delayed" with the error, then "failed" after the retry limit', async () => {
    await fed.nodes.RU.worker!.stop();
    const real = fed.nodes.RU.wired.federation!;
    const down: Federation = {
      ...real,
      maxAttempts: 2,
      registry: () => ({
        ...real.registry(),
        parties: {
          ...real.registry().parties,
          KZ: { ...real.registry().parties.KZ!, nodes: [{ id: 'kz-node', url: 'https://127.0.0.1:1' }] },
        },
      }),
    };
    const d = await draftRequest(ru(), ruOfficer, {
      proceedingId,
      requestedBody: kzBody,
      items: [{ kind: 'location', target: 'debtor' }],
      grounds: 'Должник проживает в Республике Казахстан.',
    });
    const s = await signRequest(ru(), ruOfficer, { requestId: d.id });
    // Claimed as the worker claims a row: one more attempt, `sending`.
    const claim = async () =>
      ru()
        .db.updateTable('outbox')
        .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1) }))
        .where('message_id', '=', s.messageId)
        .returningAll()
        .executeTakeFirstOrThrow();
    assert.equal(await deliver(down, await claim()), false);
    let v = await getRequest(ru(), ruOfficer, d.id);
    assert.equal(v.state, 'signed');
    assert.deepEqual(
      [v.delivery[0]!.status, /transport.failed/.test(v.delivery[0]!.lastError ?? '')],
      ['pending', true],
    );
    assert.equal(await deliver(down, await claim()), false);
    v = await getRequest(ru(), ruOfficer, d.id);
    assert.equal(v.delivery[0]!.status, 'failed');
    assert.ok(v.events.some((e) => e.event === 'delivery_failed'));
  });
});
