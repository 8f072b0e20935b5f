// Issue 15.1 at the body's page: the administrator adds a body, downloads its CSR, imports the certificate
// the Party CA issued (a wrong one is refused in Russian on the page, the input kept); the officer's
// dashboard says the body cannot sign until then.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
import type { TrustRegistry } from '../../src/ports/registry.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, passSecondFactor, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = 'admin-correct-horse-battery';

describe('issue 15.1: the body page — CSR download, certificate import, the officer told', () => {
  let node: TestNode;
  let app: FastifyInstance;
  let base: string;
  let dir: string;
  let ruCa: CertAndKey;
  let cookie: { cookie: string };
  let officerCookie: { cookie: string };

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
      current: () => ({ parties: { RU: { caCertificates: [ruCa.certPem] } }, revocations: [] }),
    } as unknown as TrustRegistry;
    node = { ...base0, ctx: { ...base0.ctx, seals: fileBodySeals(dir), registry } };
    const body = await seedBody(node.ctx);
    const admin = await seedOfficer(node.ctx, body, ['admin']);
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

  test('a new body cannot sign; its officer is told on the dashboard; a wrong certificate is refused on the page', async () => {
    const added = await post('/admin/bodies', {
      id: 'ru-fssp-50',
      name: 'ГУФССП России по Московской области',
      kind: 'territorial',
    });
    assert.equal(added.status, 302);
    const admin = await (await fetch(`${base}/admin`, { headers: cookie })).text();
    assert.match(admin, /href="\/admin\/bodies\/ru-fssp-50"/);
    const page = await (await fetch(`${base}/admin/bodies/ru-fssp-50`, { headers: cookie })).text();
    assert.match(text(page), /Орган не может подписывать: нет сертификата печати/);
    const officer = await seedOfficer(node.ctx, 'ru-fssp-50', ['officer']);
    officerCookie = await login(officer);
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
    const csr = await fetch(`${base}/admin/bodies/ru-fssp-50/csr`, { headers: cookie });
    assert.equal(csr.status, 200);
    assert.match(csr.headers.get('content-disposition') ?? '', /ru-fssp-50\.csr/);
    const csrPem = await csr.text();
    assert.match(csrPem, /BEGIN CERTIFICATE REQUEST/);
    const { certPem } = await issueBodyCertificateFromRequest({
      csrPem,
      issuer: ruCa,
      notBefore: new Date(node.clock.now().getTime() - 3_600_000),
    });
    const ok = await post('/admin/bodies/ru-fssp-50/certificate', { certificate: certPem });
    assert.equal(ok.status, 302, text(await ok.clone().text()).slice(0, 600));
    const page = text(await (await fetch(`${base}/admin/bodies/ru-fssp-50`, { headers: cookie })).text());
    assert.match(page, /Сертификат печати установлен/);
    assert.match(page, /Орган может подписывать/);
    assert.doesNotMatch(page, /\d{4}-\d{2}-\d{2}T/);
    const dash = await (await fetch(`${base}/`, { headers: officerCookie })).text();
    assert.doesNotMatch(dash, /seal-banner/);
  });
});
