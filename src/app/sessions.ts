// Sessions of the officer web UI: a password login (lock-out rules of
// loginWithPassword) opens one; the cookie carries a random token, the store
// only its hash; each session has its CSRF token; logout ends it at once.
import { createHash, randomBytes } from 'node:crypto';
import { EixError } from '../domain/errors.js';
import { appendAudit } from './audit.js';
import { loginWithPassword } from './authenticate.js';
import type { AppContext, Officer, Role } from './context.js';

export const SESSION_HOURS = 10;
export const sessionHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function openSession(
  ctx: AppContext,
  input: unknown,
): Promise<{ token: string; csrf: string; officer: Officer }> {
  const officer = await loginWithPassword(ctx, input);
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

export async function resolveSession(
  ctx: AppContext,
  token: string,
): Promise<{ officer: Officer; csrf: string; gate: SessionGate; totpEnabled: boolean } | null> {
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
    ])
    .where('sessions.id', '=', sessionHash(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= now || row.disabled_at) return null;
  await ctx.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
  const totpEnabled = row.totp_enabled_at !== null;
  return {
    csrf: row.csrf,
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
