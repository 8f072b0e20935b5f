// R18: where a central body may forward an incoming request — the Party's designated territorial bodies,
// the one serving the debtor's address first (data/regions), each with its open workload. The officer chooses.
import { sql } from 'kysely';
import { regionOf, type Region } from '../domain/regions.js';
import type { Request } from '../domain/request.js';
import { OPEN_STATES } from '../domain/workflow.js';
import { appendAudit } from './audit.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { forwardTargets, requireForwarding } from './forward-request.js';
import { loadRequest } from './request-record.js';

export interface ForwardCandidate {
  readonly id: string;
  readonly name: string;
  /** Open incoming requests the body holds now (received, in work, postponed, partly answered). */
  readonly openIncoming: number;
  /** The body serves the region of the debtor's address. */
  readonly suggested: boolean;
}

export interface ForwardCandidates {
  readonly requestId: string;
  /** The suggested body first, then by name. */
  readonly candidates: readonly ForwardCandidate[];
  /** The region the debtor's address names («г. Алматы»), whether or not a body here serves it; null: none. */
  readonly region: string | null;
  /** The suggested body's id: the region's body, when it is a candidate. */
  readonly suggestedBodyId: string | null;
}

export async function listForwardCandidates(
  ctx: AppContext,
  actor: Actor,
  input: { requestId: string },
): Promise<ForwardCandidates> {
  const o = requireRole(actor, 'central');
  return ctx.db.transaction().execute(async (tx) => {
    const row = await loadRequest(tx, o, input.requestId, { act: false });
    const from = await requireForwarding(tx, o, row);
    const targets = await forwardTargets(tx, ctx, from);
    const counts = targets.length
      ? await tx
          .selectFrom('requests')
          .select(['body_id', sql<number>`count(*)::int`.as('n')])
          .where('direction', '=', 'incoming')
          .where('state', 'in', [...OPEN_STATES])
          .where(
            'body_id',
            'in',
            targets.map((b) => b.id),
          )
          .groupBy('body_id')
          .execute()
      : [];
    const workload = new Map(counts.map((c) => [c.body_id, Number(c.n)]));
    // R9.1: the debtor's address is received personal data: read with a trace.
    let region: Region | null = null;
    const table = row.document_enc ? await ctx.regions?.(from.party) : null;
    if (table && row.document_enc) {
      const doc = ctx.sealer.decryptJson<Request>(row.document_enc, `request:${row.id}`);
      await appendAudit(tx, ctx, o, {
        action: 'personal_data.read',
        bodyId: row.body_id,
        requestId: row.id,
        subject: row.number,
        details: { parts: ['request'] },
      });
      region = regionOf(table, doc.debtor?.address);
    }
    const suggestedBodyId = region && targets.some((b) => b.id === region.body) ? region.body : null;
    const candidates = targets
      .map((b) => ({
        id: b.id,
        name: b.name,
        openIncoming: workload.get(b.id) ?? 0,
        suggested: b.id === suggestedBodyId,
      }))
      .sort((a, b) => Number(b.suggested) - Number(a.suggested) || a.name.localeCompare(b.name, 'ru'));
    return { requestId: row.id, candidates, region: region?.name ?? null, suggestedBodyId };
  });
}
