// Least privilege per body and role (R9.4): who may see and do what. A record
// an actor may not see is reported as not found, so ids cannot be probed.
import type { ExpressionBuilder } from 'kysely';
import { EixError } from '../domain/errors.js';
import { rolesRu } from '../domain/vocabulary.js';
import type { DB } from '../ports/store.js';
import type { Actor, Officer, Role } from './context.js';

/** The actor must be an officer holding one of the roles. */
export function requireRole(actor: Actor, ...roles: readonly Role[]): Officer {
  if (actor.kind !== 'officer') throw new EixError('access.denied', { roles });
  if (!roles.some((r) => actor.roles.includes(r))) {
    throw new EixError(
      'access.denied',
      { roles },
      roles.length === 1
        ? `Недостаточно прав: нужна роль «${rolesRu(roles)}»`
        : `Недостаточно прав: нужна одна из ролей: ${roles.map((r) => `«${rolesRu([r])}»`).join(', ')}`,
    );
  }
  return actor;
}

/** Roles that work with requests and personal data (the admin role alone does not). */
export const CASEWORK_ROLES: readonly Role[] = ['officer', 'supervisor', 'central'];

/**
 * May the officer see the records of a body? Its own body always; a central
 * body's officer with the `central` role sees all of its Party's traffic (R18).
 */
export function canSeeBody(o: Officer, bodyId: string): boolean {
  if (!CASEWORK_ROLES.some((r) => o.roles.includes(r))) return false;
  return o.bodyId === bodyId || o.roles.includes('central');
}

/**
 * canSeeBody as a query condition on a table's `body_id`: the officer's own
 * body; a central officer's whole Party (R18), or the one body asked for.
 */
export function bodyScope(o: Officer, bodyId?: string) {
  return (eb: ExpressionBuilder<DB, 'requests' | 'proceedings'>) =>
    o.roles.includes('central') ? (bodyId ? eb('body_id', '=', bodyId) : eb.lit(true)) : eb('body_id', '=', o.bodyId);
}

/**
 * R16: a confidential request is seen only by the officers working on it (its
 * body's officers) and by the central body (a `central` officer of a body of
 * kind central) — not by `central` officers of other bodies. As a query
 * condition on `requests`, on top of bodyScope.
 */
export function requestScope(o: Officer, bodyId?: string) {
  return (eb: ExpressionBuilder<DB, 'requests'>) =>
    eb.and([
      o.roles.includes('central')
        ? bodyId
          ? eb('requests.body_id', '=', bodyId)
          : eb.lit(true)
        : eb('requests.body_id', '=', o.bodyId),
      eb.or([
        eb('requests.confidential', '=', false),
        eb('requests.body_id', '=', o.bodyId),
        eb.exists(
          eb
            .selectFrom('bodies')
            .select('bodies.id')
            .where('bodies.id', '=', o.bodyId)
            .where('bodies.kind', '=', 'central'),
        ),
      ]),
    ]);
}

/**
 * Issue 14.7: the events an officer is told of, as a condition on `events`
 * joined with `requests`: those recorded for his own body (a `central`
 * officer's: every body of the node), of a request he may still open (R16
 * requestScope: a confidential one, or one forwarded away, drops out).
 */
export function noticeScope(o: Officer) {
  return (eb: ExpressionBuilder<DB, 'events' | 'requests'>) =>
    eb.and([
      o.roles.includes('central') ? eb.lit(true) : eb('events.body_id', '=', o.bodyId),
      requestScope(o)(eb as unknown as ExpressionBuilder<DB, 'requests'>),
    ]);
}

/**
 * noticeScope for one officer, one event and its request, in TypeScript: the mail queue (issue 17 item 3)
 * decides many officers at once. His own body's events (a `central` officer: every body's), of a request
 * he may open (canSeeRequest: R16, R18).
 */
export function isToldOf(
  o: Officer,
  officerBodyKind: string | null,
  event: { readonly body_id: string },
  request: { body_id: string; confidential: boolean },
): boolean {
  return (o.roles.includes('central') || event.body_id === o.bodyId) && canSeeRequest(o, request, officerBodyKind);
}

/** R16: may the officer (who may see the body) see this request, confidential or not? */
export function canSeeRequest(
  o: Officer,
  row: { body_id: string; confidential: boolean },
  officerBodyKind: string | null,
): boolean {
  if (!canSeeBody(o, row.body_id)) return false;
  return !row.confidential || row.body_id === o.bodyId || officerBodyKind === 'central';
}

/** May the officer act (draft, sign, answer) for the body? Only its own body's officers and supervisors. */
export function canActForBody(o: Officer, bodyId: string): boolean {
  return o.bodyId === bodyId && (o.roles.includes('officer') || o.roles.includes('supervisor'));
}

export function notFound(code: 'request.not_found' | 'proceeding.not_found', id: string): EixError {
  return new EixError(code, { id });
}

/** Node administration: an admin officer, or the node's own console (`eix` on the server). */
export function requireAdmin(actor: Actor): void {
  if (actor.kind !== 'system') requireRole(actor, 'admin');
}
