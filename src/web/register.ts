// The officer web UI: server-rendered pages (eta) with htmx for the live
// request check, served by the node itself. Routes translate forms into the
// same use cases the REST API calls (house rule 3); every page is Russian (R19).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { Eta } from 'eta';
import { type AppContext, type Officer } from '../app/context.js';
import { PROTECTION_QUERY_ROLES } from '../app/ask-protection-measures.js';
import { requireCsrf, resolveSession } from '../app/sessions.js';
import type { SessionGate } from '../app/sessions.js';
import { partyDay, partyTimeZone } from '../domain/parties.js';
import { EixError, isEixError } from '../domain/errors.js';
import { crossSiteReason } from '../domain/login-throttle.js';
import { webDates } from './dates.js';
import { labels } from './labels.js';

import { COOKIE, SESSION_COOKIE_ATTRIBUTES, one, type WebKit, type WebOptions } from './kit.js';
import { sessionRoutes } from './routes/session.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { proceedingRoutes } from './routes/proceedings.js';
import { requestRoutes } from './routes/requests.js';
import { batchRoutes } from './routes/batches.js';
import { answerRoutes } from './routes/answers.js';
import { paperRoutes } from './routes/paper.js';
import { adminRoutes } from './routes/admin.js';
import { userRoutes } from './routes/users.js';
import { noticeRoutes } from './routes/notices.js';
import { healthRoutes } from './routes/health.js';
import { bodyRoutes } from './routes/bodies.js';
import { auditRoutes } from './routes/audit.js';
import { statisticsRoutes } from './routes/statistics.js';
import { webhookRoutes } from './routes/webhooks.js';
import { mailRoutes } from './routes/mail.js';
import { countUnreadNotices, type UnreadNotices } from '../app/count-unread-notices.js';
export type { WebOptions } from './kit.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const TEMPLATES = path.join(here, 'templates');
const CSS = readFileSync(path.join(here, 'assets', 'app.css'));
const HTMX = readFileSync(
  path.join(path.dirname(createRequire(import.meta.url).resolve('htmx.org/package.json')), 'dist', 'htmx.min.js'),
);
// The "show password" toggle of the password fields (ASVS V2.1.12): a static script, no inline script under the CSP.
const PASSWORD_JS = readFileSync(path.join(here, 'assets', 'password.js'));
// Issue 15.6: chart.js (its UMD build, from node_modules, served by the node: no CDN) and the script that draws the
// statistics page's charts from the page's JSON block (no inline script under the CSP).
const CHART_JS = readFileSync(
  // The package exports only its entry points: its UMD build lies beside the CommonJS one in dist/.
  path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'),
  'utf8',
)
  // The source map is not served; the browser must not ask for it.
  .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
const STATISTICS_JS = readFileSync(path.join(here, 'assets', 'statistics.js'));
// The kind switch of the debtor and the creditor on the new-proceeding form (hides the groups that do not fit).
const PERSON_KIND_JS = readFileSync(path.join(here, 'assets', 'person-kind.js'));
interface Session {
  officer: Officer;
  /** The officer's body, by name (the page header). */
  bodyName: string;
  csrf: string;
  gate: SessionGate;
  totpEnabled: boolean;
}
/** Where a session held by a gate may go (issue 13, item 3); the first is where it is sent. */
const GATE_PATHS: Readonly<Record<Exclude<SessionGate, null>, readonly string[]>> = {
  second_factor: ['/login/code'],
  // The strength meter of the password page (htmx) belongs to it.
  password: ['/password', '/password/strength'],
  enrol: ['/security', '/security/totp', '/security/totp/confirm'],
};
declare module 'fastify' {
  interface FastifyRequest {
    session: Session | null;
    /** The menu badge's unread notices (issue 14.7), counted once per full page. */
    notices: UnreadNotices | null;
  }
}

export async function registerWeb(app: FastifyInstance, ctx: AppContext, opts: WebOptions = {}): Promise<void> {
  const eta = new Eta({ views: TEMPLATES, cache: true, autoEscape: true });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  // Multipart is parsed only in the scope of the routes that take files (around the answer route below).
  app.decorateRequest('session', null);
  app.decorateRequest('notices', null);
  const today = () => partyDay(ctx.clock.now(), ctx.party);
  // Dates on every page: ДД.ММ.ГГГГ in the node's local time zone.
  const dates = webDates(partyTimeZone(ctx.party));

  const render = (reply: FastifyReply, req: FastifyRequest, tpl: string, data: Record<string, unknown>, status = 200) =>
    reply
      .status(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        eta.render(tpl, {
          ...labels,
          ...dates,
          protectionRoles: PROTECTION_QUERY_ROLES,
          me: req.session?.officer ?? null,
          myBody: req.session?.bodyName ?? '',
          notices: req.notices,
          csrf: req.session?.csrf ?? '',
          gate: req.session?.gate ?? null,
          ...data,
        }),
      );
  const me = (req: FastifyRequest): Officer => {
    if (!req.session) throw new EixError('auth.required');
    return req.session.officer;
  };

  app.get('/assets/app.css', (_req, reply) =>
    reply.type('text/css').header('cache-control', 'public, max-age=3600').send(CSS),
  );
  app.get('/assets/htmx.min.js', (_req, reply) =>
    reply.type('text/javascript').header('cache-control', 'public, max-age=86400').send(HTMX),
  );
  app.get('/assets/chart.umd.min.js', (_req, reply) =>
    reply.type('text/javascript').header('cache-control', 'public, max-age=86400').send(CHART_JS),
  );
  app.get('/assets/statistics.js', (_req, reply) =>
    reply.type('text/javascript').header('cache-control', 'public, max-age=3600').send(STATISTICS_JS),
  );
  app.get('/assets/password.js', (_req, reply) =>
    reply.type('text/javascript').header('cache-control', 'public, max-age=3600').send(PASSWORD_JS),
  );
  app.get('/assets/person-kind.js', (_req, reply) =>
    reply.type('text/javascript').header('cache-control', 'public, max-age=3600').send(PERSON_KIND_JS),
  );

  // Before any body is read (V13.2, V4.2.2): a state-changing request from another site is refused,
  // and every page but the login and the assets needs a session.
  app.addHook('onRequest', async (req, reply) => {
    const url = req.url.split('?')[0]!;
    // The orchestrators' probes (/livez, /readyz) are the API's, without a session.
    if (url.startsWith('/api/') || url.startsWith('/assets/') || url === '/livez' || url === '/readyz') return;
    const changes = req.method !== 'GET' && req.method !== 'HEAD';
    const refuse = (status: number) => {
      // The unread body is not drained: the connection ends with the answer.
      if (changes) void reply.header('connection', 'close');
      return reply.status(status);
    };
    if (changes) {
      const reason = crossSiteReason(
        { origin: req.headers.origin, secFetchSite: one(req.headers['sec-fetch-site']) || undefined },
        req.host,
      );
      if (reason !== null) {
        const e = new EixError('access.cross_site', { header: reason });
        req.log.info({ code: e.code, reason }, 'request refused');
        refuse(e.http);
        return url === '/login'
          ? render(reply, req, 'login', { title: 'Вход', flash: { text: e.message } }, e.http)
          : render(reply, req, 'error', { title: 'Ошибка', error: e }, e.http);
      }
    }
    if (url === '/login') {
      // The login form is urlencoded; anything else is refused unread (no multipart, no draining).
      const type = req.headers['content-type']?.toLowerCase() ?? '';
      if (!changes || type.startsWith('application/x-www-form-urlencoded')) return;
      const e = new EixError(
        'input.media_type',
        { field: 'content-type' },
        'Форма входа принимает только application/x-www-form-urlencoded',
      );
      refuse(e.http);
      return render(reply, req, 'login', { title: 'Вход', flash: { text: e.message } }, e.http);
    }
    const token = req.cookies[COOKIE];
    const resolved = token ? await resolveSession(ctx, token) : null;
    req.session = resolved && 'officer' in resolved ? resolved : null;
    if (!req.session) {
      // V3.3.2: an idle (or too old) session is gone; the login page says why.
      const to = resolved && 'ended' in resolved ? `/login?ended=${resolved.ended}` : '/login';
      if (resolved) void reply.clearCookie(COOKIE, SESSION_COOKIE_ATTRIBUTES);
      if (req.headers['hx-request']) return refuse(401).header('HX-Redirect', to).send('');
      return refuse(302).redirect(to);
    }
    // Second factor, a password an admin set, an admin without a second factor: nothing else until done.
    const gate = req.session.gate;
    if (gate && url !== '/logout' && !GATE_PATHS[gate].includes(url)) {
      const to = GATE_PATHS[gate][0]!;
      if (req.headers['hx-request']) return refuse(403).header('HX-Redirect', to).send('');
      return refuse(302).redirect(to);
    }
    // The menu badge of every full page (htmx fragments have no menu).
    if (!changes && !req.headers['hx-request']) req.notices = await countUnreadNotices(ctx, req.session.officer);
    return undefined;
  });
  // CSRF token of the session on every state-changing page (the body is parsed by now).
  app.addHook('preHandler', async (req) => {
    if (!req.session || req.method === 'GET' || req.method === 'HEAD') return;
    const field = (req.body as Record<string, unknown> | undefined)?._csrf;
    requireCsrf(
      req.session.csrf,
      (field as { value?: string } | undefined)?.value ?? field ?? req.headers['x-csrf-token'],
    );
  });

  /** Page handlers: a coded error is shown on the page in Russian, with its status. */
  const page =
    (fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        return await fn(req, reply);
      } catch (e) {
        if (!isEixError(e)) throw e;
        return render(reply, req, 'error', { title: 'Ошибка', error: e }, e.http);
      }
    };

  const kit: WebKit = { ctx, opts, eta, dates, today, render, page, me };
  sessionRoutes(app, kit);
  dashboardRoutes(app, kit);
  proceedingRoutes(app, kit);
  await batchRoutes(app, kit);
  requestRoutes(app, kit);
  await answerRoutes(app, kit);
  paperRoutes(app, kit);
  adminRoutes(app, kit);
  userRoutes(app, kit);
  noticeRoutes(app, kit);
  healthRoutes(app, kit);
  await bodyRoutes(app, kit);
  auditRoutes(app, kit);
  statisticsRoutes(app, kit);
  webhookRoutes(app, kit);
  mailRoutes(app, kit);
}
