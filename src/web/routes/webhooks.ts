// «Уведомления внешних систем» (issue 17 item 1): the administrator registers the webhooks of national systems per
// body, sees their recent deliveries and failures with a Russian reason, retries a delivery, pauses, resumes and
// deletes a webhook. The signing secret is shown once, on the answer to the POST that made it (never in a URL).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  retryWebhookDelivery,
  setWebhookEnabled,
} from '../../app/manage-webhooks.js';
import { listBodies } from '../../app/list-bodies.js';
import { setFlash, takeFlash } from '../../app/sessions.js';
import { requireAdmin } from '../../app/authorize.js';
import { EVENT_KINDS, EVENT_KIND_LABELS_RU, type EventKind } from '../../domain/events.js';
import { isEixError } from '../../domain/errors.js';
import { webhookErrorRu } from '../../domain/webhooks.js';
import { labels } from '../labels.js';
import { COOKIE, many, one, type Form, type WebKit } from '../kit.js';

const STATUS_RU = {
  pending: 'ждёт отправки',
  sending: 'отправляется',
  delivered: 'доставлено',
  failed: 'не доставлено',
};

export function webhookRoutes(app: FastifyInstance, kit: WebKit): void {
  const { ctx, render, page, me } = kit;
  const common = {
    kinds: EVENT_KINDS.map((k) => [k, EVENT_KIND_LABELS_RU[k]]),
    kindsRu: (ks: readonly EventKind[] | null) =>
      ks === null ? 'все события' : ks.map((k) => EVENT_KIND_LABELS_RU[k]).join(', '),
    kindRu: (k: EventKind) => EVENT_KIND_LABELS_RU[k],
    statusRu: (s: keyof typeof STATUS_RU) => STATUS_RU[s],
    errorRu: (code: string | null) => webhookErrorRu(code),
  };
  const renderList = async (
    req: FastifyRequest,
    reply: FastifyReply,
    flash: string | null,
    form?: { values: Form; error: string; status: number },
  ) => {
    const o = me(req);
    requireAdmin(o);
    return render(
      reply,
      req,
      'webhooks',
      {
        title: 'Уведомления внешних систем',
        ...common,
        webhooks: await listWebhooks(ctx, o),
        bodies: await listBodies(ctx, o),
        form: form ?? { values: {}, error: '' },
        ...(flash ? { flash: { ok: true, text: flash } } : {}),
      },
      form?.status,
    );
  };
  const renderOne = async (req: FastifyRequest, reply: FastifyReply, id: string, secret?: string) => {
    const o = me(req);
    const view = await getWebhook(ctx, o, id);
    const flash = await takeFlash(ctx, req.cookies[COOKIE] ?? '');
    return render(reply, req, 'webhook', {
      title: 'Адрес уведомлений',
      ...common,
      ...view,
      ...(secret ? { secret } : {}),
      ...(flash ? { flash: { ok: true, text: flash } } : {}),
    });
  };

  app.get(
    '/admin/webhooks',
    page(async (req, reply) => renderList(req, reply, await takeFlash(ctx, req.cookies[COOKIE] ?? ''))),
  );
  app.post(
    '/admin/webhooks',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      try {
        const r = await createWebhook(ctx, me(req), { bodyId: one(f.bodyId), url: one(f.url), kinds: many(f.kinds) });
        return await renderOne(req, reply, r.id, r.secret);
      } catch (e) {
        if (!isEixError(e) || e.code === 'access.denied') throw e;
        return renderList(req, reply, null, { values: f, error: labels.errorText(e), status: e.http });
      }
    }),
  );
  app.get<{ Params: { id: string } }>(
    '/admin/webhooks/:id',
    page(async (req, reply) => renderOne(req, reply, (req.params as { id: string }).id)),
  );
  /** A button of the subscription page: its notice waits in the session for the page it redirects to. */
  const action = (
    suffix: string,
    run: (id: string, f: Form, o: ReturnType<typeof me>) => Promise<string>,
    back?: string,
  ) =>
    app.post<{ Params: { id: string } }>(
      `/admin/webhooks/:id/${suffix}`,
      page(async (req, reply) => {
        const { id } = req.params as { id: string };
        const message = await run(id, (req.body ?? {}) as Form, me(req));
        await setFlash(ctx, req.cookies[COOKIE] ?? '', message);
        return reply.redirect(back ?? `/admin/webhooks/${id}`);
      }),
    );
  action('enable', async (id, _f, o) => {
    await setWebhookEnabled(ctx, o, id, true);
    return 'Отправка уведомлений возобновлена; накопившиеся события будут отправлены';
  });
  action('disable', async (id, _f, o) => {
    await setWebhookEnabled(ctx, o, id, false);
    return 'Отправка уведомлений приостановлена; события будут накапливаться';
  });
  action(
    'delete',
    async (id, _f, o) => {
      await deleteWebhook(ctx, o, id);
      return 'Адрес уведомлений удалён';
    },
    '/admin/webhooks',
  );
  action('retry', async (id, f, o) => {
    await retryWebhookDelivery(ctx, o, id, one(f.deliveryId));
    return 'Уведомление поставлено в очередь на повторную отправку';
  });
}
