// R9.5: the node's statement on how received personal data is protected
// (measures, retention, contact), shown to the other Parties and to users.
import Type from 'typebox';
import { appendAudit } from './audit.js';
import { requireAdmin } from './authorize.js';
import { parseInput } from './input.js';
import type { Actor, AppContext } from './context.js';

export const PROTECTION_STATEMENT_KEY = 'protection_statement';

export const SetProtectionStatementInput = Type.Object(
  {
    measures: Type.String({ minLength: 1, maxLength: 20_000, pattern: '\\S' }),
    retention: Type.String({ minLength: 1, maxLength: 5_000, pattern: '\\S' }),
    contact: Type.Optional(Type.String({ minLength: 1, maxLength: 1_000, pattern: '\\S' })),
  },
  { additionalProperties: false },
);

export interface ProtectionStatement {
  readonly measures: string;
  readonly retention: string;
  readonly contact?: string;
  readonly updatedAt: string;
}

export async function setProtectionStatement(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<ProtectionStatement> {
  requireAdmin(actor);
  const v = parseInput(SetProtectionStatementInput, input, {
    measures: 'меры защиты данных',
    retention: 'сроки хранения',
    contact: 'контакт',
  });
  const now = ctx.clock.now();
  const statement: ProtectionStatement = {
    measures: v.measures.trim(),
    retention: v.retention.trim(),
    ...(v.contact !== undefined ? { contact: v.contact.trim() } : {}),
    updatedAt: now.toISOString(),
  };
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('node_settings')
      .values({ key: PROTECTION_STATEMENT_KEY, value: JSON.stringify(statement), updated_at: now })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: eb.ref('excluded.updated_at') })),
      )
      .execute();
    await appendAudit(tx, ctx, actor, {
      action: 'protection_statement.set',
      subject: PROTECTION_STATEMENT_KEY,
      details: { ...statement },
    });
  });
  return statement;
}
