// Issue 17 item 2 on the requested officer's pages (KZ, real HTTP, PGlite): while the registries are asked the
// request page says so; a registry that times out or answers garbage leaves the request for manual answering
// with «Ответ не подготовлен автоматически: <причина>» in plain Russian, and the answer form is then empty.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import { buildRegistryConnectors } from '../../src/adapters/registries/connectors.js';
import { draftAnswerFromRegistries } from '../../src/app/draft-answer-from-registries.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import type { Actor, AppContext, Officer } from '../../src/app/context.js';
import { PROJECT_ROOT } from '../../src/config/config.js';
import { parseRegistriesConfig } from '../../src/config/registries.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fake-registry.js';
import { plainRussianReport } from '../support/plain-russian.js';
import { aRequest } from '../support/requests.js';

const COOKIE = '__Host-eix_session';
const PASSWORD = 'kz-officer-correct-horse';
const SYSTEM: Actor = { kind: 'system', name: 'federation' };

/** The text of the registries' card on the request page (tags dropped, entities of the templates decoded). */
function card(html: string): string | null {
  const m = /<div class="card registry-draft" id="registry-draft"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  if (!m) return null;
  return m[1]!
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('issue 17.2: the request page when the registries fail (KZ)', () => {
  const engine = ENGINES[0]!;
  let kz: TestNode;
  let ctx: AppContext;
  let reg: FakeRegistry;
  let officer: Officer;
  let app: FastifyInstance;
  let base: string;
  let token: string;
  let n = 0;

  before(async () => {
    kz = nodeOn(await engine.open(), 'KZ');
    await seedBody(kz.ctx, { id: 'kz-central', kind: 'central', name: 'Министерство юстиции Республики Казахстан' });
    officer = await seedOfficer(kz.ctx, 'kz-central', ['officer']);
    await kz.ctx.db
      .updateTable('officers')
      .set({ password_hash: await hashPassword(PASSWORD) })
      .where('id', '=', officer.officerId)
      .execute();
    reg = await startFakeRegistry();
    reg.set('/banks', { kind: 'hang' });
    reg.set('/people', { kind: 'raw', text: '<html>Сервис на обслуживании</html>' });
    const config = await parseRegistriesConfig(
      {
        lookups: {
          accounts: {
            connector: 'http-json',
            title: 'Реестр банковских счетов',
            url: `${reg.url}/banks`,
            timeoutMs: 150,
            retries: 0,
            mapping: { records: '/accounts', fields: { bank: '/bank', number: '/iban' } },
          },
          addresses: {
            connector: 'http-json',
            title: 'Реестр населения',
            url: `${reg.url}/people`,
            retries: 0,
            mapping: { records: '/addresses', fields: { address: '/text' } },
          },
        },
      },
      tmpdir(),
      'registries.json',
    );
    ctx = {
      ...kz.ctx,
      registries: await buildRegistryConnectors(config, { clock: kz.clock, dataDir: path.join(PROJECT_ROOT, 'data') }),
    };
    app = await buildServer({ ctx, logLevel: 'silent', rateLimit: 100_000 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: officer.login, password: PASSWORD }).toString(),
    });
    token = /eix_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))![1]!;
  });
  after(async () => {
    await app?.close();
    await reg?.close();
    await kz?.database.close();
  });

  const get = async (url: string) => {
    const res = await fetch(`${base}${url}`, { redirect: 'manual', headers: { cookie: `${COOKIE}=${token}` } });
    return { status: res.status, html: await res.text() };
  };

  async function receive(items: NonNullable<ReturnType<typeof aRequest>['items']>): Promise<string> {
    n += 1;
    return (
      await receiveRequest(ctx, SYSTEM, {
        messageId: `m-registry-web-${n}-${process.pid}`,
        fromBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' },
        toBodyId: 'kz-central',
        receivedAt: kz.clock.now().toISOString(),
        document: aRequest((d) => {
          d.number = `77001/26/WEB-${n}`;
          d.items = items;
        }),
      })
    ).id;
  }

  test('asked, then «Ответ не подготовлен автоматически» with each registry and its reason; the form stays empty', async () => {
    const id = await receive([
      { kind: 'property', subItems: ['a'] },
      { kind: 'location', target: 'debtor' },
    ]);
    const waiting = card((await get(`/requests/${id}`)).html);
    assert.match(waiting ?? '', /^Сведения запрашиваются в реестрах/);
    await draftAnswerFromRegistries(ctx);
    const page = await get(`/requests/${id}`);
    assert.equal(page.status, 200);
    const text = card(page.html)!;
    assert.equal(
      text,
      'Сведения из реестров не получены Ответ не подготовлен автоматически: «Реестр банковских счетов» (счета и вклады) — ' +
        'реестр не ответил в отведённое время; «Реестр населения» (адреса) — реестр вернул сведения в непонятном виде. ' +
        'Подготовьте ответ вручную.',
    );
    assert.equal(plainRussianReport('registry-failed-card', text), null);
    assert.doesNotMatch(page.html, /Проверить и подписать ответ/);
    // The officer answers by hand: the form is not filled from anything.
    const form = await get(`/requests/${id}/answer`);
    assert.equal(form.status, 200);
    assert.doesNotMatch(form.html, /id="draft-notice"/);
    assert.match(
      form.html,
      /<option value="" selected>— не отвечать сейчас —<\/option>|<option value="">— не отвечать сейчас —<\/option>/,
    );
    assert.doesNotMatch(form.html, /<option value="found" selected>/);
  });
});
