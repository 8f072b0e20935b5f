// Issue 17 item 3: an officer's e-mail notices as his settings page shows them —
// his address (set by an administrator), whether the node sends mail at all,
// the digest's hour in his body's time, and his choice per topic.
import {
  DEFAULT_DIGEST_HOUR,
  MAIL_DEFAULT_DELIVERY,
  MAIL_TOPICS,
  MAIL_TOPIC_LABELS_RU,
  type MailDelivery,
  type MailTopic,
} from '../domain/mail.js';
import { partyTimeZone } from '../domain/parties.js';
import { CASEWORK_ROLES, requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';

export interface MailPreferences {
  /** Where letters go; null: none are sent (an administrator sets the address). */
  readonly email: string | null;
  /** The node has an SMTP server (EIX_SMTP_URL); without it no letter is sent. */
  readonly mailConfigured: boolean;
  /** The digest's local hour (of the officer's body). */
  readonly digestHour: number;
  readonly timeZone: string;
  readonly topics: readonly { readonly topic: MailTopic; readonly label: string; readonly delivery: MailDelivery }[];
}

export async function getMailPreferences(ctx: AppContext, actor: Actor): Promise<MailPreferences> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const me = await ctx.db
    .selectFrom('officers as o')
    .innerJoin('bodies as b', 'b.id', 'o.body_id')
    .select(['o.email', 'b.party', 'b.time_zone'])
    .where('o.id', '=', o.officerId)
    .executeTakeFirstOrThrow();
  const rows = await ctx.db
    .selectFrom('mail_preferences')
    .select(['topic', 'delivery'])
    .where('officer_id', '=', o.officerId)
    .execute();
  const chosen = new Map(rows.map((r) => [r.topic, r.delivery]));
  return {
    email: me.email,
    mailConfigured: ctx.mail !== undefined,
    digestHour: ctx.mail?.digestHour ?? DEFAULT_DIGEST_HOUR,
    timeZone: me.time_zone ?? partyTimeZone(me.party),
    topics: MAIL_TOPICS.map((topic) => ({
      topic,
      label: MAIL_TOPIC_LABELS_RU[topic],
      delivery: chosen.get(topic) ?? MAIL_DEFAULT_DELIVERY,
    })),
  };
}
