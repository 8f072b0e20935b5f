// Proceedings and requests: one route per use case.
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { actOnRequest, ActOnRequestInput } from '../../../app/act-on-request.js';
import { answerRequest, AnswerRequestInput } from '../../../app/answer-request.js';
import { checkRequest } from '../../../app/check-request.js';
import type { AppContext } from '../../../app/context.js';
import { createProceeding, CreateProceedingInput } from '../../../app/create-proceeding.js';
import { DraftContentSchema, draftRequest, DraftRequestInput } from '../../../app/draft-request.js';
import { forwardRequest, ForwardRequestInput } from '../../../app/forward-request.js';
import { getRequest } from '../../../app/get-request.js';
import { getProceeding, listProceedings, ListProceedingsInput } from '../../../app/list-proceedings.js';
import { listRequests, ListRequestsInput } from '../../../app/list-requests.js';
import { readAttachment } from '../../../app/read-attachment.js';
import { recordPaperOriginal, RecordPaperOriginalInput } from '../../../app/record-paper-original.js';
import { refuseRequest, RefuseRequestInput } from '../../../app/refuse-request.js';
import { reviseDraft } from '../../../app/revise-draft.js';
import { signRequest } from '../../../app/sign-request.js';
import { exportReceivedData, ExportReceivedDataInput } from '../../../app/export-received-data.js';
import {
  EXPORT_CAP,
  exportRequestList,
  ExportRequestListInput,
  MEDIA_TYPES,
} from '../../../app/export-request-list.js';
import { requestDisclosureConsent, RequestDisclosureConsentInput } from '../../../app/request-disclosure-consent.js';
import { decideDisclosureConsent, DecideDisclosureConsentInput } from '../../../app/decide-disclosure-consent.js';
import { sendAttachment } from '../download.js';
import { actorOf, API_PREFIX } from '../server.js';

const Id = Type.Object({ id: Type.String() });
const omit = <T extends { properties: Record<string, unknown> }>(s: T, key: string) =>
  Type.Object(Object.fromEntries(Object.entries(s.properties).filter(([k]) => k !== key)) as never);
type Params = { id: string };

/** Query strings arrive as text: numbers and lists are converted before the use case checks them. */
function fromQuery(
  q: Record<string, string | string[] | undefined>,
  numbers: readonly string[],
  lists: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    if (lists.includes(k)) out[k] = (Array.isArray(v) ? v : v.split(',')).filter(Boolean);
    else if (numbers.includes(k) && typeof v === 'string' && /^\d+$/.test(v)) out[k] = Number(v);
    else out[k] = v;
  }
  return out;
}

export function registerRequestRoutes(app: FastifyInstance, ctx: AppContext): void {
  const P = API_PREFIX;
  app.post(
    `${P}/proceedings`,
    {
      schema: {
        tags: ['proceedings'],
        summary: 'Зарегистрировать исполнительное производство',
        body: CreateProceedingInput,
      },
    },
    async (req, reply) => reply.status(201).send(await createProceeding(ctx, actorOf(req), req.body)),
  );
  app.get(
    `${P}/proceedings`,
    {
      schema: {
        tags: ['proceedings'],
        summary: 'Исполнительные производства органа',
        querystring: ListProceedingsInput,
      },
    },
    (req) => listProceedings(ctx, actorOf(req), fromQuery(req.query as Record<string, string>, ['limit', 'offset'])),
  );
  app.get<{ Params: Params }>(
    `${P}/proceedings/:id`,
    { schema: { tags: ['proceedings'], summary: 'Производство и его запросы', params: Id } },
    (req) => getProceeding(ctx, actorOf(req), req.params.id),
  );

  app.post(
    `${P}/requests`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Проект запроса в производстве (R10.b); ответ содержит все ошибки и предупреждения (R11)',
        body: DraftRequestInput,
      },
    },
    async (req, reply) => reply.status(201).send(await draftRequest(ctx, actorOf(req), req.body)),
  );
  app.get(
    `${P}/requests`,
    {
      schema: {
        tags: ['requests'],
        summary:
          'Рабочий список и архив запросов: фильтры (состояния, Сторона, орган, период, срок R12.c, поиск по должнику и номерам), ' +
          'сортировка, страницы по закладке (cursor → nextCursor); каждая строка — должник, что запрошено, срок или ожидаемый ответ. ' +
          'Чтение должников входящих запросов записывается в журнал аудита (R9.1)',
        querystring: ListRequestsInput,
      },
    },
    (req) =>
      listRequests(ctx, actorOf(req), fromQuery(req.query as Record<string, string>, ['limit', 'offset'], ['states'])),
  );
  app.get(
    `${P}/requests/export`,
    {
      schema: {
        tags: ['requests'],
        summary: `Выгрузка списка запросов в CSV или XLSX с теми же фильтрами (не более ${EXPORT_CAP} строк; чтение записывается в журнал аудита, R9.1)`,
        querystring: ExportRequestListInput,
        produces: [MEDIA_TYPES.csv, MEDIA_TYPES.xlsx],
      },
    },
    async (req, reply) =>
      sendAttachment(
        reply,
        await exportRequestList(ctx, actorOf(req), fromQuery(req.query as Record<string, string>, [], ['states'])),
      ),
  );
  app.get<{ Params: Params }>(
    `${P}/requests/:id`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Запрос: документ, история, ответы, срок, допустимые действия',
        params: Id,
      },
    },
    (req) => getRequest(ctx, actorOf(req), req.params.id),
  );
  app.put<{ Params: Params }>(
    `${P}/requests/:id`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Изменить проект запроса',
        params: Id,
        body: Type.Object({ ...DraftContentSchema.properties, version: Type.Optional(Type.Integer()) }),
      },
    },
    (req) => reviseDraft(ctx, actorOf(req), { ...(req.body as object), requestId: req.params.id }),
  );
  app.get<{ Params: Params }>(
    `${P}/requests/:id/check`,
    { schema: { tags: ['requests'], summary: 'Проверка проекта: все ошибки сразу (R11)', params: Id } },
    (req) => checkRequest(ctx, actorOf(req), req.params.id),
  );
  app.post<{ Params: Params }>(
    `${P}/requests/:id/sign`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Подписать и поставить в очередь на отправку (R11.3, R-pair)',
        params: Id,
        body: Type.Optional(Type.Object({ version: Type.Optional(Type.Integer()) })),
      },
    },
    (req) => signRequest(ctx, actorOf(req), { ...((req.body as object) ?? {}), requestId: req.params.id }),
  );
  app.post<{ Params: Params }>(
    `${P}/requests/:id/steps`,
    {
      schema: {
        tags: ['requests'],
        summary:
          'Шаг исполнения: консультация, доп. информация, задержка, отсрочка, условия, конфиденциальность, отзыв',
        params: Id,
        body: omit(ActOnRequestInput, 'requestId'),
      },
    },
    (req) => actOnRequest(ctx, actorOf(req), { ...(req.body as object), requestId: req.params.id }),
  );
  app.post<{ Params: Params }>(
    `${P}/requests/:id/answers`,
    {
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['requests'],
        summary: 'Ответ по пунктам (частичный или окончательный) с вложениями',
        params: Id,
        body: omit(AnswerRequestInput, 'requestId'),
      },
    },
    (req) => answerRequest(ctx, actorOf(req), { ...(req.body as object), requestId: req.params.id }),
  );
  app.post<{ Params: Params }>(
    `${P}/requests/:id/refusal`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Отказ с основанием (статья 13)',
        params: Id,
        body: omit(RefuseRequestInput, 'requestId'),
      },
    },
    (req) => refuseRequest(ctx, actorOf(req), { ...(req.body as object), requestId: req.params.id }),
  );
  app.post<{ Params: Params }>(
    `${P}/requests/:id/forward`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Передать территориальному органу (статья 18)',
        params: Id,
        body: omit(ForwardRequestInput, 'requestId'),
      },
    },
    (req) => forwardRequest(ctx, actorOf(req), { ...(req.body as object), requestId: req.params.id }),
  );
  app.put<{ Params: Params }>(
    `${P}/requests/:id/paper-original`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Отправка оригинала на бумаге (R10.a)',
        params: Id,
        body: omit(RecordPaperOriginalInput, 'requestId'),
      },
    },
    (req) => recordPaperOriginal(ctx, actorOf(req), { ...(req.body as object), requestId: req.params.id }),
  );
  app.get<{ Params: { id: string; sha256: string } }>(
    `${P}/requests/:id/attachments/:sha256`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Скачать вложение ответа',
        params: Type.Object({ id: Type.String(), sha256: Type.String() }),
      },
    },
    async (req, reply) =>
      sendAttachment(reply, await readAttachment(ctx, actorOf(req), req.params.id, req.params.sha256)),
  );
}

export function registerDisclosureRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Params: Params }>(
    `${API_PREFIX}/requests/:id/consents`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Запросить согласие на передачу сведений третьему лицу (R9.2)',
        params: Id,
        body: omit(RequestDisclosureConsentInput, 'requestId'),
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await requestDisclosureConsent(ctx, actorOf(req), { ...(req.body as object), requestId: req.params.id })),
  );
  app.post<{ Params: { id: string; consentId: string } }>(
    `${API_PREFIX}/requests/:id/consents/:consentId/decision`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Дать согласие или отказать в передаче сведений третьему лицу по входящему запросу (R9.2)',
        params: Type.Object({ id: Type.String(), consentId: Type.String() }),
        body: Type.Object(
          Object.fromEntries(
            Object.entries(DecideDisclosureConsentInput.properties).filter(
              ([k]) => k !== 'requestId' && k !== 'consentId',
            ),
          ) as never,
        ),
      },
    },
    (req) =>
      decideDisclosureConsent(ctx, actorOf(req), {
        ...(req.body as object),
        requestId: req.params.id,
        consentId: req.params.consentId,
      }),
  );
  app.post<{ Params: Params }>(
    `${API_PREFIX}/requests/:id/export`,
    {
      schema: {
        tags: ['requests'],
        summary: 'Выписка полученных сведений для взыскателя (R9.3) или третьего лица с согласия (R9.2)',
        params: Id,
        body: omit(ExportReceivedDataInput, 'requestId'),
      },
    },
    (req) => exportReceivedData(ctx, actorOf(req), { ...(req.body as object), requestId: req.params.id }),
  );
}
