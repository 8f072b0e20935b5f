// Issue 15, item 4: the node health page and its API. RU's peer BY is stopped and RU delivers once: the page
// and GET /api/v1/health show BY unreachable with the cause in Russian; a clock moved to 10 days before a
// body's seal certificate expires flags it; /readyz fails once the database is closed.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { certificateInfo } from '../../src/adapters/crypto/pki.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import type { AppContext, Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getNodeHealth } from '../../src/app/get-node-health.js';
import { signRequest } from '../../src/app/sign-request.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, passSecondFactor, TestClock } from '../support/app.js';
import { officer, settle, startTestFederation } from '../support/federation.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = 'admin-correct-horse-battery';
const DAY = 86_400_000;

describe('issue 15.4: node health', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let clock: TestClock;
  let ctx: AppContext;
  let app: FastifyInstance;
  let base: string;
  let admin: Officer;
  let cookie: { cookie: string };
  let adminToken: string;
  let requestId: string;
  let messageId: string;
  let sealNotAfter: string;

  before(async () => {
    fed = await startTestFederation();
    const ru = fed.nodes.RU.wired.ctx;
    const ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    admin = await officer(fed.nodes.RU, 'ru.admin');
    adminToken = fed.logins.find((l) => l.login === 'ru.admin')!.token;
    // RU delivers once to KZ (a peer that answers), then BY goes down and RU tries once.
    const proceedingId = (await ru.db.selectFrom('proceedings').select('id').executeTakeFirstOrThrow()).id;
    const send = async (to: { id: string; party: string; name: string }) => {
      const d = await draftRequest(ru, ruOfficer, {
        proceedingId,
        requestedBody: to,
        items: [{ kind: 'property', subItems: ['a'] }],
        grounds: 'Должник проживает и получает доход на территории запрашиваемой Стороны.',
      });
      const s = await signRequest(ru, ruOfficer, { requestId: d.id });
      return { id: d.id, messageId: s.messageId };
    };
    await send({ id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' });
    await settle(fed);
    await fed.nodes.BY.stop();
    ({ id: requestId, messageId } = await send({
      id: 'by-central',
      party: 'BY',
      name: 'Министерство юстиции Республики Беларусь',
    }));
    await fed.nodes.RU.worker!.drain();
    // The seal of ru-fssp, 10 days before it expires, on a clock the test holds.
    sealNotAfter = certificateInfo(await ru.credentials!.signer.certificatePem('ru-fssp')).notAfter;
    clock = new TestClock(Date.parse(sealNotAfter) - 10 * DAY - 3600_000);
    ctx = { ...ru, clock };
    await ctx.db
      .updateTable('officers')
      .set({ password_hash: await hashPassword(PASSWORD) })
      .where('id', '=', admin.officerId)
      .execute();
    app = await buildServer({ ctx, logLevel: 'silent', rateLimit: 100_000, nodeName: 'ru' });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: admin.login, password: PASSWORD }).toString(),
    });
    const token = /eix_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))![1]!;
    await passSecondFactor(ctx, admin.officerId, token);
    cookie = { cookie: `${COOKIE}=${token}` };
  });
  after(async () => {
    await app?.close();
    await fed?.close();
  });

  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  test('the use case: BY unreachable after a failed attempt, KZ reachable; the outbox waits; the seal expires in 10 days', async () => {
    const h = await getNodeHealth(ctx, admin);
    const by = h.peers.find((p) => p.party === 'BY')!;
    const kz = h.peers.find((p) => p.party === 'KZ')!;
    assert.equal(by.reachable, false, JSON.stringify(by));
    assert.equal(by.lastErrorCause, 'unreachable');
    assert.equal(by.waiting, 1);
    assert.equal(kz.reachable, true, JSON.stringify(kz));
    assert.ok(kz.lastSuccessAt);
    assert.ok(h.outbox.byStatus.pending >= 1 && h.outbox.byStatus.delivered >= 1, JSON.stringify(h.outbox));
    assert.ok(h.outbox.oldestWaitingAt && h.outbox.oldestWaitingAgeSeconds! > 0);
    const seal = h.certificates.find((c) => c.kind === 'seal' && c.owner === 'ru-fssp')!;
    assert.deepEqual([seal.state, seal.daysLeft], ['expiring', 10]);
    assert.equal(h.certificates.find((c) => c.kind === 'party_ca')?.state, 'valid', 'the CA lives longer');
    assert.ok(h.certificates.some((c) => c.kind === 'tls'));
    assert.ok(h.registry && h.registry.version >= 1 && h.registry.expiresAt > h.registry.issuedAt);
    assert.ok(h.database.sizeBytes && h.database.sizeBytes > 100_000, String(h.database.sizeBytes));
    assert.equal(h.database.maintenance, 'embedded', 'the embedded engine is maintained by the node');
    assert.ok(h.protocolVersions.length >= 1);
  });

  test('/admin/health shows the peer that is down and the certificate expiring in 10 days, in Russian', async () => {
    const admin = await (await fetch(`${base}/admin`, { headers: cookie })).text();
    assert.match(admin, /href="\/admin\/health"/, 'the administration page links to it');
    const res = await fetch(`${base}/admin/health`, { headers: cookie });
    assert.equal(res.status, 200);
    const html = await res.text();
    const row = /<tr class="peer" data-party="BY">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    assert.match(text(row), /Беларусь.*недоступен.*не было.*Узел другой Стороны не отвечает/);
    assert.match(text(/<tr class="peer" data-party="KZ">([\s\S]*?)<\/tr>/.exec(html)![1]!), /доступен/);
    const cert = /<tr class="certificate expiring" data-kind="seal" data-owner="ru-fssp">([\s\S]*?)<\/tr>/.exec(html);
    assert.ok(cert, 'the seal is flagged');
    assert.match(text(cert[1]!), /10 скоро истекает/);
    const problems = text(/<div class="card problems" id="health-problems"[\s\S]*?<\/div>/.exec(html)![0]);
    assert.match(problems, /Беларусь» недоступен/);
    assert.match(problems, /Сертификат печати органа .*осталось дней: 10/);
    assert.doesNotMatch(text(html), /transport\.failed|\d{4}-\d{2}-\d{2}T|UTC/);
    assert.match(text(/<td id="database-maintenance">[\s\S]*?<\/td>/.exec(html)![0]), /выполняет сам узел/);
    // A PostgreSQL server with autovacuum off: said among the problems, with what to do.
    const wiredCtx = ctx as { tableMaintenance?: () => Promise<string> };
    const maintenance = wiredCtx.tableMaintenance;
    wiredCtx.tableMaintenance = () => Promise.resolve('off');
    try {
      const off = await (await fetch(`${base}/admin/health`, { headers: cookie })).text();
      assert.match(
        text(/<div class="card problems" id="health-problems"[\s\S]*?<\/div>/.exec(off)![0]),
        /выключена автоматическая очистка.*Включите её/,
      );
      assert.match(text(/<td id="database-maintenance">[\s\S]*?<\/td>/.exec(off)![0]), /не выполняется/);
    } finally {
      wiredCtx.tableMaintenance = maintenance;
    }
  });

  test('GET /api/v1/health: the same figures with an admin token, the public summary without one', async () => {
    const pub = (await (await fetch(`${base}/api/v1/health`)).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(pub).sort(), ['node', 'party', 'registry', 'status']);
    const res = await fetch(`${base}/api/v1/health`, { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { details: unknown };
    assert.deepEqual(body.details, JSON.parse(JSON.stringify(await getNodeHealth(ctx, admin))));
    const officerToken = fed.logins.find((l) => l.login === 'ru.officer')!.token;
    const denied = await fetch(`${base}/api/v1/health`, { headers: { authorization: `Bearer ${officerToken}` } });
    assert.equal(denied.status, 403);
    const forged = await fetch(`${base}/api/v1/health`, { headers: { authorization: 'Bearer eix_00000000_forged' } });
    assert.equal(forged.status, 401);
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.ok(JSON.stringify(doc.paths['/api/v1/health']).includes('failedDeliveries'));
  });

  test('an administrator makes the failed delivery due again from the health page', async () => {
    await ctx.db.updateTable('outbox').set({ status: 'failed' }).where('message_id', '=', messageId).execute();
    const html = await (await fetch(`${base}/admin/health`, { headers: cookie })).text();
    assert.match(html, new RegExp(`action="/admin/health/deliveries/${messageId}/retry"`));
    assert.match(text(/id="failed-deliveries"[\s\S]*?<\/table>/.exec(html)![0]), /Повторить отправку/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const res = await fetch(`${base}/admin/health/deliveries/${messageId}/retry`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...cookie, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ _csrf: csrf, requestId }).toString(),
    });
    assert.equal(res.status, 302);
    const row = await ctx.db
      .selectFrom('outbox')
      .select(['status', 'attempts'])
      .where('message_id', '=', messageId)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.attempts], ['pending', 0]);
  });

  test('/livez answers; /readyz answers while the database does and fails once it is closed', async () => {
    assert.equal((await fetch(`${base}/livez`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
    const own = nodeOn(await ENGINES[0]!.open(), 'RU');
    const server = await buildServer({ ctx: own.ctx, logLevel: 'silent' });
    try {
      assert.equal((await server.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      await own.database.close();
      const r = await server.inject({ method: 'GET', url: '/readyz' });
      assert.equal(r.statusCode, 503);
      assert.deepEqual(r.json(), { status: 'not_ready', checks: { database: 'failed', registry: 'not_used' } });
      assert.equal((await server.inject({ method: 'GET', url: '/livez' })).statusCode, 200, 'the process is up');
    } finally {
      await server.close();
    }
  });
});
