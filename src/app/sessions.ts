// Sessions of the officer web UI: a password login (throttling rules of
// loginWithPassword) opens one; the cookie carries a random token, the store
// only its hash; each session has its CSRF token; logout ends it at once.
// A session ends after SESSION_HOURS in any case (V3.3.1) and after
// ctx.sessionIdleMinutes without a request (V3.3.2); it can carry one notice
// for its next page (setFlash/takeFlash), so no URL has to.
import { createHash, randomBytes } from 'node:crypto';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { loginWithPassword, type AuthSource } from './authenticate.js';
import type { Actor, AppContext, Officer, Role } from './context.js';

export const SESSION_HOURS = 10;
export const DEFAULT_SESSION_IDLE_MINUTES = 30;
const WEB: Actor = { kind: 'system', name: 'web' };

/** Why a session presented by the browser no longer opens anything (the login page says so in Russian). */
export type SessionEnd = 'idle' | 'expired';
export const sessionHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function openSession(
  ctx: AppContext,
  input: unknown,
  from: AuthSource = {},
): Promise<{ token: string; csrf: string; officer: Officer }> {
  const officer = await loginWithPassword(ctx, input, from);
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('sessions')
    .values({
      id: sessionHash(token),
      officer_id: officer.officerId,
      csrf,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3_600_000),
    })
    .execute();
  return { token, csrf, officer };
}

/**
 * What a session must do before it reaches anything else (issue 13, item 3):
 * the code of its second factor, then a new password when an admin set the
 * current one, then — an administrator — connecting a second factor.
 */
export type SessionGate = 'second_factor' | 'password' | 'enrol' | null;

export function sessionGate(s: {
  roles: readonly string[];
  totpEnabled: boolean;
  secondFactorDone: boolean;
  mustChangePassword: boolean;
}): SessionGate {
  if (s.totpEnabled && !s.secondFactorDone) return 'second_factor';
  if (s.mustChangePassword) return 'password';
  if (s.roles.includes('admin') && !s.totpEnabled) return 'enrol';
  return null;
}

/** The session behind a cookie; `{ ended }` when it has just ended for inactivity or age; null when unknown. */
export async function resolveSession(
  ctx: AppContext,
  token: string,
): Promise<
  | { officer: Officer; bodyName: string; csrf: string; gate: SessionGate; totpEnabled: boolean }
  | { ended: SessionEnd }
  | null
> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const now = ctx.clock.now();
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('officers', 'officers.id', 'sessions.officer_id')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .select([
      'sessions.id',
      'sessions.csrf',
      'sessions.expires_at',
      'sessions.last_seen_at',
      'officers.id as officer_id',
      'officers.login',
      'officers.full_name',
      'officers.position',
      'officers.body_id',
      'officers.roles',
      'officers.disabled_at',
      'officers.password_must_change',
      'officers.totp_enabled_at',
      'sessions.second_factor_at',
      'bodies.party',
      'bodies.name as body_name',
    ])
    .where('sessions.id', '=', sessionHash(token))
    .executeTakeFirst();
  if (!row || row.disabled_at) return null;
  const idleMs = (ctx.sessionIdleMinutes ?? DEFAULT_SESSION_IDLE_MINUTES) * 60_000;
  const ended: SessionEnd | null =
    row.expires_at <= now ? 'expired' : now.getTime() - row.last_seen_at.getTime() >= idleMs ? 'idle' : null;
  if (ended) {
    await ctx.db.transaction().execute(async (tx) => {
      const gone = await tx.deleteFrom('sessions').where('id', '=', row.id).returning('id').executeTakeFirst();
      // Two requests may find it at once: the one that deleted it records the end.
      if (gone)
        await appendAudit(tx, ctx, WEB, {
          action: 'auth.session_ended',
          bodyId: row.body_id,
          subject: row.officer_id,
          details: { reason: ended, lastSeenAt: row.last_seen_at.toISOString() },
        });
    });
    return { ended };
  }
  await ctx.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
  const totpEnabled = row.totp_enabled_at !== null;
  return {
    csrf: row.csrf,
    bodyName: row.body_name,
    totpEnabled,
    gate: sessionGate({
      roles: row.roles,
      totpEnabled,
      secondFactorDone: row.second_factor_at !== null,
      mustChangePassword: row.password_must_change,
    }),
    officer: {
      kind: 'officer',
      officerId: row.officer_id,
      login: row.login,
      fullName: row.full_name,
      position: row.position,
      bodyId: row.body_id,
      party: row.party,
      roles: row.roles as Role[],
    },
  };
}

/** Keeps a notice for the next page of this session (replacing an unread one). */
export async function setFlash(ctx: AppContext, token: string, text: string): Promise<void> {
  await ctx.db.updateTable('sessions').set({ flash: text }).where('id', '=', sessionHash(token)).execute();
}

/** The session's pending notice, read once: the next call finds none. */
export async function takeFlash(ctx: AppContext, token: string): Promise<string | null> {
  return ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('sessions')
      .select('flash')
      .where('id', '=', sessionHash(token))
      .where('flash', 'is not', null)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return null;
    await tx.updateTable('sessions').set({ flash: null }).where('id', '=', sessionHash(token)).execute();
    return row.flash;
  });
}

export async function closeSession(ctx: AppContext, token: string): Promise<void> {
  const row = await ctx.db
    .deleteFrom('sessions')
    .where('id', '=', sessionHash(token))
    .returning('officer_id')
    .executeTakeFirst();
  if (!row) return;
  await ctx.db
    .transaction()
    .execute((tx) =>
      appendAudit(tx, ctx, { kind: 'system', name: 'web' }, { action: 'auth.logout', subject: row.officer_id }),
    );
}

export function requireCsrf(expected: string, given: unknown): void {
  if (
    typeof given !== 'string' ||
    given.length !== expected.length ||
    !Buffer.from(given).equals(Buffer.from(expected))
  ) {
    throw new EixError(
      'access.denied',
      { field: '_csrf' },
      'Форма устарела или подделана (нет токена CSRF); обновите страницу',
    );
  }
}
