// Shared set-up of the fault tests: a demo federation prepared in a temp dir on
// free ports, nodes run as real child processes, and the REST calls an officer
// would make (proceeding, draft, sign, lists). Not a test file itself.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
export async function startRuKz(fed: FaultFederation, procs: NodeProcess[]): Promise<RuKz> {
  const kz = spawnNode(fed.home('KZ'), fed.ports.KZ);
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
  const r = await api<{ total: number }>(
    url,
    token,
    'GET',
    `/api/v1/requests?direction=${direction}&limit=1${states ? `&states=${states}` : ''}`,
  );
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
