// Node administration: bodies, officers, API tokens, retention (R9.6), the
// protection-measures statement (R9.5), the audit chain (R9.1).
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { addBody, AddBodyInput } from '../../../app/add-body.js';
import { addOfficer, AddOfficerInput } from '../../../app/add-officer.js';
import { askProtectionMeasures, AskProtectionMeasuresInput } from '../../../app/ask-protection-measures.js';
import { listProtectionQueries } from '../../../app/list-protection-queries.js';
import { verifyAuditLog } from '../../../app/audit.js';
import { requireRole } from '../../../app/authorize.js';
import type { AppContext } from '../../../app/context.js';
import { createApiToken, CreateApiTokenInput } from '../../../app/create-api-token.js';
import { getProtectionStatement } from '../../../app/get-protection-statement.js';
import { listApiTokens, ListApiTokensInput } from '../../../app/list-api-tokens.js';
import { listBodies } from '../../../app/list-bodies.js';
import { listOfficers } from '../../../app/list-officers.js';
import { checkRetentionRules } from '../../../app/check-retention-rules.js';
import { listRetentionRules } from '../../../app/list-retention-rules.js';
import { revokeApiToken } from '../../../app/revoke-api-token.js';
import { setProtectionStatement, SetProtectionStatementInput } from '../../../app/set-protection-statement.js';
import { setRetentionRule, SetRetentionRuleInput } from '../../../app/set-retention-rule.js';
import { updateOfficer, UpdateOfficerInput } from '../../../app/update-officer.js';
import { actorOf, API_PREFIX } from '../server.js';

const omitId = (s: { properties: Record<string, unknown> }) =>
  Type.Object(Object.fromEntries(Object.entries(s.properties).filter(([k]) => k !== 'id' && k !== 'party')) as never);

export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const P = API_PREFIX;
  app.get(`${P}/me`, { schema: { tags: ['node'], summary: 'Текущий пользователь' } }, (req) => actorOf(req));
  app.get(`${P}/bodies`, { schema: { tags: ['admin'], summary: 'Органы узла' } }, (req) =>
    listBodies(ctx, actorOf(req)),
  );
  app.post(
    `${P}/bodies`,
    { schema: { tags: ['admin'], summary: 'Добавить орган (статья 18)', body: AddBodyInput } },
    async (req, reply) => reply.status(201).send(await addBody(ctx, actorOf(req), req.body)),
  );
  app.get(`${P}/officers`, { schema: { tags: ['admin'], summary: 'Пользователи' } }, (req) =>
    listOfficers(ctx, actorOf(req), req.query ?? {}),
  );
  app.post(
    `${P}/officers`,
    { schema: { tags: ['admin'], summary: 'Добавить пользователя; пароль выдаётся один раз', body: AddOfficerInput } },
    async (req, reply) => reply.status(201).send(await addOfficer(ctx, actorOf(req), req.body)),
  );
  app.patch<{ Params: { id: string } }>(
    `${P}/officers/:id`,
    { schema: { tags: ['admin'], summary: 'Роли, блокировка, сброс пароля', body: omitId(UpdateOfficerInput) } },
    (req) => updateOfficer(ctx, actorOf(req), { ...(req.body as object), id: req.params.id }),
  );
  app.post(
    `${P}/tokens`,
    { schema: { tags: ['admin'], summary: 'Выпустить API-токен (показывается один раз)', body: CreateApiTokenInput } },
    async (req, reply) => reply.status(201).send(await createApiToken(ctx, actorOf(req), req.body)),
  );
  app.get(
    `${P}/tokens`,
    {
      schema: {
        tags: ['admin'],
        summary: 'API-токены со сроком действия (администратор — все, остальные — свои)',
        querystring: ListApiTokensInput,
      },
    },
    (req) => listApiTokens(ctx, actorOf(req), req.query ?? {}),
  );
  app.delete<{ Params: { id: string } }>(
    `${P}/tokens/:id`,
    { schema: { tags: ['admin'], summary: 'Отозвать API-токен' } },
    (req) => revokeApiToken(ctx, actorOf(req), { id: req.params.id }),
  );
  app.get(
    `${P}/retention-rules`,
    { schema: { tags: ['admin'], summary: 'Сроки хранения полученных сведений (R9.6)' } },
    (req) => listRetentionRules(ctx, actorOf(req)),
  );
  app.get(
    `${P}/retention-rules/missing`,
    {
      schema: {
        tags: ['admin'],
        summary: 'Недостающие сроки хранения: эти сведения не уничтожаются, пока срок не задан (R9.6)',
      },
    },
    (req) => checkRetentionRules(ctx, actorOf(req)),
  );
  app.put<{ Params: { party: string } }>(
    `${P}/retention-rules/:party`,
    {
      schema: {
        tags: ['admin'],
        summary: 'Срок хранения по законодательству Стороны, для вида сведений или общий (kind = all) (R9.6)',
        body: omitId(SetRetentionRuleInput),
      },
    },
    (req) => setRetentionRule(ctx, actorOf(req), { ...(req.body as object), party: req.params.party }),
  );
  app.get(
    `${P}/protection-statement`,
    { schema: { tags: ['admin'], summary: 'Меры защиты и сроки хранения (R9.5)' } },
    async (req) => {
      actorOf(req);
      return { statement: await getProtectionStatement(ctx) };
    },
  );
  app.put(
    `${P}/protection-statement`,
    {
      schema: {
        tags: ['admin'],
        summary: 'Изменить сведения о мерах защиты (R9.5)',
        body: SetProtectionStatementInput,
      },
    },
    (req) => setProtectionStatement(ctx, actorOf(req), req.body),
  );
  app.post(
    `${P}/protection-queries`,
    {
      schema: {
        tags: ['admin'],
        summary: 'Запросить у Стороны сведения о мерах защиты и сроках хранения (R9.5)',
        body: AskProtectionMeasuresInput,
      },
    },
    async (req, reply) => reply.status(201).send(await askProtectionMeasures(ctx, actorOf(req), req.body)),
  );
  app.get(
    `${P}/protection-queries`,
    { schema: { tags: ['admin'], summary: 'Запросы о мерах защиты, направленные другим Сторонам, и ответы (R9.5)' } },
    (req) => listProtectionQueries(ctx, actorOf(req)),
  );
  app.get(
    `${P}/audit/verify`,
    { schema: { tags: ['admin'], summary: 'Проверить целостность журнала аудита (R9.1)' } },
    async (req) => {
      requireRole(actorOf(req), 'admin', 'supervisor');
      return verifyAuditLog(ctx.db, { key: ctx.auditKey?.key });
    },
  );
}
