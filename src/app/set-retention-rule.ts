// R9.6: how long data received from a requesting Party is kept, per Party
// (its legislation or the request may demand a period). Admin only; upsert.
import Type, { type Static } from 'typebox';
import { appendAudit } from './audit.js';
import { requireAdmin } from './authorize.js';
import { parseInput } from './input.js';
import type { Actor, AppContext } from './context.js';

export const SetRetentionRuleInput = Type.Object(
  {
    party: Type.String({ pattern: '^[A-Z]{2}$' }),
    months: Type.Integer({ minimum: 1, maximum: 1200 }),
    legalBasis: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }),
  },
  { additionalProperties: false },
);
export type SetRetentionRuleInput = Static<typeof SetRetentionRuleInput>;

export interface RetentionRule {
  readonly party: string;
  readonly months: number;
  readonly legalBasis: string;
  readonly updatedAt: string;
}

export function toRetentionRule(r: {
  party: string;
  months: number;
  legal_basis: string;
  updated_at: Date;
}): RetentionRule {
  return { party: r.party, months: r.months, legalBasis: r.legal_basis, updatedAt: r.updated_at.toISOString() };
}

export async function setRetentionRule(ctx: AppContext, actor: Actor, input: unknown): Promise<RetentionRule> {
  requireAdmin(actor);
  const v = parseInput(SetRetentionRuleInput, input, {
    party: 'Сторона (код ISO 3166)',
    months: 'срок хранения, месяцев',
    legalBasis: 'правовое основание',
  });
  return ctx.db.transaction().execute(async (tx) => {
    const previous = await tx
      .selectFrom('retention_rules')
      .select(['months', 'legal_basis'])
      .where('party', '=', v.party)
      .executeTakeFirst();
    const row = await tx
      .insertInto('retention_rules')
      .values({ party: v.party, months: v.months, legal_basis: v.legalBasis.trim(), updated_at: ctx.clock.now() })
      .onConflict((oc) =>
        oc.column('party').doUpdateSet((eb) => ({
          months: eb.ref('excluded.months'),
          legal_basis: eb.ref('excluded.legal_basis'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, ctx, actor, {
      action: 'retention.set',
      subject: v.party,
      details: {
        months: row.months,
        legalBasis: row.legal_basis,
        ...(previous ? { previousMonths: previous.months } : {}),
      },
    });
    return toRetentionRule(row);
  });
}
