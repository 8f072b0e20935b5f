// Issue 17 item 1: the pull feed `GET /api/v1/events` of a running node
// (PGlite in its home): paging by cursor, a stored cursor that survives a
// restart of the node with nothing skipped or repeated while events are
// recorded concurrently, long-polling, and who sees which events.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import { createWebhook } from '../../src/app/manage-webhooks.js';
import { recordEvent } from '../../src/app/record-event.js';
import type { AppContext } from '../../src/app/context.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';
import { startNode, type RunningNode } from '../../src/main.js';
import { seedBody, seedOfficer } from '../support/app.js';

const SYSTEM = { kind: 'system', name: 'cli' } as const;

interface Page {
  events: { id: string; kind: string; bodyId: string; at: string; data: unknown }[];
  next: string;
}

/** A running node a test may restart in place, as the operator does (the same home and database), like fed.restart(). */
async function restartableNode(start: () => Promise<RunningNode>) {
  const self = {
    node: await start(),
    /** Stops the node and starts it again; the stop's duration. */
    async restart(): Promise<number> {
      const t0 = performance.now();
      await self.node.stop();
      const stopped = performance.now() - t0;
      self.node = await start();
      return stopped;
    },
  };
  return self;
}

describe('issue 17 item 1: the event feed of a running node', () => {
  let tmp: string;
  let home: string;
  let running: Awaited<ReturnType<typeof restartableNode>>;
  const tokens: Record<'central' | 'a' | 'b', string> = { central: '', a: '', b: '' };
  let bodyA: string;
  let bodyB: string;
  const config = () => readConfig({ EIX_HOME: home, EIX_PORT: '0', EIX_LOG_LEVEL: 'silent' });

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'eix-feed-'));
    home = path.join(tmp, 'node');
    const code = await runCli(['node', 'init', '--party', 'ru', '--json'], {
      io: { out: () => undefined, err: () => undefined },
      clock: fixedClock(new Date('2026-11-26T09:00:00Z')),
      config: readConfig({ EIX_HOME: home }),
    });
    assert.equal(code, 0);
    running = await restartableNode(() => startNode(config()));
    const ctx = running.node.wired.ctx;
    bodyA = await seedBody(ctx);
    bodyB = await seedBody(ctx);
    // Technical accounts (issue 13: no casework role), tokens minted by the operator's console.
    for (const [k, b] of [
      ['central', 'ru-central'],
      ['a', bodyA],
      ['b', bodyB],
    ] as const) {
      const account = await seedOfficer(ctx, b, []);
      tokens[k] = (await createApiToken(ctx, SYSTEM, { name: `АИС ${k}`, officerId: account.officerId })).token;
    }
  });
  after(async () => {
    await running?.node.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  const api = async (token: string, url: string, init: RequestInit = {}) => {
    const res = await fetch(`${running.node.apiUrl}/api/v1${url}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
    return { status: res.status, json: (await res.json()) as unknown };
  };
  const feed = async (token: string, query: string) => {
    const r = await api(token, `/events${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return r.json as Page;
  };

  /** Records events the way the use cases do (recordEvent, one transaction each); returns their ids. */
  const record = async (ctx: AppContext, bodyId: string, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++)
      ids.push(
        await ctx.db.transaction().execute(
          async (tx) =>
            (await recordEvent(tx, ctx, {
              kind: 'data_destroyed',
              requestId: null as unknown as string,
              bodyId,
              data: { kinds: ['messages'] },
            }))!,
        ),
      );
    return ids;
  };
  const allIds = async () =>
    (await running.node.wired.ctx.db.selectFrom('events').select('id').orderBy('id').execute()).map((r) =>
      String(r.id),
    );

  test('R-17.1: the feed resumes from its stored cursor after a node restart: every event exactly once', async () => {
    const seen: string[] = [];
    await record(running.node.wired.ctx, bodyA, 6);
    await record(running.node.wired.ctx, bodyB, 5);
    let page = await feed(tokens.central, '?after=0&limit=4');
    seen.push(...page.events.map((e) => e.id));
    page = await feed(tokens.central, `?after=${page.next}&limit=4`);
    seen.push(...page.events.map((e) => e.id));
    // The consumer stores what it processed, then the node stops (and the consumer loses its own state).
    const put = await api(tokens.central, '/events/cursor', {
      method: 'PUT',
      body: JSON.stringify({ after: page.next }),
    });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    await running.restart();
    assert.deepEqual((await api(tokens.central, '/events/cursor')).json, { after: page.next });
    // Events recorded while the consumer reads, concurrently (several transactions at once).
    const writing = Promise.all([
      record(running.node.wired.ctx, bodyA, 8),
      record(running.node.wired.ctx, bodyB, 8),
      record(running.node.wired.ctx, 'ru-central', 4),
    ]);
    // No `after`: the stored cursor.
    page = await feed(tokens.central, '?limit=3');
    seen.push(...page.events.map((e) => e.id));
    for (let i = 0; i < 100; i++) {
      page = await feed(tokens.central, `?after=${page.next}&limit=3`);
      seen.push(...page.events.map((e) => e.id));
      if (page.events.length === 0 && seen.length >= 31) break;
    }
    await writing;
    page = await feed(tokens.central, `?after=${page.next}&limit=1000`);
    seen.push(...page.events.map((e) => e.id));
    assert.deepEqual(seen, await allIds(), 'every event id of the table exactly once, in order');
    assert.equal(seen.length, 31);
  });

  test('R-17.1: a token of another body does not see the events; the central body’s technical account sees all', async () => {
    await record(running.node.wired.ctx, bodyA, 3);
    await record(running.node.wired.ctx, bodyB, 3);
    await record(running.node.wired.ctx, 'ru-central', 1);
    const a = (await feed(tokens.a, '?after=0&limit=1000')).events;
    const b = (await feed(tokens.b, '?after=0&limit=1000')).events;
    assert.ok(a.length > 0 && b.length > 0);
    assert.ok(a.every((e) => e.bodyId === bodyA));
    assert.ok(b.every((e) => e.bodyId === bodyB));
    const all = (await feed(tokens.central, '?after=0&limit=1000')).events;
    assert.equal(all.length, (await allIds()).length);
    // A body's consumer pages past the other bodies' events without missing its own.
    const mine: string[] = [];
    let next = '0';
    for (;;) {
      const p = await feed(tokens.a, `?after=${next}&limit=2`);
      if (p.events.length === 0) break;
      mine.push(...p.events.map((e) => e.id));
      next = p.next;
    }
    assert.deepEqual(
      mine,
      a.map((e) => e.id),
    );
    // Bad input: a Russian message naming the field; a cursor beyond the newest event is refused.
    const bad = await api(tokens.a, '/events?wait=31');
    assert.equal(bad.status, 400);
    const beyond = await api(tokens.a, '/events/cursor', { method: 'PUT', body: JSON.stringify({ after: '999999' }) });
    assert.equal(beyond.status, 400);
    assert.equal((await api('eix_00000000_bad', '/events')).status, 401);
  });

  test('R-17.1: a long poll answers as soon as an event arrives, and empty after `wait`', async () => {
    const [newest] = await record(running.node.wired.ctx, bodyA, 1);
    let t0 = performance.now();
    const empty = await feed(tokens.a, `?after=${newest!}&wait=1`);
    assert.deepEqual(empty, { events: [], next: newest });
    assert.ok(performance.now() - t0 >= 900, 'waited');
    t0 = performance.now();
    const polling = feed(tokens.a, `?after=${newest!}&wait=20`);
    await new Promise((r) => setTimeout(r, 400));
    const [id] = await record(running.node.wired.ctx, bodyA, 1);
    const got = await polling;
    const took = performance.now() - t0;
    assert.deepEqual(
      got.events.map((e) => e.id),
      [id],
    );
    assert.equal(got.next, id);
    assert.ok(took < 3000, `answered in ${Math.round(took)} ms`);
  });

  test('R-17.1: the running node sends webhooks (the worker started by startNode) and stops promptly', async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push((JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      await createWebhook(running.node.wired.ctx, SYSTEM, { bodyId: bodyB, url: `http://127.0.0.1:${port}/hook` });
      const ids = await record(running.node.wired.ctx, bodyB, 2);
      for (let i = 0; i < 50 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(received.sort(), [...ids].sort());
      // A long poll in flight does not hold the node's stop.
      const polling = fetch(`${running.node.apiUrl}/api/v1/events?wait=30&after=${ids[1]}`, {
        headers: { authorization: `Bearer ${tokens.b}` },
      }).catch(() => null);
      await new Promise((r) => setTimeout(r, 200));
      const stopped = await running.restart();
      assert.ok(stopped < 5000, `stopped without waiting for the long poll (${Math.round(stopped)} ms)`);
      await polling;
    } finally {
      server.close();
    }
  });
});
