// Access control at the door (R9.4): password login throttled per login and
// client address (no lock anyone could trigger), and API tokens. Every login and
// every failed password is audited; failed tokens once a minute per address
// with their count (an anonymous client must not grow the audit chain, whose
// appends take one global lock); secrets never are.
import Type from 'typebox';
import { createHash } from 'node:crypto';
import { hashPassword, parseApiTokenId, verifyApiToken, verifyPassword } from '../adapters/crypto/passwords.js';
import { EixError } from '../domain/errors.js';
import { LOGIN_FAILURES_FORGOTTEN_MS, loginDelayMs } from '../domain/login-throttle.js';
import type { Store } from '../ports/store.js';
import { checkSchema } from '../domain/problems.js';
import { appendAudit } from './audit.js';
import { ROLES, type Actor, type AppContext, type Officer, type Role } from './context.js';

/** A token's use is audited at most once an hour (every API call would flood the log). */
export const TOKEN_AUDIT_MS = 60 * 60_000;
/**
 * A token's time of last use is kept to the minute: written at every call, a program calling the API many times
 * a second (a national system, issue 16) would cost a write transaction per call.
 */
export const TOKEN_LAST_USED_MS = 60_000;
/** Failed token attempts from one address are audited at most once a minute, with their count. */
export const TOKEN_FAILURE_AUDIT_MS = 60_000;
/** Where a login or a token comes from (the client address as the HTTP adapter sees it). */
export interface AuthSource {
  readonly address?: string;
}

const AUTH: Actor = { kind: 'system', name: 'auth' };

export const LoginInput = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

// Verified when the login is unknown, so the answer takes as long as for a known one.
let dummyHash: Promise<string> | null = null;
const dummy = (): Promise<string> => (dummyHash ??= hashPassword('eix-dummy-password-never-valid'));

/** The columns `toOfficer` reads (and `disabled_at`), from `officers` joined with `bodies`. */
export const OFFICER_COLUMNS = [
  'officers.id',
  'officers.login',
  'officers.full_name',
  'officers.position',
  'officers.body_id',
  'officers.roles',
  'officers.disabled_at',
  'bodies.party',
] as const;

/** The acting officer from an officers row joined with its body's Party (roles this version knows only). */
export function toOfficer(r: {
  id: string;
  login: string;
  full_name: string;
  position: string;
  body_id: string;
  party: string;
  roles: string[];
}): Officer {
  return {
    kind: 'officer',
    officerId: r.id,
    login: r.login,
    fullName: r.full_name,
    position: r.position,
    bodyId: r.body_id,
    party: r.party,
    roles: r.roles.filter((x): x is Role => (ROLES as readonly string[]).includes(x)),
  };
}

const failed = (): EixError => new EixError('auth.failed');

/**
 * Per-node memory of recent failures, keyed by the node's store (one state per
 * node, whatever context object a caller spreads). Bounded: entries quiet for
 * a day are dropped, and past `MAX_ENTRIES` the oldest go first.
 */
const MAX_ENTRIES = 50_000;
function perNode<T>(): (db: Store) => Map<string, T> {
  const maps = new WeakMap<Store, Map<string, T>>();
  return (db) => {
    let m = maps.get(db);
    if (!m) maps.set(db, (m = new Map()));
    return m;
  };
}
function remember<T>(m: Map<string, T>, key: string, value: T, stale: (v: T) => boolean): void {
  m.delete(key); // re-inserted last: Map order is least recently failed first
  m.set(key, value);
  if (m.size <= MAX_ENTRIES) return;
  for (const [k, v] of m) if (stale(v)) m.delete(k);
  for (const k of m.keys()) {
    if (m.size <= MAX_ENTRIES) break;
    m.delete(k);
  }
}

interface LoginFailures {
  failures: number;
  lastAt: number;
}
const loginFailures = perNode<LoginFailures>();
// The typed login is kept only hashed: people sometimes type their password into the login field.
const throttleKey = (login: string, from: AuthSource): string =>
  `${createHash('sha256').update(login).digest('hex')}|${from.address ?? ''}`;

export async function loginWithPassword(ctx: AppContext, input: unknown, from: AuthSource = {}): Promise<Officer> {
  const problems = checkSchema(LoginInput, input, { login: 'имя входа', password: 'пароль' });
  const first = problems[0];
  if (first) throw new EixError('input.invalid', { field: first.path, problems }, `${first.path}: ${first.message}`);
  const { password } = input as { login: string; password: string };
  const login = (input as { login: string }).login.trim().toLowerCase();

  // V2.2.1: the same wait for a known and an unknown login; nothing is looked up while it lasts.
  const now = ctx.clock.now();
  const failures = loginFailures(ctx.db);
  const key = throttleKey(login, from);
  const seen = failures.get(key);
  const stale = (v: LoginFailures) => now.getTime() - v.lastAt >= LOGIN_FAILURES_FORGOTTEN_MS;
  if (seen && !stale(seen)) {
    const waitMs = seen.lastAt + loginDelayMs(seen.failures) - now.getTime();
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new EixError(
        'auth.throttled',
        { retryAfterSeconds: seconds },
        `Слишком много неудачных попыток входа; повторите через ${seconds} с`,
      );
    }
  }

  const found = await ctx.db
    .selectFrom('officers')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .select(['officers.id', 'officers.password_hash'])
    .where('officers.login', '=', login)
    .where('bodies.party', '=', ctx.party)
    .executeTakeFirst();
  // The hash is always checked (a dummy one for an unknown login): the same work and answer either way.
  const ok = await verifyPassword(password, found?.password_hash ?? (await dummy()));

  const outcome = await ctx.db.transaction().execute(async (tx): Promise<Officer | EixError> => {
    if (!found) {
      // The typed name is not kept: people sometimes type their password into the login field.
      await appendAudit(tx, ctx, AUTH, {
        action: 'auth.login_failed',
        details: { method: 'password', reason: 'unknown_login', ...source(from) },
      });
      return failed();
    }
    const row = await tx
      .selectFrom('officers')
      .innerJoin('bodies', 'bodies.id', 'officers.body_id')
      .select([...OFFICER_COLUMNS, 'officers.failed_logins'])
      .where('officers.id', '=', found.id)
      .forUpdate('officers')
      .executeTakeFirstOrThrow();
    const audit = { bodyId: row.body_id, subject: row.id };
    if (ok && row.disabled_at === null) {
      await tx.updateTable('officers').set({ failed_logins: 0, locked_until: null }).where('id', '=', row.id).execute();
      const officer = toOfficer(row);
      await appendAudit(tx, ctx, officer, {
        ...audit,
        action: 'auth.login',
        details: { method: 'password', ...source(from) },
      });
      return officer;
    }
    if (row.disabled_at !== null) {
      await appendAudit(tx, ctx, AUTH, {
        ...audit,
        action: 'auth.login_failed',
        details: { method: 'password', login: row.login, reason: 'disabled', ...source(from) },
      });
      return failed();
    }
    // Consecutive failures of the account from anywhere: recorded for the audit, never a lock.
    const count = row.failed_logins + 1;
    await tx.updateTable('officers').set({ failed_logins: count }).where('id', '=', row.id).execute();
    await appendAudit(tx, ctx, AUTH, {
      ...audit,
      action: 'auth.login_failed',
      details: { method: 'password', login: row.login, reason: 'password', consecutive: count, ...source(from) },
    });
    return failed();
  });
  if (outcome instanceof EixError) {
    const prev = seen && !stale(seen) ? seen.failures : 0;
    remember(failures, key, { failures: prev + 1, lastAt: now.getTime() }, stale);
    throw outcome;
  }
  failures.delete(key);
  return outcome;
}

const source = (from: AuthSource): { address?: string } => (from.address ? { address: from.address } : {});

interface TokenFailures {
  /** Failures not yet in the audit log, and since when. */
  pending: number;
  since: number;
  writtenAt: number | null;
}
const tokenFailures = perNode<TokenFailures>();

/** The officer behind an API token (`eix_<id>_<secret>`); revoked, unknown or disabled → auth.token, expired → auth.token_expired. */
export async function authenticateToken(ctx: AppContext, token: string, from: AuthSource = {}): Promise<Officer> {
  const id = typeof token === 'string' ? parseApiTokenId(token) : null;
  const row =
    id === null
      ? undefined
      : await ctx.db
          .selectFrom('api_tokens')
          .innerJoin('officers', 'officers.id', 'api_tokens.officer_id')
          .innerJoin('bodies', 'bodies.id', 'officers.body_id')
          .select([
            'api_tokens.token_hash',
            'api_tokens.revoked_at',
            'api_tokens.expires_at',
            'api_tokens.last_used_at',
            ...OFFICER_COLUMNS,
          ])
          .where('api_tokens.id', '=', id)
          .executeTakeFirst();
  const valid = row !== undefined && verifyApiToken(token, row.token_hash);
  const now = ctx.clock.now();
  const reason = !valid
    ? 'unknown'
    : row.revoked_at
      ? 'revoked'
      : row.disabled_at
        ? 'disabled'
        : row.party !== ctx.party
          ? 'unknown'
          : row.expires_at <= now
            ? 'expired'
            : null;
  if (reason !== null || !row || id === null) {
    await auditTokenFailure(ctx, from, {
      subject: id,
      ...(valid && row ? { bodyId: row.body_id } : {}),
      reason: reason ?? 'unknown',
    });
    // Only the holder of the secret learns that it has expired (V3.5.x): he must get a new one.
    throw new EixError(reason === 'expired' ? 'auth.token_expired' : 'auth.token');
  }
  const idle = row.last_used_at ? now.getTime() - row.last_used_at.getTime() : Number.POSITIVE_INFINITY;
  if (idle < TOKEN_LAST_USED_MS) return toOfficer(row);
  return ctx.db.transaction().execute(async (tx): Promise<Officer> => {
    await tx.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
    const officer = toOfficer(row);
    if (idle >= TOKEN_AUDIT_MS) {
      await appendAudit(tx, ctx, officer, {
        action: 'auth.login',
        subject: officer.officerId,
        details: { method: 'token', tokenId: id },
      });
    }
    return officer;
  });
}

/**
 * One audit entry per source address per minute at most: the first failure
 * after a quiet minute is written with the count of failures since the last
 * entry (a burst's tail goes into the next entry of that address).
 */
async function auditTokenFailure(
  ctx: AppContext,
  from: AuthSource,
  f: { subject: string | null; bodyId?: string; reason: string },
): Promise<void> {
  const now = ctx.clock.now().getTime();
  const all = tokenFailures(ctx.db);
  const key = from.address ?? '';
  const s = all.get(key) ?? { pending: 0, since: now, writtenAt: null };
  if (s.pending === 0) s.since = now;
  s.pending += 1;
  const due = s.writtenAt === null || now - s.writtenAt >= TOKEN_FAILURE_AUDIT_MS;
  remember(all, key, s, (v) => v.pending === 0 && v.writtenAt !== null && now - v.writtenAt >= TOKEN_FAILURE_AUDIT_MS);
  if (!due) return;
  const count = s.pending;
  const since = new Date(s.since).toISOString();
  s.pending = 0;
  s.writtenAt = now;
  // The id is a public lookup key; the secret part is never recorded.
  await ctx.db.transaction().execute((tx) =>
    appendAudit(tx, ctx, AUTH, {
      action: 'auth.login_failed',
      subject: f.subject,
      ...(f.bodyId ? { bodyId: f.bodyId } : {}),
      details: { method: 'token', reason: f.reason, count, since, ...source(from) },
    }),
  );
}
