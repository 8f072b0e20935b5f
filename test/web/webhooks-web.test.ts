// Issue 17 item 1: «Уведомления внешних систем» — the administrator registers a national system's webhook for a body
// (the secret shown once), sees failed deliveries with a Russian reason and retries one, pauses and deletes it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { startWebhookWorker } from '../../src/adapters/webhooks/webhook-worker.js';
import type { Officer } from '../../src/app/context.js';
import { recordEvent } from '../../src/app/record-event.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, webSignIn, type TestNode } from '../support/app.js';
import { freePort } from '../support/federation.js';
import { plainRussianReport } from '../support/plain-russian.js';

const text = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/g, ' ');

describe('issue 17 item 1: the webhooks admin pages', () => {
  let node: TestNode;
  let app: FastifyInstance;
  let base: string;
  let admin: Officer;
  let cookie: { cookie: string };
  let body: string;

  before(async () => {
    node = nodeOn(await ENGINES[0]!.open(), 'RU');
    body = await seedBody(node.ctx, { name: 'ГУФССП России по г. Москве' });
    admin = await seedOfficer(node.ctx, body, ['admin']);
    app = await buildServer({ ctx: node.ctx, logLevel: 'silent', rateLimit: 100_000 });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    cookie = (await webSignIn(node.ctx, base, admin)).cookie;
  });
  after(async () => {
    await app?.close();
    await node?.database.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: cookie, redirect: 'manual' });
    return { status: res.status, html: await res.text() };
  };
  const post = async (path: string, form: Record<string, string | string[]>, from: string) => {
    const csrf = /name="_csrf" value="([^"]+)"/.exec(from)![1]!;
    const p = new URLSearchParams({ _csrf: csrf });
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) p.append(k, x);
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: p.toString(),
    });
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  };

  test('R-17.1: register (secret once), a failure with its Russian reason, «Повторить», pause, delete', async () => {
    let list = await get('/admin/webhooks');
    assert.equal(list.status, 200);
    assert.match(text(list.html), /Адресов нет/);
    // A bad address: the form says why, in Russian.
    const bad = await post('/admin/webhooks', { bodyId: body, url: 'http://ais.example/eix' }, list.html);
    assert.equal(bad.status, 400);
    assert.match(text(bad.html), /допускается только https/);
    const port = await freePort();
    const made = await post(
      '/admin/webhooks',
      { bodyId: body, url: `http://127.0.0.1:${port}/eix`, kinds: ['overdue', 'delivery_delayed'] },
      list.html,
    );
    assert.equal(made.status, 200);
    const secret = /<code id="secret">(whsec_[^<]+)<\/code>/.exec(made.html)?.[1];
    assert.ok(secret, 'the secret is shown on the answer to the POST');
    assert.match(text(made.html), /Срок истёк, Доставка задерживается/);
    const id = /\/admin\/webhooks\/([0-9a-f-]{36})\//.exec(made.html)![1]!;
    const page = await get(`/admin/webhooks/${id}`);
    assert.ok(!page.html.includes(secret), 'never shown again');

    // An event the receiver (nothing listens) does not take: the reason in Russian, and «Повторить».
    await node.ctx.db.transaction().execute((tx) =>
      recordEvent(tx, node.ctx, {
        kind: 'overdue',
        requestId: null as unknown as string,
        bodyId: body,
        data: { deadline: '2026-11-20', direction: 'incoming', delayNotified: false },
      }),
    );
    const w = startWebhookWorker(node.ctx, { timeoutMs: 300, intervalMs: 1e9 });
    await w.drain();
    await w.stop();
    const failing = await get(`/admin/webhooks/${id}`);
    const t = text(failing.html);
    assert.match(t, /Срок истёк/);
    assert.match(t, /Система недоступна: соединение отклонено/);
    assert.match(t, /Повторить/);
    assert.equal(plainRussianReport(`/admin/webhooks/${id}`, t.replace(`127.0.0.1:${port}/eix`, '')), null);
    const deliveryId = /name="deliveryId" value="(\d+)"/.exec(failing.html)![1]!;
    const retried = await post(`/admin/webhooks/${id}/retry`, { deliveryId }, failing.html);
    assert.equal(retried.status, 302);
    assert.match(text((await get(`/admin/webhooks/${id}`)).html), /поставлено в очередь на повторную отправку/);

    const paused = await post(`/admin/webhooks/${id}/disable`, {}, failing.html);
    assert.equal(paused.status, 302);
    assert.match(text((await get(`/admin/webhooks/${id}`)).html), /приостановлено/);
    list = await get('/admin/webhooks');
    assert.match(text(list.html), /приостановлено/);
    assert.equal(plainRussianReport('/admin/webhooks', text(list.html).replace(`127.0.0.1:${port}/eix`, '')), null);
    const deleted = await post(`/admin/webhooks/${id}/delete`, {}, failing.html);
    assert.equal(deleted.location, '/admin/webhooks');
    assert.match(text((await get('/admin/webhooks')).html), /Адрес уведомлений удалён/);
    const audit = await node.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('subject', '=', id)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['webhook.create', 'webhook.retry', 'webhook.disable', 'webhook.delete'],
    );
  });

  test('R-17.1: an officer without the admin role is refused', async () => {
    const officer = await seedOfficer(node.ctx, body, ['officer']);
    const c = (await webSignIn(node.ctx, base, officer)).cookie;
    const res = await fetch(`${base}/admin/webhooks`, { headers: c, redirect: 'manual' });
    assert.equal(res.status, 403);
  });
});
