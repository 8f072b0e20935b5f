// The node's REST API (Fastify 5): routes translate HTTP to use cases and
// back (house rule 3). Every error is {"error":{code,message,details}} with the
// status from the one error table; use cases validate their input (Russian
// messages naming the field), so the route schemas serve the OpenAPI document.
import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { authenticateToken } from '../../app/authenticate.js';
import type { Actor, AppContext } from '../../app/context.js';
import { EixError } from '../../domain/errors.js';
import { registerStatisticsRoutes } from './routes/statistics.js';
import { toEixError } from './errors.js';
import type { ListenerTls } from './tls.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerDisclosureRoutes, registerRequestRoutes } from './routes/requests.js';
import { registerBatchRoutes } from './routes/batches.js';
import { registerTreatyRoutes } from './routes/treaty.js';
import { registerEventRoutes } from './routes/events.js';
import { registerWeb } from '../../web/register.js';
import { wakeOnWrites } from './wake-on-writes.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export interface ServerOptions {
  readonly ctx: AppContext;
  readonly logLevel?: string;
  /** Requests per minute per client (rate limiting). */
  readonly rateLimit?: number;
  /** Failed authentications (bad tokens, bad passwords) per client address per 15 minutes. */
  readonly authFailureLimit?: number;
  /** Web uploads: bytes of the whole request and files per request. */
  readonly uploads?: { readonly maxBytes: number; readonly maxFiles: number };
  readonly nodeName?: string;
  /** Called after every successful change with the tables it wrote (the workers taking them wake up). */
  readonly onChange?: (written: ReadonlySet<string>) => void;
  /** HTTPS for the listener (EIX_TLS_CERT, EIX_TLS_KEY, checked by loadListenerTls); plain HTTP otherwise. */
  readonly https?: ListenerTls | null;
  /** Reverse proxies trusted for X-Forwarded-For/-Proto (EIX_TRUST_PROXY); none by default. */
  readonly trustProxy?: false | readonly string[];
  /** Where the log lines go (tests read them); standard output otherwise. */
  readonly logStream?: { write(line: string): void };
}

export const API_PREFIX = '/api/v1';

/** The authenticated actor of a route (the hook has set it for every non-public route). */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new EixError('auth.required');
  return req.actor;
}

/**
 * The stricter limiter of failed authentications per client address (bad API
 * tokens and bad web passwords share it): `check` refuses with 429 once the
 * address has used its failures of the window, before any token or password is
 * looked at; `fail` counts one failure.
 */
export interface AuthFailureGate {
  check(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  fail(req: FastifyRequest): Promise<void>;
}

function authFailureGate(app: FastifyInstance, max: number): AuthFailureGate {
  const limiter = app.createRateLimit({ max, timeWindow: '15 minutes' });
  return {
    async check(req, reply) {
      const r = await limiter(req, { increment: false });
      if (r.isAllowed || r.remaining > 0) return;
      const seconds = Math.max(1, r.ttlInSeconds);
      void reply.header('retry-after', String(seconds));
      throw new EixError(
        'auth.throttled',
        { retryAfterSeconds: seconds },
        `Слишком много неудачных попыток входа с этого адреса; повторите через ${seconds} с`,
      );
    },
    async fail(req) {
      await limiter(req);
    },
  };
}

/**
 * How long a plugin may take to register. Fastify's 10 s default ended a node's start (and a test's) on a machine
 * at load 12, where registering @fastify/cookie took longer; a slow start is not a failed one.
 */
export const PLUGIN_TIMEOUT_MS = 120_000;

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  // Deployment (issue 13 item 8): req.ip — the rate-limit key and the logged address — is the client's
  // address as the trusted proxies report it, the socket's address otherwise.
  const deployment = {
    ...(opts.https ? { https: opts.https } : {}),
    trustProxy: opts.trustProxy ? [...opts.trustProxy] : false,
    // Typed as the plain-HTTP options: Fastify's HTTPS overload would change the instance type the routes use.
  } as Pick<FastifyServerOptions, 'trustProxy'>;
  const app = Fastify({
    ...deployment,
    pluginTimeout: PLUGIN_TIMEOUT_MS,
    logger: {
      level: opts.logLevel ?? 'info',
      ...(opts.logStream ? { stream: opts.logStream } : {}),
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      // No query strings in logs: searches carry debtors' names and ids (R9.4).
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          url: req.url.split('?')[0],
          remoteAddress: req.ip,
        }),
      },
    },
    genReqId: () => randomUUID(),
    requestIdHeader: 'x-request-id',
    bodyLimit: 1024 * 1024,
    // Deeply nested JSON is refused before it reaches any use case.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 200 },
    // Malformed URLs and over-long path parameters get the same error shape as everything else.
    frameworkErrors: (error, _req, reply) => {
      const e =
        (error as { code?: string }).code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new EixError('input.invalid', { field: 'path' }, 'Слишком длинный параметр в адресе')
          : new EixError('input.invalid', { field: 'path' }, 'Неверный адрес запроса');
      void (reply as unknown as { status(n: number): { send(b: unknown): void } })
        .status(e.http)
        .send({ error: e.toJSON() });
    },
  });
  // Schemas document the API; the use cases validate (one path, Russian messages).
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.decorateRequest('actor', null);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
      },
    },
  });
  // Not per route (route hooks run after the authentication hook): one hook, first, for every request.
  await app.register(rateLimit, {
    global: false,
    max: opts.rateLimit ?? 600,
    timeWindow: '1 minute',
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: {
        code: 'rate_limited',
        message: `Слишком много запросов; повторите через ${Math.ceil(ctx.ttl / 1000)} с`,
        details: { retryAfterSeconds: Math.ceil(ctx.ttl / 1000) },
      },
    }),
  });
  await app.register(swagger, {
    // The web UI's pages are not part of the API document.
    hideUntagged: true,
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'EIX — API узла',
        version: '1',
        description:
          'Обмен информацией при принудительном исполнении (Соглашение СНГ). Ошибки: {"error":{"code","message","details"}}.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API-токен сотрудника (eix token create)' },
        },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  // Rate limiting before authentication: a bad token costs the caller a request like any other.
  app.addHook('onRequest', app.rateLimit());
  const authFailures = authFailureGate(app, opts.authFailureLimit ?? 10);
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith(API_PREFIX)) return;
    const header = req.headers.authorization;
    // The health summary needs no token; with one, it shows the health page's figures (issue 15.4).
    if (req.url.split('?')[0] === `${API_PREFIX}/health` && header === undefined) return;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : null;
    if (!token) throw new EixError('auth.required');
    await authFailures.check(req, reply);
    try {
      req.actor = await authenticateToken(opts.ctx, token, { address: req.ip });
    } catch (e) {
      if (e instanceof EixError && e.code === 'auth.token') await authFailures.fail(req);
      throw e;
    }
  });

  // ASVS V14.4.2: an API answer opened in a browser is downloaded, never rendered;
  // V8.1.1: no cache keeps one (answers carry personal data).
  app.addHook('onSend', async (req, reply) => {
    if (!req.url.startsWith(`${API_PREFIX}/`)) return;
    if (!reply.hasHeader('content-disposition'))
      void reply.header('content-disposition', 'attachment; filename="api.json"');
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });

  wakeOnWrites(app, opts.onChange);

  app.setErrorHandler((err, req, reply) => {
    const e = toEixError(err);
    if (e.http >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: e.code }, 'request refused');
    void reply.status(e.http).send({ error: e.toJSON() });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .status(404)
      .send({ error: new EixError('route.not_found', { method: req.method, url: req.url.split('?')[0] }).toJSON() });
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  registerHealthRoutes(app, opts.ctx, { ...(opts.nodeName ? { nodeName: opts.nodeName } : {}) });
  registerRequestRoutes(app, opts.ctx);
  registerBatchRoutes(app, opts.ctx);
  registerDisclosureRoutes(app, opts.ctx);
  registerAdminRoutes(app, opts.ctx);
  registerTreatyRoutes(app, opts.ctx);
  registerStatisticsRoutes(app, opts.ctx);
  registerEventRoutes(app, opts.ctx);
  await registerWeb(app, opts.ctx, {
    authFailures,
    uploads: opts.uploads ?? { maxBytes: 50 * 1024 * 1024, maxFiles: 10 },
  });
  return app;
}
