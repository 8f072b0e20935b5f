// Hand wiring (ARCHITECTURE rule 6): config → adapters → the use cases' context,
// and a running node (REST API, jobs, federation endpoint and outbox worker).
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadCalendar } from './adapters/calendars/json-calendar-source.js';
import { shiftedClock, systemClock } from './adapters/clock/system-clock.js';
import { loadKeyRing } from './adapters/crypto/data-key.js';
import { acceptRegistry, registrySha256, verifyRegistry } from './adapters/crypto/registry-jws.js';
import { openDatabase, type Database } from './adapters/db/database.js';
import type { Federation } from './adapters/federation/context.js';
import { fileBodySigner } from './adapters/federation/jws.js';
import { startOutboxWorker, type OutboxWorker } from './adapters/federation/outbound.js';
import { buildFederationServer } from './adapters/federation/server.js';
import { buildServer } from './adapters/http/server.js';
import { startJobs, type Jobs } from './adapters/jobs/pg-boss-jobs.js';
import type { AppContext } from './app/context.js';
import { purgeExpiredData } from './app/purge-expired-data.js';
import type { Config } from './config/config.js';
import { EixError } from './domain/errors.js';
import type { Registry } from './domain/registry.js';
import { loadTreaty, type Treaty } from './domain/treaty.js';

/** `node.json` in the node's home: what `eix node init` recorded. */
export interface NodeInfo {
  readonly party: string;
  readonly name: string;
  readonly createdAt: string;
  /** The node's id in the trust registry (its TLS certificate names it). */
  readonly nodeId?: string;
}

export const nodePaths = (home: string) => ({
  info: path.join(home, 'node.json'),
  keys: path.join(home, 'keys'),
  dataKey: path.join(home, 'keys', 'data.key'),
  bodyKeys: path.join(home, 'keys', 'bodies'),
  tlsKey: path.join(home, 'keys', 'tls', 'node.key'),
  tlsChain: path.join(home, 'keys', 'tls', 'node-chain.crt'),
  depositary: path.join(home, 'trust', 'depositary.crt'),
  registry: path.join(home, 'registry.jws'),
  db: path.join(home, 'db'),
});

const exists = (f: string) =>
  access(f).then(
    () => true,
    () => false,
  );

export async function readNodeInfo(home: string): Promise<NodeInfo> {
  let text: string;
  try {
    text = await readFile(nodePaths(home).info, 'utf8');
  } catch {
    throw new EixError(
      'node.not_initialised',
      { field: 'EIX_HOME', home },
      `Узел не создан в ${home}: выполните eix node init`,
    );
  }
  const info = JSON.parse(text) as NodeInfo;
  if (!/^[A-Z]{2}$/.test(info.party))
    throw new EixError('node.not_initialised', { home }, `Файл ${nodePaths(home).info} повреждён`);
  return info;
}

export interface Wired {
  readonly ctx: AppContext;
  readonly database: Database;
  readonly node: NodeInfo;
  /** Present when the node has its TLS identity, body keys and a trust registry. */
  readonly federation: Federation | null;
  close(): Promise<void>;
}

export async function openDatabaseFor(config: Config): Promise<Database> {
  return openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dir: nodePaths(config.home).db });
}

/** The registry installed in the node's home, if any. */
async function loadInstalledRegistry(home: string, database: Database): Promise<Registry | null> {
  const p = nodePaths(home);
  if (!(await exists(p.registry))) return null;
  return loadRegistry(await readFile(p.registry, 'utf8'), await readFile(p.depositary, 'utf8'), database);
}

/** Verifies a registry with the pinned depositary certificate and accepts it only if not older than the last one (no rollback). */
export async function loadRegistry(jws: string, depositaryPem: string, database: Database): Promise<Registry> {
  const registry = await verifyRegistry(jws, depositaryPem);
  const sha256 = registrySha256(registry);
  const current = await database.db
    .selectFrom('node_settings')
    .select('value')
    .where('key', '=', 'registry')
    .executeTakeFirst();
  acceptRegistry((current?.value as { version: number; sha256: string } | undefined) ?? null, registry, sha256);
  const value = JSON.stringify({ version: registry.version, sha256, issuedAt: registry.issuedAt });
  await database.db
    .insertInto('node_settings')
    .values({ key: 'registry', value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: new Date() }))
    .execute();
  return registry;
}

export async function buildContext(config: Config, overrides: Partial<AppContext> = {}): Promise<Wired> {
  const node = await readNodeInfo(config.home);
  const p = nodePaths(config.home);
  const sealer = await loadKeyRing(p.dataKey);
  const database = await openDatabaseFor(config);
  try {
    const registry = await loadInstalledRegistry(config.home, database);
    const treaty: Treaty = loadTreaty(
      registry ? registry.treaty : JSON.parse(await readFile(config.treatyEventsFile, 'utf8')),
    );
    const calendarsDir = path.join(config.dataDir, 'calendars');
    const ctx: AppContext = {
      db: database.db,
      sealer,
      clock: config.today ? shiftedClock(config.today) : systemClock,
      party: node.party,
      treaty: () => treaty,
      calendar: (party) => loadCalendar(party, calendarsDir),
      limits: { attachmentBytes: 20 * 1024 * 1024 },
      ...(registry ? { route: (party: string) => registry.parties[party]?.nodes[0]?.url ?? null } : {}),
      ...overrides,
    };
    let federation: Federation | null = null;
    if (registry && node.nodeId && (await exists(p.tlsKey))) {
      federation = {
        app: ctx,
        registry: () => registry,
        signer: fileBodySigner(p.bodyKeys),
        nodeId: node.nodeId,
        tls: {
          keyPem: await readFile(p.tlsKey, 'utf8'),
          certChainPem: await readFile(p.tlsChain, 'utf8'),
          rootPem: await readFile(p.depositary, 'utf8'),
        },
        clockSkewMs: 5 * 60_000,
        maxMessageAgeMs: 7 * 86_400_000,
        maxAttempts: 12,
      };
    }
    return { ctx, database, node, federation, close: () => database.close() };
  } catch (e) {
    await database.close();
    throw e;
  }
}

export interface RunningNode {
  readonly wired: Wired;
  readonly api: FastifyInstance;
  readonly apiUrl: string;
  readonly federationUrl: string | null;
  readonly worker: OutboxWorker | null;
  stop(): Promise<void>;
}

/** A node at work: REST API, scheduled jobs, federation endpoint and outbox worker. */
export async function startNode(config: Config, overrides: Partial<AppContext> = {}): Promise<RunningNode> {
  const wired = await buildContext(config, overrides);
  let worker: OutboxWorker | null = null;
  const api = await buildServer({
    ctx: wired.ctx,
    logLevel: config.logLevel,
    rateLimit: config.apiRateLimit,
    nodeName: wired.node.name,
    onChange: () => worker?.kick(),
  });
  let jobs: Jobs | null = null;
  let fedServer: FastifyInstance | null = null;
  try {
    jobs = await startJobs(
      wired.database.db,
      (e) => api.log.error({ err: e }, 'job queue error'),
      wired.database.schema,
    );
    await jobs.schedule('purge-expired-data', '0 3 * * *', async () => {
      const r = await purgeExpiredData(wired.ctx, { kind: 'system', name: 'retention' });
      api.log.info({ answers: r.answers, attachments: r.attachments }, 'retention purge (R9.6)');
    });
    let federationUrl: string | null = null;
    if (wired.federation) {
      fedServer = await buildFederationServer(wired.federation, { logLevel: config.logLevel });
      federationUrl = await fedServer.listen({ host: config.federationHost, port: config.federationPort });
      worker = startOutboxWorker(wired.federation, {
        onError: (e) => api.log.error({ err: e }, 'outbox worker error'),
      });
    }
    const apiUrl = await api.listen({ host: config.host, port: config.port });
    return {
      wired,
      api,
      apiUrl,
      federationUrl,
      worker,
      stop: async () => {
        await api.close();
        await worker?.stop();
        await fedServer?.close();
        await jobs?.stop();
        await wired.close();
      },
    };
  } catch (e) {
    await worker?.stop();
    await fedServer?.close();
    await jobs?.stop();
    await wired.close();
    throw e;
  }
}
