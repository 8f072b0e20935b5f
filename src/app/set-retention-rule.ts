// R9.6: how long data is kept under the law of a requesting Party, per Party
// and kind of data (`all` = the Party's general period; decision 26). The
// Party must be a signatory or a Party the trust registry knows. Admin only; upsert.
import Type, { type Static } from 'typebox';
import { EixError } from '../domain/errors.js';
import { isSignatory } from '../domain/parties.js';
import { RETENTION_KINDS, type RetentionKind } from '../domain/retention.js';
import { appendAudit } from './audit.js';
import { requireAdmin } from './authorize.js';
import { parseInput } from './input.js';
import type { Actor, AppContext } from './context.js';

export const SetRetentionRuleInput = Type.Object(
  {
    party: Type.String({ pattern: '^[A-Z]{2}$' }),
    kind: Type.Optional(Type.Enum(RETENTION_KINDS)),
    months: Type.Integer({ minimum: 1, maximum: 1200 }),
    legalBasis: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }),
  },
  { additionalProperties: false },
);
export type SetRetentionRuleInput = Static<typeof SetRetentionRuleInput>;

export interface RetentionRule {
  readonly party: string;
  readonly kind: RetentionKind;
  readonly months: number;
  readonly legalBasis: string;
  readonly updatedAt: string;
}

export function toRetentionRule(r: {
  party: string;
  kind: RetentionKind;
  months: number;
  legal_basis: string;
  updated_at: Date;
}): RetentionRule {
  return {
    party: r.party,
    kind: r.kind,
    months: r.months,
    legalBasis: r.legal_basis,
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function setRetentionRule(ctx: AppContext, actor: Actor, input: unknown): Promise<RetentionRule> {
  requireAdmin(actor);
  const v = parseInput(SetRetentionRuleInput, input, {
    party: 'Сторона (код ISO 3166)',
    kind: 'вид сведений',
    months: 'срок хранения, месяцев',
    legalBasis: 'правовое основание',
  });
  if (!isSignatory(v.party) && !Object.hasOwn(ctx.treaty().parties, v.party))
    throw new EixError('input.party', { field: 'party', party: v.party }, `${v.party} не является Стороной Соглашения`);
  const kind = v.kind ?? 'all';
  return ctx.db.transaction().execute(async (tx) => {
    const previous = await tx
      .selectFrom('retention_rules')
      .select(['months', 'legal_basis'])
      .where('party', '=', v.party)
      .where('kind', '=', kind)
      .executeTakeFirst();
    const row = await tx
      .insertInto('retention_rules')
      .values({ party: v.party, kind, months: v.months, legal_basis: v.legalBasis.trim(), updated_at: ctx.clock.now() })
      .onConflict((oc) =>
        oc.columns(['party', 'kind']).doUpdateSet((eb) => ({
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
        kind,
        months: row.months,
        legalBasis: row.legal_basis,
        ...(previous ? { previousMonths: previous.months } : {}),
      },
    });
    return toRetentionRule(row);
  });
}
