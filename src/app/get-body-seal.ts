// Issue 15.1: the state of a body's seal — whether its officers can sign, until when, and what waits for
// the Party CA. Read from the node home (the keys never enter the database).
import { EixError } from '../domain/errors.js';
import { partyDay } from '../domain/parties.js';
import { isRevoked } from '../domain/registry.js';
import { isDesignated } from '../domain/treaty.js';
import type { Store, Tx } from '../ports/store.js';
import type { Actor, AppContext } from './context.js';

/** Days before expiry from which a seal certificate is flagged (body page, officers' dashboard). */
export const SEAL_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export type SealState = 'none' | 'pending' | 'valid' | 'expiring' | 'expired' | 'not_yet_valid' | 'revoked';

export interface SealView {
  readonly bodyId: string;
  readonly state: SealState;
  /** Officers of the body can sign now. */
  readonly canSign: boolean;
  /** The certificate in use: serial number, validity (ISO), whole days left. */
  readonly certificate: {
    readonly serialNumber: string;
    readonly subject: string;
    readonly issuer: string;
    readonly notBefore: string;
    readonly notAfter: string;
    readonly daysLeft: number;
  } | null;
  /** A CSR waiting for a certificate (a new body's first, or a rotation's next). */
  readonly csrPem: string | null;
  /** Certificates the body signed with before (serial numbers), kept beside the seal. */
  readonly previous: readonly string[];
  /**
   * R18: the Party designated the body in the trust registry in force (as of the body's local day). Other
   * Parties' nodes refuse a message from a body that is not designated, whatever its seal.
   */
  readonly designated: boolean;
}

/** The seal of a body of this node, or null on a node without seal management (use-case tests). */
export async function sealOf(ctx: AppContext, bodyId: string, db: Store | Tx = ctx.db): Promise<SealView | null> {
  if (!ctx.seals) return null;
  const files = await ctx.seals.read(bodyId);
  const now = ctx.clock.now();
  const previous = files.previous.map((p) => ctx.seals!.describe(p).serialNumber);
  const designated = await designatedNow(ctx, db, bodyId, now);
  if (!files.certPem)
    return {
      bodyId,
      state: files.csrPem ? 'pending' : 'none',
      canSign: false,
      certificate: null,
      csrPem: files.csrPem,
      previous,
      designated,
    };
  const d = ctx.seals.describe(files.certPem);
  const notAfter = Date.parse(d.notAfter);
  const daysLeft = Math.floor((notAfter - now.getTime()) / DAY_MS);
  const registry = ctx.registry?.current() ?? null;
  const state: SealState =
    registry && isRevoked(registry, d.serialNumber, now)
      ? 'revoked'
      : now.getTime() < Date.parse(d.notBefore)
        ? 'not_yet_valid'
        : now.getTime() > notAfter
          ? 'expired'
          : daysLeft < SEAL_WARNING_DAYS
            ? 'expiring'
            : 'valid';
  return {
    bodyId,
    state,
    canSign: state === 'valid' || state === 'expiring',
    certificate: { ...d, daysLeft },
    csrPem: files.csrPem,
    previous,
    designated,
  };
}

/** R18: is the body designated by this Party in the registry in force, on the body's local day? */
async function designatedNow(ctx: AppContext, db: Store | Tx, bodyId: string, now: Date): Promise<boolean> {
  const body = await db.selectFrom('bodies').select('time_zone').where('id', '=', bodyId).executeTakeFirst();
  return isDesignated(ctx.treaty(), ctx.party, bodyId, partyDay(now, ctx.party, body?.time_zone));
}

/** The seal of a body: the administrator sees any body's, an officer his own body's. */
export async function getBodySeal(ctx: AppContext, actor: Actor, bodyId: string): Promise<SealView | null> {
  if (actor.kind === 'officer' && !actor.roles.includes('admin') && actor.bodyId !== bodyId)
    throw new EixError('access.denied');
  const body = await ctx.db.selectFrom('bodies').select(['id', 'party']).where('id', '=', bodyId).executeTakeFirst();
  if (!body || body.party !== ctx.party) throw new EixError('body.not_found', { id: bodyId });
  return sealOf(ctx, bodyId);
}

/** Why the body's officers cannot sign now, in Russian, or null when they can (or seals are not managed). */
export function sealRefusal(seal: SealView | null): string | null {
  if (!seal || seal.canSign) return null;
  switch (seal.state) {
    case 'none':
    case 'pending':
      return 'Орган не может подписывать: нет сертификата печати. Обратитесь к администратору узла: он получает сертификат в удостоверяющем центре Стороны и устанавливает его на странице органа.';
    case 'expired':
      return 'Орган не может подписывать: срок действия сертификата печати истёк. Обратитесь к администратору узла за новым сертификатом.';
    case 'not_yet_valid':
      return 'Орган не может подписывать: срок действия сертификата печати ещё не начался.';
    case 'revoked':
      return 'Орган не может подписывать: сертификат печати отозван. Обратитесь к администратору узла за новым сертификатом.';
    case 'valid':
    case 'expiring':
      return null;
  }
}

/** Refuses a signature under a body without a usable seal (before anything is stored or queued). */
export async function requireSeal(ctx: AppContext, bodyId: string, db: Store | Tx = ctx.db): Promise<void> {
  const seal = await sealOf(ctx, bodyId, db);
  const refusal = sealRefusal(seal);
  if (refusal) throw new EixError('signer.no_certificate', { bodyId, state: seal?.state ?? null }, refusal);
}

/** One of this node's own bodies, read in the transaction of a seal change; `body.not_found` otherwise. */
export async function ownBody(
  tx: Tx,
  ctx: AppContext,
  bodyId: string,
): Promise<{ id: string; party: string; name: string }> {
  const body = await tx
    .selectFrom('bodies')
    .select(['id', 'party', 'name'])
    .where('id', '=', bodyId)
    .executeTakeFirst();
  if (!body || body.party !== ctx.party) throw new EixError('body.not_found', { id: bodyId });
  return body;
}
