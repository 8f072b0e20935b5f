// Load between two node processes (issue 16, item 5): RU and KZ of a demo
// federation run as separate child processes (`eix node start`, as the fault
// suite runs them), on PostgreSQL and on PGlite, side by side in one run with a
// plain mutual-TLS echo of the same bytes (also a process of its own).
//
// This process only drives and measures: it creates requests as an officer's
// program would, through RU's REST API (draft + sign, a bearer token), and
// reads the nodes' databases after they stopped. Per engine:
//   1. a phase at a fixed rate (EIX_LOAD_RATE, default 200 requests/s, open
//      loop): delivery latency p50/p99, sign → the signed receipt recorded at
//      RU (outbox.created_at → the request's `receipt` event);
//   2. a phase at the maximum rate (closed loop: EIX_LOAD_CREATORS concurrent
//      creators while fewer than EIX_LOAD_WINDOW await their receipt): the
//      requests delivered and receipted per second within the phase;
//   3. the backlog drained (at most 2 minutes), every request received exactly
//      once; RSS of each node process (VmRSS, sampled every second); storage
//      per exchanged request over both nodes: the databases' size after a
//      CHECKPOINT (and after VACUUM + CHECKPOINT) less their size before, divided
//      by the requests exchanged.
// EIX_LOAD_CREATE=batch (the default) creates the requests as a national system would, through the batch API
// (POST /api/v1/requests/batch: a batch of rate/10 rows every 100 ms in the fixed phase, batches of
// EIX_LOAD_BATCH rows in the maximum phase), so that the node's delivery, not the creation of requests one REST
// call at a time, is measured; EIX_LOAD_CREATE=single drafts and signs each request with two REST calls.
// EIX_LOAD_SECONDS sets the length of each phase (default 20 s: a run takes a few minutes; EIX_LOAD_FIXED_SECONDS
// the fixed phase's alone, its p99 steadier over a longer phase); EIX_LOAD_ENGINES=postgres,pglite which engines;
// PostgreSQL at EIX_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), in the databases
// eix_bench_ru and eix_bench_kz, created and dropped here (EIX_LOAD_KEEP=1 keeps them until the next run).
// EIX_LOAD_LOCK_SAMPLES=1 (PostgreSQL) samples who holds the audit log's lock in the fixed phase, doing what
// (bench/tools/audit-lock-sampler.ts; ARCHITECTURE decision 56).
// The node processes run the compiled build, as production does (bench/built-node.ts); EIX_LOAD_TSX=1 runs
// them under the TypeScript loader instead (as the tests do; more memory, slower start).
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent, request as httpsRequest } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { canonicalBytes, signCompact } from '../src/adapters/crypto/jws.js';
import { FEDERATION_PATH, MESSAGE_JWS_TYPE } from '../src/adapters/federation/context.js';
import type { DemoParty } from '../src/demo/federation.js';
import type { Message } from '../src/domain/messages.js';
import { nodePaths } from '../src/main.js';
import {
  draft,
  exactlyOnce,
  prepareFaultFederation,
  proceedingId,
  sign,
  withNodeDatabase,
} from '../test/faults/harness.js';
import { freePort } from '../test/support/federation.js';
import { api, spawnNode, type NodeProcess } from '../test/support/processes.js';
import { buildNode, RECOMMENDED_ENV } from './built-node.js';
import { sampleAuditLock } from './tools/audit-lock-sampler.js';
import { aRequest } from '../test/support/requests.js';
import type { BenchRow, Suite } from './run.js';

const PHASE_SECONDS = Number(process.env.EIX_LOAD_SECONDS ?? 20);
// The fixed phase alone (its p99 is the worst 1 % of its bundles: a longer phase makes it steadier).
const FIXED_SECONDS = Number(process.env.EIX_LOAD_FIXED_SECONDS ?? PHASE_SECONDS);
const FIXED_RATE = Number(process.env.EIX_LOAD_RATE ?? 200);
/** Rows of each batch of the fixed phase (a batch every 100 ms) and of its warm-up. */
const FIXED_BATCH_ROWS = Math.max(1, Math.round(FIXED_RATE / 10));
const WINDOW = Number(process.env.EIX_LOAD_WINDOW ?? (process.env.EIX_LOAD_CREATE === 'single' ? 256 : 4000));
const CREATORS = Number(process.env.EIX_LOAD_CREATORS ?? 16);
const CREATE = process.env.EIX_LOAD_CREATE === 'single' ? 'single' : 'batch';
const BATCH_ROWS = Number(process.env.EIX_LOAD_BATCH ?? 500);
type Engine = keyof typeof RECOMMENDED_ENV;
const ENGINES = (process.env.EIX_LOAD_ENGINES ?? 'postgres,pglite').split(',').filter(Boolean) as Engine[];
for (const e of ENGINES)
  if (!(e in RECOMMENDED_ENV)) throw new Error(`EIX_LOAD_ENGINES: unknown engine «${e}» (postgres, pglite)`);
const PG_ADMIN = process.env.EIX_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ECHO_SECONDS = Math.max(3, Math.min(10, PHASE_SECONDS / 2));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

let summary: Record<string, number | string> = {};

const pct = (xs: readonly number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : 0;
const du = (dir: string): number => Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]) * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The memory settings the node processes of `engine` run with: those docs/OPERATIONS.md recommends
 * (RECOMMENDED_ENV), unless the bench's environment gives MALLOC_ARENA_MAX or EIX_LOAD_NODE_OPTIONS (empty: V8's
 * defaults).
 */
function nodeEnvironment(engine: Engine): Record<string, string> {
  return {
    ...RECOMMENDED_ENV[engine],
    ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
    ...(process.env.EIX_LOAD_NODE_OPTIONS !== undefined ? { NODE_OPTIONS: process.env.EIX_LOAD_NODE_OPTIONS } : {}),
  };
}

/** An RSS sample: when (ms since the epoch) and how many bytes. */
interface RssSample {
  readonly at: number;
  readonly bytes: number;
}

/** VmRSS of the processes, every second, until stopped; returns the samples per pid. */
function sampleRss(pids: readonly number[]): { stop(): Map<number, RssSample[]> } {
  const samples = new Map(pids.map((p) => [p, [] as RssSample[]]));
  const timer = setInterval(() => {
    for (const pid of pids) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (kb) samples.get(pid)!.push({ at: Date.now(), bytes: kb * 1024 });
      } catch {
        /* exited */
      }
    }
  }, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

/** CPU seconds (user + system) used so far by each pid, and by all of PostgreSQL's server processes together. */
function cpuSeconds(pids: readonly number[]): { byPid: Map<number, number>; postgres: number } {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const of = (pid: number | string): { comm: string; s: number } | null => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const f = stat.slice(close + 2).split(' '); // fields from the 3rd (state) on
      return { comm: stat.slice(stat.indexOf('(') + 1, close), s: (Number(f[11]) + Number(f[12])) / ticks };
    } catch {
      return null;
    }
  };
  let postgres = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const x = of(d);
    if (x?.comm === 'postgres') postgres += x.s;
  }
  return { byPid: new Map(pids.map((p) => [p, of(p)?.s ?? 0])), postgres };
}

async function adminQuery(q: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

const pgUrl = (db: string) => {
  const u = new URL(PG_ADMIN);
  u.pathname = `/${db}`;
  return u.toString();
};

interface Sizes {
  checkpoint: number;
  vacuumed: number;
}

async function databaseSize(home: string, url: string | undefined, vacuum: boolean): Promise<Sizes> {
  return withNodeDatabase(home, url, async (db) => {
    const size = async () => {
      await sql`checkpoint`.execute(db);
      return Number(
        (await sql<{ n: string }>`select pg_database_size(current_database())::text as n`.execute(db)).rows[0]!.n,
      );
    };
    const checkpoint = await size();
    if (!vacuum) return { checkpoint, vacuumed: checkpoint };
    await sql`vacuum`.execute(db);
    return { checkpoint, vacuumed: await size() };
  });
}

/** A request message signed with RU's body key: the bytes the echo sends back. */
async function sampleJws(ruHome: string): Promise<string> {
  const keys = nodePaths(ruHome).bodyKeys;
  const m: Message = {
    envelope: {
      id: randomUUID(),
      type: 'request',
      schemaVersion: 1,
      from: { party: 'RU', body: 'ru-fssp-77' },
      to: { party: 'KZ', body: 'kz-central' },
      createdAt: new Date().toISOString(),
      officer: { id: 'bench', name: 'Петрова А. С.', position: 'судебный пристав-исполнитель' },
    },
    body: { request: { ...aRequest(), requestingBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП' } } },
  };
  return signCompact(
    canonicalBytes(m),
    await readFile(path.join(keys, 'ru-fssp-77.key'), 'utf8'),
    await readFile(path.join(keys, 'ru-fssp-77.crt'), 'utf8'),
    MESSAGE_JWS_TYPE,
  );
}

/** The plain mutual-TLS echo: a server process with KZ's TLS identity, RU's identity as the client. */
async function echo(ruHome: string, kzHome: string): Promise<BenchRow> {
  const port = await freePort();
  const server = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/tools/echo-server.ts'), kzHome, String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: ROOT,
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
      server.once('exit', (code) => reject(new Error(`echo server exited (${code})`)));
    });
    const p = nodePaths(ruHome);
    const agent = new Agent({
      keepAlive: true,
      maxSockets: CREATORS,
      key: await readFile(p.tlsKey, 'utf8'),
      cert: await readFile(p.tlsChain, 'utf8'),
      ca: await readFile(p.depositary, 'utf8'),
      minVersion: 'TLSv1.2',
    });
    const jws = await sampleJws(ruHome);
    const post = () =>
      new Promise<void>((resolve, reject) => {
        const req = httpsRequest(
          `https://127.0.0.1:${port}${FEDERATION_PATH}`,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/jose', 'content-length': Buffer.byteLength(jws) },
          },
          (res) => {
            let n = 0;
            res.on('data', (c: Buffer) => (n += c.length));
            res.on('end', () => (res.statusCode === 200 && n === jws.length ? resolve() : reject(new Error('echo'))));
          },
        );
        req.on('error', reject);
        req.end(jws);
      });
    const lat: number[] = [];
    for (let i = 0; i < 50; i++) await post(); // connections and JIT warm
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CREATORS }, async () => {
        while (performance.now() - t0 < ECHO_SECONDS * 1000) {
          const s = performance.now();
          await post();
          lat.push(performance.now() - s);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    return {
      task: `echo: plain mutual TLS, same bytes, ${CREATORS} in flight`,
      opsPerSec: Math.round(lat.length / seconds),
      meanMicros: Math.round((lat.reduce((a, b) => a + b, 0) / lat.length) * 1000),
      p50Micros: Math.round(pct(lat, 50) * 1000),
      p99Micros: Math.round(pct(lat, 99) * 1000),
      samples: lat.length,
    };
  } finally {
    server.kill('SIGTERM');
  }
}

interface Phase {
  name: string;
  from: Date;
  to: Date;
  created: number;
}

async function runEngine(
  engine: Engine,
  withEcho: boolean,
  bin: string | undefined,
): Promise<{ rows: BenchRow[]; facts: Record<string, number | string>; echo: BenchRow | null }> {
  const urls: Partial<Record<DemoParty, string>> | undefined =
    engine === 'postgres' ? { RU: pgUrl('eix_bench_ru'), KZ: pgUrl('eix_bench_kz') } : undefined;
  if (urls)
    for (const db of ['eix_bench_ru', 'eix_bench_kz']) {
      await adminQuery(`drop database if exists ${db}`);
      await adminQuery(`create database ${db}`);
    }
  const fed = await prepareFaultFederation(urls ? { databaseUrls: urls } : {});
  const procs: NodeProcess[] = [];
  try {
    const homes = { RU: fed.home('RU'), KZ: fed.home('KZ') };
    const sizeBefore = {
      // Not vacuumed before the run: a VACUUM of the nearly empty tables records them as empty (pg_class), and
      // every plan PostgreSQL caches until the next ANALYZE (the foreign-key checks' above all) is then a
      // sequential scan, read again for every row as the tables grow: most of PostgreSQL's CPU in such a run.
      RU: await databaseSize(homes.RU, urls?.RU, false),
      KZ: await databaseSize(homes.KZ, urls?.KZ, false),
    };
    const duBefore = urls ? 0 : du(nodePaths(homes.RU).db) + du(nodePaths(homes.KZ).db);
    // EIX_LOAD_PROFILE=<dir>: each node process writes a V8 CPU profile and an allocation profile there when it
    // stops (bench/tools/cpuprofile-top.ts, heapprofile-top.ts).
    const profile = process.env.EIX_LOAD_PROFILE;
    // The node processes run with the engine's memory settings (nodeEnvironment; with an empty
    // EIX_LOAD_NODE_OPTIONS V8's defaults, which size the heap by the machine's memory and let it grow to twice the
    // settings' RSS before collecting; spawnNode passes the rest of the environment on).
    const { NODE_OPTIONS: options = '', ...settings } = nodeEnvironment(engine);
    const nodeOptions = [options, profile ? `--import ${path.join(ROOT, 'bench/tools/profile-hook.mjs')}` : ''].filter(
      Boolean,
    );
    const env = (p: DemoParty): Record<string, string> => ({
      ...(urls?.[p] ? { EIX_DATABASE_URL: urls[p] } : {}),
      ...settings,
      ...(nodeOptions.length ? { NODE_OPTIONS: nodeOptions.join(' ') } : {}),
      ...(profile
        ? {
            EIX_PROFILE_OUT: path.join(profile, `${engine}-${p}.cpuprofile`),
            EIX_PROFILE_HEAP_OUT: path.join(profile, `${engine}-${p}.heapprofile`),
          }
        : {}),
    });
    const kz = spawnNode(homes.KZ, fed.ports.KZ, env('KZ'), { bin });
    const ru = spawnNode(homes.RU, fed.ports.RU, env('RU'), { bin });
    procs.push(kz, ru);
    await Promise.all([kz.ready, ru.ready]);
    const token = fed.token('ru.officer');
    const proceeding = await proceedingId(ru.apiUrl, token);
    const rss = sampleRss([ru.proc.pid!, kz.proc.pid!]);
    let errors = 0;
    let created = 0;
    const createOne = async () => {
      try {
        await sign(ru.apiUrl, token, await draft(ru.apiUrl, token, proceeding));
        created++;
      } catch {
        errors++;
      }
    };
    // The batch API: `n` complete requests (each its own proceeding number), queued by the node's batch runner.
    const example = JSON.parse(
      await readFile(path.join(ROOT, 'data', 'examples', 'request-ru-kz.json'), 'utf8'),
    ) as Record<string, unknown>;
    const batches: string[] = [];
    let seq = 0;
    const createMany = async (n: number) => {
      const rows = Array.from({ length: n }, () => ({
        proceeding: { number: `LOAD-${engine}-${seq++}`, openedOn: '2026-03-02' },
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocument: example.executiveDocument,
        items: [{ kind: 'location', target: 'debtor' }],
        grounds: example.grounds,
      }));
      try {
        const r = await api<{ id: string }>(ru.apiUrl, token, 'POST', '/api/v1/requests/batch', {
          requestedBody: { party: 'KZ', id: 'kz-central' },
          rows,
        });
        batches.push(r.id);
        created += n;
      } catch {
        errors += n;
      }
    };
    // Warm: connections, JIT, first deliveries — of the path the phases measure: the first batches compile the
    // batch runner's, the bundles' and the receipts' code (warmed with single requests only, the first bundles of
    // the fixed phase were among its slowest).
    for (let i = 0; i < 20; i++) await createOne();
    if (CREATE === 'batch')
      for (let i = 0; i < 30; i++) {
        await createMany(FIXED_BATCH_ROWS);
        await sleep(100);
      }
    // Receipted requests, from RU's health figures (its outbox rows delivered: RU sends requests only here):
    // the request list's total stops at 10,000 (TOTAL_CAP), which a run passes.
    const adminToken = fed.token('ru.admin');
    const receipted = async () =>
      (
        await api<{ details: { outbox: { byStatus: Record<string, number> } } }>(
          ru.apiUrl,
          adminToken,
          'GET',
          '/api/v1/health',
        )
      ).details.outbox.byStatus.delivered ?? 0;
    while ((await receipted()) < created && errors === 0) await sleep(200);
    const phases: Phase[] = [];
    // EIX_LOAD_LOCK_SAMPLES=1: who holds the audit log's lock during the fixed phase, doing what (PostgreSQL).
    const lockSampler = urls && process.env.EIX_LOAD_LOCK_SAMPLES === '1' ? sampleAuditLock(PG_ADMIN) : null;
    // 1. Fixed rate, open loop (at most 256 creations in flight: past that the driver, not the node, would queue).
    let from = new Date();
    let before = created;
    const inFlight = new Set<Promise<void>>();
    const t0 = performance.now();
    // Batch mode: a batch every 100 ms (rate/10 rows); single mode: one request every 1/rate s.
    const tick = CREATE === 'batch' ? 100 : 1000 / FIXED_RATE;
    const perTick = CREATE === 'batch' ? FIXED_BATCH_ROWS : 1;
    for (let i = 0; performance.now() - t0 < FIXED_SECONDS * 1000; i++) {
      const wait = t0 + i * tick - performance.now();
      if (wait > 0) await sleep(wait);
      while (inFlight.size >= 256) await Promise.race(inFlight);
      const p: Promise<void> = (CREATE === 'batch' ? createMany(perTick) : createOne()).finally(() =>
        inFlight.delete(p),
      );
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    phases.push({ name: `fixed ${FIXED_RATE}/s`, from, to: new Date(), created: created - before });
    const lockSamples = await lockSampler?.stop();
    // Let the fixed phase's backlog go before the maximum phase starts.
    const drainBy = Date.now() + 120_000;
    while ((await receipted()) < created && Date.now() < drainBy) await sleep(250);
    // 2. Maximum, closed loop.
    let done = await receipted();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        done = await receipted().catch(() => done);
        await sleep(250);
      }
    })();
    from = new Date();
    before = created;
    const cpuBefore = { ...cpuSeconds([ru.proc.pid!, kz.proc.pid!]), driver: process.cpuUsage() };
    const t1 = performance.now();
    await Promise.all(
      Array.from({ length: CREATE === 'batch' ? 2 : CREATORS }, async () => {
        while (performance.now() - t1 < PHASE_SECONDS * 1000) {
          if (created - done >= WINDOW) {
            await sleep(10);
            continue;
          }
          if (CREATE === 'batch') await createMany(BATCH_ROWS);
          else await createOne();
        }
      }),
    );
    polling = false;
    await poller;
    phases.push({ name: 'maximum', from, to: new Date(), created: created - before });
    const tDrain = Date.now();
    while ((await receipted()) < created && Date.now() - tDrain < 120_000) await sleep(250);
    const drainedIn = (Date.now() - tDrain) / 1000;
    // CPU per request of the maximum phase and its drain (every request created then is receipted by now): what
    // another process's load changes least, so the figure to compare runs by.
    const cpuAfter = cpuSeconds([ru.proc.pid!, kz.proc.pid!]);
    const driverCpu = process.cpuUsage(cpuBefore.driver);
    const cpuPerRequest = (sec: number) => Math.round(((sec * 1000) / Math.max(1, created - before)) * 100) / 100;
    // Rows a batch refused (its report) count as errors.
    for (const id of batches) {
      const b = await api<{ failed: number }>(ru.apiUrl, token, 'GET', `/api/v1/requests/batch/${id}?limit=1`);
      errors += b.failed;
    }
    const samples = rss.stop();
    await Promise.all([ru.kill('SIGTERM'), kz.kill('SIGTERM')]);
    // Measured from the databases, the nodes stopped.
    const rows: BenchRow[] = [];
    const facts: Record<string, number | string> = {};
    for (const [db, d] of Object.entries(lockSamples?.byDatabase ?? {})) {
      const share = (x: number) => `${(x * 100).toFixed(1)} %`;
      facts[`${engine} fixed: audit lock, ${db}: held / backends waiting (of ${lockSamples!.samples} samples)`] =
        `${share(d.held)} / ${d.waiting.toFixed(2)}`;
      facts[`${engine} fixed: audit lock, ${db}: the holder (share of samples)`] = d.states
        .map(([state, n]) => `${state} ${share(n / lockSamples!.samples)}`)
        .join('; ');
    }
    let fixedPhase: { message_id: string; created_at: Date; receipt_at: Date | null }[] = [];
    facts[`${engine} maximum: CPU ms per request RU / KZ / PostgreSQL server / driver`] = [
      cpuPerRequest(cpuAfter.byPid.get(ru.proc.pid!)! - cpuBefore.byPid.get(ru.proc.pid!)!),
      cpuPerRequest(cpuAfter.byPid.get(kz.proc.pid!)! - cpuBefore.byPid.get(kz.proc.pid!)!),
      cpuPerRequest(cpuAfter.postgres - cpuBefore.postgres),
      cpuPerRequest((driverCpu.user + driverCpu.system) / 1e6),
    ].join(' / ');
    await withNodeDatabase(homes.RU, urls?.RU, async (db) => {
      for (const ph of phases) {
        const r = await sql<{ message_id: string; created_at: Date; receipt_at: Date | null }>`
          select o.message_id, o.created_at, (select min(e.at) from request_events e
                                 where e.request_id = o.request_id and e.event = 'receipt') as receipt_at
          from outbox o where o.type = 'request' and o.created_at >= ${ph.from} and o.created_at <= ${ph.to}`.execute(
          db,
        );
        const lat = r.rows.filter((x) => x.receipt_at).map((x) => x.receipt_at!.getTime() - x.created_at.getTime());
        if (ph === phases[0]) fixedPhase = r.rows;
        const seconds = (ph.to.getTime() - ph.from.getTime()) / 1000;
        const within = await sql<{ n: string }>`
          select count(*)::text as n from request_events
          where event = 'receipt' and at >= ${ph.from} and at <= ${ph.to}`.execute(db);
        rows.push({
          task: `${engine}: ${ph.name}, signed → receipt recorded (receipted/s)`,
          opsPerSec: Math.round((Number(within.rows[0]!.n) / seconds) * 10) / 10,
          meanMicros: Math.round((lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length)) * 1000),
          p50Micros: pct(lat, 50) * 1000,
          p99Micros: pct(lat, 99) * 1000,
          samples: r.rows.length,
        });
        facts[`${engine} ${ph.name}: created/s`] = Math.round((ph.created / seconds) * 10) / 10;
      }
      const q = await sql<{ sent: string; received: string; queued: string }>`
        select (select count(*) from outbox where type = 'request')::text as sent,
               (select count(*) from requests where direction = 'outgoing' and state = 'received')::text as received,
               (select count(*) from outbox where status <> 'delivered')::text as queued`.execute(db);
      facts[`${engine}: sent / receipted at RU / still queued`] =
        `${q.rows[0]!.sent} / ${q.rows[0]!.received} / ${q.rows[0]!.queued}`;
    });
    // Where the fixed phase's latency goes: queued at RU → stored at KZ (the bundle's transaction began: linger,
    // claim, compose, sign, mutual TLS, verify and check at KZ) → receipt recorded at RU (KZ's commit and receipt,
    // RU's check of the receipt and its transaction). One machine, one clock.
    const storedAt = new Map<string, Date>();
    await withNodeDatabase(homes.KZ, urls?.KZ, async (db) => {
      const ids = fixedPhase.map((x) => x.message_id);
      for (let i = 0; i < ids.length; i += 1000) {
        const got = await db
          .selectFrom('inbox')
          .select(['message_id', 'received_at'])
          .where('message_id', 'in', ids.slice(i, i + 1000))
          .execute();
        for (const g of got) storedAt.set(g.message_id, g.received_at);
      }
    });
    const split = fixedPhase.filter((x) => x.receipt_at && storedAt.has(x.message_id));
    const toKz = split.map((x) => storedAt.get(x.message_id)!.getTime() - x.created_at.getTime());
    const back = split.map((x) => x.receipt_at!.getTime() - storedAt.get(x.message_id)!.getTime());
    facts[`${engine} fixed: queued → stored at KZ, p50 / p99 (ms)`] = `${pct(toKz, 50)} / ${pct(toKz, 99)}`;
    facts[`${engine} fixed: stored at KZ → receipt recorded at RU, p50 / p99 (ms)`] =
      `${pct(back, 50)} / ${pct(back, 99)}`;
    // Exactly once on what no constraint protects (test/faults/harness.ts): the request row and the inbox row
    // cannot be doubled (unique columns), so the side effects are counted per message id, and the refusals.
    const once = await exactlyOnce({ home: homes.RU, url: urls?.RU }, { home: homes.KZ, url: urls?.KZ });
    const r = once.receiver;
    const extra = r.requests.extra + r.receiptHistory.extra + r.receiveEvents.extra + r.receiptAudit.extra;
    const missing = r.requests.missing + r.receiptHistory.missing + r.receiveEvents.missing + r.receiptAudit.missing;
    facts[`${engine}: sent by RU / stored by KZ / side effects doubled / missing`] =
      `${once.sender.sent} / ${once.sender.sent - r.requests.missing} / ${extra + once.sender.outboxExtra} / ${missing}`;
    facts[`${engine}: resends answered by KZ / leases taken over at RU / internal refusals`] =
      `${r.resendsAnswered} / ${once.sender.leaseTakeovers} / ${r.rejectedByCode.internal ?? 0}`;
    const mb = (xs: RssSample[] | undefined, from = 0, to = Infinity) =>
      Math.round(Math.max(0, ...(xs ?? []).filter((x) => x.at >= from && x.at <= to).map((x) => x.bytes)) / 1e6);
    facts[`${engine}: RSS max RU / KZ (MB)`] = `${mb(samples.get(ru.proc.pid!))} / ${mb(samples.get(kz.proc.pid!))}`;
    // The fixed phase alone (a steady 200/s, as the soak) and the maximum phase (batches of EIX_LOAD_BATCH rows).
    for (const ph of phases) {
      const [from, to] = [ph.from.getTime(), ph.to.getTime()];
      facts[`${engine}: RSS max RU / KZ in the ${ph.name} phase (MB)`] =
        `${mb(samples.get(ru.proc.pid!), from, to)} / ${mb(samples.get(kz.proc.pid!), from, to)}`;
    }
    facts[`${engine}: errors (creating)`] = errors;
    facts[`${engine}: backlog drained in (s)`] = Math.round(drainedIn * 10) / 10;
    const after = {
      RU: await databaseSize(homes.RU, urls?.RU, true),
      KZ: await databaseSize(homes.KZ, urls?.KZ, true),
    };
    const perRequest = (k: keyof Sizes) =>
      ((after.RU[k] - sizeBefore.RU[k] + after.KZ[k] - sizeBefore.KZ[k]) / Math.max(1, created) / 1024).toFixed(1);
    facts[`${engine}: storage per request, both nodes, after CHECKPOINT (kB)`] = perRequest('checkpoint');
    facts[`${engine}: … after VACUUM + CHECKPOINT (kB)`] = perRequest('vacuumed');
    if (!urls)
      facts[`${engine}: data directories, write-ahead log included, per request (kB)`] = (
        (du(nodePaths(homes.RU).db) + du(nodePaths(homes.KZ).db) - duBefore) /
        created /
        1024
      ).toFixed(1);
    // The echo between processes of the same kind, with these certificates, in this run (the nodes stopped).
    return { rows, facts, echo: withEcho ? await echo(homes.RU, homes.KZ) : null };
  } finally {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    await fed.cleanup();
    // EIX_LOAD_KEEP=1 leaves them for inspection (EXPLAIN of the exchange's statements on real tables).
    if (urls && !process.env.EIX_LOAD_KEEP)
      for (const db of ['eix_bench_ru', 'eix_bench_kz']) await adminQuery(`drop database if exists ${db}`);
  }
}

export const suite: Suite = {
  name: 'load',
  description: `RU and KZ as two node processes, ${FIXED_SECONDS} s at ${FIXED_RATE}/s then ${PHASE_SECONDS} s at the maximum (${CREATE === 'batch' ? `batches of ${BATCH_ROWS} rows` : `${CREATORS} creators over REST`}, window ${WINDOW}), on ${ENGINES.join(' and ')}, beside a mutual-TLS echo`,
  async measure() {
    summary = {};
    const rows: BenchRow[] = [];
    let echoRow: BenchRow | null = null;
    const bin = process.env.EIX_LOAD_TSX === '1' ? undefined : buildNode();
    summary['node processes run'] = bin ? 'the compiled build (.bench-build/)' : 'under the TypeScript loader';
    for (const engine of ENGINES)
      summary[`node processes on ${engine}: environment`] = Object.entries(nodeEnvironment(engine))
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
    for (const engine of ENGINES) {
      if (engine === 'postgres') {
        try {
          await adminQuery('select 1');
        } catch (e) {
          process.stderr.write(`PostgreSQL not reachable (${(e as Error).message}): skipped\n`);
          continue;
        }
      }
      const r = await runEngine(engine, !echoRow, bin);
      rows.push(...r.rows);
      Object.assign(summary, r.facts);
      echoRow ??= r.echo;
    }
    if (echoRow) {
      rows.push(echoRow);
      for (const r of rows.filter((x) => x.task.includes('maximum')))
        summary[`${r.task.split(':')[0]}: maximum / echo`] = (r.opsPerSec / echoRow.opsPerSec).toFixed(3);
    }
    return rows;
  },
  summarize: () => summary,
};
