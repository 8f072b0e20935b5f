// Chaos soak (issue 18, item 9): `npm run bench -- chaos`. Three nodes of the demo federation run as separate
// OS processes (`eix node start`, as the fault suite runs them): RU on PostgreSQL (a throwaway database created
// and dropped here), KZ and BY on PGlite. Each node's federation address in the trust registry is a TCP proxy
// in front of its real port (test/support/tcp-proxy.ts), so every link into a node can be reset or black-holed.
//
// Load, in all six directions: each node's officer creates requests through the batch API (a national system's
// way, POST /api/v1/requests/batch), and each requested node's officer answers every incoming request through
// the REST API (POST /api/v1/requests/:id/answers, a final answer) — so requests, receipts and answers all
// cross the wire. A sending node keeps at most EIX_CHAOS_WINDOW of its requests unanswered.
//
// Every EIX_CHAOS_FAULT_EVERY_S seconds one fault, drawn with a seeded generator (EIX_CHAOS_SEED; printed and
// recorded): SIGKILL of a node and its restart; PostgreSQL backends of RU's database terminated again and again
// for a few seconds; the link into a node resetting every connection, or black-holing it, for a while; a jump
// of a node's wall clock to a new offset within ±2 min (tolerance between nodes 5 min; a running process sees
// it: test/support/clock-offset.mjs). Kinds come in shuffled rounds (each kind once per round, in random
// order), targets at random.
//
// Driver calls are retried as an integration would: a 503 `storage.unavailable` (the node's deliberate answer
// while its database is lost) after a pause, a connection refused or reset while a node restarts once it is
// back, a 429 after the wait it names; every outcome is tallied by status and code. A batch whose POST was cut
// by a kill (it may or may not have been stored) is submitted again: counted as `ambiguous`, the totals below
// come from the databases, not from what the driver believes it created.
//
// After the load, faults stop, links are cleared and the run waits for convergence (every outgoing request
// answered at its requester). The nodes are stopped with SIGTERM and their databases read directly:
//  - per direction, the requester's sent message ids against the requested node's stored ones (lost,
//    duplicated, unknown), and the answers likewise (requested node's outbox against requester's inbox);
//  - per request, its side effects at each node (history entries, answers, outbox messages, events for the
//    national systems), grouped into shapes: every request must have exactly the one expected shape;
//  - every batch done with no row refused; every node's audit chain verified (`eix audit verify`, the
//    operator's command).
// The fault test test/faults/chaos.fault.ts runs a short configuration of the same.
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { DEMO_PARTIES, type DemoParty } from '../src/demo/federation.js';
import { REQUEST_STATES } from '../src/domain/workflow.js';
import { ROOT, pool, prepareFaultFederation, withNodeDatabase, type FaultFederation } from '../test/faults/harness.js';
import { freePort } from '../test/support/federation.js';
import { ApiError, api, spawnNode, type NodeProcess } from '../test/support/processes.js';
import { startTcpProxy, type TcpProxy } from '../test/support/tcp-proxy.js';
import type { BenchRow, Suite } from './run.js';

export const FAULT_KINDS = ['kill', 'pg-terminate', 'link-reset', 'black-hole', 'clock-jump'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ChaosOptions {
  /** Requests to create in all, split evenly over the six directions (each gets its answer). */
  readonly requests: number;
  readonly faultEverySeconds: number;
  readonly seed: number;
  /** PostgreSQL administrator URL: RU's database is created and dropped through it. */
  readonly adminUrl: string;
  /** Rows per batch. */
  readonly batchRows?: number;
  /** Requests a sending node may have unanswered before it creates more. */
  readonly window?: number;
  /** Answer calls in flight per requested node. */
  readonly answerConcurrency?: number;
  /** How long to wait for convergence after the load. */
  readonly convergeCapMs?: number;
  /** Largest clock offset of a node, ± (the tolerance between two nodes is 5 min). */
  readonly maxClockOffsetMs?: number;
  readonly log?: (line: string) => void;
  /** Faults to inject at least (the load waits for them: a short run still meets every kind). */
  readonly minFaults?: number;
  /** Leave the nodes' homes and RU's database in place (for a look after a failed run). */
  readonly keep?: boolean;
}

export interface FaultRecord {
  readonly n: number;
  readonly kind: FaultKind;
  readonly target: DemoParty;
  /** Seconds since the load started. */
  readonly atS: number;
  readonly durationMs: number;
  readonly details: Record<string, unknown>;
}

/** One request's side effects at one node: how many of each. */
export interface Shape {
  readonly direction: 'outgoing' | 'incoming';
  readonly state: string;
  readonly receiptEvents: number;
  readonly answerEvents: number;
  readonly answers: number;
  readonly requestMessages: number;
  readonly answerMessages: number;
  readonly requestReceivedEvents: number;
  readonly answerReceivedEvents: number;
  readonly count: number;
}

export interface DirectionCheck {
  readonly from: DemoParty;
  readonly to: DemoParty;
  readonly sent: number;
  readonly received: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly unknown: number;
  readonly answersSent: number;
  readonly answersReceived: number;
  readonly answersLost: number;
  readonly answersDuplicated: number;
}

export interface ChaosResult {
  readonly seed: number;
  readonly options: Omit<ChaosOptions, 'log' | 'adminUrl'>;
  readonly durationsS: {
    readonly start: number;
    /** Start of the load → every row submitted. */
    readonly submitted: number;
    /** Start of the load → every request answered at its requester (faults going on). */
    readonly answered: number;
    /** The last fault over → the whole state checked converged. */
    readonly settledAfterLastFault: number;
    readonly total: number;
  };
  readonly answeredUnderFaults: boolean;
  readonly converged: boolean;
  readonly requests: number;
  readonly answers: number;
  /** Exchanges (request delivered, answered, answer delivered) per second of the load, faults included. */
  readonly exchangesPerSecond: number;
  /** CPU time of each node (all its processes, killed ones included) and of the driver (its proxies included). */
  readonly cpuSeconds: Record<DemoParty | 'driver', number>;
  readonly faults: readonly FaultRecord[];
  readonly faultCounts: Record<string, number>;
  readonly directions: readonly DirectionCheck[];
  readonly lost: number;
  readonly duplicated: number;
  readonly unknown: number;
  readonly shapes: Record<DemoParty, readonly Shape[]>;
  readonly unexpectedShapes: number;
  readonly batches: Record<DemoParty, { readonly states: Record<string, number>; readonly rowsRefused: number }>;
  readonly auditChains: Record<DemoParty, { readonly ok: boolean; readonly count: number; readonly raw?: unknown }>;
  /** Driver calls by outcome: `200`, `503 storage.unavailable`, `network`, … */
  readonly calls: Record<string, number>;
  /** Calls answered with a 5xx other than 503 storage.unavailable (each a defect). */
  readonly unexpected5xx: number;
  /** The first of them: node, method, route, answer. */
  readonly unexpected5xxCalls: readonly string[];
  readonly ambiguousBatches: number;
  readonly answeredOnRetry: number;
  readonly answerFailures: readonly string[];
  /** Error-level lines the node processes logged, by message. */
  readonly nodeErrors: Record<DemoParty, Record<string, number>>;
  /** The first two lines of each kind. */
  readonly nodeErrorSamples: Record<DemoParty, string[]>;
  /** Remote error codes of failed delivery attempts (first failure of each message, and the last of each retried one). */
  readonly deliveryErrors: Record<string, number>;
  /** Messages a node refused (its audit log's federation.rejected entries), by code. */
  readonly federationRefusals: Record<DemoParty, Record<string, number>>;
  /** Of them, refused with a 500 (`internal`): each a defect (503 storage.unavailable is the deliberate answer). */
  readonly federation5xx: number;
  /** Outbox rows by `type status last-error-code`, per node. */
  readonly outbox: Record<DemoParty, Record<string, number>>;
  /** Outbox rows not `delivered` at the end (each a message given up or still waiting). */
  readonly undelivered: number;
  readonly retriedMessages: number;
  readonly maxAttempts: number;
  readonly restarts: Record<DemoParty, number>;
  readonly exitOnSigterm: Record<DemoParty, number | string>;
  readonly clockOffsetsMs: Record<DemoParty, number>;
}

/** The shape every exchanged request must have at its requester and at its requested node. */
export const EXPECTED_SHAPES: Record<'outgoing' | 'incoming', Omit<Shape, 'direction' | 'count'>> = {
  outgoing: {
    state: 'answered',
    receiptEvents: 1,
    answerEvents: 1,
    answers: 1,
    requestMessages: 1,
    answerMessages: 0,
    requestReceivedEvents: 0,
    answerReceivedEvents: 1,
  },
  incoming: {
    state: 'answered',
    receiptEvents: 1,
    answerEvents: 1,
    answers: 1,
    requestMessages: 0,
    answerMessages: 1,
    requestReceivedEvents: 1,
    answerReceivedEvents: 0,
  },
};

const REQUESTED_BODY: Record<DemoParty, string> = { RU: 'ru-fssp', KZ: 'kz-central', BY: 'by-central' };
/** Who creates requests at each node, and who answers the incoming ones (the requested body's officer). */
const REQUESTER: Record<DemoParty, string> = { RU: 'ru.officer', KZ: 'kz.officer', BY: 'by.officer' };
const RESPONDER: Record<DemoParty, string> = { RU: 'ru.central', KZ: 'kz.officer', BY: 'by.officer' };
const ADMIN: Record<DemoParty, string> = { RU: 'ru.admin', KZ: 'kz.admin', BY: 'by.admin' };
const ANSWER = { final: true, items: [{ itemNo: 1, outcome: 'not_found' }] };
/** Every state of an outgoing request but `answered` (src/domain/workflow.ts). */
const UNANSWERED_STATES = REQUEST_STATES.filter((s) => s !== 'answered').join(',');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mulberry32: a small seeded generator, so that a run's faults can be drawn again from its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Tally {
  readonly counts = new Map<string, number>();
  add(k: string, n = 1): void {
    this.counts.set(k, (this.counts.get(k) ?? 0) + n);
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]));
  }
}

interface ChaosNode {
  readonly party: DemoParty;
  readonly home: string;
  readonly apiUrl: string;
  readonly ports: { api: number; federation: number };
  readonly proxy: TcpProxy;
  readonly env: Record<string, string>;
  readonly clockFile: string;
  readonly errors: Tally;
  readonly errorSamples: string[];
  proc: NodeProcess | null;
  /** Resolves when the node answers (the current process is ready). */
  up: Promise<void>;
  clockOffsetMs: number;
  restarts: number;
  /** CPU time of the node's processes that ended. */
  cpuSeconds: number;
}

/** utime + stime of a live process (Linux /proc), in seconds; 0 when unreadable. */
async function cpuOf(pid: number | undefined): Promise<number> {
  try {
    const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

class NetworkError extends Error {}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const log = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const batchRows = o.batchRows ?? 100;
  const window = o.window ?? 300;
  const answerConcurrency = o.answerConcurrency ?? 4;
  const convergeCapMs = o.convergeCapMs ?? 15 * 60_000;
  const maxClock = o.maxClockOffsetMs ?? 120_000;
  const random = seeded(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  log(`chaos: seed ${o.seed}, ${o.requests} requests, a fault every ${o.faultEverySeconds} s`);

  const t0 = Date.now();
  const driverCpu0 = (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const dbName = `eix_chaos_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: o.adminUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(o.adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const ruUrl = dbUrl.toString();

  let fed: FaultFederation | null = null;
  const nodes = {} as Record<DemoParty, ChaosNode>;
  // Interrupted (Ctrl-C, a test runner's timeout): the node processes go with the driver.
  const interrupted = (signal: NodeJS.Signals) => {
    for (const n of Object.values(nodes)) n.proc?.proc.kill('SIGKILL');
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const calls = new Tally();
  const odd5xx: string[] = [];
  try {
    fed = await prepareFaultFederation({ databaseUrls: { RU: ruUrl } });
    const f = fed;
    // The registry names ports[p].federation: that is the proxy; the node listens behind it.
    for (const p of DEMO_PARTIES) {
      const real = await freePort();
      const home = f.home(p);
      const clockFile = path.join(home, 'clock-offset-ms');
      await writeFile(clockFile, '0');
      nodes[p] = {
        party: p,
        home,
        apiUrl: `http://127.0.0.1:${f.ports[p].api}`,
        ports: { api: f.ports[p].api, federation: real },
        proxy: await startTcpProxy({ listenPort: f.ports[p].federation, targetPort: real }),
        env: {
          NODE_OPTIONS: `--import ${path.join(ROOT, 'test/support/clock-offset.mjs')}`,
          EIX_CLOCK_OFFSET_FILE: clockFile,
          ...(p === 'RU' ? { EIX_DATABASE_URL: ruUrl } : {}),
        },
        clockFile,
        errors: new Tally(),
        errorSamples: [],
        proc: null,
        up: Promise.resolve(),
        clockOffsetMs: 0,
        restarts: 0,
        cpuSeconds: 0,
      };
    }
    const start = (n: ChaosNode) => {
      const proc = spawnNode(n.home, n.ports, n.env);
      n.proc = proc;
      // Error-level log lines (pino: one JSON object per line), by message.
      let buf = '';
      proc.proc.stdout!.on('data', (c: string) => {
        buf += c;
        const lines = buf.split('\n');
        buf = lines.pop()!;
        for (const l of lines) {
          const m = /^\{"level":(\d+)/.exec(l);
          if (!m || Number(m[1]) < 50) continue;
          let key = l.slice(0, 200);
          try {
            const j = JSON.parse(l) as { msg?: string; err?: { type?: string; code?: string; message?: string } };
            key = `${j.msg ?? '?'}${j.err ? ` (${[j.err.type, j.err.code, j.err.message?.slice(0, 100)].filter(Boolean).join(' ')})` : ''}`;
          } catch {
            /* the line's start as the key */
          }
          n.errors.add(key);
          if (n.errors.counts.get(key)! <= 2) n.errorSamples.push(l.slice(0, 1500));
        }
      });
      n.up = proc.ready;
      return proc.ready;
    };
    await Promise.all(DEMO_PARTIES.map((p) => start(nodes[p])));
    const tStarted = Date.now();
    log(`chaos: nodes up in ${((tStarted - t0) / 1000).toFixed(1)} s`);

    /** A driver call with the retries an integration makes; outcomes tallied. `retryNetwork: false` for non-idempotent POSTs. */
    const call = async <T>(
      p: DemoParty,
      login: string,
      method: string,
      route: string,
      body?: unknown,
      opts: { retryNetwork?: boolean; capMs?: number } = {},
    ): Promise<T> => {
      const n = nodes[p];
      const tFirst = Date.now();
      for (;;) {
        await n.up.catch(() => undefined);
        try {
          const r = await api<T>(n.apiUrl, f.token(login), method, route, body);
          calls.add('2xx');
          return r;
        } catch (e) {
          if (e instanceof ApiError) {
            const code = (e.body as { error?: { code?: string } } | null)?.error?.code ?? '?';
            calls.add(`${e.status} ${code}`);
            if (e.status >= 500 && !(e.status === 503 && code === 'storage.unavailable') && odd5xx.length < 20)
              odd5xx.push(`${p} ${method} ${route.split('?')[0]}: ${e.message.slice(0, 300)}`);
            if (e.status < 500 && e.status !== 429) throw e;
            if (Date.now() - tFirst > (opts.capMs ?? 300_000)) throw e;
            const wait =
              e.status === 429
                ? 1000 *
                  Number(
                    (e.body as { error?: { details?: { retryAfterSeconds?: number } } })?.error?.details
                      ?.retryAfterSeconds ?? 1,
                  )
                : 500;
            await sleep(wait);
            continue;
          }
          calls.add('network');
          if (opts.retryNetwork === false) throw new NetworkError((e as Error).message);
          if (Date.now() - tFirst > (opts.capMs ?? 300_000)) throw e;
          await sleep(500);
        }
      }
    };
    // The list's total is capped (src/app/list-requests.ts, TOTAL_CAP): only the unanswered outgoing requests
    // are counted (a sending node keeps a window of them, far below the cap); what a node created comes from
    // its batches' reports.
    const unansweredOut = async (p: DemoParty) => {
      const r = await call<{ total: number; totalCapped: boolean }>(
        p,
        REQUESTER[p],
        'GET',
        `/api/v1/requests?direction=outgoing&limit=1&states=${UNANSWERED_STATES}`,
      );
      if (r.totalCapped) throw new Error(`${p}: more unanswered requests than the list counts`);
      return r.total;
    };
    /** Refreshes the reports of a node's batches still running; returns the requests its batches created. */
    const createdBy = async (p: DemoParty) => {
      for (const b of batches[p]) {
        if (b.state === 'done' || b.state === 'failed') continue;
        const v = await call<{ state: string; created: number }>(
          p,
          REQUESTER[p],
          'GET',
          `/api/v1/requests/batch/${b.id}?limit=1`,
        );
        Object.assign(b, { state: v.state, created: v.created });
      }
      return batches[p].reduce((a, b) => a + b.created, 0);
    };

    // ---- load ----------------------------------------------------------------------------------------
    const example = JSON.parse(
      await readFile(path.join(ROOT, 'data', 'examples', 'request-ru-kz.json'), 'utf8'),
    ) as Record<string, unknown>;
    const perDirection = Math.ceil(o.requests / 6);
    const remaining = new Map<string, number>();
    for (const a of DEMO_PARTIES) for (const b of DEMO_PARTIES) if (a !== b) remaining.set(a + b, perDirection);
    const batches = Object.fromEntries(DEMO_PARTIES.map((p) => [p, []])) as unknown as Record<
      DemoParty,
      { id: string; state: string; created: number }[]
    >;
    const submitted = Object.fromEntries(DEMO_PARTIES.map((p) => [p, 0])) as Record<DemoParty, number>;
    const answeredOut = Object.fromEntries(DEMO_PARTIES.map((p) => [p, 0])) as Record<DemoParty, number>;
    let seq = 0;
    let ambiguousBatches = 0;
    let answeredOnRetry = 0;
    let answersPosted = 0;
    const answerFailures: string[] = [];
    let stopResponders = false;
    const faults: FaultRecord[] = [];

    const creator = async (src: DemoParty) => {
      const dsts = DEMO_PARTIES.filter((d) => d !== src);
      for (let k = 0; ;) {
        const open = dsts.filter((d) => remaining.get(src + d)! > 0);
        if (open.length === 0) return;
        if (submitted[src] - answeredOut[src] >= window) {
          await sleep(200);
          continue;
        }
        const dst = open[k++ % open.length]!;
        const n = Math.min(batchRows, remaining.get(src + dst)!);
        const rows = Array.from({ length: n }, () => ({
          proceeding: { number: `CHAOS-${src}${dst}-${seq++}`, openedOn: '2026-03-02' },
          debtor: example.debtor,
          creditor: example.creditor,
          executiveDocument: example.executiveDocument,
          items: [{ kind: 'location', target: 'debtor' }],
          grounds: example.grounds,
        }));
        try {
          const r = await call<{ id: string }>(
            src,
            REQUESTER[src],
            'POST',
            '/api/v1/requests/batch',
            { requestedBody: { party: dst, id: REQUESTED_BODY[dst] }, rows },
            { retryNetwork: false },
          );
          batches[src].push({ id: r.id, state: 'queued', created: 0 });
          remaining.set(src + dst, remaining.get(src + dst)! - n);
          submitted[src] += n;
        } catch (e) {
          if (!(e instanceof NetworkError)) throw e;
          ambiguousBatches++; // cut by a kill: perhaps stored; submitted again
        }
      }
    };
    const answerOne = async (p: DemoParty, id: string) => {
      try {
        await call(p, RESPONDER[p], 'POST', `/api/v1/requests/${id}/answers`, ANSWER);
        answersPosted++;
      } catch (e) {
        // A retry after a cut connection whose answer had committed: the request is answered already.
        if (e instanceof ApiError && e.status === 409) {
          const r = await call<{ state: string }>(p, RESPONDER[p], 'GET', `/api/v1/requests/${id}`);
          if (r.state === 'answered') {
            answeredOnRetry++;
            return;
          }
        }
        answerFailures.push(`${p} ${id}: ${String(e).slice(0, 300)}`);
      }
    };
    const responder = async (p: DemoParty) => {
      while (!stopResponders) {
        const list = await call<{ items: { id: string }[] }>(
          p,
          RESPONDER[p],
          'GET',
          '/api/v1/requests?direction=incoming&states=received&limit=200',
        ).catch(() => ({ items: [] }));
        if (list.items.length === 0) {
          await sleep(300);
          continue;
        }
        await pool(list.items, answerConcurrency, (it) => answerOne(p, it.id));
      }
    };
    let polling = true;
    const poller = (async () => {
      let last = 0;
      while (polling) {
        for (const p of DEMO_PARTIES) {
          const created = await createdBy(p).catch(() => null);
          const open = created === null ? null : await unansweredOut(p).catch(() => null);
          if (created !== null && open !== null) answeredOut[p] = created - open;
        }
        if (Date.now() - last >= 10_000) {
          last = Date.now();
          const s = DEMO_PARTIES.reduce((a, p) => a + submitted[p], 0);
          const a = DEMO_PARTIES.reduce((x, p) => x + answeredOut[p], 0);
          log(
            `chaos: ${((Date.now() - tStarted) / 1000).toFixed(0)} s: submitted ${s}, answers posted ${answersPosted}, answered ${a} ` +
              `(${(a / ((Date.now() - tStarted) / 1000)).toFixed(1)}/s), faults ${faults.length}`,
          );
        }
        await sleep(1000);
      }
    })();

    // ---- faults --------------------------------------------------------------------------------------
    let bag: FaultKind[] = [];
    const nextKind = (): FaultKind => {
      if (bag.length === 0) {
        bag = [...FAULT_KINDS];
        for (let i = bag.length - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          [bag[i], bag[j]] = [bag[j]!, bag[i]!];
        }
      }
      return bag.shift()!;
    };
    const holdMs = () => Math.round(Math.min(15_000, (o.faultEverySeconds * 1000) / 2) * (0.5 + random() / 2));
    const inject = async (kind: FaultKind): Promise<{ target: DemoParty; details: Record<string, unknown> }> => {
      switch (kind) {
        case 'kill': {
          const n = nodes[pick(DEMO_PARTIES)];
          const downMs = Math.round(random() * 2000);
          let ready!: () => void;
          n.up = new Promise<void>((r) => (ready = r));
          n.cpuSeconds += await cpuOf(n.proc!.proc.pid);
          const how = await n.proc!.kill('SIGKILL');
          await sleep(downMs);
          const tRestart = Date.now();
          await start(n);
          n.restarts++;
          ready();
          return { target: n.party, details: { how, downMs, restartMs: Date.now() - tRestart } };
        }
        case 'pg-terminate': {
          const burstMs = holdMs();
          const tB = Date.now();
          let rounds = 0;
          let backends = 0;
          while (Date.now() - tB < burstMs) {
            const r = await admin.query(
              'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
              [dbName],
            );
            rounds++;
            backends += Number(r.rows[0].n);
            await sleep(200 + random() * 1000);
          }
          return { target: 'RU', details: { rounds, backends } };
        }
        case 'link-reset':
        case 'black-hole': {
          const n = nodes[pick(DEMO_PARTIES)];
          const ms = holdMs();
          const before = n.proxy.stats();
          n.proxy.set(
            kind === 'black-hole' ? { blackHole: true } : { resetRate: 1, resetAfterBytes: [200, 30_000] as const },
          );
          const cut = kind === 'link-reset' ? n.proxy.cut() : 0;
          await sleep(ms);
          n.proxy.set({});
          const after = n.proxy.stats();
          return {
            target: n.party,
            details: {
              holdMs: ms,
              cut,
              connections: after.connections - before.connections,
              reset: after.reset - before.reset,
              blackHoled: after.blackHoled - before.blackHoled,
            },
          };
        }
        case 'clock-jump': {
          const n = nodes[pick(DEMO_PARTIES)];
          let to = n.clockOffsetMs;
          while (Math.abs(to - n.clockOffsetMs) < maxClock / 4) to = Math.round((random() * 2 - 1) * maxClock);
          const from = n.clockOffsetMs;
          n.clockOffsetMs = to;
          await writeFile(n.clockFile, String(to));
          return { target: n.party, details: { fromMs: from, toMs: to } };
        }
      }
    };
    let stopFaults = false;
    const faulter = (async () => {
      let next = Date.now() + o.faultEverySeconds * 1000;
      while (!stopFaults) {
        if (Date.now() < next) {
          await sleep(Math.min(250, next - Date.now()));
          continue;
        }
        const kind = nextKind();
        const tF = Date.now();
        const { target, details } = await inject(kind);
        const rec: FaultRecord = {
          n: faults.length + 1,
          kind,
          target,
          atS: Math.round((tF - tStarted) / 100) / 10,
          durationMs: Date.now() - tF,
          details,
        };
        faults.push(rec);
        log(`chaos: fault ${rec.n} at ${rec.atS} s: ${kind} ${target} ${JSON.stringify(details)}`);
        next = Math.max(tF + o.faultEverySeconds * 1000, Date.now());
      }
    })();

    const responders = DEMO_PARTIES.map((p) => responder(p));
    await Promise.all(DEMO_PARTIES.map((p) => creator(p)));
    // The load ends when every row was submitted and every request created is answered at its requester.
    // … and no node has a message still to deliver (a killed sender's claims wait for their lease).
    const everythingAnswered = async () => {
      for (const p of DEMO_PARTIES) {
        // Every batch has ended (done, or failed: reported below), and what they created is answered.
        await createdBy(p);
        if (batches[p].some((b) => b.state !== 'done' && b.state !== 'failed')) return false;
        if ((await unansweredOut(p)) > 0) return false;
      }
      for (const p of DEMO_PARTIES) {
        const h = await call<{ details: { outbox: { byStatus: Record<string, number> } } }>(
          p,
          ADMIN[p],
          'GET',
          '/api/v1/health',
        );
        if (h.details.outbox.byStatus.pending! + h.details.outbox.byStatus.sending! > 0) return false;
      }
      return true;
    };
    const tSubmitted = Date.now();
    log(
      `chaos: all rows submitted after ${((tSubmitted - tStarted) / 1000).toFixed(0)} s; faults go on until all answered`,
    );
    // Faults go on until every request is answered (each fault is transient: the system must converge through them).
    let answeredUnderFaults = false;
    while (Date.now() - tSubmitted < convergeCapMs) {
      if (faults.length >= (o.minFaults ?? 0) && (await everythingAnswered().catch(() => false))) {
        answeredUnderFaults = true;
        break;
      }
      await sleep(1000);
    }
    const tAnswered = Date.now();
    stopFaults = true;
    await faulter;
    const tFaultsOver = Date.now();
    // The last fault is over (nodes up, links clear): the state must still be whole.
    let converged = false;
    while (Date.now() - tFaultsOver < convergeCapMs) {
      if (await everythingAnswered().catch(() => false)) {
        converged = true;
        break;
      }
      await sleep(1000);
    }
    const tConverged = Date.now();
    stopResponders = true;
    polling = false;
    await Promise.all([...responders, poller]);
    log(
      `chaos: ${answeredUnderFaults ? 'all answered' : 'NOT all answered'} ${((tAnswered - tStarted) / 1000).toFixed(0)} s after the start; ` +
        `${converged ? 'converged' : 'NOT converged'} ${((tConverged - tFaultsOver) / 1000).toFixed(0)} s after the last fault`,
    );

    // ---- checks on the stopped nodes ---------------------------------------------------------------
    for (const p of DEMO_PARTIES) nodes[p].cpuSeconds += await cpuOf(nodes[p].proc!.proc.pid);
    const exitOnSigterm = Object.fromEntries(
      await Promise.all(DEMO_PARTIES.map(async (p) => [p, await nodes[p].proc!.kill('SIGTERM')] as const)),
    ) as Record<DemoParty, number | string>;
    const url = (p: DemoParty) => (p === 'RU' ? ruUrl : undefined);
    const ids = {} as Record<
      DemoParty,
      {
        out: { message_id: string; counterpart_party: string }[];
        inc: { message_id: string; counterpart_party: string }[];
        answersOut: { message_id: string; to_party: string }[];
        answersIn: { message_id: string; from_party: string }[];
      }
    >;
    const shapes = {} as Record<DemoParty, Shape[]>;
    const batchStates = {} as ChaosResult['batches'];
    const deliveryErrors = new Tally();
    const outbox = {} as Record<DemoParty, Record<string, number>>;
    const refusals = {} as Record<DemoParty, Record<string, number>>;
    let retriedMessages = 0;
    let maxAttempts = 0;
    for (const p of DEMO_PARTIES)
      await withNodeDatabase(nodes[p].home, url(p), async (db) => {
        const rows = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(db)).rows;
        ids[p] = {
          out: await rows(
            sql<{
              message_id: string;
              counterpart_party: string;
            }>`select message_id, counterpart_party from requests where direction = 'outgoing'`,
          ),
          inc: await rows(
            sql<{
              message_id: string;
              counterpart_party: string;
            }>`select message_id, counterpart_party from requests where direction = 'incoming'`,
          ),
          answersOut: await rows(
            sql<{
              message_id: string;
              to_party: string;
            }>`select message_id, to_party from outbox where type like 'answer%'`,
          ),
          answersIn: await rows(
            sql<{
              message_id: string;
              from_party: string;
            }>`select message_id, from_party from inbox where type like 'answer%'`,
          ),
        };
        shapes[p] = (
          await rows(sql<Record<string, string>>`
            with e as (select request_id,
                              count(*) filter (where event = 'receipt') as receipt_events,
                              count(*) filter (where event = 'answer_final') as answer_events
                       from request_events group by request_id),
                 a as (select request_id, count(*) as answers from answers group by request_id),
                 o as (select request_id,
                              count(*) filter (where type = 'request') as request_messages,
                              count(*) filter (where type like 'answer%') as answer_messages
                       from outbox where request_id is not null group by request_id),
                 v as (select request_id,
                              count(*) filter (where kind = 'request_received') as request_received_events,
                              count(*) filter (where kind = 'answer_received') as answer_received_events
                       from events where request_id is not null group by request_id)
            select r.direction, r.state,
                   coalesce(e.receipt_events, 0)::int as "receiptEvents",
                   coalesce(e.answer_events, 0)::int as "answerEvents",
                   coalesce(a.answers, 0)::int as answers,
                   coalesce(o.request_messages, 0)::int as "requestMessages",
                   coalesce(o.answer_messages, 0)::int as "answerMessages",
                   coalesce(v.request_received_events, 0)::int as "requestReceivedEvents",
                   coalesce(v.answer_received_events, 0)::int as "answerReceivedEvents",
                   count(*)::int as count
            from requests r
            left join e on e.request_id = r.id left join a on a.request_id = r.id
            left join o on o.request_id = r.id left join v on v.request_id = r.id
            group by 1, 2, 3, 4, 5, 6, 7, 8, 9 order by 1, count desc`)
        ).map((r) => ({ ...r }) as unknown as Shape);
        const b = await rows(
          sql<{
            state: string;
            n: number;
            refused: number;
          }>`select state, count(*)::int as n, coalesce(sum(failed), 0)::int as refused from batches group by state`,
        );
        batchStates[p] = {
          states: Object.fromEntries(b.map((x) => [x.state, x.n])),
          rowsRefused: b.reduce((s, x) => s + x.refused, 0),
        };
        for (const r of await rows(
          sql<{
            error: string;
            n: number;
          }>`select coalesce(data->>'error', '?') as error, count(*)::int as n from events where kind = 'delivery_delayed' group by 1`,
        ))
          deliveryErrors.add(`${p} first failure: ${r.error}`, r.n);
        for (const r of await rows(
          sql<{
            error: string;
            n: number;
          }>`select split_part(coalesce(last_error, 'none'), ':', 1) as error, count(*)::int as n from outbox where attempts > 1 group by 1`,
        ))
          deliveryErrors.add(`${p} last failure: ${r.error}`, r.n);
        refusals[p] = Object.fromEntries(
          (
            await rows(
              sql<{
                code: string;
                n: number;
              }>`select coalesce(details->>'code', '?') as code, count(*)::int as n from audit_log
                 where action = 'federation.rejected' group by 1 order by 2 desc`,
            )
          ).map((r) => [r.code, r.n]),
        );
        outbox[p] = Object.fromEntries(
          (
            await rows(
              sql<{
                k: string;
                n: number;
              }>`select type || ' ' || status || ' ' || split_part(coalesce(last_error, '-'), ':', 1) as k, count(*)::int as n
                 from outbox group by 1 order by 2 desc`,
            )
          ).map((r) => [r.k, r.n]),
        );
        const att = await rows(
          sql<{
            retried: number;
            max: number;
          }>`select count(*) filter (where attempts > 1)::int as retried, coalesce(max(attempts), 0)::int as max from outbox`,
        );
        retriedMessages += att[0]!.retried;
        maxAttempts = Math.max(maxAttempts, att[0]!.max);
      });

    // Per direction: what the requester sent against what the requested node holds; answers the other way.
    const directions: DirectionCheck[] = [];
    for (const from of DEMO_PARTIES)
      for (const to of DEMO_PARTIES) {
        if (from === to) continue;
        const sent = ids[from].out.filter((r) => r.counterpart_party === to).map((r) => r.message_id);
        const got = ids[to].inc.filter((r) => r.counterpart_party === from).map((r) => r.message_id);
        const gotSet = new Set(got);
        const sentSet = new Set(sent);
        const aSent = ids[to].answersOut.filter((r) => r.to_party === from).map((r) => r.message_id);
        const aGot = ids[from].answersIn.filter((r) => r.from_party === to).map((r) => r.message_id);
        const aGotSet = new Set(aGot);
        directions.push({
          from,
          to,
          sent: sent.length,
          received: gotSet.size,
          lost: sent.filter((m) => !gotSet.has(m)).length,
          duplicated: got.length - gotSet.size,
          unknown: got.filter((m) => !sentSet.has(m)).length,
          answersSent: aSent.length,
          answersReceived: aGotSet.size,
          answersLost: aSent.filter((m) => !aGotSet.has(m)).length,
          answersDuplicated: aGot.length - aGotSet.size,
        });
      }

    // The operator's check of each audit chain.
    const auditChains = {} as ChaosResult['auditChains'];
    for (const p of DEMO_PARTIES) {
      const r = await promisify(execFile)(
        process.execPath,
        [path.join(ROOT, 'bin/eix.js'), 'audit', 'verify', '--json'],
        {
          env: {
            ...process.env,
            EIX_HOME: nodes[p].home,
            EIX_LOG_LEVEL: 'silent',
            ...(url(p) ? { EIX_DATABASE_URL: url(p) } : {}),
          },
          maxBuffer: 16 * 1024 * 1024,
        },
      ).then(
        (x) => x.stdout,
        (e: { stdout?: string; message: string }) => e.stdout || e.message,
      );
      let v: { ok?: boolean; count?: number } = {};
      try {
        v = JSON.parse(r) as typeof v;
      } catch {
        /* kept raw */
      }
      auditChains[p] = { ok: v.ok === true, count: v.count ?? 0, ...(v.ok === true ? {} : { raw: r.slice(0, 2000) }) };
    }

    const unexpectedShapes = DEMO_PARTIES.reduce(
      (s, p) =>
        s +
        shapes[p]
          .filter((x) => {
            const want = EXPECTED_SHAPES[x.direction];
            return (Object.keys(want) as (keyof typeof want)[]).some((k) => x[k] !== want[k]);
          })
          .reduce((a, x) => a + x.count, 0),
      0,
    );
    const sum = (k: keyof DirectionCheck) => directions.reduce((s, d) => s + (d[k] as number), 0);
    const exchangeS = (tAnswered - tStarted) / 1000;
    const callTally = calls.toJSON();
    const result: ChaosResult = {
      seed: o.seed,
      options: {
        requests: o.requests,
        faultEverySeconds: o.faultEverySeconds,
        seed: o.seed,
        batchRows,
        window,
        answerConcurrency,
        convergeCapMs,
        maxClockOffsetMs: maxClock,
      },
      durationsS: {
        start: Math.round((tStarted - t0) / 1000),
        submitted: Math.round((tSubmitted - tStarted) / 1000),
        answered: Math.round(exchangeS),
        settledAfterLastFault: Math.round((tConverged - tFaultsOver) / 1000),
        total: Math.round((Date.now() - t0) / 1000),
      },
      answeredUnderFaults,
      converged,
      requests: sum('sent'),
      answers: sum('answersSent'),
      exchangesPerSecond: Math.round((sum('answersReceived') / exchangeS) * 10) / 10,
      cpuSeconds: {
        ...(Object.fromEntries(DEMO_PARTIES.map((p) => [p, Math.round(nodes[p].cpuSeconds)])) as Record<
          DemoParty,
          number
        >),
        driver: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e6 - driverCpu0),
      },
      faults,
      faultCounts: Object.fromEntries(FAULT_KINDS.map((k) => [k, faults.filter((x) => x.kind === k).length])),
      directions,
      lost: sum('lost') + sum('answersLost'),
      duplicated: sum('duplicated') + sum('answersDuplicated'),
      unknown: sum('unknown'),
      shapes,
      unexpectedShapes,
      batches: batchStates,
      auditChains,
      calls: callTally,
      unexpected5xx: Object.entries(callTally)
        .filter(([k]) => /^5\d\d /.test(k) && k !== '503 storage.unavailable')
        .reduce((s, [, n]) => s + n, 0),
      unexpected5xxCalls: odd5xx,
      ambiguousBatches,
      answeredOnRetry,
      answerFailures: answerFailures.slice(0, 50),
      nodeErrorSamples: Object.fromEntries(DEMO_PARTIES.map((p) => [p, nodes[p].errorSamples])) as Record<
        DemoParty,
        string[]
      >,
      nodeErrors: Object.fromEntries(DEMO_PARTIES.map((p) => [p, nodes[p].errors.toJSON()])) as Record<
        DemoParty,
        Record<string, number>
      >,
      deliveryErrors: deliveryErrors.toJSON(),
      federationRefusals: refusals,
      federation5xx: DEMO_PARTIES.reduce((t, p) => t + (refusals[p].internal ?? 0), 0),
      outbox,
      undelivered: DEMO_PARTIES.reduce(
        (t, p) => t + Object.entries(outbox[p]).reduce((a, [k, n]) => a + (k.split(' ')[1] === 'delivered' ? 0 : n), 0),
        0,
      ),
      retriedMessages,
      maxAttempts,
      restarts: Object.fromEntries(DEMO_PARTIES.map((p) => [p, nodes[p].restarts])) as Record<DemoParty, number>,
      exitOnSigterm,
      clockOffsetsMs: Object.fromEntries(DEMO_PARTIES.map((p) => [p, nodes[p].clockOffsetMs])) as Record<
        DemoParty,
        number
      >,
    };
    return result;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await Promise.all(Object.values(nodes).map((n) => n.proc?.kill('SIGKILL')));
    await Promise.all(Object.values(nodes).map((n) => n.proxy.close()));
    if (o.keep) log(`chaos: kept ${fed?.dir} and database ${ruUrl}`);
    else {
      await fed?.cleanup();
      await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    }
    await admin.end();
  }
}

/** The checks a run must pass, each failure named (empty: the run is whole). */
export function chaosFailures(r: ChaosResult, opts: { minRequests?: number; everyFaultKind?: boolean } = {}): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(what);
  };
  check(r.answeredUnderFaults, 'not every request answered within the cap while faults went on');
  check(r.converged, 'not converged after the last fault (requests unanswered or messages waiting)');
  check(r.requests >= (opts.minRequests ?? 0), `${r.requests} requests exchanged, fewer than ${opts.minRequests}`);
  check(r.answers === r.requests, `${r.answers} answers for ${r.requests} requests`);
  check(r.lost === 0, `${r.lost} messages lost`);
  check(r.duplicated === 0, `${r.duplicated} messages stored twice`);
  check(r.unknown === 0, `${r.unknown} requests stored that no node sent`);
  check(r.unexpectedShapes === 0, `${r.unexpectedShapes} requests whose side effects are not exactly once`);
  check(r.undelivered === 0, `${r.undelivered} outbox rows not delivered`);
  for (const [p, b] of Object.entries(r.batches)) {
    const notDone = Object.entries(b.states).filter(([s]) => s !== 'done');
    check(notDone.length === 0, `${p}: batches not done: ${JSON.stringify(Object.fromEntries(notDone))}`);
    check(b.rowsRefused === 0, `${p}: ${b.rowsRefused} batch rows refused`);
  }
  for (const [p, a] of Object.entries(r.auditChains))
    check(a.ok && a.count > 0, `${p}: audit chain not verified: ${JSON.stringify(a).slice(0, 500)}`);
  check(r.unexpected5xx === 0, `${r.unexpected5xx} calls answered with a 5xx other than 503 storage.unavailable`);
  check(r.federation5xx === 0, `${r.federation5xx} federation messages refused with a 500 (internal)`);
  check(r.answerFailures.length === 0, `answers that failed: ${r.answerFailures.slice(0, 3).join('; ')}`);
  for (const [p, how] of Object.entries(r.exitOnSigterm))
    check(how === 0, `${p} did not stop cleanly on SIGTERM: ${how}`);
  const kills = r.faultCounts.kill ?? 0;
  const restarts = Object.values(r.restarts).reduce((a, b) => a + b, 0);
  check(restarts === kills, `${kills} kills but ${restarts} restarts`);
  if (opts.everyFaultKind)
    for (const k of FAULT_KINDS) check((r.faultCounts[k] ?? 0) > 0, `no fault of kind ${k} was injected`);
  return out;
}

const num = (k: string, d: number) => Number(process.env[k] ?? d);
let last: ChaosResult | null = null;

const pct = (xs: readonly number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : 0;

/** `npm run bench -- chaos`: EIX_CHAOS_REQUESTS (100,000), EIX_CHAOS_FAULT_EVERY_S (30), EIX_CHAOS_SEED (random). */
export const suite: Suite = {
  name: 'chaos',
  get description() {
    return (
      `chaos soak: RU (PostgreSQL), KZ and BY (PGlite) as processes, ${num('EIX_CHAOS_REQUESTS', 100_000)} requests ` +
      `and their answers in six directions, a fault every ${num('EIX_CHAOS_FAULT_EVERY_S', 30)} s`
    );
  },
  async measure() {
    const r = await runChaos({
      requests: num('EIX_CHAOS_REQUESTS', 100_000),
      faultEverySeconds: num('EIX_CHAOS_FAULT_EVERY_S', 30),
      seed: num('EIX_CHAOS_SEED', randomInt(2 ** 31)),
      adminUrl: process.env.EIX_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      batchRows: num('EIX_CHAOS_BATCH', 100),
      window: num('EIX_CHAOS_WINDOW', 300),
      convergeCapMs: num('EIX_CHAOS_CONVERGE_S', 1800) * 1000,
      keep: process.env.EIX_CHAOS_KEEP === '1',
    });
    last = r;
    const rows: BenchRow[] = [
      {
        task: 'exchanges: request delivered, answered, answer delivered (faults on)',
        opsPerSec: r.exchangesPerSecond,
        meanMicros: 0,
        p50Micros: 0,
        p99Micros: 0,
        samples: r.requests,
      },
    ];
    // Per fault kind: how long it lasted (a kill: killed → restarted and ready).
    for (const k of FAULT_KINDS) {
      const ms = r.faults.filter((f) => f.kind === k).map((f) => f.durationMs);
      rows.push({
        task: `fault ${k}: duration`,
        opsPerSec: 0,
        meanMicros: Math.round((ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length)) * 1000),
        p50Micros: pct(ms, 50) * 1000,
        p99Micros: pct(ms, 99) * 1000,
        samples: ms.length,
      });
    }
    return rows;
  },
  summarize() {
    const r = last!;
    const failures = chaosFailures(r);
    if (failures.length) process.exitCode = 1;
    const calls = (re: RegExp) => Object.entries(r.calls).reduce((s, [k, n]) => s + (re.test(k) ? n : 0), 0);
    return {
      verdict: failures.length ? `FAILED: ${failures.join('; ')}` : 'passed',
      seed: r.seed,
      'requests / answers exchanged': `${r.requests} / ${r.answers}`,
      'lost / duplicated / unknown': `${r.lost} / ${r.duplicated} / ${r.unknown}`,
      'requests whose side effects are not exactly once': r.unexpectedShapes,
      'outbox rows not delivered': r.undelivered,
      'audit entries verified (RU / KZ / BY)': DEMO_PARTIES.map(
        (p) => `${r.auditChains[p].count}${r.auditChains[p].ok ? '' : ' BROKEN'}`,
      ).join(' / '),
      faults: FAULT_KINDS.map((k) => `${k} ${r.faultCounts[k]}`).join(', '),
      'driver calls: 2xx / 503 storage.unavailable / other 5xx / connection errors': `${calls(/^2xx$/)} / ${
        r.calls['503 storage.unavailable'] ?? 0
      } / ${r.unexpected5xx} / ${r.calls.network ?? 0}`,
      'batches cut by a kill and submitted again': r.ambiguousBatches,
      'messages retried / most attempts': `${r.retriedMessages} / ${r.maxAttempts}`,
      'exchanges per second': r.exchangesPerSecond,
      'seconds: start / all submitted / all answered / settled after the last fault': `${r.durationsS.start} / ${r.durationsS.submitted} / ${r.durationsS.answered} / ${r.durationsS.settledAfterLastFault}`,
      'CPU seconds RU / KZ / BY / driver': `${r.cpuSeconds.RU} / ${r.cpuSeconds.KZ} / ${r.cpuSeconds.BY} / ${r.cpuSeconds.driver}`,
    };
  },
  details: () => last,
};
