// Issue 15, item 4: the node's health as its operator and monitoring see it (what an X-Road security
// server shows): the peers of the trust registry (last exchange, last error, reachable), the outbox by
// state with the oldest waiting message, failed deliveries, certificate and registry expiry, database
// size and the protocol versions spoken. The same figures feed /admin/health and GET /api/v1/health.
// Only references and counts: no personal data (R9.4); a supervisor sees his own body's failed deliveries.
import { sql } from 'kysely';
import { certificateInfo } from '../adapters/crypto/pki.js';
import type { DeliveryCause } from '../domain/delivery-status.js';
import type { MessageType } from '../domain/messages.js';
import {
  certificateValidity,
  EXPIRY_WARNING_DAYS,
  peerState,
  registryExpiresAt,
  type CertificateState,
} from '../domain/node-health.js';
import { partyDay } from '../domain/parties.js';
import { canSend } from '../domain/treaty.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext, TableMaintenance } from './context.js';
import { sealOf } from './get-body-seal.js';
import { getRegistryStatus, type RegistryStatus } from './get-registry-status.js';

const iso = (v: Date | string | null | undefined): string | null =>
  v === null || v === undefined ? null : new Date(v).toISOString();
const newest = (...xs: (string | null)[]): string | null =>
  xs.filter((x): x is string => x !== null).sort((a, b) => Date.parse(b) - Date.parse(a))[0] ?? null;

export interface PeerHealth {
  readonly party: string;
  readonly nodeId: string;
  readonly url: string;
  /** Protocol versions the peer speaks, as the registry lists them. */
  readonly protocolVersions: readonly number[];
  /** Whether the Agreement binds both Parties today (requests may go either way). */
  readonly treatyInForce: boolean;
  readonly lastSuccessAt: string | null;
  readonly lastErrorAt: string | null;
  readonly lastErrorCause: DeliveryCause | null;
  readonly lastErrorRu: string | null;
  readonly reachable: boolean | null;
  /** Messages to the peer not yet delivered (queued, being sent or held). */
  readonly waiting: number;
  /** Bundles exchanged with the peer (protocol version 3, docs/MESSAGES.md §2.1): sent to it, received from it. */
  readonly bundles: { readonly sent: number; readonly received: number };
}

export type OutboxStatus = 'pending' | 'sending' | 'delivered' | 'failed';

export interface OutboxHealth {
  readonly byStatus: Readonly<Record<OutboxStatus, number>>;
  /** Pending messages held for a newer registry or a peer's upgrade (part of `pending`). */
  readonly held: number;
  /** The oldest message not yet delivered (pending or sending). */
  readonly oldestWaitingAt: string | null;
  readonly oldestWaitingAgeSeconds: number | null;
}

export interface FailedDelivery {
  readonly messageId: string;
  readonly type: MessageType;
  readonly toParty: string;
  readonly requestId: string | null;
  readonly requestNumber: string | null;
  readonly attempts: number;
  readonly createdAt: string;
  readonly lastAttemptAt: string | null;
  readonly cause: DeliveryCause | null;
  readonly reasonRu: string | null;
}

export type CertificateKind = 'tls' | 'seal' | 'party_ca';

export interface CertificateHealth {
  readonly kind: CertificateKind;
  /** The node id, the body id or the Party code the certificate belongs to. */
  readonly owner: string;
  /** The body's name for a seal; null otherwise. */
  readonly ownerName: string | null;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly daysLeft: number;
  readonly state: CertificateState;
}

/** One of this Party's bodies that cannot send (issue 15.1): no seal certificate, or not designated (R18). */
export interface BodyReadiness {
  readonly bodyId: string;
  readonly name: string;
  /** No seal certificate: 'pending' when a CSR waits for the Party CA, 'none' when not even that; null: it has one. */
  readonly seal: 'none' | 'pending' | null;
  /** R18: designated by this Party in the registry in force; other Parties refuse what an undesignated body sends. */
  readonly designated: boolean;
}

export interface NodeHealth {
  readonly checkedAt: string;
  readonly party: string;
  readonly nodeId: string | null;
  readonly protocolVersions: readonly number[];
  readonly peers: readonly PeerHealth[];
  readonly outbox: OutboxHealth;
  readonly failedDeliveries: { readonly total: number; readonly items: readonly FailedDelivery[] };
  readonly certificates: readonly CertificateHealth[];
  /** This Party's bodies without a seal certificate or not designated (those with one are under `certificates`). */
  readonly bodies: readonly BodyReadiness[];
  readonly expiryWarningDays: number;
  readonly registry: (RegistryStatus & { readonly expiresAt: string }) | null;
  /** The database's size and who keeps its tables vacuumed and analysed (null: not known). */
  readonly database: { readonly sizeBytes: number | null; readonly maintenance: TableMaintenance | null };
}

const FAILED_LIST_LIMIT = 100;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export async function getNodeHealth(ctx: AppContext, actor: Actor): Promise<NodeHealth> {
  const officer = requireRole(actor, 'admin', 'supervisor');
  const now = ctx.clock.now();
  const registry = ctx.registry?.current() ?? null;
  const ownBodyOnly = !officer.roles.includes('admin');

  // Outbox by state and the oldest message still to go.
  const counts = await ctx.db
    .selectFrom('outbox')
    .select(['status', sql<string>`count(*)`.as('n')])
    .groupBy('status')
    .execute();
  const byStatus: Record<OutboxStatus, number> = { pending: 0, sending: 0, delivered: 0, failed: 0 };
  for (const c of counts) byStatus[c.status] = Number(c.n);
  const held = await ctx.db
    .selectFrom('outbox')
    .select(sql<string>`count(*)`.as('n'))
    .where('status', '=', 'pending')
    .where(
      sql<boolean>`(last_error like 'protocol.unsupported:%' or last_error like 'message.version:%' or last_error like 'registry.stale:%')`,
    )
    .executeTakeFirstOrThrow();
  const oldest = await ctx.db
    .selectFrom('outbox')
    .select(sql<Date | null>`min(created_at)`.as('at'))
    .where('status', 'in', ['pending', 'sending'])
    .executeTakeFirstOrThrow();
  const oldestWaitingAt = iso(oldest.at);

  // Peers: every other Party's node in the registry in force.
  const peers: PeerHealth[] = [];
  const today = partyDay(now, ctx.party);
  for (const [party, p] of Object.entries(registry?.parties ?? {})) {
    if (party === ctx.party) continue;
    const delivered = await ctx.db
      .selectFrom('outbox')
      .select(sql<Date | null>`max(delivered_at)`.as('at'))
      .where('to_party', '=', party)
      .where('status', '=', 'delivered')
      .executeTakeFirstOrThrow();
    const received = await ctx.db
      .selectFrom('inbox')
      .select(sql<Date | null>`max(received_at)`.as('at'))
      .where('from_party', '=', party)
      .executeTakeFirstOrThrow();
    const error = await ctx.db
      .selectFrom('outbox')
      .select(['last_error', sql<Date>`coalesce(last_attempt_at, created_at)`.as('at')])
      .where('to_party', '=', party)
      .where('status', '!=', 'delivered')
      .where('last_error', 'is not', null)
      .orderBy(sql`coalesce(last_attempt_at, created_at)`, 'desc')
      .limit(1)
      .executeTakeFirst();
    const waiting = await ctx.db
      .selectFrom('outbox')
      .select(sql<string>`count(*)`.as('n'))
      .where('to_party', '=', party)
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirstOrThrow();
    const bundles = await ctx.db
      .selectFrom('bundle_receipts')
      .select(['direction', sql<string>`count(*)`.as('n')])
      .where('party', '=', party)
      .groupBy('direction')
      .execute();
    const bundleCount = (d: 'in' | 'out') => Number(bundles.find((b) => b.direction === d)?.n ?? 0);
    const lastSuccessAt = newest(iso(delivered.at), iso(received.at));
    const lastErrorAt = iso(error?.at);
    const state = peerState({ lastSuccessAt, lastErrorAt, lastError: error?.last_error ?? null });
    const treaty = ctx.treaty();
    const treatyInForce =
      canSend(treaty, { from: ctx.party, to: party, date: today }).allowed ||
      canSend(treaty, { from: party, to: ctx.party, date: today }).allowed;
    for (const n of p.nodes)
      peers.push({
        party,
        nodeId: n.id,
        url: n.url,
        protocolVersions: n.protocolVersions ?? [1],
        treatyInForce,
        lastSuccessAt,
        lastErrorAt,
        lastErrorCause: state.lastErrorCause,
        lastErrorRu: state.lastErrorRu,
        reachable: state.reachable,
        waiting: Number(waiting.n),
        bundles: { sent: bundleCount('out'), received: bundleCount('in') },
      });
  }

  // Failed deliveries (a supervisor: his own body's requests only).
  let failedQ = ctx.db
    .selectFrom('outbox as o')
    .leftJoin('requests as r', 'r.id', 'o.request_id')
    .where('o.status', '=', 'failed');
  if (ownBodyOnly) failedQ = failedQ.where('r.body_id', '=', officer.bodyId);
  const failedTotal = await failedQ.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const failedRows = await failedQ
    .select([
      'o.message_id',
      'o.type',
      'o.to_party',
      'o.request_id',
      'r.number',
      'o.attempts',
      'o.created_at',
      'o.last_attempt_at',
      'o.last_error',
    ])
    .orderBy(sql`coalesce(o.last_attempt_at, o.created_at)`, 'desc')
    .limit(FAILED_LIST_LIMIT)
    .execute();
  const failedItems: FailedDelivery[] = failedRows.map((r) => {
    const s = peerState({ lastSuccessAt: null, lastErrorAt: null, lastError: r.last_error });
    return {
      messageId: r.message_id,
      type: r.type,
      toParty: r.to_party,
      requestId: r.request_id,
      requestNumber: r.number,
      attempts: r.attempts,
      createdAt: iso(r.created_at)!,
      lastAttemptAt: iso(r.last_attempt_at),
      cause: s.lastErrorCause,
      reasonRu: s.lastErrorRu,
    };
  });

  // Certificates: the node's TLS certificate, its bodies' seals, its Party's CA (from the registry).
  const certificates: CertificateHealth[] = [];
  const add = (kind: CertificateKind, owner: string, ownerName: string | null, pem: string) => {
    const info = certificateInfo(pem);
    const v = certificateValidity(info.notBefore, info.notAfter, now);
    certificates.push({
      kind,
      owner,
      ownerName,
      serialNumber: info.serialNumber,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      daysLeft: v.daysLeft,
      state: v.state,
    });
  };
  const cred = ctx.credentials;
  const tls = cred?.tlsChainPem.match(PEM_BLOCK)?.[0];
  if (cred && tls) add('tls', cred.nodeId, null, tls);
  if (cred) {
    const names = new Map(
      (await ctx.db.selectFrom('bodies').select(['id', 'name']).execute()).map((b) => [b.id, b.name] as const),
    );
    for (const bodyId of (await cred.signer.bodies()).sort()) {
      const pem = await cred.signer.certificatePem(bodyId).catch(() => null);
      if (pem) add('seal', bodyId, names.get(bodyId) ?? null, pem);
    }
  }
  for (const pem of registry?.parties[ctx.party]?.caCertificates ?? []) add('party_ca', ctx.party, null, pem);
  // Bodies that cannot send at all: a body added on the node has no seal until its certificate is imported.
  const bodies: BodyReadiness[] = [];
  if (ctx.seals) {
    const own = await ctx.db
      .selectFrom('bodies')
      .select(['id', 'name'])
      .where('party', '=', ctx.party)
      .orderBy('id')
      .execute();
    for (const b of own) {
      const seal = await sealOf(ctx, b.id);
      if (!seal) continue;
      const noSeal = seal.state === 'none' || seal.state === 'pending' ? seal.state : null;
      if (noSeal || !seal.designated)
        bodies.push({ bodyId: b.id, name: b.name, seal: noSeal, designated: seal.designated });
    }
  }
  certificates.sort((a, b) => Date.parse(a.notAfter) - Date.parse(b.notAfter));

  const status = getRegistryStatus(ctx);
  const size = await sql<{ size: string | number }>`select pg_database_size(current_database()) as size`
    .execute(ctx.db)
    .then((r) => Number(r.rows[0]?.size ?? NaN))
    .catch(() => NaN);

  return {
    checkedAt: now.toISOString(),
    party: ctx.party,
    nodeId: cred?.nodeId ?? null,
    protocolVersions: [...(cred?.protocolVersions ?? [])],
    peers,
    outbox: {
      byStatus,
      held: Number(held.n),
      oldestWaitingAt,
      oldestWaitingAgeSeconds: oldestWaitingAt
        ? Math.max(0, Math.floor((now.getTime() - Date.parse(oldestWaitingAt)) / 1000))
        : null,
    },
    failedDeliveries: { total: Number(failedTotal.n), items: failedItems },
    certificates,
    bodies,
    expiryWarningDays: EXPIRY_WARNING_DAYS,
    registry:
      status && ctx.registry
        ? { ...status, expiresAt: registryExpiresAt(status.issuedAt, ctx.registry.maxAgeMs) }
        : null,
    database: {
      sizeBytes: Number.isFinite(size) ? size : null,
      maintenance: (await ctx.tableMaintenance?.().catch(() => null)) ?? null,
    },
  };
}
