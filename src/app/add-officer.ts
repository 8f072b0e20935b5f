// Creates a user of the node (an officer of one of its bodies): admin only.
// The password is generated unless given and returned once; only its scrypt
// hash is stored, and it never reaches the audit log. The password is the
// administrator's, not the owner's: it must be changed at the first login, and
// until then a casework role asked by an admin waits for a second admin
// (request-role-grant.ts; the operator's console applies roles at once).
import Type, { type Static } from 'typebox';
import { generatePassword, hashPassword } from '../adapters/crypto/passwords.js';
import { EixError } from '../domain/errors.js';
import { PASSWORD_MIN_LENGTH } from '../domain/password-policy.js';
import { checkSchema } from '../domain/problems.js';
import { appendAudit } from './audit.js';
import { requireAdmin } from './authorize.js';
import { ROLES, type Actor, type AppContext, type Role } from './context.js';
import { requirePasswordPolicy } from './estimate-password.js';
import { addedCasework, adminControl, requestRoleGrant, type PendingGrant } from './request-role-grant.js';

export const MIN_PASSWORD_LENGTH = PASSWORD_MIN_LENGTH;

/** An official address: one mailbox (no spaces, lists, quotes or angle brackets). */
export const OFFICER_EMAIL_PATTERN =
  '^[^\\s@,;:<>()\\[\\]"\\\\]+@[^\\s@,;:<>()\\[\\]"\\\\]+\\.[^\\s@,;:<>()\\[\\]"\\\\]+$';

export const RolesSchema = Type.Array(Type.Enum([...ROLES]), { minItems: 1, uniqueItems: true });

export const AddOfficerInput = Type.Object(
  {
    bodyId: Type.String({ minLength: 1, maxLength: 63 }),
    login: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,62}$' }),
    fullName: Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' }),
    position: Type.String({ minLength: 1, maxLength: 300, pattern: '\\S' }),
    roles: RolesSchema,
    /** Contacts printed under the officer's signature on paper forms (R10.a). */
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254, pattern: OFFICER_EMAIL_PATTERN })),
    // Length and strength are the password policy's (ASVS V2.1), checked with its own codes.
    password: Type.Optional(Type.String({ minLength: 1, description: 'от 12 до 128 символов; см. политику паролей' })),
  },
  { additionalProperties: false },
);
export type AddOfficerInput = Static<typeof AddOfficerInput>;

export const OFFICER_LABELS = {
  bodyId: 'орган',
  login: 'имя входа',
  fullName: 'ФИО',
  position: 'должность',
  roles: 'роли',
  'roles[]': 'роль',
  password: 'пароль',
  phone: 'телефон',
  email: 'электронная почта',
};

export interface OfficerView {
  readonly id: string;
  readonly bodyId: string;
  readonly login: string;
  readonly fullName: string;
  readonly position: string;
  readonly roles: readonly Role[];
  readonly disabled: boolean;
  readonly lockedUntil: string | null;
  readonly createdAt: string;
}

type OfficerRow = {
  id: string;
  body_id: string;
  login: string;
  full_name: string;
  position: string;
  roles: string[];
  disabled_at: Date | null;
  locked_until: Date | null;
  created_at: Date;
};

/** The public shape of an officer row: never the password hash. */
export function toOfficerView(r: OfficerRow): OfficerView {
  return {
    id: r.id,
    bodyId: r.body_id,
    login: r.login,
    fullName: r.full_name,
    position: r.position,
    roles: r.roles.filter((x): x is Role => (ROLES as readonly string[]).includes(x)),
    disabled: r.disabled_at !== null,
    lockedUntil: r.locked_until ? r.locked_until.toISOString() : null,
    createdAt: r.created_at.toISOString(),
  };
}

export const OFFICER_COLUMNS = [
  'id',
  'body_id',
  'login',
  'full_name',
  'position',
  'roles',
  'disabled_at',
  'locked_until',
  'created_at',
] as const;

/** Checks the input without touching the store (also used by `eix node init` before it writes anything). */
export function parseAddOfficerInput(input: unknown): AddOfficerInput {
  const problems = checkSchema(AddOfficerInput, input, OFFICER_LABELS);
  const first = problems[0];
  if (first) {
    const message =
      first.path === 'login' && first.code === 'schema.pattern'
        ? 'login: имя входа — от 2 до 63 символов: строчные латинские буквы, цифры, точка, дефис, подчёркивание'
        : `${first.path}: ${first.message}`;
    throw new EixError('input.invalid', { field: first.path, problems }, message);
  }
  const v = input as AddOfficerInput;
  if (v.password !== undefined)
    requirePasswordPolicy(v.password, { login: v.login, fullName: v.fullName }, 'password', 'password: пароль');
  return v;
}

export async function addOfficer(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ officer: OfficerView; password: string; pendingGrant?: PendingGrant }> {
  requireAdmin(actor);
  const v = parseAddOfficerInput(input);
  const password = v.password ?? generatePassword({ login: v.login, fullName: v.fullName });
  const passwordHash = await hashPassword(password);
  // An admin creating an account with casework roles: it starts without them, and they wait for a second admin.
  const held = actor.kind === 'officer' ? v.roles.filter((r) => addedCasework([], [r]).length === 0) : v.roles;
  let pendingGrant: PendingGrant | undefined;
  try {
    const officer = await ctx.db.transaction().execute(async (tx) => {
      const body = await tx.selectFrom('bodies').select(['id', 'party']).where('id', '=', v.bodyId).executeTakeFirst();
      if (!body || body.party !== ctx.party)
        throw new EixError('body.not_found', { field: 'bodyId', id: v.bodyId }, `bodyId: орган ${v.bodyId} не найден`);
      const row = await tx
        .insertInto('officers')
        .values({
          body_id: v.bodyId,
          login: v.login,
          full_name: v.fullName.trim(),
          position: v.position.trim(),
          roles: [...held],
          password_hash: passwordHash,
          password_must_change: true,
          phone: v.phone?.trim() ?? null,
          email: v.email?.trim() ?? null,
          locked_until: null,
          disabled_at: null,
          created_at: ctx.clock.now(),
        })
        .returning(OFFICER_COLUMNS)
        .executeTakeFirstOrThrow();
      if (held.length < v.roles.length) {
        const reasons = await adminControl(tx, { id: row.id, roles: held, password_must_change: true }, v.roles, true);
        pendingGrant = await requestRoleGrant(tx, ctx, actor, {
          officerId: row.id,
          bodyId: row.body_id,
          login: row.login,
          roles: v.roles,
          previousRoles: held,
          reasons,
        });
      }
      await appendAudit(tx, ctx, actor, {
        action: 'officer.add',
        bodyId: row.body_id,
        subject: row.id,
        details: {
          login: row.login,
          roles: row.roles,
          passwordGenerated: v.password === undefined,
          ...(pendingGrant ? { pendingGrant: pendingGrant.id } : {}),
        },
      });
      return toOfficerView(row);
    });
    return { officer, password, ...(pendingGrant ? { pendingGrant } : {}) };
  } catch (e) {
    if ((e as { code?: unknown }).code === '23505')
      throw new EixError(
        'officer.exists',
        { field: 'login', login: v.login },
        `login: пользователь ${v.login} уже существует`,
      );
    throw e;
  }
}
