// The trust registry: the depositary's signed list of Parties, their CA
// certificates, their nodes and the revoked certificates, together with the
// treaty events (who is bound when). Nodes trust only what a registry signed by
// the pinned depositary says. This module checks its form; the signature is an
// adapter's job (adapters/crypto/registry-jws.ts).
import Type, { type Static } from 'typebox';
import { EixError } from './errors.js';
import { checkSchema, joinPath, type Problem } from './problems.js';
import { checkTreatyEvents, TreatyConventionSchema, TreatyEventSchema } from './treaty.js';

export const REGISTRY_FORMAT = 'eix-registry/1';
const Party = Type.String({ pattern: '^[A-Z]{2}$' });
const DateTime = Type.String({ format: 'date-time' });

export const RegistryNodeSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
    url: Type.String({ pattern: '^https://[^\\s/?#]+(?:[/?#]\\S*)?$' }),
    /** Protocol versions the node speaks (docs/MESSAGES.md §3.1); absent: version 1 only. */
    protocolVersions: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 999 }), { minItems: 1, maxItems: 20, uniqueItems: true }),
    ),
    /** Message types the node accepts, where it accepts fewer than its versions define; absent: all of them. */
    messageTypes: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z][a-z_]{1,63}$' }), { maxItems: 100, uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

export const RegistryPartySchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    caCertificates: Type.Array(
      Type.String({ pattern: '^\\s*-----BEGIN CERTIFICATE-----[\\s\\S]+-----END CERTIFICATE-----\\s*$' }),
      { minItems: 1 },
    ),
    nodes: Type.Array(RegistryNodeSchema),
  },
  { additionalProperties: false },
);

export const RevocationSchema = Type.Object(
  {
    serialNumber: Type.String({ pattern: '^[0-9a-fA-F]{1,64}$' }),
    party: Type.Union([Party, Type.Literal('depositary')]),
    revokedAt: DateTime,
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const RegistrySchema = Type.Object(
  {
    format: Type.Literal(REGISTRY_FORMAT),
    version: Type.Integer({ minimum: 1 }),
    issuedAt: DateTime,
    depositary: Type.Object({ name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    // Decision 9: the reading of «N days after receipt» travels with the events, so every node counts alike.
    treaty: Type.Object(
      { events: Type.Array(TreatyEventSchema), rules: Type.Optional(TreatyConventionSchema) },
      { additionalProperties: false },
    ),
    parties: Type.Record(Party, RegistryPartySchema, { additionalProperties: false }),
    revocations: Type.Array(RevocationSchema),
  },
  { additionalProperties: false },
);

export type RegistryNode = Static<typeof RegistryNodeSchema>;
export type RegistryParty = Static<typeof RegistryPartySchema>;
export type Revocation = Static<typeof RevocationSchema>;
export type Registry = Static<typeof RegistrySchema>;

const FIELDS: Readonly<Record<string, string>> = {
  format: 'формат реестра',
  version: 'версия реестра',
  issuedAt: 'дата выпуска',
  'depositary.name': 'наименование депозитария',
  'revocations[].serialNumber': 'серийный номер отозванного сертификата',
  'revocations[].revokedAt': 'дата отзыва',
};

/** Every problem of a registry document (structure, treaty events, unique node ids). */
export function checkRegistry(input: unknown): Problem[] {
  const problems = checkSchema(RegistrySchema, input, FIELDS);
  const doc = input as Partial<Registry> | null;
  if (
    doc &&
    typeof doc === 'object' &&
    doc.treaty &&
    typeof doc.treaty === 'object' &&
    Array.isArray(doc.treaty.events)
  ) {
    // Schema problems of events are already reported (with precise paths) by the treaty engine.
    const own = problems.filter((p) => !p.path.startsWith('treaty.events') && !p.path.startsWith('treaty.rules'));
    const rules = (doc.treaty as { rules?: unknown }).rules;
    const treaty = checkTreatyEvents({ events: doc.treaty.events, ...(rules === undefined ? {} : { rules }) }).map(
      (p) => ({
        ...p,
        path: joinPath('treaty', p.path),
      }),
    );
    problems.splice(0, problems.length, ...own, ...treaty);
  }
  if (problems.length === 0) {
    const seen = new Map<string, string>();
    for (const [party, p] of Object.entries((input as Registry).parties)) {
      p.nodes.forEach((n, i) => {
        const path = `parties.${party}.nodes[${i}].id`;
        const first = seen.get(n.id);
        if (first)
          problems.push({
            code: 'registry.node_duplicate',
            path,
            message: `Идентификатор узла ${n.id} уже указан в ${first}`,
          });
        else seen.set(n.id, path);
      });
    }
  }
  return problems;
}

/** Parses a registry document; throws `registry.format` naming the first problem's field. */
export function parseRegistry(input: unknown): Registry {
  const problems = checkRegistry(input);
  const first = problems[0];
  if (first) {
    throw new EixError(
      'registry.format',
      { field: first.path, problems },
      `Неверный формат реестра доверия: ${first.path ? `${first.path}: ` : ''}${first.message}`,
    );
  }
  return input as Registry;
}

const normSerial = (s: string): string => s.toLowerCase().replace(/^0+(?=.)/, '');

/** Whether a certificate serial number is revoked at `at` (revokedAt ≤ at). */
export function isRevoked(registry: Registry, serialNumber: string, at: Date): boolean {
  const serial = normSerial(serialNumber);
  return registry.revocations.some(
    (r) => normSerial(r.serialNumber) === serial && Date.parse(r.revokedAt) <= at.getTime(),
  );
}

/** The node with this id and its Party, or null. */
export function findNode(registry: Registry, nodeId: string): { party: string; node: RegistryNode } | null {
  for (const [party, p] of Object.entries(registry.parties)) {
    const node = p.nodes.find((n) => n.id === nodeId);
    if (node) return { party, node };
  }
  return null;
}

/** Share of the maximum age past which a node warns that its registry is getting old. */
export const REGISTRY_WARN_SHARE = 0.8;

export interface RegistryFreshness {
  readonly ageMs: number;
  /** `aging`: past the warning threshold; `stale`: past the maximum age (the outbox holds messages). */
  readonly state: 'fresh' | 'aging' | 'stale';
}

/** How old a registry is at `now` (from its issuedAt) against the configured maximum age. */
export function registryFreshness(registry: Registry, now: Date, maxAgeMs: number): RegistryFreshness {
  const ageMs = Math.max(0, now.getTime() - Date.parse(registry.issuedAt));
  const state = ageMs > maxAgeMs ? 'stale' : ageMs > maxAgeMs * REGISTRY_WARN_SHARE ? 'aging' : 'fresh';
  return { ageMs, state };
}
