// What the nodes log at level "info" during a full exchange must carry no
// secret and no personal data: no private key material, no API token, no
// password, no Authorization header, no session cookie, nothing of the
// request's debtor or of the answer. The three demo nodes run in this process
// with their pino loggers writing to stdout, which the test captures.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemo, DEMO_PARTIES, type DemoParty, type RunningDemo } from '../../src/demo/federation.js';
import { freePort, settle } from '../support/federation.js';
import { writeResult } from '../support/results.js';

/** Captures pino's lines (whether written through process.stdout or fd 1) and lets everything else through. */
function captureStdout(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const isLog = (s: string) => s.startsWith('{"level":');
  const origWrite = process.stdout.write;
  const origWriteSync = fs.writeSync;
  const toText = (c: unknown) =>
    typeof c === 'string'
      ? c
      : Buffer.isBuffer(c) || c instanceof Uint8Array
        ? Buffer.from(c).toString('utf8')
        : String(c);
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const s = toText(chunk);
    if (isLog(s)) {
      chunks.push(s);
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }
    return (origWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  (fs as { writeSync: unknown }).writeSync = function (fd: number, data: unknown, ...rest: unknown[]) {
    if (fd === 1) {
      const s = toText(data);
      if (isLog(s)) {
        chunks.push(s);
        return Buffer.byteLength(s);
      }
    }
    return (origWriteSync as (...a: unknown[]) => number).call(fs, fd, data, ...rest);
  };
  return {
    text: () => chunks.join(''),
    restore: () => {
      process.stdout.write = origWrite;
      (fs as { writeSync: unknown }).writeSync = origWriteSync;
    },
  };
}

async function keyFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.key'))
      out.push(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  }
  return out;
}

const SURNAME = 'Иванов';
const ACCOUNT = 'KZ12722C000012345678';
const EMPLOYER = 'Алатау';
const ATTACHMENT_TEXT = 'Справка о доходах лица';
const kzBody = { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' };

describe('secrets and personal data stay out of the logs (level info)', () => {
  let dir: string;
  let demo: RunningDemo;
  let cap: ReturnType<typeof captureStdout>;

  const api = (p: DemoParty) => demo.nodes[p].apiUrl;
  const token = (login: string) => demo.logins.find((l) => l.login === login)!.token;
  async function call(
    p: DemoParty,
    login: string,
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${api(p)}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token(login)}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
    };
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'eix-logs-'));
    const ports = Object.fromEntries(
      await Promise.all(
        DEMO_PARTIES.map(async (p) => [p, { api: await freePort(), federation: await freePort() }] as const),
      ),
    ) as Record<DemoParty, { api: number; federation: number }>;
    cap = captureStdout();
    demo = await startDemo({ dir, ports, logLevel: 'info' });
  });
  after(async () => {
    try {
      await demo?.stop();
    } finally {
      cap?.restore();
      await rm(dir, { recursive: true, force: true });
    }
  });

  // One scenario: the exchange is what the nodes log, the check reads what they logged during it.
  test('a full exchange over the REST API and the federation, a failed and a successful web login, logs no secret and no personal data', async () => {
    // Step 1: the exchange.
    const webCookies: string[] = [];
    const ruProceeding = (
      await demo.nodes.RU.wired.ctx.db
        .selectFrom('proceedings')
        .select('id')
        .where('number', '=', '123456/26/77001-ИП')
        .executeTakeFirstOrThrow()
    ).id;
    // RU drafts and signs with its API token.
    const d = await call('RU', 'ru.officer', 'POST', '/api/v1/requests', {
      proceedingId: ruProceeding,
      requestedBody: kzBody,
      items: [
        { kind: 'property', subItems: ['a', 'b'] },
        { kind: 'employment_income', workplace: true, income: true, period: { from: '2024-01-01', to: '2026-10-31' } },
      ],
      grounds: 'Должник проживает в г. Алматы и получает доход на территории Республики Казахстан.',
    });
    assert.equal(d.status, 201, JSON.stringify(d.json));
    const outgoingId = (d.json as { id: string }).id;
    const s = await call('RU', 'ru.officer', 'POST', `/api/v1/requests/${outgoingId}/sign`, {});
    assert.equal(s.status, 200, JSON.stringify(s.json));
    await settle(demo);
    // KZ finds it, takes it into work and answers with accounts, employer and an attachment.
    const list = await call('KZ', 'kz.officer', 'GET', '/api/v1/requests?direction=incoming');
    const incomingId = (list.json as { items: { id: string }[] }).items[0]!.id;
    assert.equal(
      (await call('KZ', 'kz.officer', 'POST', `/api/v1/requests/${incomingId}/steps`, { step: 'take_into_work' }))
        .status,
      200,
    );
    const a = await call('KZ', 'kz.officer', 'POST', `/api/v1/requests/${incomingId}/answers`, {
      final: true,
      items: [
        {
          itemNo: 1,
          outcome: 'found',
          data: { accounts: [{ bank: 'АО «Kaspi Bank»', number: ACCOUNT, currency: 'KZT' }] },
        },
        {
          itemNo: 2,
          outcome: 'found',
          data: {
            employer: { name: `ТОО «${EMPLOYER}»` },
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
              contentBase64: Buffer.from(ATTACHMENT_TEXT).toString('base64'),
            },
          ],
        },
      ],
    });
    assert.equal(a.status, 200, JSON.stringify(a.json));
    await settle(demo);
    // RU reads the answer and downloads the attachment.
    const v = await call('RU', 'ru.officer', 'GET', `/api/v1/requests/${outgoingId}`);
    const view = v.json as {
      state: string;
      answers: { itemNo: number; data: unknown; attachments: { sha256: string }[] }[];
    };
    assert.equal(view.state, 'answered');
    assert.match(JSON.stringify(view.answers), new RegExp(ACCOUNT));
    const sha = view.answers.find((x) => x.itemNo === 2)!.attachments[0]!.sha256;
    const f = await call('RU', 'ru.officer', 'GET', `/api/v1/requests/${outgoingId}/attachments/${sha}`);
    assert.equal(f.json, ATTACHMENT_TEXT);
    // A failed web login (a real login, a wrong password) and a successful one.
    const ru = demo.logins.find((l) => l.login === 'ru.officer')!;
    const bad = await fetch(`${api('RU')}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: ru.login, password: 'wrong-Passw0rd-attempt-xyz' }),
      redirect: 'manual',
    });
    assert.ok(bad.status >= 400, `failed login: ${bad.status}`);
    const good = await fetch(`${api('RU')}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: ru.login, password: ru.password }),
      redirect: 'manual',
    });
    assert.equal(good.status, 302);
    const cookie = good.headers.get('set-cookie')!;
    webCookies.push(/=([^;]+)/.exec(cookie)![1]!);
    const home = await fetch(`${api('RU')}/`, { headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(home.status, 200);
    // An API call with a bearer token that is wrong.
    const wrong = await fetch(`${api('RU')}/api/v1/requests?direction=outgoing`, {
      headers: { authorization: 'Bearer eix_wrongtoken_0123456789abcdefghijklmnopqrstuv' },
    });
    assert.equal(wrong.status, 401);

    // Step 2: the captured log lines hold no secret and no personal data.
    const logText = cap.text();
    const lines = logText.split('\n').filter((l) => l.trim());
    console.log(`log lines scanned: ${lines.length} (${Buffer.byteLength(logText)} bytes)`);
    assert.ok(lines.length >= 20, `the nodes did log at info (${lines.length} lines)`);
    for (const l of lines) JSON.parse(l);
    assert.ok(
      lines.some((l) => l.includes('/api/v1/requests')),
      'request lines are in the capture',
    );

    const present = (needle: string) => {
      const forms = [
        needle,
        encodeURIComponent(needle),
        JSON.stringify(needle).slice(1, -1),
        needle.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      ];
      return forms.some((f) => logText.includes(f));
    };
    assert.ok(!logText.includes('PRIVATE KEY'), 'no PEM private key');
    const keys = await keyFiles(dir);
    assert.ok(keys.length >= 15, `key files found: ${keys.length}`);
    let fragments = 0;
    for (const k of keys) {
      const content = await readFile(k, 'utf8');
      for (const m of content.match(/[A-Za-z0-9+/=_-]{40,}/g) ?? []) {
        fragments += 1;
        assert.ok(!logText.includes(m), `key material of ${path.relative(dir, k)} in the logs`);
      }
    }
    console.log(`key files: ${keys.length}, base64 fragments (>= 40 chars) checked: ${fragments}`);
    await writeResult('security-secrets-in-logs.json', {
      logLines: lines.length,
      logBytes: Buffer.byteLength(logText),
      keyFiles: keys.length,
      keyFragmentsChecked: fragments,
    });
    for (const l of demo.logins) {
      assert.ok(!logText.includes(l.token), `API token of ${l.login}`);
      assert.ok(!logText.includes(l.token.slice(-24)), `API token tail of ${l.login}`);
      assert.ok(!present(l.password), `password of ${l.login}`);
    }
    assert.ok(!logText.includes('wrong-Passw0rd-attempt-xyz'), 'the failed login password');
    assert.ok(!logText.includes('eix_wrongtoken_0123456789'), 'the wrong bearer token');
    assert.ok(!/bearer\s/i.test(logText), 'no Authorization header value');
    for (const c of webCookies)
      assert.ok(!logText.includes(c) && !logText.includes(decodeURIComponent(c)), 'the session cookie');
    for (const pd of [SURNAME, 'Иван', ACCOUNT, EMPLOYER, ATTACHMENT_TEXT, 'справка.txt', 'Kaspi'])
      assert.ok(!present(pd), `personal data «${pd}» in the logs`);
  });

  test('searching by the debtor surname keeps the surname out of the logs', async () => {
    const before = cap.text().length;
    const r = await call(
      'RU',
      'ru.officer',
      'GET',
      `/api/v1/requests?direction=outgoing&query=${encodeURIComponent(SURNAME)}`,
    );
    assert.equal(r.status, 200);
    const w = await fetch(`${api('RU')}/proceedings?q=${encodeURIComponent(SURNAME)}`);
    assert.ok(w.status < 500);
    const added = cap.text().slice(before);
    const leaked = added.split('\n').filter((l) => l.includes(encodeURIComponent(SURNAME)) || l.includes(SURNAME));
    if (leaked.length) console.log(`surname found in ${leaked.length} log line(s), e.g. ${leaked[0]}`);
    assert.equal(leaked.length, 0);
  });
});
