// Hand wiring (ARCHITECTURE rule 6): config → adapters → the use cases' context,
// and a running node (REST API, jobs, federation endpoint and outbox worker).
import { readFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadRegionTable } from './adapters/regions/json-region-source.js';
import { loadCalendar } from './adapters/calendars/json-calendar-source.js';
import { shiftedClock, systemClock } from './adapters/clock/system-clock.js';
import { loadKeyRing } from './adapters/crypto/data-key.js';
import { openDatabase, tableMaintenance, type Database } from './adapters/db/database.js';
import type { Federation } from './adapters/federation/context.js';
import { fileBodySeals } from './adapters/crypto/file-body-seals.js';
import { fileBodySigner } from './adapters/federation/jws.js';
import { releaseHeld, startOutboxWorker, type OutboxWorker } from './adapters/federation/outbound.js';
import { watchRegistry, type RegistryWatcher } from './adapters/federation/registry-watcher.js';
import { receiptHook } from './adapters/federation/receipt-hold.js';
import { buildFederationServer } from './adapters/federation/server.js';
import { memoryTrustRegistry } from './adapters/federation/trust-registry.js';
import { buildServer } from './adapters/http/server.js';
import { loadListenerTls } from './adapters/http/tls.js';
import { readableByOthers, tightenTree } from './adapters/fs/permissions.js';
import { startJobs, type Jobs } from './adapters/jobs/pg-boss-jobs.js';
import { startBatchRunner, type BatchRunner } from './adapters/jobs/batch-runner.js';
import { startWebhookWorker, type WebhookWorker } from './adapters/webhooks/webhook-worker.js';
import { startRegistryLookupWorker, type RegistryLookupWorker } from './adapters/jobs/registry-lookup-worker.js';
import { buildRegistryConnectors } from './adapters/registries/connectors.js';
import { readRegistriesConfig } from './config/registries.js';
import { startMailWorker, type MailWorker } from './adapters/mail/mail-worker.js';
import { smtpMailer, smtpServerName } from './adapters/mail/smtp-mailer.js';
import type { AppContext } from './app/context.js';
import { installRegistry, type RecordedRegistry } from './app/install-registry.js';
import { recomputeLegacyDeadlines } from './app/recompute-legacy-deadlines.js';
import { refreshStatisticsCalendars } from './app/refresh-statistics-calendars.js';
import { purgeExpiredData } from './app/purge-expired-data.js';
import { recordDeadlineNotices } from './app/record-deadline-notices.js';
import { createAuditCheckpoint } from './app/create-audit-checkpoint.js';
import { openAuditKey } from './app/open-audit-key.js';
import { loadCheckpointSigner } from './adapters/crypto/audit-checkpoint.js';
import { checkRetentionRules, type MissingRetentionRule } from './app/check-retention-rules.js';
import type { Config } from './config/config.js';
import { ATTACHMENT_MAX_BYTES } from './domain/attachments.js';
import { EixError } from './domain/errors.js';
import type { Registry } from './domain/registry.js';
import { loadTreaty, type Treaty } from './domain/treaty.js';
import type { TrustRegistry } from './ports/registry.js';
import { workersToWake } from './adapters/jobs/workers-to-wake.js';

const DAY_MS = 86_400_000;

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
  auditKey: path.join(home, 'keys', 'audit.key'),
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
  /** The trust registry in force (also behind ctx.treaty(), ctx.route() and federation.registry()). */
  readonly trust: TrustRegistry;
  close(): Promise<void>;
}

export async function openDatabaseFor(config: Config): Promise<Database> {
  return openDatabase(
    config.databaseUrl ? { url: config.databaseUrl, ssl: config.databaseSsl } : { dir: nodePaths(config.home).db },
  );
}

/**
 * Puts in force the newest of the registries the node holds: the one recorded
 * in the database (another process of this node may have installed it) and
 * the node's registry.jws. Both are verified with the pinned depositary
 * certificate; an older file never replaces a newer recorded registry.
 */
async function loadInstalledRegistry(home: string, database: Database, trust: TrustRegistry): Promise<void> {
  const p = nodePaths(home);
  if (!(await exists(p.depositary))) return;
  const depositaryPem = await readFile(p.depositary, 'utf8');
  const row = await database.db
    .selectFrom('node_settings')
    .select('value')
    .where('key', '=', 'registry')
    .executeTakeFirst();
  const recorded = row?.value as RecordedRegistry | undefined;
  if (recorded?.jws)
    await installRegistry(
      { db: database.db, registry: trust },
      { jws: recorded.jws, depositaryPem, file: p.registry, origin: 'database' },
    );
  if (!(await exists(p.registry))) return;
  try {
    await installRegistry(
      { db: database.db, registry: trust },
      { jws: await readFile(p.registry, 'utf8'), depositaryPem, file: p.registry, origin: 'file' },
    );
  } catch (e) {
    // An older file beside a newer recorded registry: the recorded one stays (the watcher logs the refusal).
    if (!(e instanceof EixError && e.code === 'registry.rollback' && trust.current())) throw e;
  }
}

/** Verifies a registry with the pinned depositary certificate and accepts it only if not older than the last one (no rollback). */
export async function loadRegistry(jws: string, depositaryPem: string, database: Database): Promise<Registry> {
  return (await installRegistry({ db: database.db }, { jws, depositaryPem, origin: 'operator' })).registry;
}

export async function buildContext(config: Config, overrides: Partial<AppContext> = {}): Promise<Wired> {
  const node = await readNodeInfo(config.home);
  const p = nodePaths(config.home);
  const sealer = await loadKeyRing(p.dataKey);
  const database = await openDatabaseFor(config);
  try {
    let fallbackTreaty: Treaty | null = null;
    const trust = memoryTrustRegistry({
      initial: null,
      fallbackTreaty: () => (fallbackTreaty ??= loadTreaty(JSON.parse(readFileSync(config.treatyEventsFile, 'utf8')))),
      maxAgeMs: config.registryMaxAgeDays * DAY_MS,
    });
    await loadInstalledRegistry(config.home, database, trust);
    const registry = trust.current();
    // Without a registry the Agreement comes from the shipped events file (read now, so a bad file fails the start).
    if (!registry) trust.treaty();
    const calendarsDir = path.join(config.dataDir, 'calendars');
    // Issue 13: the audit log's HMAC key, made here on a node created before audit keys.
    const { key: auditKey } = await openAuditKey(database.db, { file: p.auditKey, now: systemClock.now() });
    // The node's identity in the exchange: its TLS chain and its bodies' seals (also on the health page).
    const connected = Boolean(registry && node.nodeId && (await exists(p.tlsKey)));
    const signer = fileBodySigner(p.bodyKeys);
    const tlsChainPem = connected ? await readFile(p.tlsChain, 'utf8') : '';
    const clock = config.today ? shiftedClock(config.today) : systemClock;
    // Issue 17.2: the domestic registries connected to this node (registries.json), checked now: a mistake refuses the start.
    const registriesConfig = await readRegistriesConfig(config.home);
    const registries = registriesConfig
      ? await buildRegistryConnectors(registriesConfig, { clock, dataDir: config.dataDir })
      : null;
    const ctx: AppContext = {
      ...(connected
        ? {
            credentials: {
              nodeId: node.nodeId!,
              tlsChainPem,
              signer,
              protocolVersions: config.protocolVersions,
            },
          }
        : {}),
      auditKey,
      db: database.db,
      sealer,
      clock,
      party: node.party,
      ...(registries ? { registries } : {}),
      treaty: () => trust.treaty(),
      registry: trust,
      calendar: (party) => loadCalendar(party, calendarsDir),
      regions: (party) => loadRegionTable(party, path.join(config.dataDir, 'regions')),
      limits: { attachmentBytes: ATTACHMENT_MAX_BYTES },
      tableMaintenance: () => tableMaintenance(database),
      sessionIdleMinutes: config.sessionIdleMinutes,
      seals: fileBodySeals(p.bodyKeys),
      publicUrl: config.publicUrl,
      ...(config.mail
        ? { mail: { server: smtpServerName(config.mail.smtpUrl), digestHour: config.mail.digestHour } }
        : {}),
      ...(registry ? { route: (party: string) => trust.current()?.parties[party]?.nodes[0]?.url ?? null } : {}),
      ...overrides,
    };
    let federation: Federation | null = null;
    if (registry && node.nodeId && connected) {
      federation = {
        // Its own connections on PostgreSQL (issue 16): deliveries and receipts do not queue behind the API.
        // (A context given its own database by the caller keeps it.)
        // The node's context itself behind it (a delegate, not a copy): whatever the node changes in its context
        // (limits, the registry in force) the exchange sees at once.
        app:
          database.federationDb && !overrides.db
            ? (Object.create(ctx, { db: { value: database.federationDb, enumerable: true } }) as AppContext)
            : ctx,
        // Read at each use: a newer registry installed while running takes effect on the next message.
        registry: () => trust.current() ?? registry,
        signer,
        nodeId: node.nodeId,
        tls: {
          keyPem: await readFile(p.tlsKey, 'utf8'),
          certChainPem: tlsChainPem,
          rootPem: await readFile(p.depositary, 'utf8'),
        },
        clockSkewMs: 5 * 60_000,
        maxMessageAgeMs: 7 * 86_400_000,
        registryMaxAgeMs: trust.maxAgeMs,
        maxAttempts: 12,
        protocolVersions: config.protocolVersions,
        bundle: config.bundle,
        holdReceipt: receiptHook(config.testHoldReceipt),
      };
    }
    return { ctx, database, node, federation, trust, close: () => database.close() };
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
  /** Runs the stored batches of requests (issue 16.1). */
  readonly batches: BatchRunner | null;
  /** Issue 17: sends the events to the webhooks administrators registered (docs/EVENTS.md). */
  readonly webhooks: WebhookWorker;
  /** Issue 17 item 3: letters to officers; null when EIX_SMTP_URL is not set. */
  readonly mail: MailWorker | null;
  /** Picks up a newer trust registry while running (null on a node without one). */
  readonly registryWatcher: RegistryWatcher | null;
  /** Issue 17.2: drafts answers from the domestic registries (null on a node without connectors). */
  readonly registryLookups: RegistryLookupWorker | null;
  stop(): Promise<void>;
}

/** A node at work: REST API, scheduled jobs, federation endpoint and outbox worker. */
export async function startNode(config: Config, overrides: Partial<AppContext> = {}): Promise<RunningNode> {
  // A bad EIX_TLS_CERT/EIX_TLS_KEY refuses the start before anything is opened.
  const https = config.tls ? await loadListenerTls(config.tls) : null;
  const wired = await buildContext(config, overrides);
  // The home is the node's alone: directories 0700, files without group/other bits.
  const home = await tightenTree(config.home);
  // R12.a: deadlines stored by the old model (the shorter date as deadline) get the legal term.
  await recomputeLegacyDeadlines(wired.ctx, { kind: 'system', name: 'deadlines' }).catch(async (e: unknown) => {
    await wired.close();
    throw e;
  });
  // Issue 15.6, R12.a: the statistics' turnarounds follow the calendars the node runs with (migration 024).
  await refreshStatisticsCalendars(wired.ctx).catch(async (e: unknown) => {
    await wired.close();
    throw e;
  });
  let worker: OutboxWorker | null = null;
  let batches: BatchRunner | null = null;
  let webhooks: WebhookWorker | null = null;
  let registryLookups: RegistryLookupWorker | null = null;
  let mail: MailWorker | null = null;
  const mailer = config.mail ? smtpMailer({ url: config.mail.smtpUrl, from: config.mail.from }) : null;
  // Stops what started, in order (at the end, and when the start fails half-way).
  const stopParts = async () => {
    await registryLookups?.stop();
    await batches?.stop();
    await registryWatcher?.stop();
    await webhooks?.stop();
    await mail?.stop();
    mailer?.close();
    await worker?.stop();
    await fedServer?.close();
    await jobs?.stop();
    await wired.close();
  };
  // After a change through the API or the UI, or a message received: the workers taking what it wrote (decision 55).
  const wakeWorkers = (written: ReadonlySet<string>) => {
    const kick = { outbox: worker, batches, webhooks, mail };
    for (const w of workersToWake(written)) kick[w]?.kick();
  };
  const api = await buildServer({
    ctx: wired.ctx,
    logLevel: config.logLevel,
    rateLimit: config.apiRateLimit,
    authFailureLimit: config.authFailureLimit,
    uploads: { maxBytes: config.uploadMaxBytes, maxFiles: config.uploadMaxFiles },
    nodeName: wired.node.name,
    onChange: wakeWorkers,
    https,
    trustProxy: config.trustProxy,
  });
  if (home.changed.length > 0)
    api.log.warn({ home: config.home, entries: home.changed.length }, 'node home was readable by others: tightened');
  if (home.failed.length > 0)
    api.log.warn({ entries: home.failed }, 'node home: these entries stay readable by others (not owned by the node)');
  if (config.tls && (await readableByOthers(config.tls.keyFile)))
    api.log.warn({ file: config.tls.keyFile }, 'EIX_TLS_KEY is readable by others: chmod 600');
  if ((await wired.ctx.tableMaintenance?.().catch(() => null)) === 'off')
    api.log.warn(
      'PostgreSQL runs without autovacuum (autovacuum or track_counts off): nothing vacuums or analyses the tables; turn it on (docs/OPERATIONS.md «Connections to PostgreSQL»)',
    );
  let jobs: Jobs | null = null;
  let fedServer: FastifyInstance | null = null;
  let registryWatcher: RegistryWatcher | null = null;
  try {
    const retentionActor = { kind: 'system', name: 'retention' } as const;
    const warnMissingRules = (missing: readonly MissingRetentionRule[]) => {
      for (const m of missing)
        api.log.warn(
          { party: m.party, kinds: m.kinds, requests: m.requests },
          `R9.6: no retention rule for ${m.party} (${m.kinds.join(', ')}): that data is not destroyed until an administrator sets one`,
        );
    };
    warnMissingRules((await checkRetentionRules(wired.ctx, retentionActor)).missing);
    jobs = await startJobs(
      wired.database,
      [
        {
          name: 'purge-expired-data',
          cron: '0 3 * * *',
          handler: async () => {
            const r = await purgeExpiredData(wired.ctx, retentionActor);
            api.log.info({ requests: r.requests.length, totals: r.totals }, 'retention purge (R9.6)');
            warnMissingRules(r.missingRules);
          },
        },
        {
          // Issue 14.7, R12.c: ≤ 5 working days left and overdue, recorded once per request (record-deadline-notices.ts).
          name: 'record-deadline-notices',
          cron: '*/15 * * * *',
          handler: async () => {
            const r = await recordDeadlineNotices(wired.ctx, { kind: 'system', name: 'deadlines' });
            if (r.dueSoon + r.overdue > 0) api.log.info(r, 'deadline notices recorded (R12.c)');
          },
        },
        {
          // Issue 13: a signed checkpoint of the audit log every hour (skipped on a node without a TLS key).
          name: 'audit-checkpoint',
          cron: '0 * * * *',
          handler: async () => {
            const p = nodePaths(config.home);
            const signer = await loadCheckpointSigner(p.tlsKey, p.tlsChain);
            if (!signer) return api.log.warn('audit checkpoint skipped: the node has no TLS key (keys/tls)');
            const cp = await createAuditCheckpoint(wired.ctx, { signer, nodeId: wired.node.nodeId ?? null });
            api.log.info({ seq: cp.payload.seq, count: cp.payload.count }, 'audit checkpoint signed');
          },
        },
      ],
      (e) => api.log.error({ err: e }, 'job queue error'),
    );
    webhooks = startWebhookWorker(wired.ctx, {
      onError: (e) => api.log.error({ err: e }, 'webhook worker error'),
    });
    if (wired.ctx.registries)
      registryLookups = startRegistryLookupWorker(wired.ctx, {
        onError: (e) => api.log.error({ err: e }, 'registry lookup worker error'),
      });
    if (mailer)
      mail = startMailWorker(wired.ctx, mailer, {
        onError: (e) => api.log.error({ err: e }, 'mail worker error'),
      });
    else api.log.info('EIX_SMTP_URL is not set: no e-mail notices are sent to officers');
    let federationUrl: string | null = null;
    if (wired.federation) {
      fedServer = await buildFederationServer(wired.federation, { logLevel: config.logLevel, onChange: wakeWorkers });
      federationUrl = await fedServer.listen({ host: config.federationHost, port: config.federationPort });
      worker = startOutboxWorker(wired.federation, {
        onError: (e) => api.log.error({ err: e }, 'outbox worker error'),
      });
    }
    // Issue 16.1: stored batches of requests, resumed after the last committed chunk when the node restarts.
    batches = startBatchRunner(wired.ctx, {
      onQueued: () => worker?.flush(),
      onError: (e) => api.log.error({ err: e }, 'batch runner error'),
      exclusive: wired.database.engine === 'pglite',
    });
    if (wired.trust.current()) {
      const p = nodePaths(config.home);
      registryWatcher = watchRegistry({
        db: wired.ctx.db,
        registry: wired.trust,
        clock: wired.ctx.clock,
        file: p.registry,
        depositaryPem: await readFile(p.depositary, 'utf8'),
        intervalMs: config.registryCheckSeconds * 1000,
        log: api.log,
        // What waited for a newer registry (stale, or a peer not yet upgraded) goes out now.
        onReplaced: () => {
          const fed = wired.federation;
          if (!fed) return worker?.kick();
          void releaseHeld(fed).then(
            () => worker?.kick(),
            (e: unknown) => api.log.error({ err: e }, 'releasing held messages failed'),
          );
        },
      });
    }
    const apiUrl = await api.listen({ host: config.host, port: config.port });
    return {
      wired,
      api,
      apiUrl,
      federationUrl,
      worker,
      batches,
      webhooks,
      mail,
      registryWatcher,
      registryLookups,
      stop: async () => {
        await api.close();
        await stopParts();
      },
    };
  } catch (e) {
    await stopParts();
    throw e;
  }
}
