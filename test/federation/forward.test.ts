// Issue 15.5 on the running federation (real TLS, the demo's registry): RU sends a request about a debtor living
// in Almaty to KZ's central body; KZ's central officer is offered kz-almaty by the debtor's address and forwards
// it (R18); KZ's `forward` message reaches RU, and RU's request page says «Передан: <body>, <date>».
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import type { Officer } from '../../src/app/context.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { forwardRequest } from '../../src/app/forward-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { listForwardCandidates } from '../../src/app/list-forward-candidates.js';
import { listRequests } from '../../src/app/list-requests.js';
import { signRequest } from '../../src/app/sign-request.js';
import { webDates } from '../../src/web/dates.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import { aRequest } from '../support/requests.js';
import { officer, settle, startTestFederation } from '../support/federation.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = 'ru-officer-correct-horse';

describe('issue 15.5: KZ forwards RU’s request to Almaty; RU sees where it went (R18)', () => {
  let fed: RunningDemo & { close(): Promise<void> };
  let ruOfficer: Officer;
  let kzCentral: Officer;
  let kzAlmaty: Officer;

  before(async () => {
    fed = await startTestFederation();
    ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    kzCentral = await officer(fed.nodes.KZ, 'kz.officer');
    kzAlmaty = await officer(fed.nodes.KZ, 'kz.almaty');
  });
  after(async () => {
    await fed.close();
  });
  const ru = () => fed.nodes.RU.wired.ctx;
  const kz = () => fed.nodes.KZ.wired.ctx;

  // One life told step by step: the forward works on the request the first step sent, so the steps are subtests of
  // one test, which runs alone as a whole (ARCHITECTURE.md, house rule 14).
  test('R18: one request, step by step: RU’s request about a debtor in Almaty reaches kz-central, KZ forwards it to kz-almaty, RU’s page says where it went', async (t) => {
    let outgoingId: string;
    let incomingId: string;
    await t.test(
      'R18: RU’s request about a debtor in Almaty reaches kz-central; the suggestion is kz-almaty',
      async () => {
        const example = aRequest();
        const proceedingId = (
          await createProceeding(ru(), ruOfficer, {
            number: '555/26/77001-ИП',
            openedOn: '2026-03-02',
            debtor: { ...example.debtor, address: 'Республика Казахстан, г. Алматы, ул. Абая, д. 10, кв. 5' },
            creditor: example.creditor,
            executiveDocuments: [example.executiveDocument],
          })
        ).id;
        const d = await draftRequest(ru(), ruOfficer, {
          proceedingId,
          requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
          items: [{ kind: 'location', target: 'debtor' }],
          grounds: 'Должник проживает в г. Алматы.',
        });
        outgoingId = d.id;
        await signRequest(ru(), ruOfficer, { requestId: d.id });
        await settle(fed);
        const number = (await getRequest(ru(), ruOfficer, d.id)).number;
        incomingId = (await listRequests(kz(), kzCentral, { direction: 'incoming' })).items.find(
          (i) => i.number === number,
        )!.id;
        const c = await listForwardCandidates(kz(), kzCentral, { requestId: incomingId });
        assert.equal(c.region, 'г. Алматы');
        assert.equal(c.suggestedBodyId, 'kz-almaty');
        assert.equal(c.candidates[0]!.name, 'Департамент юстиции города Алматы');
      },
    );

    await t.test(
      'R18: KZ forwards; kz.almaty has it; RU accepted the forward and its page says «Передан: …, date»',
      async () => {
        await forwardRequest(kz(), kzCentral, { requestId: incomingId, toBodyId: 'kz-almaty' });
        await settle(fed);
        assert.equal((await getRequest(kz(), kzAlmaty, incomingId)).bodyId, 'kz-almaty');
        const v = await getRequest(ru(), ruOfficer, outgoingId);
        assert.equal(v.counterpartForwardedTo, 'kz-almaty');
        assert.equal(v.forwardedTo?.name, 'Департамент юстиции города Алматы');
        // RU's page, as its officer reads it.
        await ru()
          .db.updateTable('officers')
          .set({ password_hash: await hashPassword(PASSWORD) })
          .where('id', '=', ruOfficer.officerId)
          .execute();
        const app = await buildServer({ ctx: ru(), logLevel: 'silent', rateLimit: 100_000 });
        t.after(() => app.close());
        const base = await app.listen({ host: '127.0.0.1', port: 0 });
        const login = await fetch(`${base}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ login: ruOfficer.login, password: PASSWORD }).toString(),
        });
        assert.equal(login.status, 302);
        const token = /eix_session=([^;]+)/.exec(login.headers.getSetCookie().join('\n'))![1]!;
        const html = await (
          await fetch(`${base}/requests/${outgoingId}`, { headers: { cookie: `${COOKIE}=${token}` } })
        ).text();
        const day = webDates('Europe/Moscow').dateRu(v.forwardedTo!.at);
        assert.match(
          html,
          new RegExp(
            `<p id="forwarded-to"><strong>Передан: Департамент юстиции города Алматы, ${day.replaceAll('.', '\\.')}</strong></p>`,
          ),
        );
        assert.match(html, /Запрос передан территориальному органу/);
        assert.ok(!html.includes('kz-almaty'), 'no body id on RU’s page');
      },
    );
  });
});
