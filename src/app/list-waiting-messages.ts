// Messages this node holds back (docs/MESSAGES.md §3.1): a recipient whose node
// does not speak their type yet, or a trust registry past its maximum age. For
// the administrator: what waits, for which Party, since when and why. Outbox
// rows hold references only, no personal data.
import { sql } from 'kysely';
import type { MessageType } from '../domain/messages.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';

export interface WaitingMessage {
  readonly messageId: string;
  readonly type: MessageType;
  readonly toParty: string;
  readonly since: string;
  /** The reason in Russian, without its code. */
  readonly reason: string;
}

export async function listWaitingMessages(ctx: AppContext, actor: Actor): Promise<WaitingMessage[]> {
  requireRole(actor, 'admin', 'supervisor');
  const rows = await ctx.db
    .selectFrom('outbox')
    .select(['message_id', 'type', 'to_party', 'created_at', 'last_error'])
    .where('status', '=', 'pending')
    .where(sql<boolean>`last_error like 'protocol.unsupported:%' or last_error like 'registry.stale:%'`)
    .orderBy('id')
    .limit(200)
    .execute();
  return rows.map((r) => ({
    messageId: r.message_id,
    type: r.type,
    toParty: r.to_party,
    since: new Date(r.created_at).toISOString(),
    reason: (r.last_error ?? '').replace(/^[a-z_.]+: /, ''),
  }));
}
