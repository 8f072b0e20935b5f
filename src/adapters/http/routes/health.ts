// The node's health for machines (issue 15, item 4): GET /api/v1/health — without a token the public
// summary it always gave (status, party, node, registry), with an administrator's or a supervisor's token
// also the figures of the health page (`details`); GET /livez (the process answers) and GET /readyz (the
// database answers, the trust registry is loaded) for orchestrators, no token, nothing else in them.
import { DELIVERY_CAUSES } from '../../../domain/delivery-status.js';
import Type from 'typebox';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.js';
import { getNodeHealth } from '../../../app/get-node-health.js';
import { getRegistryStatus } from '../../../app/get-registry-status.js';
import { API_PREFIX } from '../server.js';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });

const RegistrySchema = Type.Object({
  version: Type.Integer({ description: 'Версия (порядковый номер) реестра доверия' }),
  issuedAt: Instant,
  ageDays: Type.Integer(),
  maxAgeDays: Type.Number(),
  state: Type.Union([Type.Literal('fresh'), Type.Literal('aging'), Type.Literal('stale')]),
});

const Cause = Nullable(Type.Union(DELIVERY_CAUSES.map((c) => Type.Literal(c))));

export const NodeHealthSchema = Type.Object(
  {
    checkedAt: Instant,
    party: Type.String(),
    nodeId: Nullable(Type.String()),
    protocolVersions: Type.Array(Type.Integer(), { description: 'Версии протокола, на которых говорит узел' }),
    peers: Type.Array(
      Type.Object({
        party: Type.String(),
        nodeId: Type.String(),
        url: Type.String(),
        protocolVersions: Type.Array(Type.Integer()),
        treatyInForce: Type.Boolean(),
        lastSuccessAt: Nullable(Instant),
        lastErrorAt: Nullable(Instant),
        lastErrorCause: Cause,
        lastErrorRu: Nullable(Type.String()),
        reachable: Nullable(Type.Boolean({ description: 'null: обменов ещё не было' })),
        waiting: Type.Integer(),
        bundles: Type.Object(
          { sent: Type.Integer(), received: Type.Integer() },
          { description: 'Пакеты сообщений (версия протокола 3): отправлено этому узлу, получено от него' },
        ),
      }),
    ),
    outbox: Type.Object({
      byStatus: Type.Object({
        pending: Type.Integer(),
        sending: Type.Integer(),
        delivered: Type.Integer(),
        failed: Type.Integer(),
      }),
      held: Type.Integer({ description: 'Из pending: ждут нового реестра или обновления узла получателя' }),
      oldestWaitingAt: Nullable(Instant),
      oldestWaitingAgeSeconds: Nullable(Type.Integer()),
    }),
    failedDeliveries: Type.Object({
      total: Type.Integer(),
      items: Type.Array(
        Type.Object({
          messageId: Type.String(),
          type: Type.String(),
          toParty: Type.String(),
          requestId: Nullable(Type.String()),
          requestNumber: Nullable(Type.String()),
          attempts: Type.Integer(),
          createdAt: Instant,
          lastAttemptAt: Nullable(Instant),
          cause: Cause,
          reasonRu: Nullable(Type.String()),
        }),
      ),
    }),
    certificates: Type.Array(
      Type.Object({
        kind: Type.Union([Type.Literal('tls'), Type.Literal('seal'), Type.Literal('party_ca')]),
        owner: Type.String(),
        ownerName: Nullable(Type.String()),
        serialNumber: Type.String(),
        notBefore: Instant,
        notAfter: Instant,
        daysLeft: Type.Integer(),
        state: Type.Union([
          Type.Literal('valid'),
          Type.Literal('expiring'),
          Type.Literal('expired'),
          Type.Literal('not_yet_valid'),
        ]),
      }),
    ),
    bodies: Type.Array(
      Type.Object({
        bodyId: Type.String(),
        name: Type.String(),
        seal: Nullable(Type.Union([Type.Literal('none'), Type.Literal('pending')])),
        designated: Type.Boolean(),
      }),
      { description: 'Органы Стороны без сертификата печати или не внесённые в реестр доверия (статья 18)' },
    ),
    expiryWarningDays: Type.Integer(),
    registry: Nullable(Type.Object({ ...RegistrySchema.properties, expiresAt: Instant })),
    database: Type.Object({
      sizeBytes: Nullable(Type.Integer()),
      maintenance: Nullable(
        Type.Union([Type.Literal('embedded'), Type.Literal('autovacuum'), Type.Literal('off')], {
          description:
            'Кто очищает и анализирует таблицы: сам узел (встроенная база), сервер PostgreSQL (autovacuum) или никто (off)',
        }),
      ),
    }),
  },
  { description: 'Состояние узла (страница «Состояние узла»)' },
);

const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  party: Type.String(),
  node: Nullable(Type.String()),
  registry: Nullable(RegistrySchema),
  details: Type.Optional(NodeHealthSchema),
});

const ReadySchema = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Object({
    database: Type.Union([Type.Literal('ok'), Type.Literal('failed')]),
    registry: Type.Union([Type.Literal('ok'), Type.Literal('missing'), Type.Literal('not_used')]),
  }),
});

const DATABASE_TIMEOUT_MS = 2000;

async function databaseAnswers(ctx: AppContext): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      sql`select 1`.execute(ctx.db).then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes(app: FastifyInstance, ctx: AppContext, opts: { nodeName?: string }): void {
  app.get(
    `${API_PREFIX}/health`,
    {
      schema: {
        tags: ['node'],
        summary: 'Состояние узла',
        description:
          'Без токена — краткая сводка (реестр доверия — публичный документ). С API-токеном администратора или ' +
          'старшего судебного пристава — также details: узлы других Сторон, очередь отправки, недоставленные ' +
          'сообщения, сроки сертификатов и реестра, размер базы данных, версии протокола.',
        security: [{}, { bearer: [] }],
        response: { 200: HealthSchema },
      },
    },
    async (req) => ({
      status: 'ok' as const,
      party: ctx.party,
      node: opts.nodeName ?? null,
      // The registry is a public document: its version and age are no secret, and monitoring needs no token.
      registry: getRegistryStatus(ctx),
      ...(req.actor ? { details: await getNodeHealth(ctx, req.actor) } : {}),
    }),
  );
  app.get(
    '/livez',
    { schema: { tags: ['node'], summary: 'Процесс узла работает (для оркестратора)', security: [] } },
    (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['node'],
        summary: 'Узел готов к работе: база данных отвечает, реестр доверия загружен (503 — нет)',
        security: [],
        response: { 200: ReadySchema, 503: ReadySchema },
      },
    },
    async (_req, reply) => {
      const database = (await databaseAnswers(ctx)) ? ('ok' as const) : ('failed' as const);
      // A context without a trust registry port (a node wired without the exchange) does not need one.
      const registry = !ctx.registry
        ? ('not_used' as const)
        : ctx.registry.current()
          ? ('ok' as const)
          : ('missing' as const);
      const ready = database === 'ok' && registry !== 'missing';
      return reply
        .status(ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status: ready ? 'ready' : 'not_ready', checks: { database, registry } });
    },
  );
}
