// R9.4 authorisation matrix over the REST API, on real storage. Every route the
// server serves (read from its router: a new route without a line here fails)
// is called with a body that passes validation by every caller: no token, a
// forged token, a real token of another Party's node, an officer, a supervisor
// and an administrator of the body holding the data, an officer of the
// Party's central body, and an officer of another body of the same Party.
//  - Each refusal must come from the access check (401/403/404 with an access
//    code), never from validation: the body is valid, so a 400 means the check
//    was never reached. A refusal changes no row and adds no audit entry but
//    failed authentication, and shows no personal data.
//  - A refusal by role does not depend on the input (ARCHITECTURE 12: the role
//    before the input): the same caller with an invalid body or query gets the
//    same refusal.
//  - An officer of another body is told "not found" of the records of the body
//    he cannot see (no probing by id), or refused by his role.
//  - Positive control: the first caller let through gets 2xx with the same
//    body (the body is valid and the route works); the others let through get
//    2xx or a state conflict (409), never a refusal. Lists filtered by body
//    show the owner's records to the owner and nothing of them to the others.
import { createHash, randomUUID } from 'node:crypto';
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { submitBatchJson } from '../../src/app/batch-requests.js';
import type { Actor, AppContext, Officer } from '../../src/app/context.js';
import { createApiToken } from '../../src/app/create-api-token.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { createWebhook } from '../../src/app/manage-webhooks.js';
import { receiveAnswer } from '../../src/app/receive-answer.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { recordConsentRequest } from '../../src/app/record-consent-request.js';
import { recordDelivery } from '../../src/app/record-delivery.js';
import { signRequest } from '../../src/app/sign-request.js';
import { ERROR_CODES, type ErrorCode } from '../../src/domain/errors.js';
import { nodeOn, seedBody, seedOfficer, uniq, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { aRequest } from '../support/requests.js';
import { servedRoutes } from '../support/routes.js';
import { writeResult } from '../support/results.js';

const SYSTEM: Actor = { kind: 'system', name: 'federation' };
const example = aRequest();
const P = '/api/v1';
/** The debtor's personal data in every record of the fixture: no refusal may show any. */
const PERSONAL = ['Иванов', 'IVANOV', '500100732259', 'Тверская'];
const KZ_CENTRAL = { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' };

/** Callers with a token of this node. */
const CALLERS = ['officer', 'supervisor', 'admin', 'central', 'stranger'] as const;
type Caller = (typeof CALLERS)[number];

/** The refusals of the access check: authentication, role, and records the caller may not see. */
const ACCESS_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'auth.required',
  'auth.token',
  'access.denied',
  'request.not_found',
  'proceeding.not_found',
  'batch.not_found',
  'token.not_found',
]);

interface Target {
  /** The path with its parameters, and the query. */
  readonly url: string;
  /** A body that passes the route's validation. */
  readonly body?: unknown;
  /** What the first caller let through sees and a `blind` caller must not: ids and numbers of the record. */
  readonly shows?: readonly string[];
}

interface Line {
  /** A fresh record for the route (each route its own, so no route depends on another's order). */
  readonly target: () => Promise<Target>;
  /** Callers the access check lets through; the first is the positive control and must get 2xx. */
  readonly allow: readonly Caller[];
  /**
   * Of `allow`: callers answered 2xx with nothing of `shows` (not the debtor's name: their own body's records may
   * name him too — the stranger registers a proceeding of his own with the matrix's body).
   */
  readonly blind?: readonly Caller[];
  /** No authentication at all: any token, or none, is let through (the orchestrator's probes, the API document). */
  readonly open?: true;
  /** A caller without a token is let through (the public health summary); a bad token is still refused. */
  readonly anonymous?: true;
}

interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly text: string;
}

for (const e of ENGINES) {
  describe(`R9.4 authorisation matrix on ${e.engine}`, () => {
    let node: TestNode;
    let ctx: AppContext;
    let app: FastifyInstance;
    const tokens = {} as Record<Caller | 'foreign', string>;
    const actors = {} as Record<Caller, Officer>;
    let proceedingId = '';
    let tables: string[] = [];

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      ctx = node.ctx;
      await seedBody(ctx, { id: 'ru-fssp', kind: 'central', name: 'Федеральная служба судебных приставов' });
      await seedBody(ctx, { id: 'ru-fssp-77', parentId: 'ru-fssp', name: 'ГУФССП России по г. Москве' });
      await seedBody(ctx, { id: 'ru-fssp-78', parentId: 'ru-fssp', name: 'ГУФССП России по г. Санкт-Петербургу' });
      actors.officer = await seedOfficer(ctx, 'ru-fssp-77', ['officer']);
      actors.supervisor = await seedOfficer(ctx, 'ru-fssp-77', ['supervisor']);
      actors.admin = await seedOfficer(ctx, 'ru-fssp-77', ['admin']);
      actors.central = await seedOfficer(ctx, 'ru-fssp', ['officer', 'central']);
      actors.stranger = await seedOfficer(ctx, 'ru-fssp-78', ['officer']);
      for (const who of CALLERS) tokens[who] = (await createApiToken(ctx, actors[who], { name: who })).token;
      // Another Party's node: in the tests the nodes share one database, so its token is a real row here,
      // of an officer of a KZ body; this node must still refuse it (authenticateToken: the token's Party).
      const kz = { ...ctx, party: 'KZ' };
      await seedBody(kz, { id: 'kz-central', kind: 'central', name: KZ_CENTRAL.name });
      tokens.foreign = (await createApiToken(kz, await seedOfficer(kz, 'kz-central'), { name: 'kz' })).token;
      proceedingId = (await createProceeding(ctx, actors.officer, proceedingInput('MATRIX-1'))).id;
      // Many refused calls from one address: the failed-authentication limiter is not what this file tests.
      app = await buildServer({ ctx, logLevel: 'silent', rateLimit: 100_000, authFailureLimit: 100_000 });
      await app.ready();
      // Each token's first use is audited (once an hour): used once here, later refusals must add nothing.
      for (const who of CALLERS) assert.equal((await send(tokens[who], 'GET', `${P}/me`)).status, 200);
      const t = await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(ctx.db);
      tables = t.rows.map((r) => r.name).filter((n) => n !== 'audit_log' && !n.startsWith('kysely_'));
      assert.ok(tables.includes('requests') && tables.includes('api_tokens'), tables.join());
    });
    after(async () => {
      await app?.close();
      await node?.database.close();
    });

    const send = async (token: string | null, method: string, url: string, body?: unknown): Promise<Answer> => {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      let json: { error?: { code?: string; details?: Record<string, unknown> } } = {};
      try {
        json = JSON.parse(res.body) as typeof json;
      } catch {
        // a file or a page: no error shape
      }
      return { status: res.statusCode, code: json.error?.code, details: json.error?.details, text: res.body };
    };

    /** Every row of the node's tables but the audit log (checked on its own), as one digest per table. */
    const rows = async (): Promise<Record<string, string>> => {
      const parts = tables.map(
        (t) =>
          sql<{ t: string; h: string }>`select ${t} as t,
            md5(coalesce(string_agg(md5(x::text), ',' order by md5(x::text)), '')) as h from ${sql.table(t)} x`,
      );
      const r = await sql<{ t: string; h: string }>`${sql.join(parts, sql` union all `)}`.execute(ctx.db);
      return Object.fromEntries(r.rows.map((x) => [x.t, x.h]));
    };
    const auditSeq = async (): Promise<number> =>
      Number((await sql<{ n: string | null }>`select max(seq) as n from audit_log`.execute(ctx.db)).rows[0]?.n ?? 0);

    // ---- the fixture: each call makes a fresh record of the body ru-fssp-77 (or its Party's central body) ----

    function proceedingInput(number: string) {
      return {
        number,
        openedOn: '2026-03-02',
        debtor: example.debtor,
        creditor: example.creditor,
        executiveDocuments: [example.executiveDocument],
      };
    }
    const content = {
      requestedBody: KZ_CENTRAL,
      items: example.items,
      grounds: example.grounds,
    };
    const draft = async () => (await draftRequest(ctx, actors.officer, { proceedingId, ...content })).id;
    const signed = async () => {
      const id = await draft();
      const s = await signRequest(ctx, actors.officer, { requestId: id });
      return { id, messageId: s.messageId, number: s.number };
    };
    /** An outgoing request KZ has confirmed receiving. */
    const delivered = async () => {
      const s = await signed();
      await recordDelivery(ctx, SYSTEM, { messageId: s.messageId, receiptAt: '2026-11-26T10:00:00+05:00' });
      return s;
    };
    const file = Buffer.from('Выписка по счёту KZ86125KZT5004100100');
    /** An outgoing request delivered and answered in full, with a file. */
    const answered = async () => {
      const { id, messageId } = await delivered();
      await receiveAnswer(ctx, SYSTEM, {
        messageId: uniq('kz-answer'),
        requestMessageId: messageId,
        final: true,
        items: example.items!.map((_, i) => ({
          itemNo: i + 1,
          outcome: 'not_found',
          ...(i === 0
            ? {
                attachments: [
                  { fileName: 'выписка.txt', mediaType: 'text/plain', contentBase64: file.toString('base64') },
                ],
              }
            : {}),
        })),
      });
      return id;
    };
    /** A request of KZ received by a body of this node. */
    const incoming = async (toBodyId = 'ru-fssp-77') =>
      (
        await receiveRequest(ctx, SYSTEM, {
          messageId: uniq('kz-request'),
          fromBody: KZ_CENTRAL,
          toBodyId,
          receivedAt: '2026-11-26T10:00:00+03:00',
          document: aRequest((r) => {
            r.number = uniq('KZ');
            r.requestingBody = KZ_CENTRAL;
            r.requestedBody = { id: toBodyId, party: 'RU', name: 'ГУФССП России' };
            r.proceeding = { ...r.proceeding!, bodyId: KZ_CENTRAL.id };
          }),
        })
      ).id;
    /** A received request on which KZ asks consent to pass the information on (R9.2). */
    const consentAsked = async () => {
      const id = await incoming();
      const consentId = randomUUID();
      await ctx.db.transaction().execute(async (tx) =>
        recordConsentRequest(tx, ctx, {
          request: await tx.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
          messageId: uniq('kz-consent'),
          consentId,
          recipient: 'Банк',
          purpose: 'Обращение взыскания',
        }),
      );
      return { id, consentId };
    };
    const batchRow = {
      proceeding: { number: 'MATRIX-B', openedOn: '2026-03-02' },
      debtor: example.debtor,
      creditor: example.creditor,
      executiveDocument: example.executiveDocument,
      items: example.items,
      grounds: example.grounds,
    };
    const batch = async () =>
      (await submitBatchJson(ctx, actors.officer, { requestedBody: { party: 'KZ' }, rows: [batchRow] })).id;
    const webhook = async () =>
      (await createWebhook(ctx, actors.admin, { bodyId: 'ru-fssp-77', url: 'https://hooks.example/eix' })).id;
    const failedDelivery = async () => {
      const id = await webhook();
      const now = ctx.clock.now();
      const event = await ctx.db
        .insertInto('events')
        .values({ kind: 'request_received', request_id: null, body_id: 'ru-fssp-77', occurred_at: now, data: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const d = await ctx.db
        .insertInto('webhook_deliveries')
        .values({
          subscription_id: id,
          event_id: event.id,
          status: 'failed',
          next_attempt_at: now,
          created_at: now,
          last_attempt_at: now,
          last_error: 'timeout',
          last_status: null,
          delivered_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return `${P}/webhooks/${id}/deliveries/${d.id}/retry`;
    };

    const everyone = CALLERS;
    const casework: readonly Caller[] = ['officer', 'supervisor', 'central', 'stranger'];
    const ownBody: readonly Caller[] = ['officer', 'supervisor', 'central'];
    const actsForBody: readonly Caller[] = ['officer', 'supervisor'];
    const at = (url: string, body?: unknown) => async (): Promise<Target> => ({ url, body });

    const MATRIX: Record<string, Line> = {
      // The orchestrator's probes and the API document: no authentication.
      'GET /livez': { open: true, allow: everyone, target: at('/livez') },
      'GET /readyz': { open: true, allow: everyone, target: at('/readyz') },
      'GET /api/openapi.json': { open: true, allow: everyone, target: at('/api/openapi.json') },
      // The public summary without a token; with one, the health page's figures: admin and supervisor only.
      'GET /api/v1/health': { anonymous: true, allow: ['admin', 'supervisor'], target: at(`${P}/health`) },

      // Any officer of the node.
      'GET /api/v1/me': { allow: everyone, target: at(`${P}/me`) },
      'GET /api/v1/bodies': { allow: everyone, target: at(`${P}/bodies`) },
      'GET /api/v1/treaty/status': { allow: everyone, target: at(`${P}/treaty/status`) },
      'GET /api/v1/treaty/can-send': { allow: everyone, target: at(`${P}/treaty/can-send?to=KZ`) },
      'GET /api/v1/protection-statement': { allow: everyone, target: at(`${P}/protection-statement`) },
      'GET /api/v1/retention-rules': { allow: everyone, target: at(`${P}/retention-rules`) },
      'GET /api/v1/retention-rules/missing': { allow: everyone, target: at(`${P}/retention-rules/missing`) },
      // One's own tokens (an admin: all of them, never a secret).
      'GET /api/v1/tokens': { allow: everyone, target: at(`${P}/tokens`) },
      'POST /api/v1/tokens': { allow: everyone, target: at(`${P}/tokens`, { name: 'matrix' }) },
      'DELETE /api/v1/tokens/:id': {
        allow: ['officer', 'admin'],
        target: async () => ({
          url: `${P}/tokens/${(await createApiToken(ctx, actors.officer, { name: 'to revoke' })).id}`,
        }),
      },
      // Issue 17: the feed shows each caller the events of the bodies he may see.
      'GET /api/v1/events': {
        allow: everyone,
        blind: ['stranger'],
        target: async () => {
          const id = await incoming();
          return { url: `${P}/events?after=0`, shows: [id] };
        },
      },
      'GET /api/v1/events/cursor': { allow: everyone, target: at(`${P}/events/cursor`) },
      'PUT /api/v1/events/cursor': { allow: everyone, target: at(`${P}/events/cursor`, { after: '0' }) },

      // Node administration.
      'POST /api/v1/bodies': {
        allow: ['admin'],
        target: async () => ({
          url: `${P}/bodies`,
          body: { id: uniq('ru-matrix'), name: 'Орган для проверки', kind: 'territorial', parentId: 'ru-fssp' },
        }),
      },
      'GET /api/v1/officers': { allow: ['admin', 'supervisor'], target: at(`${P}/officers`) },
      'POST /api/v1/officers': {
        allow: ['admin'],
        target: async () => ({
          url: `${P}/officers`,
          body: {
            bodyId: 'ru-fssp-77',
            login: uniq('matrix').toLowerCase(),
            fullName: 'Сидоров Пётр Петрович',
            position: 'инженер',
            roles: ['admin'],
          },
        }),
      },
      'PATCH /api/v1/officers/:id': {
        allow: ['admin'],
        target: async () => ({
          url: `${P}/officers/${(await seedOfficer(ctx, 'ru-fssp-77', ['admin'])).officerId}`,
          body: { disabled: true },
        }),
      },
      'PUT /api/v1/retention-rules/:party': {
        allow: ['admin'],
        target: at(`${P}/retention-rules/KZ`, { kind: 'all', months: 60, legalBasis: 'Закон Республики Казахстан' }),
      },
      'PUT /api/v1/protection-statement': {
        allow: ['admin'],
        target: at(`${P}/protection-statement`, { measures: 'Шифрование', retention: 'Пять лет' }),
      },
      'GET /api/v1/audit/verify': { allow: ['admin', 'supervisor'], target: at(`${P}/audit/verify`) },
      'GET /api/v1/webhooks': { allow: ['admin'], target: at(`${P}/webhooks`) },
      'POST /api/v1/webhooks': {
        allow: ['admin'],
        target: at(`${P}/webhooks`, { bodyId: 'ru-fssp-77', url: 'https://hooks.example/matrix' }),
      },
      'GET /api/v1/webhooks/:id': {
        allow: ['admin'],
        target: async () => ({ url: `${P}/webhooks/${await webhook()}` }),
      },
      'PATCH /api/v1/webhooks/:id': {
        allow: ['admin'],
        target: async () => ({ url: `${P}/webhooks/${await webhook()}`, body: { enabled: false } }),
      },
      'DELETE /api/v1/webhooks/:id': {
        allow: ['admin'],
        target: async () => ({ url: `${P}/webhooks/${await webhook()}` }),
      },
      'POST /api/v1/webhooks/:id/deliveries/:delivery/retry': {
        allow: ['admin'],
        target: async () => ({ url: await failedDelivery() }),
      },

      // The node toward other Parties (R9.5) and its figures: central, supervisor (and admin), no case officer.
      'GET /api/v1/protection-queries': {
        allow: ['supervisor', 'central', 'admin'],
        target: at(`${P}/protection-queries`),
      },
      'POST /api/v1/protection-queries': {
        allow: ['supervisor', 'central', 'admin'],
        target: at(`${P}/protection-queries`, { party: 'KZ' }),
      },
      'GET /api/v1/statistics': { allow: ['supervisor', 'central'], target: at(`${P}/statistics`) },
      'GET /api/v1/statistics/export': {
        allow: ['supervisor', 'central'],
        target: at(`${P}/statistics/export?format=csv`),
      },

      // Casework: proceedings.
      'POST /api/v1/proceedings': {
        // Each in his own body: nothing of another body is touched.
        allow: casework,
        target: async () => ({ url: `${P}/proceedings`, body: proceedingInput(uniq('MATRIX')) }),
      },
      'GET /api/v1/proceedings': {
        allow: casework,
        blind: ['stranger'],
        target: async () => ({ url: `${P}/proceedings`, shows: [proceedingId] }),
      },
      'GET /api/v1/proceedings/:id': {
        allow: ownBody,
        target: async () => ({ url: `${P}/proceedings/${proceedingId}` }),
      },

      // Casework: outgoing requests.
      'POST /api/v1/requests': {
        allow: actsForBody,
        target: async () => ({ url: `${P}/requests`, body: { proceedingId, ...content } }),
      },
      'GET /api/v1/requests': {
        allow: casework,
        blind: ['stranger'],
        target: async () => ({ url: `${P}/requests?direction=outgoing`, shows: [await draft()] }),
      },
      'GET /api/v1/requests/export': {
        allow: casework,
        blind: ['stranger'],
        target: async () => ({
          url: `${P}/requests/export?direction=outgoing&format=csv`,
          shows: [(await signed()).number],
        }),
      },
      'GET /api/v1/requests/:id': {
        allow: ownBody,
        target: async () => ({ url: `${P}/requests/${await draft()}` }),
      },
      'PUT /api/v1/requests/:id': {
        allow: actsForBody,
        target: async () => ({ url: `${P}/requests/${await draft()}`, body: content }),
      },
      'GET /api/v1/requests/:id/check': {
        allow: actsForBody,
        target: async () => ({ url: `${P}/requests/${await draft()}/check` }),
      },
      'POST /api/v1/requests/:id/sign': {
        allow: actsForBody,
        target: async () => ({ url: `${P}/requests/${await draft()}/sign`, body: {} }),
      },
      'PUT /api/v1/requests/:id/paper-original': {
        allow: actsForBody,
        target: async () => ({
          url: `${P}/requests/${(await delivered()).id}/paper-original`,
          body: { document: 'request', dispatchedOn: '2026-11-26', means: 'post' },
        }),
      },
      'GET /api/v1/requests/:id/attachments/:sha256': {
        allow: ownBody,
        target: async () => ({
          url: `${P}/requests/${await answered()}/attachments/${createHash('sha256').update(file).digest('hex')}`,
        }),
      },
      'POST /api/v1/requests/:id/consents': {
        allow: actsForBody,
        target: async () => ({
          url: `${P}/requests/${await answered()}/consents`,
          body: { recipient: 'ООО «Ромашка»', purpose: 'Обращение взыскания на имущество должника' },
        }),
      },
      'POST /api/v1/requests/:id/export': {
        allow: actsForBody,
        target: async () => ({ url: `${P}/requests/${await answered()}/export`, body: { recipient: 'creditor' } }),
      },

      // Casework: batches (each officer submits for his own body; a batch is seen by its body and the central one).
      'POST /api/v1/requests/batch': {
        allow: casework,
        target: at(`${P}/requests/batch`, { requestedBody: { party: 'KZ' }, rows: [batchRow] }),
      },
      'GET /api/v1/requests/batch/:id': {
        allow: ownBody,
        target: async () => ({ url: `${P}/requests/batch/${await batch()}` }),
      },
      'GET /api/v1/requests/batch/:id/report.csv': {
        allow: ownBody,
        target: async () => ({ url: `${P}/requests/batch/${await batch()}/report.csv` }),
      },

      // Casework: incoming requests.
      'POST /api/v1/requests/:id/steps': {
        allow: actsForBody,
        target: async () => ({ url: `${P}/requests/${await incoming()}/steps`, body: { step: 'take_into_work' } }),
      },
      'POST /api/v1/requests/:id/answers': {
        allow: actsForBody,
        target: async () => ({
          url: `${P}/requests/${await incoming()}/answers`,
          body: { final: false, items: [{ itemNo: 1, outcome: 'not_found' }] },
        }),
      },
      'POST /api/v1/requests/:id/refusal': {
        allow: actsForBody,
        target: async () => ({
          url: `${P}/requests/${await incoming()}/refusal`,
          body: { ground: 'law', circumstances: 'Исполнение противоречит законодательству' },
        }),
      },
      'POST /api/v1/requests/:id/forward': {
        // R18: only the central body the request was sent to forwards it.
        allow: ['central'],
        target: async () => ({
          url: `${P}/requests/${await incoming('ru-fssp')}/forward`,
          body: { toBodyId: 'ru-fssp-77' },
        }),
      },
      'POST /api/v1/requests/:id/consents/:consentId/decision': {
        allow: actsForBody,
        target: async () => {
          const { id, consentId } = await consentAsked();
          return { url: `${P}/requests/${id}/consents/${consentId}/decision`, body: { granted: true } };
        },
      },
    };

    test('every REST route has a line in the matrix, and every line is a route the server serves', () => {
      const served = servedRoutes(app).filter((r) => isRest(r));
      const missing = served.filter((r) => !MATRIX[r]);
      assert.deepEqual(missing, [], 'routes without a line in the authorisation matrix');
      assert.deepEqual(
        Object.keys(MATRIX).filter((k) => !served.includes(k)),
        [],
        'lines of the matrix for routes the server does not serve',
      );
      assert.ok(served.length >= 55, `${served.length} routes`);
    });

    test('R9.4 authorisation matrix: with a valid body every route refuses no token, other nodes, other bodies and missing roles by the access check, never by validation, and lets the rightful caller through', async (tc) => {
      const failures: string[] = [];
      const tally = new Map<string, number>();
      const count = (r: Answer) => {
        const k = r.code ? `${r.status} ${r.code}` : String(r.status);
        tally.set(k, (tally.get(k) ?? 0) + 1);
      };
      const routes = servedRoutes(app).filter((r) => isRest(r));
      for (const key of routes) {
        const line = MATRIX[key];
        if (!line) {
          failures.push(`${key}: no line in the matrix`);
          continue;
        }
        const method = key.split(' ')[0]!;
        const t = await line.target();
        const check = (ok: boolean, what: string) => {
          if (!ok) failures.push(`${key}: ${what}`);
        };
        const refusedCleanly = async (who: string, token: string | null, expect?: readonly ErrorCode[]) => {
          const seq = await auditSeq();
          const r = await send(token, method, t.url, t.body);
          count(r);
          const where = `${who} got ${r.status} ${r.code ?? ''} ${r.text.slice(0, 160)}`;
          const code = r.code as ErrorCode | undefined;
          if (code !== undefined && (code.startsWith('input.') || !ACCESS_REFUSALS.has(code)))
            check(false, `${where}: refused by ${code}, not by the access check (validation or a rule came first)`);
          else
            check(
              code !== undefined && ERROR_CODES[code].http === r.status && (!expect || expect.includes(code)),
              `${where}: not an access refusal${expect ? ` (${expect.join('/')})` : ''}`,
            );
          check(!PERSONAL.some((s) => r.text.includes(s)), `${who}: the refusal shows personal data`);
          const audited = await sql<{ action: string }>`select action from audit_log where seq > ${seq}`.execute(
            ctx.db,
          );
          const extra = audited.rows.map((a) => a.action).filter((a) => a !== 'auth.login_failed');
          check(extra.length === 0, `${who}'s refused call was audited as ${extra.join(', ')}`);
          return r;
        };
        // The rows before the refusals; compared once they are all made (a digest of every table costs
        // some 60 ms on PGlite: once per route, not per call).
        const before = await rows();

        // 1. Authentication.
        if (line.open) {
          for (const token of [null, 'eix_00000000_forged', tokens.foreign]) {
            const r = await send(token, method, t.url, t.body);
            count(r);
            check(r.status === 200, `an open route answered ${r.status}`);
          }
        } else {
          if (line.anonymous) {
            const r = await send(null, method, t.url, t.body);
            count(r);
            check(r.status === 200, 'no public answer');
          } else await refusedCleanly('no token', null, ['auth.required']);
          await refusedCleanly('a forged token', 'eix_00000000_forged', ['auth.token']);
          await refusedCleanly("another Party's node's token", tokens.foreign, ['auth.token']);
        }

        // 2. Callers the access check must stop, with the valid body.
        for (const who of CALLERS.filter((c) => !line.allow.includes(c))) {
          const r = await refusedCleanly(who, tokens[who]);
          const byRole = r.code === 'access.denied' && Array.isArray(r.details?.roles);
          if (who === 'stranger')
            check(
              byRole || (r.status === 404 && !!r.code?.endsWith('.not_found')),
              `the stranger was told ${r.code}: another body's record must be "not found" (no probing by id)`,
            );
          if (byRole) {
            // ARCHITECTURE 12: the role before the input — a wrong body or query changes nothing in the refusal.
            const bad = method === 'GET' || method === 'DELETE' ? undefined : { matrixProbe: true };
            const url = method === 'GET' ? `${t.url}${t.url.includes('?') ? '&' : '?'}matrixProbe=1` : t.url;
            const p = await send(tokens[who], method, url, bad);
            count(p);
            check(
              p.status === r.status && p.code === r.code,
              `${who} refused by role with a valid body, but got ${p.status} ${p.code} with an invalid one (input checked before the role)`,
            );
          }
        }

        const changed = Object.entries(await rows())
          .filter(([k, h]) => before[k] !== h)
          .map(([k]) => k);
        check(changed.length === 0, `the refused calls changed ${changed.join(', ')}`);

        // 3. The positive control: the same body lets the rightful callers through.
        for (const [i, who] of line.allow.entries()) {
          const r = await send(tokens[who], method, t.url, t.body);
          count(r);
          const where = `${who} got ${r.status} ${r.code ?? ''} ${r.text.slice(0, 200)}`;
          if (i === 0) check(r.status >= 200 && r.status < 300, `${where}: the rightful caller must get 2xx`);
          else check(r.status < 300 || r.status === 409, `${where}: a caller let through must not be refused`);
          if (line.blind?.includes(who)) {
            check(r.status === 200, `${where}: a filtered list answers 200`);
            const seen = (t.shows ?? []).filter((s) => r.text.includes(s));
            check(seen.length === 0, `${who} sees ${seen.join(', ')} of another body`);
          } else if (i === 0 && t.shows)
            check(
              t.shows.every((s) => r.text.includes(s)),
              `${who} does not see his own body's ${t.shows.join(', ')}: the blind callers' check proves nothing`,
            );
        }
      }
      tc.diagnostic(
        `${routes.length} routes, ${[...tally.values()].reduce((a, b) => a + b, 0)} calls: ` +
          [...tally.entries()]
            .sort((a, b) => a[0].localeCompare(b[0]))
            .map(([k, n]) => `${k} ×${n}`)
            .join(', '),
      );
      await writeResult(`authorisation-matrix-${e.engine}.json`, {
        routes: routes.length,
        calls: [...tally.values()].reduce((a, b) => a + b, 0),
        outcomes: Object.fromEntries([...tally.entries()].sort((a, b) => a[0].localeCompare(b[0]))),
        failures: failures.length,
      });
      assert.deepEqual(failures, []);
    });
  });
}

/** The REST API: /api/… (but the Swagger UI's static files) and the orchestrator's probes. */
function isRest(route: string): boolean {
  const path = route.split(' ')[1]!;
  return (path.startsWith('/api/') && !path.startsWith('/api/docs')) || path === '/livez' || path === '/readyz';
}
