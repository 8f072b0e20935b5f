// The officer's e-mail notices (issue 17 item 3): which topics come at once, in the daily digest or not at all.
// The address is the administrator's to set (the user page, `eix user email`); the page says when the node
// sends no mail at all (no EIX_SMTP_URL) or the officer has no address.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getMailPreferences } from '../../app/get-mail-preferences.js';
import { setFlash, takeFlash } from '../../app/sessions.js';
import { setMailPreferences } from '../../app/set-mail-preferences.js';
import { isEixError } from '../../domain/errors.js';
import { MAIL_DELIVERIES, MAIL_DELIVERY_LABELS_RU, MAIL_TOPICS } from '../../domain/mail.js';
import { labels } from '../labels.js';
import { COOKIE, one, type Form, type WebKit } from '../kit.js';

export function mailRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;
  const choices = MAIL_DELIVERIES.map((d) => ({ value: d, label: MAIL_DELIVERY_LABELS_RU[d] }));
  const show = async (
    req: FastifyRequest,
    reply: FastifyReply,
    extra: { flash?: string | null; error?: string; chosen?: Record<string, string> } = {},
    status = 200,
  ) => {
    const prefs = await getMailPreferences(ctx, me(req));
    return render(
      reply,
      req,
      'mail-settings',
      {
        title: 'Уведомления на почту',
        prefs,
        choices,
        // As submitted after an error, else as stored.
        chosen: extra.chosen ?? Object.fromEntries(prefs.topics.map((t) => [t.topic, t.delivery])),
        error: extra.error ?? null,
        ...(extra.flash ? { flash: { ok: true, text: extra.flash } } : {}),
      },
      status,
    );
  };
  app.get(
    '/settings/mail',
    page(async (req, reply) => show(req, reply, { flash: await takeFlash(ctx, req.cookies[COOKIE] ?? '') })),
  );
  app.post(
    '/settings/mail',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const chosen = Object.fromEntries(MAIL_TOPICS.map((t) => [t, one(f[t])]));
      try {
        await setMailPreferences(ctx, me(req), { topics: chosen });
      } catch (e) {
        if (!isEixError(e) || e.code !== 'input.invalid') throw e;
        return show(req, reply, { error: labels.errorText(e), chosen }, e.http);
      }
      await setFlash(ctx, req.cookies[COOKIE] ?? '', 'Настройки уведомлений сохранены');
      return reply.redirect('/settings/mail', 303);
    }),
  );
}
