// A local federation of three nodes (RU, KZ, BY) on loopback, built the way
// operators build real ones: a depositary root, a CA per Party, TLS and body
// certificates, a registry signed by the depositary with the illustrative
// treaty events, one node home per Party. `npm run demo` and the e2e test use it.
import { mkdir, readFile, rm, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { createKeyFile } from '../adapters/crypto/data-key.js';
import { generateApiToken, generatePassword, hashPassword } from '../adapters/crypto/passwords.js';
import {
  createDepositaryCa,
  createPartyCa,
  issueBodyCertificate,
  issueNodeCertificate,
  type CertAndKey,
} from '../adapters/crypto/pki.js';
import { signRegistry } from '../adapters/crypto/registry-jws.js';
import { readConfig, PROJECT_ROOT } from '../config/config.js';
import { PARTIES, type SignatoryCode } from '../domain/parties.js';
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../domain/protocol.js';
import type { Registry } from '../domain/registry.js';
import type { TreatyEvent } from '../domain/treaty.js';
import { createProceeding } from '../app/create-proceeding.js';
import { REGISTRIES_FILE } from '../config/registries.js';
import { LOOKUP_KINDS } from '../domain/registry-lookups.js';
import type { Role } from '../app/context.js';
import { nodePaths, openDatabaseFor, startNode, type NodeInfo, type RunningNode } from '../main.js';

export const DEMO_PARTIES = ['RU', 'KZ', 'BY'] as const;
export type DemoParty = (typeof DEMO_PARTIES)[number];

export interface DemoLogin {
  party: string;
  login: string;
  password: string;
  token: string;
  body: string;
  roles: Role[];
  fullName: string;
}

export interface DemoPorts {
  api: number;
  federation: number;
}
export interface DemoOptions {
  readonly dir: string;
  readonly reset?: boolean;
  readonly ports?: Partial<Record<DemoParty, DemoPorts>>;
  readonly logLevel?: string;
  /** PostgreSQL for some Parties (EIX_DATABASE_URL); the embedded PGlite in each home otherwise. */
  readonly databaseUrls?: Partial<Record<DemoParty, string>>;
  /** Further settings for every node (EIX_* variables, e.g. EIX_REGISTRY_CHECK_SECONDS in tests). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Protocol versions a Party's node speaks, in its registry entry and its own settings (EIX_PROTOCOL_VERSIONS):
   * every version of this code by default; fewer to run a node as an older release would (the versioning test).
   */
  readonly protocolVersions?: Partial<Record<DemoParty, readonly ProtocolVersion[]>>;
  /**
   * Issue 17.2: Kazakhstan's node answers from the demo registries (data/registries/demo-kz.json): its home gets a
   * registries.json connecting every kind of information to them (the officer reviews and signs; nothing is sent
   * automatically). `npm run demo` turns it on; tests that answer by hand leave it off.
   */
  readonly registries?: boolean;
}

const DEFAULT_PORTS: Record<DemoParty, DemoPorts> = {
  RU: { api: 8081, federation: 9441 },
  KZ: { api: 8082, federation: 9442 },
  BY: { api: 8083, federation: 9443 },
};

const OFFICERS: Record<
  DemoParty,
  { body: string; login: string; fullName: string; position: string; roles: Role[] }[]
> = {
  RU: [
    {
      body: 'ru-fssp-77',
      login: 'ru.officer',
      fullName: 'Петрова Анна Сергеевна',
      position: 'судебный пристав-исполнитель',
      roles: ['officer'],
    },
    {
      body: 'ru-fssp-77',
      login: 'ru.supervisor',
      fullName: 'Соколов Дмитрий Павлович',
      position: 'старший судебный пристав',
      roles: ['supervisor'],
    },
    {
      body: 'ru-fssp',
      login: 'ru.central',
      fullName: 'Орлова Марина Викторовна',
      position: 'начальник отдела международного сотрудничества',
      roles: ['officer', 'central'],
    },
    { body: 'ru-fssp', login: 'ru.admin', fullName: 'Администратор узла', position: 'администратор', roles: ['admin'] },
  ],
  KZ: [
    {
      body: 'kz-central',
      login: 'kz.officer',
      fullName: 'Ахметова Айгерим Нурлановна',
      position: 'главный эксперт',
      roles: ['officer', 'central'],
    },
    {
      body: 'kz-almaty',
      login: 'kz.almaty',
      fullName: 'Жумабаев Ерлан Серикович',
      position: 'судебный исполнитель',
      roles: ['officer'],
    },
    {
      body: 'kz-central',
      login: 'kz.admin',
      fullName: 'Администратор узла',
      position: 'администратор',
      roles: ['admin'],
    },
  ],
  BY: [
    {
      body: 'by-central',
      login: 'by.officer',
      fullName: 'Ковалёва Ольга Ивановна',
      position: 'судебный исполнитель',
      roles: ['officer', 'central'],
    },
    {
      body: 'by-central',
      login: 'by.admin',
      fullName: 'Администратор узла',
      position: 'администратор',
      roles: ['admin'],
    },
  ],
};

const exists = (f: string) =>
  access(f).then(
    () => true,
    () => false,
  );
async function writePair(dir: string, name: string, p: CertAndKey): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, `${name}.key`), p.keyPem, { mode: 0o600 });
  await writeFile(path.join(dir, `${name}.crt`), p.certPem, { mode: 0o644 });
}

function demoEvents(): Promise<{ events: TreatyEvent[] }> {
  return readFile(path.join(PROJECT_ROOT, 'data', 'treaty', 'demo-events.json'), 'utf8').then(
    (t) => JSON.parse(t) as { events: TreatyEvent[] },
  );
}

const versionsOf = (opts: DemoOptions, party: DemoParty): readonly ProtocolVersion[] =>
  opts.protocolVersions?.[party] ?? PROTOCOL_VERSIONS;

/** The settings of one demo node, as startDemo starts it (a test restarting a node uses the same). */
export function demoNodeConfig(opts: DemoOptions, party: DemoParty, ports: DemoPorts, logLevel: string) {
  const url = opts.databaseUrls?.[party];
  return readConfig({
    EIX_PROTOCOL_VERSIONS: versionsOf(opts, party).join(','),
    ...opts.env,
    EIX_HOME: path.join(opts.dir, party.toLowerCase()),
    EIX_PORT: String(ports.api),
    EIX_FEDERATION_PORT: String(ports.federation),
    EIX_LOG_LEVEL: logLevel,
    ...(url ? { EIX_DATABASE_URL: url } : {}),
  });
}

/** Creates what is missing under `dir` (idempotent); returns the demo logins. */
export async function prepareDemo(opts: DemoOptions): Promise<DemoLogin[]> {
  const dir = opts.dir;
  if (opts.reset) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const loginsFile = path.join(dir, 'logins.json');
  if (await exists(loginsFile)) return JSON.parse(await readFile(loginsFile, 'utf8')) as DemoLogin[];

  const ports = { ...DEFAULT_PORTS, ...opts.ports };
  const pki = path.join(dir, 'pki');
  const depositary = await createDepositaryCa({ name: 'Исполнительный комитет СНГ (депозитарий) — демонстрационный' });
  await writePair(pki, 'depositary', depositary);
  const { events } = await demoEvents();
  const registry: Registry = {
    format: 'eix-registry/1',
    version: 1,
    issuedAt: new Date().toISOString(),
    depositary: { name: 'Исполнительный комитет СНГ (демонстрация)' },
    treaty: { events },
    parties: {},
    revocations: [],
  };
  const perParty = await Promise.all(
    DEMO_PARTIES.map(async (party) => {
      const logins: DemoLogin[] = [];
      const cc = party.toLowerCase();
      const name = PARTIES[party as SignatoryCode].fullNameRu;
      const ca = await createPartyCa({ party, name, issuer: depositary });
      await writePair(path.join(pki, cc), 'party-ca', ca);
      const nodeId = `${cc}-node`;
      registry.parties[party] = {
        name,
        caCertificates: [ca.certPem],
        nodes: [
          {
            id: nodeId,
            url: `https://127.0.0.1:${ports[party].federation}`,
            protocolVersions: [...versionsOf(opts, party)],
          },
        ],
      };
      const home = path.join(dir, cc);
      const paths = nodePaths(home);
      await mkdir(home, { recursive: true, mode: 0o700 });
      await mkdir(path.dirname(paths.depositary), { recursive: true });
      await writeFile(paths.depositary, depositary.certPem);
      await createKeyFile(paths.dataKey);
      const tls = await issueNodeCertificate({ party, nodeId, hosts: ['localhost', '127.0.0.1'], issuer: ca });
      await mkdir(path.dirname(paths.tlsKey), { recursive: true, mode: 0o700 });
      await writeFile(paths.tlsKey, tls.keyPem, { mode: 0o600 });
      await writeFile(paths.tlsChain, tls.certPem + ca.certPem);
      const info: NodeInfo = {
        party,
        name: `Узел EIX: ${PARTIES[party as SignatoryCode].nameRu} (демонстрация)`,
        createdAt: new Date().toISOString(),
        nodeId,
      };
      await writeFile(paths.info, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
      // Bodies from the registry's designation events (R18), each with its seal.
      const bodiesEvent = events.find((e) => e.type === 'bodies' && e.party === party) as Extract<
        TreatyEvent,
        { type: 'bodies' }
      >;
      const bodies = [
        ...bodiesEvent.central.map((b) => ({ ...b, kind: 'central' as const, parent: null })),
        ...(bodiesEvent.territorial ?? []).map((b) => ({
          ...b,
          kind: 'territorial' as const,
          parent: bodiesEvent.central[0]!.id,
        })),
      ];
      for (const b of bodies)
        await writePair(
          paths.bodyKeys,
          b.id,
          await issueBodyCertificate({ party, bodyId: b.id, bodyName: b.name, issuer: ca }),
        );
      const database = await openDatabaseFor(demoNodeConfig(opts, party, ports[party], 'warn'));
      try {
        for (const b of bodies) {
          await database.db
            .insertInto('bodies')
            .values({ id: b.id, party, name: b.name, kind: b.kind, parent_id: b.parent, time_zone: null })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        }
        for (const o of OFFICERS[party]) {
          const password = generatePassword();
          const officer = await database.db
            .insertInto('officers')
            .values({
              body_id: o.body,
              login: o.login,
              full_name: o.fullName,
              position: o.position,
              roles: o.roles,
              password_hash: await hashPassword(password),
              locked_until: null,
              disabled_at: null,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          const token = generateApiToken();
          await database.db
            .insertInto('api_tokens')
            .values({
              id: token.id,
              officer_id: officer.id,
              name: 'демонстрация',
              token_hash: token.hash,
              last_used_at: null,
              revoked_at: null,
              // Long enough for a demo run under a moved clock (EIX_TODAY).
              expires_at: sql<Date>`now() + interval '5 years'`,
            })
            .execute();
          logins.push({
            party,
            login: o.login,
            password,
            token: token.token,
            body: o.body,
            roles: o.roles,
            fullName: o.fullName,
          });
        }
        await database.db
          .insertInto('retention_rules')
          .values({ party, months: 60, legal_basis: 'Демонстрационное значение: 5 лет' })
          .execute();
        await database.db
          .insertInto('node_settings')
          .values({
            key: 'protection_statement',
            value: JSON.stringify({
              measures:
                'Шифрование AES-256-GCM при хранении, взаимный TLS при передаче, доступ по ролям, журнал аудита с цепочкой хэшей.',
              retention: '5 лет, затем уничтожение с записью в журнале',
              updatedAt: new Date().toISOString(),
            }),
          })
          .execute();
      } finally {
        await database.close();
      }
      return logins;
    }),
  );
  const logins = perParty.flat();
  // Object key order = Party order, whatever finished first.
  registry.parties = Object.fromEntries(DEMO_PARTIES.map((p) => [p, registry.parties[p]!]));
  const jws = await signRegistry(registry, depositary);
  for (const party of DEMO_PARTIES) await writeFile(nodePaths(path.join(dir, party.toLowerCase())).registry, jws);
  await writeFile(path.join(dir, 'registry.jws'), jws);
  await writeFile(loginsFile, JSON.stringify(logins, null, 2), { mode: 0o600 });
  return logins;
}

export interface RunningDemo {
  readonly nodes: Record<DemoParty, RunningNode>;
  readonly logins: DemoLogin[];
  stop(): Promise<void>;
}

/** The demo connectors of KZ's node: every kind of information from the demo registries, reviewed by the officer. */
export const DEMO_REGISTRIES = {
  lookups: Object.fromEntries(LOOKUP_KINDS.map((k) => [k, { connector: 'demo', dataset: 'KZ' }])),
  autoSend: [],
};

export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  const logins = await prepareDemo(opts);
  if (opts.registries) {
    const file = path.join(opts.dir, 'kz', REGISTRIES_FILE);
    if (!(await exists(file))) await writeFile(file, `${JSON.stringify(DEMO_REGISTRIES, null, 2)}\n`, { mode: 0o600 });
  }
  const ports = { ...DEFAULT_PORTS, ...opts.ports };
  const settled = await Promise.allSettled(
    DEMO_PARTIES.map((p) => startNode(demoNodeConfig(opts, p, ports[p], opts.logLevel ?? 'warn'))),
  );
  // A node that could not start (a port taken): the others stop too, so that nothing is left listening.
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop()] : [])));
    throw failed.reason;
  }
  const started = settled.map((s) => (s as PromiseFulfilledResult<RunningNode>).value);
  const nodes = Object.fromEntries(DEMO_PARTIES.map((p, i) => [p, started[i]!])) as Record<DemoParty, RunningNode>;
  await seedProceedings(nodes.RU, logins);
  return {
    nodes,
    logins,
    stop: async () => {
      await Promise.all(started.map((n) => n.stop()));
    },
  };
}

/** Demo proceedings in the Moscow body, once. */
async function seedProceedings(ru: RunningNode, logins: DemoLogin[]): Promise<void> {
  const ctx = ru.wired.ctx;
  const has = await ctx.db.selectFrom('proceedings').select('id').limit(1).executeTakeFirst();
  if (has) return;
  const officerRow = await ctx.db
    .selectFrom('officers')
    .selectAll()
    .where('login', '=', 'ru.officer')
    .executeTakeFirstOrThrow();
  const login = logins.find((l) => l.login === 'ru.officer')!;
  const actor = {
    kind: 'officer' as const,
    officerId: officerRow.id,
    login: login.login,
    fullName: officerRow.full_name,
    position: officerRow.position,
    bodyId: officerRow.body_id,
    party: 'RU',
    roles: officerRow.roles as Role[],
  };
  const example = JSON.parse(
    await readFile(path.join(PROJECT_ROOT, 'data', 'examples', 'request-ru-kz.json'), 'utf8'),
  ) as Record<string, unknown>;
  await createProceeding(ctx, actor, {
    number: '123456/26/77001-ИП',
    openedOn: '2026-03-02',
    debtor: example.debtor,
    creditor: example.creditor,
    executiveDocuments: [example.executiveDocument],
  });
  await createProceeding(ctx, actor, {
    number: '223344/26/77001-ИП',
    openedOn: '2026-05-14',
    debtor: {
      type: 'individual',
      surname: 'Сидоренко',
      name: 'Ольга',
      patronymic: 'Петровна',
      latinName: 'SIDORENKO OLGA',
      address: 'г. Москва, Ленинский пр-т, д. 30, кв. 12',
      birthDate: '1985-09-03',
      birthPlace: 'г. Минск',
      ids: [{ country: 'RU', kind: 'INN', value: '7707083893' }],
    },
    creditor: {
      type: 'individual',
      surname: 'Кузнецов',
      name: 'Павел',
      patronymic: 'Андреевич',
      address: 'г. Москва, ул. Арбат, д. 5, кв. 3',
    },
    executiveDocuments: [
      {
        title: 'Судебный приказ',
        number: '2-1456/2026',
        date: '2026-04-20',
        issuer: { kind: 'court', name: 'Мировой судья судебного участка № 101 г. Москвы' },
        operativePart:
          'Взыскать с Сидоренко Ольги Петровны алименты на содержание несовершеннолетнего ребёнка в размере 1/4 части всех видов заработка ежемесячно.',
      },
    ],
  });
}
