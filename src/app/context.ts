// What every use case receives: the store, the data key ring, the clock and
// the Agreement's state, wired by hand in src/main.ts (ARCHITECTURE rule 6).
import type { KeyObject } from 'node:crypto';
import type { Calendar } from '../domain/calendar.js';
import type { RegionTable } from '../domain/regions.js';
import { ROLE_LABELS } from '../domain/vocabulary.js';
import type { Treaty } from '../domain/treaty.js';
import type { Clock } from '../ports/clock.js';
import type { TrustRegistry } from '../ports/registry.js';
import type { BodySeals } from '../ports/body-seals.js';
import type { Sealer } from '../ports/sealer.js';
import type { BodySigner } from '../ports/signer.js';
import type { Store } from '../ports/store.js';
import type { RegistryConnectors } from '../ports/registry-lookup.js';

export interface AppContext {
  readonly db: Store;
  readonly sealer: Sealer;
  readonly clock: Clock;
  /** The Party whose bodies this node serves. */
  readonly party: string;
  /** The Agreement as the current trust registry describes it. */
  treaty(): Treaty;
  calendar(party: string): Promise<Calendar>;
  /** R18: the Party's regions and the territorial bodies serving them (data/regions); null when it has none. */
  regions?(party: string): Promise<RegionTable | null>;
  /** Where messages to a Party go (from the trust registry); absent on a node not connected to the exchange. */
  route?(party: string): string | null;
  /** The trust registry in force (absent in tests that need none); `treaty()` and `route()` read it. */
  readonly registry?: TrustRegistry;
  readonly limits: { readonly attachmentBytes: number };
  /** The audit log's HMAC key from the node home (keys/audit.key); without it entries are only hash-chained. */
  readonly auditKey?: { readonly id: string; readonly key: KeyObject };
  /** Minutes of inactivity after which a web session ends (EIX_SESSION_IDLE_MINUTES); 30 when absent. */
  readonly sessionIdleMinutes?: number;
  /**
   * The bodies' seals in the node home (issue 15.1). When present, adding a body makes its key and CSR and
   * an officer signs only under a valid seal certificate; absent in use-case tests that sign nothing out.
   */
  readonly seals?: BodySeals;
  /**
   * Issue 17.2: the domestic registries connected to this node (registries.json in the node home); absent:
   * every request is answered by hand.
   */
  readonly registries?: RegistryConnectors;
  /** This node's own identity in the exchange (absent on a node not connected to it); the health page reads it. */
  readonly credentials?: NodeCredentials;
  /** E-mail notices to officers (issue 17 item 3): present when the node has an SMTP server (EIX_SMTP_URL). */
  readonly mail?: MailSettings;
  /** The node's address as officers open it (EIX_PUBLIC_URL): the links in letters. */
  readonly publicUrl?: string;
  /** Who keeps the tables vacuumed and analysed (the health page); absent in use-case tests. */
  tableMaintenance?(): Promise<TableMaintenance>;
}

/**
 * `embedded`: the node itself, on the embedded engine (src/adapters/db/database.ts, maintainEmbedded); `autovacuum`:
 * the PostgreSQL server; `off`: nobody — a PostgreSQL server with autovacuum (or the statistics it needs) turned
 * off, where the dead row versions every update leaves pile up and the planner never learns the tables' sizes.
 */
export type TableMaintenance = 'embedded' | 'autovacuum' | 'off';

/** What the use cases know of the node's mail: never the SMTP URL (it may hold a password). */
export interface MailSettings {
  /** The SMTP server's host and port, for the administrator's page. */
  readonly server: string;
  /** The local hour (of each officer's body) at which the daily digest is sent. */
  readonly digestHour: number;
}

/** What the node presents to other nodes: its id, its TLS chain, its bodies' seals, the protocol versions it speaks. */
export interface NodeCredentials {
  readonly nodeId: string;
  /** The node's TLS certificate followed by its Party CA (PEM). */
  readonly tlsChainPem: string;
  readonly signer: BodySigner;
  readonly protocolVersions: readonly number[];
}

export const ROLES = ['officer', 'supervisor', 'central', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Russian labels: the vocabulary's (src/domain/vocabulary.ts). */
export const ROLE_LABELS_RU: Readonly<Record<Role, string>> = ROLE_LABELS;

/** Who acts: an authenticated officer, or the node itself (jobs, federation). */
export type Actor =
  | {
      readonly kind: 'officer';
      readonly officerId: string;
      readonly login: string;
      readonly fullName: string;
      readonly position: string;
      readonly bodyId: string;
      readonly party: string;
      readonly roles: readonly Role[];
    }
  | { readonly kind: 'system'; readonly name: string };

export type Officer = Extract<Actor, { kind: 'officer' }>;

export function actorName(a: Actor): string {
  return a.kind === 'officer' ? `officer:${a.login}` : `system:${a.name}`;
}
