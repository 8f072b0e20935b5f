// Issue 17 item 3: an officer chooses, per topic, whether a letter comes at
// once, in the daily digest or not at all (his own choice only; audited).
import Type from 'typebox';
import {
  MAIL_DELIVERIES,
  MAIL_TOPICS,
  MAIL_TOPIC_LABELS_RU,
  type MailDelivery,
  type MailTopic,
} from '../domain/mail.js';
import { appendAudit } from './audit.js';
import { CASEWORK_ROLES, requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import { getMailPreferences, type MailPreferences } from './get-mail-preferences.js';
import { parseInput } from './input.js';

const Delivery = Type.Union(MAIL_DELIVERIES.map((d) => Type.Literal(d)));

export const SetMailPreferencesInput = Type.Object(
  {
    topics: Type.Object(Object.fromEntries(MAIL_TOPICS.map((t) => [t, Type.Optional(Delivery)])), {
      additionalProperties: false,
      minProperties: 1,
    }),
  },
  { additionalProperties: false },
);

export async function setMailPreferences(ctx: AppContext, actor: Actor, input: unknown): Promise<MailPreferences> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const p = parseInput(SetMailPreferencesInput, input, {
    topics: 'уведомления',
    ...Object.fromEntries(MAIL_TOPICS.map((t) => [`topics.${t}`, MAIL_TOPIC_LABELS_RU[t]])),
  });
  const given = p.topics as Partial<Record<MailTopic, MailDelivery>>;
  const chosen = MAIL_TOPICS.flatMap((t) => (given[t] ? [[t, given[t]] as const] : []));
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('mail_preferences')
      .values(
        chosen.map(([topic, delivery]) => ({
          officer_id: o.officerId,
          topic,
          delivery,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['officer_id', 'topic']).doUpdateSet((eb) => ({
          delivery: eb.ref('excluded.delivery'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
    await appendAudit(tx, ctx, actor, {
      action: 'mail.preferences',
      bodyId: o.bodyId,
      subject: o.officerId,
      details: Object.fromEntries(chosen),
    });
  });
  return getMailPreferences(ctx, actor);
}
