// Issue 17 item 3: the letters to officers as the health page shows them —
// whether the node sends mail (its SMTP server's host, never the URL), the
// queue by state, the oldest letter waiting, and the letters that failed or
// are being retried with their attempts and the Russian reason. An
// administrator sees the node's; a supervisor his body's officers' letters.
import { sql } from 'kysely';
import { mailErrorRu } from '../domain/mail.js';
import { requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';

export type MailStatus = 'pending' | 'sending' | 'delivered' | 'failed';

export interface MailLetterState {
  readonly id: string;
  readonly recipient: string;
  readonly officerName: string;
  readonly subject: string;
  readonly status: MailStatus;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly lastAttemptAt: Date | null;
  readonly nextAttemptAt: Date;
  readonly reasonRu: string;
}

export interface MailQueue {
  readonly configured: boolean;
  /** The SMTP server's host and port. */
  readonly server: string | null;
  readonly byStatus: Readonly<Record<MailStatus, number>>;
  readonly oldestWaitingAt: Date | null;
  /** Failed letters first, then those waiting for another attempt; newest first; at most 50. */
  readonly troubled: readonly MailLetterState[];
}

export async function getMailQueue(ctx: AppContext, actor: Actor): Promise<MailQueue> {
  const o = requireRole(actor, 'admin', 'supervisor');
  const own = !o.roles.includes('admin');
  const base = () => {
    const q = ctx.db.selectFrom('mail_outbox as m').innerJoin('officers as o', 'o.id', 'm.officer_id');
    return own ? q.where('o.body_id', '=', o.bodyId) : q;
  };
  const counts = await base()
    .select(['m.status', sql<string>`count(*)`.as('n')])
    .groupBy('m.status')
    .execute();
  const byStatus: Record<MailStatus, number> = { pending: 0, sending: 0, delivered: 0, failed: 0 };
  for (const c of counts) byStatus[c.status] = Number(c.n);
  const oldest = await base()
    .select(sql<Date | null>`min(m.created_at)`.as('at'))
    .where('m.status', 'in', ['pending', 'sending'])
    .executeTakeFirstOrThrow();
  const rows = await base()
    .select([
      'm.id',
      'm.recipient',
      'o.full_name',
      'm.subject',
      'm.status',
      'm.attempts',
      'm.created_at',
      'm.last_attempt_at',
      'm.next_attempt_at',
      'm.last_error',
    ])
    .where((eb) =>
      eb.or([
        eb('m.status', '=', 'failed'),
        eb.and([eb('m.status', 'in', ['pending', 'sending']), eb('m.last_error', 'is not', null)]),
      ]),
    )
    .orderBy((eb) => eb.case().when('m.status', '=', 'failed').then(0).else(1).end())
    .orderBy('m.id', 'desc')
    .limit(50)
    .execute();
  return {
    configured: ctx.mail !== undefined,
    server: ctx.mail?.server ?? null,
    byStatus,
    oldestWaitingAt: oldest.at ? new Date(oldest.at) : null,
    troubled: rows.map((r) => ({
      id: String(r.id),
      recipient: r.recipient,
      officerName: r.full_name,
      subject: r.subject,
      status: r.status,
      attempts: r.attempts,
      createdAt: new Date(r.created_at),
      lastAttemptAt: r.last_attempt_at ? new Date(r.last_attempt_at) : null,
      nextAttemptAt: new Date(r.next_attempt_at),
      reasonRu: mailErrorRu(r.last_error),
    })),
  };
}
