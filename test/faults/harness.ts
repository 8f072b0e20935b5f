// Shared set-up of the fault tests: a demo federation prepared in a temp dir on
// free ports, nodes run as real child processes, and the REST calls an officer
// would make (proceeding, draft, sign, lists). Not a test file itself.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../../src/adapters/db/database.js';
import type { DB } from '../../src/adapters/db/schema.js';
import { HOLD_LINE } from '../../src/adapters/federation/receipt-hold.js';
import { nodePaths } from '../../src/main.js';
import {
  prepareDemo,
  DEMO_PARTIES,
  type DemoLogin,
  type DemoOptions,
  type DemoParty,
} from '../../src/demo/federation.js';
import { freePort } from '../support/federation.js';
import { api, spawnNode, type NodePorts, type NodeProcess } from '../support/processes.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const KZ_BODY = {
  id: 'kz-central',
  party: 'KZ',
  name: 'Комитет по обеспечению исполнения судебных актов Министерства юстиции Республики Казахстан',
};
export const ITEMS = [{ kind: 'location', target: 'debtor' }];
export const GROUNDS = 'Должник проживает в Республике Казахстан.';

export interface FaultFederation {
  readonly dir: string;
  readonly ports: Record<DemoParty, NodePorts>;
  readonly logins: DemoLogin[];
  home(p: DemoParty): string;
  token(login: string): string;
  cleanup(): Promise<void>;
}

export async function prepareFaultFederation(opts: Pick<DemoOptions, 'databaseUrls'> = {}): Promise<FaultFederation> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eix-faults-'));
  const ports = Object.fromEntries(
    await Promise.all(
      DEMO_PARTIES.map(async (p) => [p, { api: await freePort(), federation: await freePort() }] as const),
    ),
  ) as Record<DemoParty, NodePorts>;
  const logins = await prepareDemo({ dir, ports, logLevel: 'silent', ...opts });
  return {
    dir,
    ports,
    logins,
    home: (p) => path.join(dir, p.toLowerCase()),
    token: (login) => logins.find((l) => l.login === login)!.token,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface RuKz {
  kz: NodeProcess;
  ru: NodeProcess;
  ruToken: string;
  kzToken: string;
  proceeding: string;
}

/** Starts KZ and RU as processes (added to `procs`, which the caller stops) and gets RU's proceeding. */
export async function startRuKz(
  fed: FaultFederation,
  procs: NodeProcess[],
  opts: { kzEnv?: Record<string, string> } = {},
): Promise<RuKz> {
  const kz = spawnNode(fed.home('KZ'), fed.ports.KZ, opts.kzEnv);
  const ru = spawnNode(fed.home('RU'), fed.ports.RU);
  procs.push(kz, ru);
  await Promise.all([kz.ready, ru.ready]);
  const ruToken = fed.token('ru.officer');
  return { kz, ru, ruToken, kzToken: fed.token('kz.officer'), proceeding: await proceedingId(ru.apiUrl, ruToken) };
}

/** The first proceeding of the officer's body; registers the example one when there is none (prepareDemo seeds none). */
export async function proceedingId(url: string, token: string): Promise<string> {
  const list = await api<{ items: { id: string }[] }>(url, token, 'GET', '/api/v1/proceedings');
  if (list.items[0]) return list.items[0].id;
  const example = JSON.parse(
    await readFile(path.join(ROOT, 'data', 'examples', 'request-ru-kz.json'), 'utf8'),
  ) as Record<string, unknown>;
  await api(url, token, 'POST', '/api/v1/proceedings', {
    number: '123456/26/77001-ИП',
    openedOn: '2026-03-02',
    debtor: example.debtor,
    creditor: example.creditor,
    executiveDocuments: [example.executiveDocument],
  });
  const again = await api<{ items: { id: string }[] }>(url, token, 'GET', '/api/v1/proceedings');
  return again.items[0]!.id;
}

export const draft = (url: string, token: string, proceeding: string) =>
  api<{ id: string }>(url, token, 'POST', '/api/v1/requests', {
    proceedingId: proceeding,
    requestedBody: KZ_BODY,
    items: ITEMS,
    grounds: GROUNDS,
  }).then((r) => r.id);

export const sign = (url: string, token: string, id: string) =>
  api<{ id: string; number: string; state: string; messageId: string }>(
    url,
    token,
    'POST',
    `/api/v1/requests/${id}/sign`,
    {},
  );

export interface ListItem {
  id: string;
  number: string;
  state: string;
}

export async function total(
  url: string,
  token: string,
  direction: 'incoming' | 'outgoing',
  states?: string,
): Promise<number> {
  const r = await api<{ total: number; totalCapped: boolean }>(
    url,
    token,
    'GET',
    `/api/v1/requests?direction=${direction}&limit=1${states ? `&states=${states}` : ''}`,
  );
  // The list counts up to TOTAL_CAP (10,000): past it a count would stall a wait or understate a figure.
  if (r.totalCapped) throw new Error(`more than ${r.total} requests: the list's total is capped; count what is left`);
  return r.total;
}

/** Bundles a node has received from a Party (its health figures, read with its administrator's token). */
export async function bundlesReceived(url: string, adminToken: string, from: string): Promise<number> {
  const h = await api<{ details: { peers: { party: string; bundles: { received: number } }[] } }>(
    url,
    adminToken,
    'GET',
    '/api/v1/health',
  );
  return h.details.peers.find((p) => p.party === from)?.bundles.received ?? 0;
}

/** Every item of a list, 200 at a time with offset paging. */
export async function listAll(
  url: string,
  token: string,
  direction: 'incoming' | 'outgoing',
  states?: string,
): Promise<ListItem[]> {
  const all: ListItem[] = [];
  for (let offset = 0; ; offset += 200) {
    const r = await api<{ items: ListItem[] }>(
      url,
      token,
      'GET',
      `/api/v1/requests?direction=${direction}&limit=200&offset=${offset}${states ? `&states=${states}` : ''}`,
    );
    all.push(...r.items);
    if (r.items.length < 200) return all;
  }
}

/** Runs `fn` over `xs` with at most `n` calls in flight. */
export async function pool<T, R>(
  xs: readonly T[],
  n: number,
  fn: (x: T, i: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = new Array(xs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, xs.length) }, async () => {
      while (next < xs.length) {
        const i = next++;
        try {
          out[i] = { status: 'fulfilled', value: await fn(xs[i]!, i) };
        } catch (e) {
          out[i] = { status: 'rejected', reason: e };
        }
      }
    }),
  );
  return out;
}

export { writeResult } from '../support/results.js';

/**
 * A stopped node's database, opened in this process (PGlite in its home, or PostgreSQL at `url`): the fault
 * tests and the load bench read what the nodes stored after they stopped. Never while a node runs on that PGlite.
 */
export async function withNodeDatabase<T>(
  home: string,
  url: string | undefined,
  fn: (db: Kysely<DB>) => Promise<T>,
): Promise<T> {
  const d = await openDatabase(url ? { url, migrate: false } : { dir: nodePaths(home).db, migrate: false });
  try {
    return await fn(d.db);
  } finally {
    await d.close();
  }
}

/** One side effect counted per message id against the ids sent: how many ids have it more than once, or not at all. */
export interface PerMessage {
  /** Rows beyond one per message id (a duplicated effect). */
  readonly extra: number;
  /** Sent message ids without the effect (a lost one). */
  readonly missing: number;
  /** Rows for ids that were never sent. */
  readonly stray: number;
}

function perMessage(rows: readonly { m: string | null; n: number | string }[], sent: ReadonlySet<string>): PerMessage {
  let extra = 0;
  let stray = 0;
  const seen = new Set<string>();
  for (const r of rows) {
    const n = Number(r.n);
    extra += Math.max(0, n - 1);
    if (r.m === null || !sent.has(r.m)) stray += n;
    else seen.add(r.m);
  }
  return { extra, missing: [...sent].filter((m) => !seen.has(m)).length, stray };
}

/** The sender's side of a request exchange: what it signed, and its rows per request no constraint keeps single. */
export interface SenderCounts {
  /** Message ids of the requests it signed (outbox rows of type request). */
  readonly sent: ReadonlySet<string>;
  /** Outbox rows of type request beyond one per request. */
  readonly outboxExtra: number;
  /** The request's `receipt` history entry, once per signed request (recorded when its receipt came back). */
  readonly receiptHistory: PerMessage;
  /** Claims of a row still `sending` under an expired lease (its holder died or lost the database). */
  readonly leaseTakeovers: number;
}

export async function senderCounts(db: Kysely<DB>): Promise<SenderCounts> {
  const outbox = await db
    .selectFrom('outbox')
    .select(['message_id', 'request_id', 'lease_takeovers'])
    .where('type', '=', 'request')
    .execute();
  const perRequest = new Map<string, number>();
  for (const r of outbox) perRequest.set(r.request_id ?? '', (perRequest.get(r.request_id ?? '') ?? 0) + 1);
  const sent = new Set(outbox.map((r) => r.message_id));
  const history = await sql<{ m: string; n: string }>`
    select r.message_id as m, count(*)::text as n from request_events e join requests r on r.id = e.request_id
     where e.event = 'receipt' and r.direction = 'outgoing' group by r.message_id`.execute(db);
  return {
    sent,
    outboxExtra: [...perRequest.values()].reduce((a, n) => a + n - 1, 0),
    receiptHistory: perMessage(history.rows, sent),
    leaseTakeovers: outbox.reduce((a, r) => a + r.lease_takeovers, 0),
  };
}

/**
 * The receiver's side, per message id sent: exactly-once checked on what no constraint protects. The request row
 * and the inbox row cannot be doubled (requests.message_id is unique, inbox.message_id the primary key): a failed
 * dedup shows there as a retried `internal` refusal, never as a second row. So the side effects are counted
 * too — the request's `receipt` history entry, the `request_received` event, the `request.receipt` audit entry —
 * with the resends answered from the inbox (inbox.resends) and the refusals by code.
 */
export interface ReceiverCounts {
  readonly requests: PerMessage;
  readonly inbox: PerMessage;
  readonly receiptHistory: PerMessage;
  readonly receiveEvents: PerMessage;
  readonly receiptAudit: PerMessage;
  /** Resends of a stored message answered with its receipt: a receipt lost after the commit, resent. */
  readonly resendsAnswered: number;
  /** Message ids answered as a resend at least once. */
  readonly resentIds: readonly string[];
  /** `federation.rejected` audit entries by code (`internal` must stay absent). */
  readonly rejectedByCode: Readonly<Record<string, number>>;
}

export async function receiverCounts(db: Kysely<DB>, sent: ReadonlySet<string>): Promise<ReceiverCounts> {
  const rows = async <R>(q: ReturnType<typeof sql<R>>) => (await q.execute(db)).rows;
  const inbox = await db.selectFrom('inbox').select(['message_id', 'resends']).where('type', '=', 'request').execute();
  const rejected = await rows(sql<{ code: string; n: string }>`
    select details->>'code' as code, count(*)::text as n from audit_log where action = 'federation.rejected' group by 1`);
  return {
    requests: perMessage(
      await rows(sql<{ m: string; n: string }>`
        select message_id as m, count(*)::text as n from requests where direction = 'incoming' group by message_id`),
      sent,
    ),
    inbox: perMessage(
      inbox.map((r) => ({ m: r.message_id, n: 1 })),
      sent,
    ),
    receiptHistory: perMessage(
      await rows(sql<{ m: string; n: string }>`
        select r.message_id as m, count(*)::text as n from request_events e join requests r on r.id = e.request_id
         where e.event = 'receipt' and r.direction = 'incoming' group by r.message_id`),
      sent,
    ),
    receiveEvents: perMessage(
      await rows(sql<{ m: string; n: string }>`
        select data->>'messageId' as m, count(*)::text as n from events where kind = 'request_received' group by 1`),
      sent,
    ),
    receiptAudit: perMessage(
      await rows(sql<{ m: string; n: string }>`
        select details->>'messageId' as m, count(*)::text as n from audit_log where action = 'request.receipt'
         group by 1`),
      sent,
    ),
    resendsAnswered: inbox.reduce((a, r) => a + r.resends, 0),
    resentIds: inbox.filter((r) => r.resends > 0).map((r) => r.message_id),
    rejectedByCode: Object.fromEntries(rejected.map((r) => [r.code, Number(r.n)])),
  };
}

export interface ExactlyOnce {
  readonly sender: Omit<SenderCounts, 'sent'> & { readonly sent: number };
  readonly receiver: ReceiverCounts;
}

/** The counts as a result file shows them (the resent ids as their number). */
export function onceReport(c: ExactlyOnce) {
  const { resentIds, ...receiver } = c.receiver;
  return { sender: c.sender, receiver: { ...receiver, resentMessages: resentIds.length } };
}

/** Both sides counted in the nodes' databases (in-process nodes: their own connections). */
export async function exactlyOnceIn(sender: Kysely<DB>, receiver: Kysely<DB>): Promise<ExactlyOnce> {
  const s = await senderCounts(sender);
  return { sender: { ...s, sent: s.sent.size }, receiver: await receiverCounts(receiver, s.sent) };
}

/** Both sides counted, the sender's and the receiver's databases opened in turn (the node processes stopped). */
export async function exactlyOnce(
  sender: { home: string; url?: string | undefined },
  receiver: { home: string; url?: string | undefined },
): Promise<ExactlyOnce> {
  const s = await withNodeDatabase(sender.home, sender.url, senderCounts);
  const r = await withNodeDatabase(receiver.home, receiver.url, (db) => receiverCounts(db, s.sent));
  return { sender: { ...s, sent: s.sent.size }, receiver: r };
}

/**
 * Every request the sender signed was stored by the receiver exactly once, with each side effect once; the
 * sender holds one outbox row and one recorded receipt per request; no refusal was `internal` (the sign of a
 * dedup that failed on a unique column). `refusals` lists the codes the scenario may legitimately cause.
 */
export function assertExactlyOnce(c: ExactlyOnce, expectedSent: number, refusals: readonly string[] = []): void {
  const clean: PerMessage = { extra: 0, missing: 0, stray: 0 };
  assert.equal(c.sender.sent, expectedSent, 'the sender signed the requests expected');
  assert.equal(c.sender.outboxExtra, 0, 'one outbox row per request at the sender');
  assert.deepEqual(c.sender.receiptHistory, clean, 'one recorded receipt per request at the sender');
  const r = c.receiver;
  assert.deepEqual(r.requests, clean, 'each request stored once at the receiver');
  assert.deepEqual(r.inbox, clean, 'one inbox row per request');
  assert.deepEqual(r.receiptHistory, clean, 'one «receipt» history entry per request at the receiver');
  assert.deepEqual(r.receiveEvents, clean, 'one «request_received» event per request (no constraint keeps it single)');
  assert.deepEqual(r.receiptAudit, clean, 'one «request.receipt» audit entry per request');
  const unexpected = Object.keys(r.rejectedByCode).filter((code) => !refusals.includes(code));
  assert.deepEqual(
    unexpected.map((code) => `${code}: ${r.rejectedByCode[code]}`),
    [],
    'no refusal other than those the fault causes (an internal one is a dedup that failed)',
  );
}

/**
 * The first `count` receipts a node held (its EIX_TEST_HOLD_RECEIPT lines on stderr, src/adapters/federation/
 * receipt-hold.ts), waiting for them up to `capMs`: each with its point and the ids of the messages received.
 */
export async function heldReceipts(
  node: { stderr(): string },
  count: number,
  capMs: number,
): Promise<{ point: string; messageIds: string[] }[]> {
  const t0 = Date.now();
  for (;;) {
    const lines = node
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith(HOLD_LINE));
    if (lines.length >= count)
      return lines.slice(0, count).map((line) => {
        const [point, ids] = line.slice(HOLD_LINE.length).trim().split(' ');
        return { point: point!, messageIds: (ids ?? '').split(',').filter(Boolean) };
      });
    if (Date.now() - t0 > capMs)
      throw new Error(
        `${lines.length} of ${count} «${HOLD_LINE}» lines within ${capMs} ms: ${node.stderr().slice(-1000)}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}
