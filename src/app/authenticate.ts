// Access control at the door (R9.4): password login with lockout, and API tokens.
// Every failure and every login is audited; secrets never are.
import Type from 'typebox';
import { hashPassword, parseApiTokenId, verifyApiToken, verifyPassword } from '../adapters/crypto/passwords.js';
import { EixError } from '../domain/errors.js';
import { checkSchema } from '../domain/problems.js';
import { appendAudit } from './audit.js';
import { ROLES, type Actor, type AppContext, type Officer, type Role } from './context.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MS = 15 * 60_000;
/** A token's use is audited at most once an hour (every API call would flood the log). */
export const TOKEN_AUDIT_MS = 60 * 60_000;

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

function toOfficer(r: {
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

export async function loginWithPassword(ctx: AppContext, input: unknown): Promise<Officer> {
  const problems = checkSchema(LoginInput, input, { login: 'имя входа', password: 'пароль' });
  const first = problems[0];
  if (first) throw new EixError('input.invalid', { field: first.path, problems }, `${first.path}: ${first.message}`);
  const { password } = input as { login: string; password: string };
  const login = (input as { login: string }).login.trim().toLowerCase();

  const found = await ctx.db
    .selectFrom('officers')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .select(['officers.id', 'officers.password_hash', 'officers.locked_until'])
    .where('officers.login', '=', login)
    .where('bodies.party', '=', ctx.party)
    .executeTakeFirst();
  const now = ctx.clock.now();
  const lockedUntil = found?.locked_until && found.locked_until > now ? found.locked_until : null;
  // A locked account is not checked at all: guessing goes on hold until the lock ends.
  const ok = lockedUntil ? false : await verifyPassword(password, found?.password_hash ?? (await dummy()));

  const outcome = await ctx.db.transaction().execute(async (tx): Promise<Officer | EixError> => {
    if (!found) {
      // The typed name is not kept: people sometimes type their password into the login field.
      await appendAudit(tx, ctx, AUTH, {
        action: 'auth.login_failed',
        details: { method: 'password', reason: 'unknown_login' },
      });
      return failed();
    }
    const row = await tx
      .selectFrom('officers')
      .innerJoin('bodies', 'bodies.id', 'officers.body_id')
      .select([
        'officers.id',
        'officers.login',
        'officers.full_name',
        'officers.position',
        'officers.body_id',
        'officers.roles',
        'officers.failed_logins',
        'officers.locked_until',
        'officers.disabled_at',
        'bodies.party',
      ])
      .where('officers.id', '=', found.id)
      .forUpdate('officers')
      .executeTakeFirstOrThrow();
    const audit = { bodyId: row.body_id, subject: row.id };
    if (row.locked_until && row.locked_until > now) {
      await appendAudit(tx, ctx, AUTH, {
        ...audit,
        action: 'auth.login_failed',
        details: { method: 'password', login: row.login, reason: 'locked' },
      });
      return new EixError('auth.locked', { until: row.locked_until.toISOString() }, lockedMessage(row.locked_until));
    }
    if (ok && row.disabled_at === null) {
      await tx.updateTable('officers').set({ failed_logins: 0, locked_until: null }).where('id', '=', row.id).execute();
      const officer = toOfficer(row);
      await appendAudit(tx, ctx, officer, { ...audit, action: 'auth.login', details: { method: 'password' } });
      return officer;
    }
    if (row.disabled_at !== null) {
      await appendAudit(tx, ctx, AUTH, {
        ...audit,
        action: 'auth.login_failed',
        details: { method: 'password', login: row.login, reason: 'disabled' },
      });
      return failed();
    }
    const count = row.failed_logins + 1;
    await appendAudit(tx, ctx, AUTH, {
      ...audit,
      action: 'auth.login_failed',
      details: { method: 'password', login: row.login, reason: 'password', consecutive: count },
    });
    if (count < MAX_FAILED_LOGINS) {
      await tx.updateTable('officers').set({ failed_logins: count }).where('id', '=', row.id).execute();
      return failed();
    }
    const until = new Date(now.getTime() + LOCK_MS);
    await tx.updateTable('officers').set({ failed_logins: 0, locked_until: until }).where('id', '=', row.id).execute();
    await appendAudit(tx, ctx, AUTH, {
      ...audit,
      action: 'auth.locked',
      details: { login: row.login, failures: count, until: until.toISOString() },
    });
    return new EixError('auth.locked', { until: until.toISOString() }, lockedMessage(until));
  });
  if (outcome instanceof EixError) throw outcome;
  return outcome;
}

function lockedMessage(until: Date): string {
  return `Учётная запись заблокирована после ${MAX_FAILED_LOGINS} неудачных попыток входа до ${until.toISOString()}`;
}

/** The officer behind an API token (`eix_<id>_<secret>`); revoked, unknown or disabled → auth.token, expired → auth.token_expired. */
export async function authenticateToken(ctx: AppContext, token: string): Promise<Officer> {
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
            'officers.id',
            'officers.login',
            'officers.full_name',
            'officers.position',
            'officers.body_id',
            'officers.roles',
            'officers.disabled_at',
            'bodies.party',
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
  const outcome = await ctx.db.transaction().execute(async (tx): Promise<Officer | EixError> => {
    if (reason !== null || !row || id === null) {
      // The id is a public lookup key; the secret part is never recorded.
      await appendAudit(tx, ctx, AUTH, {
        action: 'auth.login_failed',
        subject: id,
        ...(valid && row ? { bodyId: row.body_id } : {}),
        details: { method: 'token', reason },
      });
      // Only the holder of the secret learns that it has expired (V3.5.x): he must get a new one.
      return new EixError(reason === 'expired' ? 'auth.token_expired' : 'auth.token');
    }
    await tx.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
    const officer = toOfficer(row);
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= TOKEN_AUDIT_MS) {
      await appendAudit(tx, ctx, officer, {
        action: 'auth.login',
        subject: officer.officerId,
        details: { method: 'token', tokenId: id },
      });
    }
    return officer;
  });
  if (outcome instanceof EixError) throw outcome;
  return outcome;
}
