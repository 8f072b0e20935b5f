// The password strength meter (ASVS V2.1.8): an officer typing a new password
// sees the verdict of the same policy that will accept or refuse it. For his
// own password the login and name are his; on the admin's new-user form they
// are the ones typed in that form.
import Type from 'typebox';
import { EixError } from '../domain/errors.js';
import { checkPassword, type PasswordCheck, type PasswordContext } from '../domain/password-policy.js';
import { requireRole } from './authorize.js';
import { ROLES, type Actor, type AppContext } from './context.js';
import { parseInput } from './input.js';

export const EstimatePasswordInput = Type.Object(
  {
    password: Type.String({ maxLength: 4096 }),
    login: Type.Optional(Type.String({ maxLength: 300 })),
    fullName: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);

export function estimatePassword(_ctx: AppContext, actor: Actor, input: unknown): PasswordCheck {
  const o = requireRole(actor, ...ROLES);
  const p = parseInput(EstimatePasswordInput, input, { password: 'пароль', login: 'имя входа', fullName: 'ФИО' });
  return checkPassword(p.password, { login: p.login ?? o.login, fullName: p.fullName ?? o.fullName });
}

/** Throws the policy's coded error for a password being set; `label` names the field in Russian. */
export function requirePasswordPolicy(password: string, context: PasswordContext, field: string, label: string): void {
  const { problem } = checkPassword(password, context);
  if (problem) throw new EixError(problem.code, { field }, `${label} — ${problem.message}`);
}
