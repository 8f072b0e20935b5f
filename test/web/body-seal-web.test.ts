// Issue 15.1 at the body's page: the administrator adds a body, downloads its CSR, imports the certificate
// the Party CA issued (a wrong one is refused in Russian on the page, the input kept); the officer's
// dashboard says the body cannot sign until then.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { fileBodySeals } from '../../src/adapters/crypto/file-body-seals.js';
import {
  createDepositaryCa,
  createPartyCa,
  issueBodyCertificate,
  issueBodyCertificateFromRequest,
  type CertAndKey,
} from '../../src/adapters/crypto/pki.js';
import type { Officer } from '../../src/app/context.js';
import { getBodySeal } from '../../src/app/get-body-seal.js';
import type { TrustRegistry } from '../../src/ports/registry.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, passSecondFactor, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = 'admin-correct-horse-battery';
const DAY = 86_400_000;

describe('issue 15.1: the body page — CSR download, certificate import, the officer told', () => {
  let node: TestNode;
  let app: FastifyInstance;
  let base: string;
  let dir: string;
  let ruCa: CertAndKey;
  let cookie: { cookie: string };
  let admin: Officer;

  const login = async (o: Officer) => {
    await node.ctx.db
      .updateTable('officers')
      .set({ password_hash: await hashPassword(PASSWORD) })
      .where('id', '=', o.officerId)
      .execute();
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: o.login, password: PASSWORD }).toString(),
    });
    const token = /eix_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))![1]!;
    await passSecondFactor(node.ctx, o.officerId, token);
    return { cookie: `${COOKIE}=${token}` };
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eix-seal-web-'));
    const root = await createDepositaryCa({ name: 'Депозитарий' });
    ruCa = await createPartyCa({ party: 'RU', name: 'УЦ России', issuer: root });
    const base0 = nodeOn(await ENGINES[0]!.open(), 'RU');
    const registry = {
      current: () => ({
        version: 1,
        issuedAt: base0.clock.now().toISOString(),
        parties: { RU: { caCertificates: [ruCa.certPem], nodes: [] } },
        revocations: [],
      }),
      maxAgeMs: 30 * DAY,
    } as unknown as TrustRegistry;
    node = { ...base0, ctx: { ...base0.ctx, seals: fileBodySeals(dir), registry } };
    const body = await seedBody(node.ctx);
    admin = await seedOfficer(node.ctx, body, ['admin']);
    app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    cookie = await login(admin);
  });
  after(async () => {
    await app?.close();
    await node?.database.close();
    await rm(dir, { recursive: true, force: true });
  });

  const post = async (url: string, form: Record<string, string>, as = cookie) => {
    const page = await (await fetch(`${base}/admin`, { headers: as })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    return fetch(`${base}${url}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...as, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
    });
  };
  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  // Each test adds a body of its own: what one test does to its body's seal no other test reads.
  /** The administrator adds a territorial body on the admin page. */
  const addBody = async (id: string, name: string) => {
    const added = await post('/admin/bodies', { id, name, kind: 'territorial' });
    assert.equal(added.status, 302);
  };
  /** An officer of the body, signed in. */
  const officerOf = async (bodyId: string) => {
    const officer = await seedOfficer(node.ctx, bodyId, ['officer']);
    return { officer, officerCookie: await login(officer) };
  };
  /** The administrator downloads the body's CSR, the Party CA issues the certificate, the administrator imports it. */
  const importCertificate = async (bodyId: string) => {
    const csr = await fetch(`${base}/admin/bodies/${bodyId}/csr`, { headers: cookie });
    assert.equal(csr.status, 200);
    assert.match(csr.headers.get('content-disposition') ?? '', new RegExp(`${bodyId}\\.csr`));
    const csrPem = await csr.text();
    assert.match(csrPem, /BEGIN CERTIFICATE REQUEST/);
    const { certPem } = await issueBodyCertificateFromRequest({
      csrPem,
      issuer: ruCa,
      notBefore: new Date(node.clock.now().getTime() - 3_600_000),
      validDays: 40, // short, so that the expiry test's clock need not leave the production calendars
    });
    // Uploaded as the file a CA hands out, here in DER form (the form is multipart; the PEM may also be pasted).
    const der = new X509Certificate(certPem).raw;
    const form = new FormData();
    const html = await (await fetch(`${base}/admin/bodies/${bodyId}`, { headers: cookie })).text();
    form.set('_csrf', /name="_csrf" value="([^"]+)"/.exec(html)![1]!);
    form.set('certificateFile', new Blob([der]), `${bodyId}.cer`);
    const ok = await fetch(`${base}/admin/bodies/${bodyId}/certificate`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...cookie, 'sec-fetch-site': 'same-origin' },
      body: form,
    });
    assert.equal(ok.status, 302, text(await ok.clone().text()).slice(0, 600));
  };

  test('a new body cannot sign; its officer is told on the dashboard; a wrong certificate is refused on the page', async () => {
    await addBody('ru-fssp-50', 'ГУФССП России по Московской области');
    const admin = await (await fetch(`${base}/admin`, { headers: cookie })).text();
    assert.match(admin, /href="\/admin\/bodies\/ru-fssp-50"/);
    const page = await (await fetch(`${base}/admin/bodies/ru-fssp-50`, { headers: cookie })).text();
    assert.match(text(page), /Орган не может подписывать: нет сертификата печати/);
    // The health page names the body that cannot sign, and why (issue 15.1, 15.4).
    const health = await (await fetch(`${base}/admin/health`, { headers: cookie })).text();
    const unsealed = /<ul id="bodies-without-seal">([\s\S]*?)<\/ul>/.exec(health);
    assert.ok(unsealed, 'the health page lists bodies without a seal');
    assert.match(
      text(unsealed[1]!),
      /ГУФССП России по Московской области\s*: запрос на сертификат ждёт удостоверяющего центра Стороны/,
    );
    assert.match(
      text(/id="health-problems"[\s\S]*?<\/div>/.exec(health)![0]),
      /Орган «ГУФССП России по Московской области» не может направлять сообщения: нет сертификата печати .*не внесён в реестр доверия/,
    );
    const { officerCookie } = await officerOf('ru-fssp-50');
    const dash = await (await fetch(`${base}/`, { headers: officerCookie })).text();
    assert.match(text(dash), /Ваш орган не может подписывать: нет сертификата печати/);
    const denied = await fetch(`${base}/admin/bodies/ru-fssp-50/csr`, { headers: officerCookie });
    assert.equal(denied.status, 403);
    // A certificate the CA made with a key of its own: not the key the node holds.
    const other = await issueBodyCertificate({ party: 'RU', bodyId: 'ru-fssp-50', bodyName: 'ГУФССП', issuer: ruCa });
    const wrong = await post('/admin/bodies/ru-fssp-50/certificate', { certificate: other.certPem });
    assert.equal(wrong.status, 422);
    const w = await wrong.text();
    assert.match(text(w), /Сертификат не установлен\. Сертификат выпущен не на ключ органа/);
    assert.ok(w.includes('-----BEGIN CERTIFICATE-----'), 'the pasted certificate is kept');
  });

  test('the CSR is downloaded, the issued certificate imported; the body can sign and the banner is gone', async () => {
    await addBody('ru-fssp-51', 'ГУФССП России по Тверской области');
    const { officerCookie } = await officerOf('ru-fssp-51');
    await importCertificate('ru-fssp-51');
    const page = text(await (await fetch(`${base}/admin/bodies/ru-fssp-51`, { headers: cookie })).text());
    assert.match(page, /Сертификат печати установлен/);
    assert.match(page, /Сертификат печати действует/);
    // R18: ru-fssp-51 is not among RU's designated bodies: the page says so, and so does the officer's dashboard.
    assert.match(page, /Орган не внесён в реестр доверия: другие Стороны не примут подписанные им запросы/);
    assert.doesNotMatch(page, /\d{4}-\d{2}-\d{2}T/);
    const dash = await (await fetch(`${base}/`, { headers: officerCookie })).text();
    assert.doesNotMatch(dash, /id="seal-banner"/);
    assert.match(text(dash), /Ваш орган не внесён в реестр доверия/);
    const health = await (await fetch(`${base}/admin/health`, { headers: cookie })).text();
    assert.doesNotMatch(health, /data-body="ru-fssp-51"/, 'the body has its seal now');
  });

  test('issue 15.1: 10 days before the seal expires (test clock) the officer’s dashboard and the body page give the date', async () => {
    await addBody('ru-fssp-52', 'ГУФССП России по Тульской области');
    const { officer } = await officerOf('ru-fssp-52');
    await importCertificate('ru-fssp-52');
    const page = await (await fetch(`${base}/admin/bodies/ru-fssp-52`, { headers: cookie })).text();
    const notAfter = /по (\d{2}\.\d{2}\.\d{4})/.exec(text(page))![1]!;
    const seal = await getBodySeal(node.ctx, { kind: 'system', name: 'test' }, 'ru-fssp-52');
    const end = Date.parse(seal!.certificate!.notAfter);
    const ru = new Intl.DateTimeFormat('ru-RU', {
      timeZone: 'Europe/Moscow',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
    }).format(end);
    assert.equal(notAfter, ru);
    const was = node.clock.now().toISOString();
    node.clock.set(new Date(end - 10 * DAY - 3_600_000).toISOString());
    try {
      // A month on, both sign in again.
      const [asOfficer, asAdmin] = [await login(officer), await login(admin)];
      const dash = text(await (await fetch(`${base}/`, { headers: asOfficer })).text());
      assert.match(dash, new RegExp(`Сертификат печати органа действует до ${ru.replace(/\./g, '\\.')}`));
      const body = text(await (await fetch(`${base}/admin/bodies/ru-fssp-52`, { headers: asAdmin })).text());
      assert.match(body, new RegExp(`Сертификат печати истекает ${ru.replace(/\./g, '\\.')}`));
    } finally {
      node.clock.set(was);
    }
  });
});
