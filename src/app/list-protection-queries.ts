// R9.5: what this node says about its own protection measures, the Parties it
// may ask today, and the questions it asked with their answers (newest first).
import { partyDay } from '../domain/parties.js';
import { partyName } from '../domain/vocabulary.js';
import { boundParties } from '../domain/treaty.js';
import { PROTECTION_QUERY_ROLES } from './ask-protection-measures.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { getProtectionStatement } from './get-protection-statement.js';
import type { ProtectionStatement } from './set-protection-statement.js';

export interface ProtectionQueryView {
  readonly id: string;
  readonly party: string;
  readonly body: string;
  readonly fromBody: string;
  readonly askedAt: string;
  readonly answeredAt: string | null;
  readonly measures: string | null;
  readonly retention: string | null;
  readonly contact: string | null;
}

export interface ProtectionQueries {
  readonly statement: ProtectionStatement | null;
  /** Parties bound with this one today (who may be asked), with Russian names. */
  readonly parties: { code: string; name: string }[];
  readonly queries: ProtectionQueryView[];
}

export async function listProtectionQueries(ctx: AppContext, actor: Actor): Promise<ProtectionQueries> {
  requireRole(actor, ...PROTECTION_QUERY_ROLES);
  const today = partyDay(ctx.clock.now(), ctx.party);
  const rows = await ctx.db
    .selectFrom('protection_queries')
    .selectAll()
    .orderBy('asked_at', 'desc')
    .limit(200)
    .execute();
  const bound = boundParties(ctx.treaty(), today);
  return {
    statement: await getProtectionStatement(ctx),
    parties: bound.includes(ctx.party)
      ? bound.filter((p) => p !== ctx.party).map((code) => ({ code, name: partyName(code) }))
      : [],
    queries: rows.map((r) => ({
      id: r.id,
      party: r.to_party,
      body: r.to_body,
      fromBody: r.from_body,
      askedAt: r.asked_at.toISOString(),
      answeredAt: r.answered_at?.toISOString() ?? null,
      measures: r.measures,
      retention: r.retention,
      contact: r.contact,
    })),
  };
}
