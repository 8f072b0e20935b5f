// R9.6: which retention rules this node needs and does not have. The
// requesting Party's law governs (decision 26): this node's own Party for its
// outgoing requests (always needed), each Party that sent requests here for
// the incoming ones. While a rule is missing, that data is never destroyed —
// the admin page, the node log and the purge result say so.
import { dataKindsOf, ruleFor, type DataKind, type RetentionRuleRef } from '../domain/retention.js';
import type { Tx } from '../ports/store.js';
import type { Actor, AppContext } from './context.js';

export interface MissingRetentionRule {
  /** The Party whose law sets the period (the requesting Party). */
  readonly party: string;
  /** The kinds of data with neither a rule of their own nor the Party's general rule. */
  readonly kinds: readonly DataKind[];
  /** How many stored requests hold such data (own Party: outgoing; other Parties: incoming from them). */
  readonly requests: number;
}

export interface RetentionRulesCheck {
  readonly missing: readonly MissingRetentionRule[];
}

export async function loadRetentionRules(db: Tx | AppContext['db']): Promise<RetentionRuleRef[]> {
  return (await db.selectFrom('retention_rules').selectAll().orderBy('party').orderBy('kind').execute()).map((r) => ({
    party: r.party,
    kind: r.kind,
    months: r.months,
    legalBasis: r.legal_basis,
  }));
}

export async function checkRetentionRules(ctx: AppContext, _actor: Actor, outer?: Tx): Promise<RetentionRulesCheck> {
  const db = outer ?? ctx.db;
  const rules = await loadRetentionRules(db);
  const counts = await db
    .selectFrom('requests')
    .select(['direction', 'counterpart_party', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['direction', 'counterpart_party'])
    .execute();
  const outgoing = counts.filter((c) => c.direction === 'outgoing').reduce((s, c) => s + Number(c.n), 0);
  const needed = new Map<string, { kinds: Set<DataKind>; requests: number }>();
  needed.set(ctx.party, { kinds: new Set(dataKindsOf('outgoing')), requests: outgoing });
  for (const c of counts.filter((x) => x.direction === 'incoming')) {
    const n = needed.get(c.counterpart_party) ?? { kinds: new Set<DataKind>(), requests: 0 };
    for (const k of dataKindsOf('incoming')) n.kinds.add(k);
    needed.set(c.counterpart_party, { kinds: n.kinds, requests: n.requests + Number(c.n) });
  }
  const missing: MissingRetentionRule[] = [];
  for (const [party, n] of [...needed].sort(([a], [b]) => a.localeCompare(b))) {
    const kinds = [...n.kinds].filter((k) => ruleFor(rules, party, k) === null);
    if (kinds.length) missing.push({ party, kinds, requests: n.requests });
  }
  return { missing };
}
