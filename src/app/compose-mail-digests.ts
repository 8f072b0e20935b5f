// Issue 17 item 3: the daily digest — for each officer who chose «В ежедневной
// сводке» for some topic, one letter a day at the configured local hour of his
// body (EIX_MAIL_DIGEST_HOUR), listing the notices of events before that hour
// not yet sent. One letter per officer and slot (unique in mail_outbox): an
// item that arrives after its slot's letter waits for the next one. The
// officer's row is locked while his digest is made, so two processes make it
// once.
import type { AnyEvent } from '../domain/events.js';
import { DEFAULT_DIGEST_HOUR, digestLetter, digestSlot, type LetterEvent } from '../domain/mail.js';
import { partyTimeZone } from '../domain/parties.js';
import type { AppContext } from './context.js';
import { publicUrlOf } from './queue-mail-notices.js';

/** Makes the digests that are due; returns how many letters it queued. */
export async function composeMailDigests(ctx: AppContext): Promise<number> {
  const baseUrl = publicUrlOf(ctx);
  const hour = ctx.mail?.digestHour ?? DEFAULT_DIGEST_HOUR;
  const waiting = await ctx.db
    .selectFrom('mail_digest_items')
    .select('officer_id')
    .distinct()
    .where('letter_id', 'is', null)
    .execute();
  let made = 0;
  for (const { officer_id: officerId } of waiting) {
    made += await ctx.db.transaction().execute(async (tx) => {
      const officer = await tx
        .selectFrom('officers')
        .select(['id', 'email', 'disabled_at', 'body_id'])
        .where('id', '=', officerId)
        .forNoKeyUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!officer) return 0;
      if (!officer.email || officer.disabled_at) {
        // No address any more, or blocked: his waiting notices are not mailed (they stay on his notices page).
        await tx
          .deleteFrom('mail_digest_items')
          .where('officer_id', '=', officerId)
          .where('letter_id', 'is', null)
          .execute();
        return 0;
      }
      const body = await tx
        .selectFrom('bodies')
        .select(['party', 'time_zone'])
        .where('id', '=', officer.body_id)
        .executeTakeFirstOrThrow();
      const timeZone = body.time_zone ?? partyTimeZone(body.party);
      const now = ctx.clock.now();
      const slot = digestSlot(now, timeZone, hour);
      const sent = await tx
        .selectFrom('mail_outbox')
        .select('id')
        .where('officer_id', '=', officerId)
        .where('digest_slot', '=', slot)
        .executeTakeFirst();
      if (sent) return 0;
      const rows = await tx
        .selectFrom('mail_digest_items as i')
        .innerJoin('events as e', 'e.id', 'i.event_id')
        .innerJoin('requests as r', 'r.id', 'e.request_id')
        .select([
          'e.id',
          'e.kind',
          'e.data',
          'e.occurred_at',
          'r.id as request_id',
          'r.number',
          'r.counterpart_party',
          'r.deadline',
        ])
        .where('i.officer_id', '=', officerId)
        .where('i.letter_id', 'is', null)
        .where('e.occurred_at', '<', slot)
        .orderBy('e.id')
        .execute();
      if (rows.length === 0) return 0;
      const letter = digestLetter(
        rows.map((r) => ({
          event: { kind: r.kind, data: r.data, occurredAt: new Date(r.occurred_at) } as LetterEvent & AnyEvent,
          request: { id: r.request_id, number: r.number, counterpartParty: r.counterpart_party, deadline: r.deadline },
        })),
        slot,
        { baseUrl, timeZone },
      );
      const { id } = await tx
        .insertInto('mail_outbox')
        .values({
          officer_id: officerId,
          digest_slot: slot,
          recipient: officer.email,
          subject: letter.subject,
          body: letter.text,
          next_attempt_at: now,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const ids = rows.map((r) => String(r.id));
      for (let i = 0; i < ids.length; i += 1000)
        await tx
          .updateTable('mail_digest_items')
          .set({ letter_id: String(id) })
          .where('officer_id', '=', officerId)
          .where('event_id', 'in', ids.slice(i, i + 1000))
          .execute();
      return 1;
    });
  }
  return made;
}
