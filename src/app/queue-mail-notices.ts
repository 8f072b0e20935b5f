// Issue 17 item 3: turns new events of the node's log into letters to officers
// (mail_outbox) or into items of their daily digest (mail_digest_items). Like
// the webhooks (decision 40), a consumer of the one log with its own cursor:
// recordEvent stays as it is, and the cursor moves in the transaction that
// queues, so an event is queued once whatever runs twice (the cursor row is
// locked FOR UPDATE SKIP LOCKED: one process queues at a time).
//
// Who is written to: exactly the officers the notice is for (isToldOf, the twin
// of noticeScope: his body's events — a `central` officer's every body's — of a
// request he may open, R16, R18), holding a casework role, not blocked, with an
// e-mail address, whose choice for the event's topic is not «Не присылать».
import { CASEWORK_ROLES, isToldOf } from './authorize.js';
import type { AppContext, Officer } from './context.js';
import { toOfficer } from './authenticate.js';
import type { AnyEvent } from '../domain/events.js';
import {
  MAIL_DEFAULT_DELIVERY,
  MAIL_EVENT_MAX_AGE_MS,
  MAIL_TOPIC_OF,
  noticeLetter,
  type LetterEvent,
  type LetterRequest,
  type MailDelivery,
  type MailTopic,
} from '../domain/mail.js';
import { partyTimeZone } from '../domain/parties.js';
import type { Tx } from '../ports/store.js';

/** Events looked at per round. */
const QUEUE_BATCH = 500;

/** An officer who may get letters, as the queue needs him. */
export interface MailRecipient {
  readonly officer: Officer;
  readonly bodyKind: string;
  readonly email: string;
  readonly timeZone: string;
  readonly delivery: (topic: MailTopic) => MailDelivery;
}

/** Officers with an address, not blocked, working with requests; with their choices. */
export async function mailRecipients(tx: Tx): Promise<MailRecipient[]> {
  const rows = await tx
    .selectFrom('officers as o')
    .innerJoin('bodies as b', 'b.id', 'o.body_id')
    .select([
      'o.id',
      'o.login',
      'o.full_name',
      'o.position',
      'o.body_id',
      'o.roles',
      'o.email',
      'b.kind',
      'b.party',
      'b.time_zone',
    ])
    .where('o.email', 'is not', null)
    .where('o.disabled_at', 'is', null)
    .execute();
  const officers = rows.filter((r) => CASEWORK_ROLES.some((role) => r.roles.includes(role)));
  if (officers.length === 0) return [];
  const prefs = await tx
    .selectFrom('mail_preferences')
    .select(['officer_id', 'topic', 'delivery'])
    .where(
      'officer_id',
      'in',
      officers.map((o) => o.id),
    )
    .execute();
  const chosen = new Map(prefs.map((p) => [`${p.officer_id} ${p.topic}`, p.delivery]));
  return officers.map((r) => ({
    officer: toOfficer(r),
    bodyKind: r.kind,
    email: r.email!,
    timeZone: r.time_zone ?? partyTimeZone(r.party),
    delivery: (topic) => chosen.get(`${r.id} ${topic}`) ?? MAIL_DEFAULT_DELIVERY,
  }));
}

/** The node's address for links; set by main.ts from EIX_PUBLIC_URL. */
export function publicUrlOf(ctx: AppContext): string {
  if (!ctx.publicUrl) throw new Error('the node has no public URL (EIX_PUBLIC_URL) for links in letters');
  return ctx.publicUrl;
}

/**
 * Queues letters and digest items for the events after the mail cursor (one batch); returns how many
 * events it looked at (0: nothing new, or another process is queuing).
 */
export async function queueMailNotices(ctx: AppContext): Promise<number> {
  const baseUrl = publicUrlOf(ctx);
  return ctx.db.transaction().execute(async (tx) => {
    const cursor = await tx.selectFrom('mail_cursor').select('after_id').forUpdate().skipLocked().executeTakeFirst();
    if (!cursor) return 0;
    const events = await tx
      .selectFrom('events as e')
      .leftJoin('requests as r', 'r.id', 'e.request_id')
      .select([
        'e.id',
        'e.kind',
        'e.body_id',
        'e.occurred_at',
        'e.data',
        'r.id as request_id',
        'r.number',
        'r.counterpart_party',
        'r.deadline',
        'r.body_id as request_body',
        'r.confidential',
      ])
      .where('e.id', '>', String(cursor.after_id))
      .orderBy('e.id')
      .limit(QUEUE_BATCH)
      .execute();
    if (events.length === 0) return 0;
    const now = ctx.clock.now();
    const mailed = events.filter(
      (e) =>
        MAIL_TOPIC_OF[e.kind] !== null &&
        e.request_id !== null &&
        now.getTime() - new Date(e.occurred_at).getTime() <= MAIL_EVENT_MAX_AGE_MS,
    );
    const recipients = mailed.length > 0 ? await mailRecipients(tx) : [];
    const letters = [];
    const digestItems = [];
    for (const e of mailed) {
      const topic = MAIL_TOPIC_OF[e.kind]!;
      const request: LetterRequest = {
        id: e.request_id!,
        number: e.number!,
        counterpartParty: e.counterpart_party!,
        deadline: e.deadline ?? null,
      };
      const event = { kind: e.kind, data: e.data, occurredAt: new Date(e.occurred_at) } as LetterEvent & AnyEvent;
      for (const r of recipients) {
        const delivery = r.delivery(topic);
        if (delivery === 'none') continue;
        if (!isToldOf(r.officer, r.bodyKind, e, { body_id: e.request_body!, confidential: e.confidential! })) continue;
        if (delivery === 'digest') {
          digestItems.push({ officer_id: r.officer.officerId, event_id: String(e.id), queued_at: now });
          continue;
        }
        const letter = noticeLetter(event, request, { baseUrl, timeZone: r.timeZone })!;
        letters.push({
          officer_id: r.officer.officerId,
          event_id: String(e.id),
          recipient: r.email,
          subject: letter.subject,
          body: letter.text,
          next_attempt_at: now,
          created_at: now,
        });
      }
    }
    // Chunks keep each statement's parameters well under the protocol's limit.
    for (let i = 0; i < letters.length; i += 500)
      await tx
        .insertInto('mail_outbox')
        .values(letters.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['officer_id', 'event_id']).doNothing())
        .execute();
    for (let i = 0; i < digestItems.length; i += 1000)
      await tx
        .insertInto('mail_digest_items')
        .values(digestItems.slice(i, i + 1000))
        .onConflict((oc) => oc.columns(['officer_id', 'event_id']).doNothing())
        .execute();
    await tx
      .updateTable('mail_cursor')
      .set({ after_id: String(events[events.length - 1]!.id) })
      .execute();
    return events.length;
  });
}
