// Issue 17 item 1: the event feed (long-polling, a server-side cursor) and the webhooks of national
// systems (docs/EVENTS.md).
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import {
  getEventCursor,
  listEvents,
  ListEventsInput,
  setEventCursor,
  SetEventCursorInput,
} from '../../../app/list-events.js';
import {
  createWebhook,
  CreateWebhookInput,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  retryWebhookDelivery,
  setWebhookEnabled,
} from '../../../app/manage-webhooks.js';
import { actorOf, API_PREFIX } from '../server.js';

const FeedEvent = Type.Object({
  id: Type.String({ description: 'Номер события: курсор ленты и ключ для исключения повторов' }),
  kind: Type.String(),
  at: Type.String({ format: 'date-time' }),
  requestId: Type.Union([Type.String(), Type.Null()]),
  bodyId: Type.String(),
  data: Type.Object({}, { additionalProperties: true, description: 'Коды, даты и числа; без персональных данных' }),
});

export function registerEventRoutes(app: FastifyInstance, ctx: AppContext): void {
  const P = API_PREFIX;
  // Long polls end at once when the server closes (the node stops without waiting up to 30 s).
  const polls = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const c of polls) c.abort();
  });
  app.get(
    `${P}/events`,
    {
      schema: {
        tags: ['events'],
        summary:
          'Лента событий (docs/EVENTS.md): события после курсора `after` по возрастанию номера; `wait` — ждать до 30 с ' +
          'первого события (long polling); без `after` — с курсора, сохранённого учётной записью (PUT /events/cursor). ' +
          'Доставка «хотя бы один раз»: повторы исключаются по `id`',
        querystring: ListEventsInput,
        response: { 200: Type.Object({ events: Type.Array(FeedEvent), next: Type.String() }) },
      },
    },
    async (req, reply) => {
      const q = req.query as Record<string, string>;
      const input = Object.fromEntries(
        Object.entries(q).map(([k, v]) => [k, (k === 'limit' || k === 'wait') && /^\d+$/.test(v) ? Number(v) : v]),
      );
      const abort = new AbortController();
      polls.add(abort);
      reply.raw.once('close', () => abort.abort());
      try {
        return await listEvents(ctx, actorOf(req), input, abort.signal);
      } finally {
        polls.delete(abort);
      }
    },
  );
  app.get(
    `${P}/events/cursor`,
    { schema: { tags: ['events'], summary: 'Курсор ленты, сохранённый учётной записью ("0" — с начала)' } },
    (req) => getEventCursor(ctx, actorOf(req)),
  );
  app.put(
    `${P}/events/cursor`,
    {
      schema: {
        tags: ['events'],
        summary: 'Сохранить курсор ленты: номер последнего обработанного события (не больше последнего события узла)',
        body: SetEventCursorInput,
      },
    },
    (req) => setEventCursor(ctx, actorOf(req), req.body),
  );

  app.get(`${P}/webhooks`, { schema: { tags: ['events'], summary: 'Адреса уведомлений (вебхуки) узла' } }, (req) =>
    listWebhooks(ctx, actorOf(req)),
  );
  app.post(
    `${P}/webhooks`,
    {
      schema: {
        tags: ['events'],
        summary:
          'Зарегистрировать адрес уведомлений органа (https://; http:// — только 127.0.0.1 и localhost); секрет подписи ' +
          'показывается один раз',
        body: CreateWebhookInput,
      },
    },
    async (req, reply) => reply.status(201).send(await createWebhook(ctx, actorOf(req), req.body)),
  );
  app.get<{ Params: { id: string } }>(
    `${P}/webhooks/:id`,
    { schema: { tags: ['events'], summary: 'Адрес уведомлений и последние доставки' } },
    (req) => getWebhook(ctx, actorOf(req), req.params.id),
  );
  app.patch<{ Params: { id: string } }>(
    `${P}/webhooks/:id`,
    {
      schema: {
        tags: ['events'],
        summary: 'Приостановить или возобновить отправку (накопившиеся события будут отправлены)',
        body: Type.Object({ enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      },
    },
    (req) => {
      return setWebhookEnabled(
        ctx,
        actorOf(req),
        req.params.id,
        (req.body as { enabled?: unknown } | undefined)?.enabled,
      );
    },
  );
  app.delete<{ Params: { id: string } }>(
    `${P}/webhooks/:id`,
    { schema: { tags: ['events'], summary: 'Удалить адрес уведомлений с его очередью' } },
    (req) => deleteWebhook(ctx, actorOf(req), req.params.id),
  );
  app.post<{ Params: { id: string; delivery: string } }>(
    `${P}/webhooks/:id/deliveries/:delivery/retry`,
    { schema: { tags: ['events'], summary: 'Повторить доставку сейчас (с новым сроком повторов)' } },
    (req) => retryWebhookDelivery(ctx, actorOf(req), req.params.id, req.params.delivery),
  );
}
