// A running three-node federation for tests (the demo's own set-up on free
// ports in a temp dir) and helpers to act as its officers.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Officer, Role } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { OutboxRow } from '../../src/app/compose-message.js';
import type { CertAndKey } from '../../src/adapters/crypto/pki.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import {
  startDemo,
  demoNodeConfig,
  DEMO_PARTIES,
  type DemoOptions,
  type RunningDemo,
  type DemoParty,
} from '../../src/demo/federation.js';
import { startNode, type RunningNode } from '../../src/main.js';
import './pglite-template.js';

/** Where the kernel takes the local ports of outgoing connections (and of listen(0)): Linux's default. */
const EPHEMERAL_LOW = Number(
  (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768')).trim().split(/\s+/)[0],
);

/**
 * A port free now, for a node to listen on shortly. Chosen below the ephemeral range: a port that listen(0)
 * handed out and was closed again could be taken, before the node listens on it, by any outgoing connection of
 * another test file (EADDRINUSE, seen once in 1,320 tests); below the range only another listener can take it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (EPHEMERAL_LOW - 10_000));
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/**
 * `databaseUrls`: PostgreSQL for some Parties (one database each); PGlite in each node's home otherwise.
 * `env`: extra node settings (EIX_* variables) for every node.
 * `protocolVersions`: the versions a Party's node speaks (its registry entry and its settings).
 * `restart(party, over)`: stops a node and starts it again on the same home and ports with other options
 * (an operator upgrading the node's release).
 */
export async function startTestFederation(
  opts: {
    databaseUrls?: Partial<Record<DemoParty, string>>;
    env?: Readonly<Record<string, string>>;
    protocolVersions?: DemoOptions['protocolVersions'];
    /** Issue 17.2: KZ answers from the demo registries. */
    registries?: boolean;
  } = {},
): Promise<
  RunningDemo & {
    dir: string;
    restart(party: DemoParty, over: Partial<DemoOptions>): Promise<RunningNode>;
    close(): Promise<void>;
  }
> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eix-fed-'));
  const ports = Object.fromEntries(
    await Promise.all(
      DEMO_PARTIES.map(async (p) => [p, { api: await freePort(), federation: await freePort() }] as const),
    ),
  ) as Record<DemoParty, { api: number; federation: number }>;
  const options: DemoOptions = {
    dir,
    ports,
    logLevel: 'silent',
    ...(opts.databaseUrls ? { databaseUrls: opts.databaseUrls } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.protocolVersions ? { protocolVersions: opts.protocolVersions } : {}),
    ...(opts.registries ? { registries: true } : {}),
  };
  const demo = await startDemo(options);
  const nodes = demo.nodes as Record<DemoParty, RunningNode>;
  return {
    ...demo,
    nodes,
    dir,
    restart: async (party, over) => {
      await nodes[party].stop();
      nodes[party] = await startNode(demoNodeConfig({ ...options, ...over }, party, ports[party], 'silent'));
      return nodes[party];
    },
    close: async () => {
      await Promise.all(DEMO_PARTIES.map((p) => nodes[p].stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function officer(node: RunningNode, login: string): Promise<Officer> {
  const r = await node.wired.ctx.db
    .selectFrom('officers')
    .selectAll()
    .where('login', '=', login)
    .executeTakeFirstOrThrow();
  return {
    kind: 'officer',
    officerId: r.id,
    login: r.login,
    fullName: r.full_name,
    position: r.position,
    bodyId: r.body_id,
    party: node.wired.node.party,
    roles: r.roles as Role[],
  };
}

/** `n` requests of RU's first proceeding to KZ's central body, drafted and signed by `by`; their message ids. */
export async function signRequestsToKz(node: RunningNode, by: Officer, n: number): Promise<string[]> {
  const ctx = node.wired.ctx;
  const proceedingId = (await ctx.db.selectFrom('proceedings').select('id').executeTakeFirstOrThrow()).id;
  const messageIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = await draftRequest(ctx, by, {
      proceedingId,
      requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
      items: [{ kind: 'location', target: 'debtor' }],
      grounds: 'Должник проживает в Республике Казахстан.',
    });
    messageIds.push((await signRequest(ctx, by, { requestId: d.id })).messageId);
  }
  return messageIds;
}

/** Lets every node's outbox worker deliver what is due. */
export async function settle(demo: RunningDemo): Promise<void> {
  for (let i = 0; i < 3; i++) for (const p of DEMO_PARTIES) await demo.nodes[p].worker!.drain();
}

/**
 * A node-level message (an empty protection_query) queued on `fed` and claimed as the worker would
 * (status sending, attempt 1): the row `deliver` takes, for tests of the transport alone.
 */
export async function claimedQuery(fed: Federation, toParty = 'KZ', toBody = 'kz-central'): Promise<OutboxRow> {
  const messageId = randomUUID();
  await fed.app.db
    .insertInto('outbox')
    .values({
      message_id: messageId,
      request_id: null,
      type: 'protection_query',
      to_party: toParty,
      to_body: toBody,
      payload: JSON.stringify({}),
      last_error: null,
      delivered_at: null,
    })
    .execute();
  return fed.app.db
    .updateTable('outbox')
    .set({ status: 'sending', attempts: 1 })
    .where('message_id', '=', messageId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The outbox row of a message, as it is now. */
export function outboxRow(fed: Federation, messageId: string): Promise<OutboxRow> {
  return fed.app.db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirstOrThrow();
}

/** What a test acting as RU's node holds: ru-fssp-77's seal, RU's node TLS certificate and RU's Party CA. */
export async function ruKeys(dir: string): Promise<{ body: CertAndKey; nodeCert: string; ca: CertAndKey }> {
  const keys = path.join(dir, 'ru', 'keys');
  const pair = async (crt: string, key: string) => ({
    certPem: await readFile(crt, 'utf8'),
    keyPem: await readFile(key, 'utf8'),
  });
  return {
    body: await pair(path.join(keys, 'bodies', 'ru-fssp-77.crt'), path.join(keys, 'bodies', 'ru-fssp-77.key')),
    nodeCert: (await readFile(path.join(keys, 'tls', 'node-chain.crt'), 'utf8')).split(
      /(?<=-----END CERTIFICATE-----\n)/,
    )[0]!,
    ca: await pair(path.join(dir, 'pki', 'ru', 'party-ca.crt'), path.join(dir, 'pki', 'ru', 'party-ca.key')),
  };
}
