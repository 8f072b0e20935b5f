// A running three-node federation for tests (the demo's own set-up on free
// ports in a temp dir) and helpers to act as its officers.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Officer, Role } from '../../src/app/context.js';
import { startDemo, DEMO_PARTIES, type RunningDemo, type DemoParty } from '../../src/demo/federation.js';
import type { RunningNode } from '../../src/main.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * `databaseUrls`: PostgreSQL for some Parties (one database each); PGlite in each node's home otherwise.
 * `env`: extra node settings (EIX_* variables) for every node.
 */
export async function startTestFederation(
  opts: { databaseUrls?: Partial<Record<DemoParty, string>>; env?: Readonly<Record<string, string>> } = {},
): Promise<RunningDemo & { dir: string; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eix-fed-'));
  const ports = Object.fromEntries(
    await Promise.all(
      DEMO_PARTIES.map(async (p) => [p, { api: await freePort(), federation: await freePort() }] as const),
    ),
  ) as Record<DemoParty, { api: number; federation: number }>;
  const demo = await startDemo({
    dir,
    ports,
    logLevel: 'silent',
    ...(opts.databaseUrls ? { databaseUrls: opts.databaseUrls } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  return {
    ...demo,
    dir,
    close: async () => {
      await demo.stop();
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

/** Lets every node's outbox worker deliver what is due. */
export async function settle(demo: RunningDemo): Promise<void> {
  for (let i = 0; i < 3; i++) for (const p of DEMO_PARTIES) await demo.nodes[p].worker!.drain();
}
