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
import multipart from '@fastify/multipart';
import { Eta } from 'eta';
import QRCode from 'qrcode';
import { actOnRequest } from '../app/act-on-request.js';
import { answerRequest } from '../app/answer-request.js';
import { countMissingPaperOriginals, latePaperOriginalsOf } from '../app/check-paper-originals.js';
import { ROLE_LABELS_RU, type AppContext, type Officer } from '../app/context.js';
import { draftRequest, previewDraft } from '../app/draft-request.js';
import { createProceeding } from '../app/create-proceeding.js';
import { exportReceivedData } from '../app/export-received-data.js';
import { getCrossBorderPicture } from '../app/get-cross-border-picture.js';
import { requestDisclosureConsent } from '../app/request-disclosure-consent.js';
import { decideDisclosureConsent } from '../app/decide-disclosure-consent.js';
import { askProtectionMeasures, PROTECTION_QUERY_ROLES } from '../app/ask-protection-measures.js';
import { listProtectionQueries } from '../app/list-protection-queries.js';
import { getProtectionStatement } from '../app/get-protection-statement.js';
import { getRequest, type RequestView } from '../app/get-request.js';
import { listAuditEntries } from '../app/list-audit-entries.js';
import { listBodies } from '../app/list-bodies.js';
import { listWaitingMessages } from '../app/list-waiting-messages.js';
import { getProceeding, listProceedings } from '../app/list-proceedings.js';
import { countIncomingByDeadline } from '../app/count-incoming-by-deadline.js';
import { listRequests } from '../app/list-requests.js';
import { checkRetentionRules } from '../app/check-retention-rules.js';
import { listRetentionRules } from '../app/list-retention-rules.js';
import { readAttachment } from '../app/read-attachment.js';
import { refuseRequest } from '../app/refuse-request.js';
import {
  closeSession,
  openSession,
  requireCsrf,
  resolveSession,
  sessionHash,
  setFlash,
  takeFlash,
  type SessionEnd,
} from '../app/sessions.js';
import { listApiTokens } from '../app/list-api-tokens.js';
import { changePassword } from '../app/change-password.js';
import { estimatePassword } from '../app/estimate-password.js';
import { confirmTotpEnrolment } from '../app/confirm-totp-enrolment.js';
import { createApiToken } from '../app/create-api-token.js';
import { decideRoleGrant } from '../app/decide-role-grant.js';
import { listRoleGrants } from '../app/list-role-grants.js';
import { startTotpEnrolment } from '../app/start-totp-enrolment.js';
import { verifySecondFactor } from '../app/verify-second-factor.js';
import type { SessionGate } from '../app/sessions.js';
import { addBody } from '../app/add-body.js';
import { addOfficer } from '../app/add-officer.js';
import { setRetentionRule } from '../app/set-retention-rule.js';
import { setProtectionStatement } from '../app/set-protection-statement.js';
import { recordPaperOriginal } from '../app/record-paper-original.js';
import { sealFor, verifyPaperOriginal } from '../app/verify-paper-original.js';
import { sendAttachment } from '../adapters/http/download.js';
import { renderAnswerPdf, renderRequestPdf } from '../adapters/pdf/request-pdf.js';
import { signRequest } from '../app/sign-request.js';
import { SIGNATORY_CODES, partyCurrency, partyDay, partyTimeZone } from '../domain/parties.js';
import { RETENTION_KINDS, RETENTION_KIND_LABELS_RU } from '../domain/retention.js';
import { ANSWER_OUTCOMES, OUTCOME_LABELS_RU } from '../domain/answer.js';
import { ALLOWED_TYPES_RU, ATTACHMENT_TYPES, OPAQUE_MEDIA_TYPE, typeOfFileName } from '../domain/attachments.js';
import { EixError, isEixError } from '../domain/errors.js';
import type { Problem } from '../domain/problems.js';
import type { Request } from '../domain/request.js';
import { requestableBodies, treatyStatus } from '../domain/treaty.js';
import { MESSAGE_TYPES, STEP_MESSAGE_TYPES, type FormField } from '../domain/messages.js';
import { crossSiteReason } from '../domain/login-throttle.js';
import type { AuthFailureGate } from '../adapters/http/server.js';
import { toEixError } from '../adapters/http/errors.js';
import { webDates } from './dates.js';
import { labels } from './labels.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const TEMPLATES = path.join(here, 'templates');
const CSS = readFileSync(path.join(here, 'assets', 'app.css'));
const HTMX = readFileSync(
  path.join(path.dirname(createRequire(import.meta.url).resolve('htmx.org/package.json')), 'dist', 'htmx.min.js'),
);
// The "show password" toggle of the password fields (ASVS V2.1.12): a static script, no inline script under the CSP.
const PASSWORD_JS = readFileSync(path.join(here, 'assets', 'password.js'));
// ASVS V3.4.4: the __Host- prefix binds the cookie to this host (Secure, Path=/, no Domain).
const COOKIE = '__Host-eix_session';
const SESSION_COOKIE_ATTRIBUTES = { httpOnly: true, secure: true, sameSite: 'strict', path: '/' } as const;
/** Why the login page is shown after a session ended (a fixed code in the URL, never text). */
const SESSION_ENDED_RU: Readonly<Record<SessionEnd, string>> = {
  idle: 'Сеанс завершён из-за бездействия. Войдите снова.',
  expired: 'Срок сеанса истёк. Войдите снова.',
};

type Form = Record<string, string | string[] | undefined>;
interface Session {
  officer: Officer;
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
  }
}

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
const opt = (v: string | string[] | undefined): string | undefined => one(v) || undefined;

interface StepFormView {
  step: string;
  label: string;
  button: string;
  fields: {
    name: string;
    label: string;
    type: string;
    required: boolean;
    options?: readonly (readonly [string, string])[];
  }[];
}

/**
 * The officer's step forms: taking a request into work (no message), then one
 * per step message of the catalogue (its labels and fields, required as its
 * wire schema says), the refusal and the withdrawal last.
 */
const STEP_FORMS: readonly StepFormView[] = [
  { step: 'take_into_work', label: 'Принять к исполнению', button: 'Принять к исполнению', fields: [] },
  ...[...STEP_MESSAGE_TYPES]
    .sort((a, b) => Number(a === 'refusal' || a === 'withdraw') - Number(b === 'refusal' || b === 'withdraw'))
    .map((t): StepFormView => {
      const entry = MESSAGE_TYPES[t];
      const required = new Set((entry.body as { required?: string[] }).required ?? []);
      return {
        step: entry.event,
        label: entry.form.label,
        button: entry.form.button,
        fields: Object.entries(entry.form.fields as Record<string, FormField>).map(([name, f]) => ({
          name,
          label: f.label,
          type: f.input,
          required: required.has(name),
          ...(f.options ? { options: f.options } : {}),
        })),
      };
    }),
];

/**
 * R13.d: the refusal form of this request. The ground «declaration» is offered
 * only when the requesting or the requested Party made an Article 25
 * declaration that covers this request, and then only those Parties.
 */
function stepFormsFor(v: RequestView): StepFormView[] {
  return STEP_FORMS.map((s) => {
    if (s.step !== 'refuse') return s;
    const fields = s.fields.map((f) =>
      f.name === 'ground' && v.declarationParties.length === 0
        ? { ...f, options: (f.options ?? []).filter(([g]) => g !== 'declaration') }
        : f,
    );
    if (v.declarationParties.length === 0) return { ...s, fields };
    const role = (cc: string) => (cc === v.counterpartBody.party ? 'запрашивающая Сторона' : 'запрашиваемая Сторона');
    const declarationParty = {
      name: 'declarationParty',
      label: 'Сторона, заявление которой (статья 25) охватывает исполнительный документ',
      type: 'select',
      required: false,
      options: [
        ['', 'не указывается (другое основание)'] as const,
        ...v.declarationParties.map((cc) => [cc, `${labels.partyName(cc)} (${role(cc)})`] as const),
      ],
    };
    const at = fields.findIndex((f) => f.name === 'ground') + 1;
    return { ...s, fields: [...fields.slice(0, at), declarationParty, ...fields.slice(at)] };
  });
}

/** R14: the request for additional information starts from what the check on receipt found missing (R11). */
function stepPrefill(v: RequestView): Record<string, Record<string, string>> {
  const problems = v.direction === 'incoming' ? (v.receiptCheck?.problems ?? []) : [];
  if (problems.length === 0) return {};
  const list = problems.map((p) => `— ${labels.problemText(p)}`).join('\n');
  return {
    request_additional_info: { questions: `Просим сообщить недостающие сведения (статья 11 Соглашения):\n${list}` },
  };
}

interface Upload {
  field: string;
  fileName: string;
  mediaType: string;
  content: Buffer;
}

/**
 * The media type a browser declared for an uploaded file, without parameters; a browser that knows no type
 * for the file sends application/octet-stream (or nothing): then the type its name's extension names on the
 * allowlist stands for it. The answer use case still checks the content against it (src/domain/attachments.ts).
 */
function uploadMediaType(declared: string | undefined, fileName: string): string {
  const mt = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  return mt && mt !== OPAQUE_MEDIA_TYPE ? mt : (typeOfFileName(fileName)?.mediaType ?? OPAQUE_MEDIA_TYPE);
}

/** Fields and files of a multipart form (attachFieldsToBody), or a plain urlencoded form. */
async function readMultipart(body: unknown): Promise<{ form: Form; files: Upload[] }> {
  const form: Form = {};
  const files: Upload[] = [];
  for (const [key, raw] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    for (const part of Array.isArray(raw) ? raw : [raw]) {
      const p = part as {
        type?: string;
        value?: unknown;
        filename?: string;
        mimetype?: string;
        toBuffer?: () => Promise<Buffer>;
      };
      if (p && typeof p === 'object' && p.type === 'file' && p.toBuffer) {
        const content = await p.toBuffer();
        if (content.length > 0 && p.filename)
          files.push({
            field: key,
            fileName: p.filename,
            mediaType: uploadMediaType(p.mimetype, p.filename),
            content,
          });
      } else {
        const value = p && typeof p === 'object' && 'value' in p ? String(p.value) : String(part ?? '');
        const prev = form[key];
        form[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
      }
    }
  }
  return { form, files };
}

/** The wizard's form as the draft use case's input (items in a fixed order). */
export function formToDraft(f: Form): Record<string, unknown> {
  const items: Record<string, unknown>[] = [];
  if (one(f.item_proceedings)) items.push({ kind: 'proceedings', results: ['collected', 'arrested', 'for_sale'] });
  if (one(f.item_property))
    items.push({ kind: 'property', subItems: ['a', 'b', 'c', 'd', 'e'].filter((k) => one(f[`sub_${k}`])) });
  if (one(f.item_income)) {
    items.push({
      kind: 'employment_income',
      workplace: Boolean(one(f.income_workplace)),
      income: Boolean(one(f.income_income)),
      ...(one(f.income_income)
        ? {
            period: {
              ...(opt(f.income_from) ? { from: one(f.income_from) } : {}),
              ...(opt(f.income_to) ? { to: one(f.income_to) } : {}),
            },
          }
        : {}),
    });
  }
  if (one(f.item_location)) items.push({ kind: 'location', target: 'debtor' });
  if (one(f.item_clarification))
    items.push({
      kind: 'clarification',
      party: 'debtor',
      questions: one(f.clarification_questions)
        .split('\n')
        .map((q) => q.trim())
        .filter(Boolean),
    });
  if (one(f.item_other))
    items.push({ kind: 'other', ...(opt(f.other_description) ? { description: one(f.other_description) } : {}) });
  const [party, id, ...name] = one(f.requestedBody).split('|');
  return {
    proceedingId: one(f.proceedingId),
    requestedBody: {
      ...(party ? { party } : {}),
      ...(id ? { id } : {}),
      ...(name.length ? { name: name.join('|') } : {}),
    },
    items,
    ...(opt(f.grounds) ? { grounds: one(f.grounds) } : {}),
    ...(opt(f.otherInfo) ? { otherInfo: one(f.otherInfo) } : {}),
    ...(opt(f.shorterTerm) ? { shorterTerm: one(f.shorterTerm) } : {}),
    ...(opt(f.executiveDocumentIndex) ? { executiveDocumentIndex: Number(one(f.executiveDocumentIndex)) } : {}),
    confidential: Boolean(one(f.confidential)),
  };
}

/**
 * The answer screen's form as the answer use case's items: the items given an
 * outcome, each with its fields as answer data (R4–R8) and its uploaded files
 * as attachments (R5). Empty fields are left out; the use case checks the rest.
 */
export function formToAnswerItems(
  f: Form,
  itemNos: readonly number[],
  files: readonly Upload[],
  defaultCurrency: string,
): Record<string, unknown>[] {
  return itemNos
    .filter((n) => opt(f[`outcome_${n}`]))
    .map((n) => {
      const data = {
        ...(opt(f[`bank_${n}`]) || opt(f[`account_${n}`])
          ? { accounts: [{ bank: one(f[`bank_${n}`]) || '—', number: one(f[`account_${n}`]) || '—' }] }
          : {}),
        ...(opt(f[`estate_${n}`]) ? { realEstate: [{ description: one(f[`estate_${n}`]) }] } : {}),
        ...(opt(f[`employer_${n}`]) ? { employer: { name: one(f[`employer_${n}`]) } } : {}),
        ...(opt(f[`address_${n}`]) ? { addresses: [{ address: one(f[`address_${n}`]) }] } : {}),
        ...(opt(f[`vehicle_${n}`])
          ? {
              vehicles: [
                {
                  description: one(f[`vehicle_${n}`]),
                  ...(opt(f[`vehicleReg_${n}`]) ? { registrationNumber: one(f[`vehicleReg_${n}`]) } : {}),
                },
              ],
            }
          : {}),
        ...(opt(f[`incomeAmount_${n}`])
          ? {
              income: [
                {
                  from: one(f[`incomeFrom_${n}`]),
                  to: one(f[`incomeTo_${n}`]),
                  amount: {
                    value: Number(one(f[`incomeAmount_${n}`]).replace(/\s/g, '').replace(',', '.')),
                    currency: one(f[`incomeCurrency_${n}`]).toUpperCase() || defaultCurrency,
                  },
                  source: one(f[`incomeSource_${n}`]) || 'заработная плата',
                },
              ],
            }
          : {}),
        ...(opt(f[`text_${n}`]) ? { text: one(f[`text_${n}`]) } : {}),
      };
      const attachments = files
        .filter((x) => x.field === `file_${n}`)
        .map((x) => ({ fileName: x.fileName, mediaType: x.mediaType, contentBase64: x.content.toString('base64') }));
      return {
        itemNo: n,
        outcome: one(f[`outcome_${n}`]),
        ...(Object.keys(data).length ? { data } : {}),
        ...(attachments.length ? { attachments } : {}),
      };
    });
}

const FIELD_IDS = [
  'err-requestedBody',
  'err-items',
  'err-grounds',
  'err-shorterTerm',
  ...['property', 'employment_income', 'clarification', 'other'].map((k) => `err-item-${k}`),
];

/** Puts every problem next to its field (htmx out-of-band swaps); fields without problems are cleared. */
function fieldErrors(doc: Request | null, problems: readonly Problem[]): [string, string][] {
  const byId = new Map<string, string[]>(FIELD_IDS.map((id) => [id, []]));
  for (const p of problems) {
    const item = /^items\[(\d+)\]/.exec(p.path);
    const id = item
      ? `err-item-${doc?.items?.[Number(item[1])]?.kind ?? ''}`
      : p.path.startsWith('requestedBody')
        ? 'err-requestedBody'
        : p.path === 'items'
          ? 'err-items'
          : p.path === 'grounds'
            ? 'err-grounds'
            : p.path === 'shorterTerm'
              ? 'err-shorterTerm'
              : null;
    if (id && byId.has(id)) byId.get(id)!.push(p.message);
  }
  return [...byId.entries()].map(([id, msgs]) => [id, msgs.join('; ')]);
}

export interface WebOptions {
  /** The limiter of failed authentications per client address, shared with the API's bearer tokens. */
  readonly authFailures?: AuthFailureGate;
  /** Uploads: bytes of the whole request and files per request (each file: ctx.limits.attachmentBytes). */
  readonly uploads?: { readonly maxBytes: number; readonly maxFiles: number };
}

export async function registerWeb(app: FastifyInstance, ctx: AppContext, opts: WebOptions = {}): Promise<void> {
  const eta = new Eta({ views: TEMPLATES, cache: true, autoEscape: true });
  const uploads = opts.uploads ?? { maxBytes: 50 * 1024 * 1024, maxFiles: 10 };
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  // Multipart is parsed only in the scope of the routes that take files (around the answer route below).
  app.decorateRequest('session', null);
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
  app.get('/assets/password.js', (_req, reply) =>
    reply.type('text/javascript').header('cache-control', 'public, max-age=3600').send(PASSWORD_JS),
  );

  // Before any body is read (V13.2, V4.2.2): a state-changing request from another site is refused,
  // and every page but the login and the assets needs a session.
  app.addHook('onRequest', async (req, reply) => {
    const url = req.url.split('?')[0]!;
    if (url.startsWith('/api/') || url.startsWith('/assets/')) return;
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

  app.get('/login', (req, reply) => {
    const ended = one((req.query as Form).ended);
    const notice = Object.hasOwn(SESSION_ENDED_RU, ended) ? SESSION_ENDED_RU[ended as SessionEnd] : null;
    return render(reply, req, 'login', { title: 'Вход', ...(notice ? { flash: { text: notice } } : {}) });
  });
  app.post('/login', async (req, reply) => {
    const f = (req.body ?? {}) as Form;
    try {
      await opts.authFailures?.check(req, reply);
      const s = await openSession(
        ctx,
        { login: one(f.login), password: typeof f.password === 'string' ? f.password : '' },
        { address: req.ip },
      ).catch(async (e: unknown) => {
        if (isEixError(e) && e.code === 'auth.failed') await opts.authFailures?.fail(req);
        throw e;
      });
      // A login never keeps the session the browser brought (planted, or another
      // officer's left open): that one ends, the new id replaces it.
      const carried = req.cookies[COOKIE];
      if (carried) await closeSession(ctx, carried);
      void reply.setCookie(COOKIE, s.token, { ...SESSION_COOKIE_ATTRIBUTES, maxAge: 10 * 3600 });
      return reply.redirect('/');
    } catch (e) {
      if (!isEixError(e)) throw e;
      if (typeof e.data.retryAfterSeconds === 'number')
        void reply.header('retry-after', String(e.data.retryAfterSeconds));
      return render(reply, req, 'login', { title: 'Вход', login: one(f.login), flash: { text: e.message } }, e.http);
    }
  });
  app.post('/logout', async (req, reply) => {
    const token = req.cookies[COOKIE];
    if (token) await closeSession(ctx, token);
    void reply.clearCookie(COOKIE, SESSION_COOKIE_ATTRIBUTES);
    return reply.redirect('/login');
  });

  app.get(
    '/',
    page(async (req, reply) => {
      const q = opt((req.query as Form).q);
      // Open requests by deadline; a search looks at every state.
      const incoming = await listRequests(ctx, me(req), {
        direction: 'incoming',
        limit: 100,
        ...(q ? { query: q } : { states: ['received', 'in_progress', 'postponed', 'partially_answered'] }),
      });
      const outgoing = await listRequests(ctx, me(req), {
        direction: 'outgoing',
        limit: 50,
        ...(q ? { query: q } : {}),
      });
      const counts = await countIncomingByDeadline(ctx, me(req));
      // R10.a: the reminder of paper originals not yet posted.
      const paperMissing = await countMissingPaperOriginals(ctx, me(req));
      return render(reply, req, 'dashboard', {
        title: 'Запросы',
        q,
        incoming: incoming.items,
        outgoing: outgoing.items,
        counts,
        paperMissing,
      });
    }),
  );

  app.get(
    '/proceedings',
    page(async (req, reply) => {
      const q = opt((req.query as Form).q);
      const r = await listProceedings(ctx, me(req), { limit: 100, ...(q ? { query: q } : {}) });
      return render(reply, req, 'proceedings', { title: 'Исполнительные производства', items: r.items, q });
    }),
  );
  app.get('/proceedings/new', (req, reply) => render(reply, req, 'proceeding-new', { title: 'Новое производство' }));
  app.post(
    '/proceedings',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const person = (who: string, withBirth: boolean) => ({
        type: 'individual',
        surname: one(f[`${who}Surname`]),
        name: one(f[`${who}Name`]),
        ...(opt(f[`${who}Patronymic`]) ? { patronymic: one(f[`${who}Patronymic`]) } : {}),
        address: one(f[`${who}Address`]),
        ...(withBirth && opt(f.debtorBirthDate) ? { birthDate: one(f.debtorBirthDate) } : {}),
        ...(withBirth && opt(f.debtorBirthPlace) ? { birthPlace: one(f.debtorBirthPlace) } : {}),
        ...(withBirth && opt(f.debtorIdValue)
          ? {
              ids: [
                {
                  country: one(f.debtorIdKind).split(/\s+/)[0]?.toUpperCase() ?? '',
                  kind: one(f.debtorIdKind).split(/\s+/)[1]?.toUpperCase() ?? '',
                  value: one(f.debtorIdValue),
                },
              ],
            }
          : {}),
      });
      try {
        const r = await createProceeding(ctx, me(req), {
          number: one(f.number),
          openedOn: one(f.openedOn),
          debtor: person('debtor', true),
          creditor: person('creditor', false),
          executiveDocuments: [
            {
              title: one(f.docTitle),
              number: one(f.docNumber),
              date: one(f.docDate),
              issuer: { kind: one(f.issuerKind), name: one(f.issuerName) },
              operativePart: one(f.operativePart),
            },
          ],
        });
        return reply.redirect(`/proceedings/${r.id}`);
      } catch (e) {
        if (!isEixError(e)) throw e;
        const problems = (e.data.problems as Problem[] | undefined) ?? [];
        const text = [e.message, ...problems.slice(1).map((p) => p.message)].join('; ');
        return render(reply, req, 'proceeding-new', { title: 'Новое производство', form: f, flash: { text } }, e.http);
      }
    }),
  );
  app.get<{ Params: { id: string } }>(
    '/proceedings/:id',
    page(async (req, reply) => {
      // R4.c: what every Party reported as collected, arrested or for sale.
      const { proceeding: p, picture } = await getCrossBorderPicture(ctx, me(req), (req.params as { id: string }).id);
      const rows = picture.map((x) => ({
        party: labels.partyName(x.party),
        number: x.number,
        collected: labels.money(x.collected),
        arrested: labels.money(x.arrested),
        forSale: labels.money(x.forSale),
      }));
      return render(reply, req, 'proceeding', { title: `Производство ${p.number}`, p, picture: rows });
    }),
  );

  const wizardData = async (req: FastifyRequest, proceedingId: string, form: Form) => {
    const p = await getProceeding(ctx, me(req), proceedingId);
    const bodies = requestableBodies(ctx.treaty(), ctx.party, today()).map((x) => ({
      value: `${x.party}|${x.id}|${x.name}`,
      label: `${labels.partyName(x.party)} — ${x.name}`,
    }));
    return { p, bodies, form };
  };
  app.get(
    '/requests/new',
    page(async (req, reply) => {
      const proceedingId = one((req.query as Form).proceeding);
      const data = await wizardData(req, proceedingId, {});
      return render(reply, req, 'request-new', { title: 'Новый запрос', ...data, check: null });
    }),
  );
  app.post(
    '/requests/check',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      try {
        const r = await previewDraft(ctx, me(req), formToDraft(f));
        return reply
          .type('text/html; charset=utf-8')
          .send(eta.render('check', { check: r.check, fieldErrors: fieldErrors(r.document, r.check.errors) }));
      } catch (e) {
        if (!isEixError(e)) throw e;
        const problems = (e.data.problems as Problem[] | undefined) ?? [
          { code: e.code, path: String(e.data.field ?? ''), message: e.message },
        ];
        return reply.type('text/html; charset=utf-8').send(
          eta.render('check', {
            check: { ok: false, errors: problems, warnings: [] },
            fieldErrors: fieldErrors(null, problems),
          }),
        );
      }
    }),
  );
  app.post(
    '/requests',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const input = formToDraft(f);
      const preview = await previewDraft(ctx, me(req), input).catch((e: unknown) => {
        if (isEixError(e)) return null;
        throw e;
      });
      if (!preview || !preview.check.ok) {
        const data = await wizardData(req, one(f.proceedingId), f);
        const check = preview?.check ?? {
          ok: false,
          errors: [{ code: 'input.invalid', path: '', message: 'Заполните запрос' }],
          warnings: [],
        };
        return render(
          reply,
          req,
          'request-new',
          { title: 'Новый запрос', ...data, check, fieldErrors: fieldErrors(preview?.document ?? null, check.errors) },
          422,
        );
      }
      const d = await draftRequest(ctx, me(req), input);
      await signRequest(ctx, me(req), { requestId: d.id });
      return reply.redirect(`/requests/${d.id}`);
    }),
  );

  app.get<{ Params: { id: string } }>(
    '/requests/:id',
    page(async (req, reply) => {
      const v = await getRequest(ctx, me(req), (req.params as { id: string }).id);
      // R10.a: the paper original is due within PAPER_DUE_DAYS of sending.
      return render(reply, req, 'request', {
        title: `Запрос ${v.number}`,
        v,
        steps: stepFormsFor(v),
        prefill: stepPrefill(v),
        paperLate: latePaperOriginalsOf(ctx, v),
      });
    }),
  );
  app.post<{ Params: { id: string } }>(
    '/requests/:id/sign',
    page(async (req, reply) => {
      await signRequest(ctx, me(req), { requestId: (req.params as { id: string }).id });
      return reply.redirect(`/requests/${(req.params as { id: string }).id}`);
    }),
  );
  app.post<{ Params: { id: string; step: string } }>(
    '/requests/:id/steps/:step',
    page(async (req, reply) => {
      const { id, step } = req.params as { id: string; step: string };
      const f = (req.body ?? {}) as Form;
      const def = STEP_FORMS.find((s) => s.step === step);
      if (!def) throw new EixError('input.invalid', { field: 'step' }, 'Неизвестное действие');
      const data = Object.fromEntries(def.fields.map((x) => [x.name, one(f[x.name])]).filter(([, val]) => val !== ''));
      if (step === 'refuse')
        await refuseRequest(ctx, me(req), {
          requestId: id,
          ...data,
          // R13.d: the declaring Party, chosen among those offered (stepFormsFor).
          ...(opt(f.declarationParty) ? { declarationParty: one(f.declarationParty) } : {}),
          ...(opt(f.version) ? { version: Number(one(f.version)) } : {}),
        });
      else
        await actOnRequest(ctx, me(req), {
          requestId: id,
          step,
          data,
          ...(opt(f.version) ? { version: Number(one(f.version)) } : {}),
        });
      return reply.redirect(`/requests/${id}`);
    }),
  );
  app.get<{ Params: { id: string } }>(
    '/requests/:id/answer',
    page(async (req, reply) => {
      const v = await getRequest(ctx, me(req), (req.params as { id: string }).id);
      return render(reply, req, 'answer', {
        title: `Ответ на запрос ${v.number}`,
        v,
        outcomes: ANSWER_OUTCOMES.map((o) => [o, OUTCOME_LABELS_RU[o]]),
        // The file picker offers the allowlisted documents only (the use case checks them anyway).
        accept: ATTACHMENT_TYPES.flatMap((t) => [...t.extensions.map((e) => `.${e}`), t.mediaType]).join(','),
        allowedTypes: ALLOWED_TYPES_RU,
      });
    }),
  );
  // The routes that take files (R5), and only they, parse multipart — after the session (onRequest above):
  // the request states its size, within the total cap; each file within attachmentBytes; a capped file count.
  await app.register(async (files) => {
    files.addHook('onRequest', async (req, reply) => {
      if (!req.headers['content-type']?.toLowerCase().startsWith('multipart/')) return;
      const declared = Number(req.headers['content-length']);
      const e = !req.headers['content-length']
        ? new EixError('input.length_required', { field: 'content-length' })
        : declared > uploads.maxBytes
          ? new EixError(
              'input.too_large',
              { field: 'content-length', size: declared, limit: uploads.maxBytes },
              `Слишком большой запрос: ${declared} байт, допускается не больше ${uploads.maxBytes} байт вместе с файлами`,
            )
          : null;
      if (!e) return;
      void reply.header('connection', 'close');
      return render(reply, req, 'error', { title: 'Ошибка', error: e }, e.http);
    });
    files.setErrorHandler((err, req, reply) => {
      const e = toEixError(err);
      if (e.http >= 500) req.log.error({ err }, 'request failed');
      return render(reply, req, 'error', { title: 'Ошибка', error: e }, e.http);
    });
    await files.register(multipart, {
      attachFieldsToBody: true,
      limits: {
        fileSize: ctx.limits.attachmentBytes,
        files: uploads.maxFiles,
        fields: 200,
        parts: uploads.maxFiles + 200,
      },
    });
    files.post<{ Params: { id: string } }>(
      '/requests/:id/answer',
      page(async (req, reply) => {
        const id = (req.params as { id: string }).id;
        const { form: f, files } = await readMultipart(req.body);
        const v = await getRequest(ctx, me(req), id);
        // Amounts are in the answering Party's currency unless the officer names another.
        const items = formToAnswerItems(
          f,
          v.items.map((i) => i.itemNo),
          files,
          partyCurrency(ctx.party) ?? '',
        );
        if (items.length === 0)
          throw new EixError('input.invalid', { field: 'items' }, 'Укажите результат хотя бы по одному пункту');
        await answerRequest(ctx, me(req), {
          requestId: id,
          final: Boolean(one(f.final)),
          version: Number(one(f.version)),
          items,
        });
        return reply.redirect(`/requests/${id}`);
      }),
    );
  });
  app.get<{ Params: { id: string; sha: string } }>(
    '/requests/:id/attachments/:sha',
    page(async (req, reply) => {
      const { id, sha } = req.params as { id: string; sha: string };
      return sendAttachment(reply, await readAttachment(ctx, me(req), id, sha));
    }),
  );

  const pdf = (kind: 'request' | 'answer') =>
    page(async (req, reply) => {
      const v = await getRequest(ctx, me(req), (req.params as { id: string }).id);
      const seal = await sealFor(ctx, v, kind);
      const file = kind === 'request' ? await renderRequestPdf(v, seal) : await renderAnswerPdf(v, seal);
      const name = `${kind === 'request' ? 'запрос' : 'ответ'}-${(v.number || 'проект').replace(/[^\p{L}\p{N}-]+/gu, '_')}.pdf`;
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(name)}`)
        .header('cache-control', 'no-store')
        .send(file);
    });
  app.get('/requests/:id/pdf', pdf('request'));
  app.get('/requests/:id/answer.pdf', pdf('answer'));
  app.post<{ Params: { id: string } }>(
    '/requests/:id/consents',
    page(async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const f = (req.body ?? {}) as Form;
      await requestDisclosureConsent(ctx, me(req), {
        requestId: id,
        recipient: one(f.recipient),
        purpose: one(f.purpose),
      });
      return reply.redirect(`/requests/${id}`);
    }),
  );
  // R9.2, providing side: the officer grants or refuses a consent request, after a confirmation step.
  app.post<{ Params: { id: string; consentId: string } }>(
    '/requests/:id/consents/:consentId/decision',
    page(async (req, reply) => {
      const { id, consentId } = req.params as { id: string; consentId: string };
      const f = (req.body ?? {}) as Form;
      const decision = one(f.decision);
      if (decision !== 'grant' && decision !== 'refuse')
        throw new EixError('input.invalid', { field: 'decision' }, 'Выберите: дать согласие или отказать');
      if (one(f.confirmed) !== 'yes') {
        const v = await getRequest(ctx, me(req), id);
        const c = v.consentRequests.find((x) => x.consentId === consentId);
        if (!c) throw new EixError('consent.not_found', { field: 'consentId' });
        return render(reply, req, 'consent-confirm', {
          title: decision === 'grant' ? 'Согласие на передачу сведений' : 'Отказ в согласии на передачу сведений',
          v,
          c,
          decision,
        });
      }
      await decideDisclosureConsent(ctx, me(req), {
        requestId: id,
        consentId,
        granted: decision === 'grant',
        ...(opt(f.note) ? { note: one(f.note) } : {}),
      });
      return reply.redirect(`/requests/${id}#consents`);
    }),
  );
  app.post<{ Params: { id: string } }>(
    '/requests/:id/export',
    page(async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const f = (req.body ?? {}) as Form;
      const x = await exportReceivedData(ctx, me(req), {
        requestId: id,
        recipient: one(f.recipient),
        ...(opt(f.consentId) ? { consentId: one(f.consentId) } : {}),
      });
      return render(reply, req, 'export', { title: 'Выписка полученных сведений', x, id });
    }),
  );
  app.get(
    '/paper',
    page(async (req, reply) => {
      const payload = opt((req.query as Form).payload);
      const result = payload ? await verifyPaperOriginal(ctx, me(req), { payload }) : null;
      return render(reply, req, 'paper', { title: 'Проверка бумажного оригинала', payload, result });
    }),
  );

  // R9.5: this node's statement, the questions to other Parties and their answers.
  app.get(
    '/protection',
    page(async (req, reply) => {
      const r = await listProtectionQueries(ctx, me(req));
      const q = req.query as Form;
      return render(reply, req, 'protection', {
        title: 'Меры защиты персональных данных (статья 9)',
        r,
        ...(q.asked ? { flash: { ok: true, text: `Запрос направлен: ${labels.partyName(one(q.asked))}` } } : {}),
      });
    }),
  );
  app.post(
    '/protection/queries',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const r = await askProtectionMeasures(ctx, me(req), { party: one(f.party) });
      return reply.redirect(`/protection?asked=${encodeURIComponent(r.party)}`);
    }),
  );

  // Second step of the login (issue 13, item 3): its own page after a successful password.
  app.get('/login/code', (req, reply) => render(reply, req, 'login-code', { title: 'Код подтверждения' }));
  app.post('/login/code', async (req, reply) => {
    const f = (req.body ?? {}) as Form;
    try {
      await verifySecondFactor(ctx, me(req), { code: one(f.code) }, sessionHash(req.cookies[COOKIE] ?? ''));
      return reply.redirect('/');
    } catch (e) {
      if (!isEixError(e)) throw e;
      if (e.data.sessionEnded) {
        void reply.clearCookie(COOKIE, SESSION_COOKIE_ATTRIBUTES);
        req.session = null;
        return render(reply, req, 'login', { title: 'Вход', flash: { text: e.message } }, e.http);
      }
      return render(reply, req, 'login-code', { title: 'Код подтверждения', flash: { text: e.message } }, e.http);
    }
  });
  // The officer's own security page: second factor (required for admins) and his own API tokens.
  const security = (req: FastifyRequest, reply: FastifyReply, data: Record<string, unknown> = {}, status = 200) =>
    render(
      reply,
      req,
      'security',
      { title: 'Безопасность', totpEnabled: req.session?.totpEnabled ?? false, gate: req.session?.gate, ...data },
      status,
    );
  app.get('/security', (req, reply) => security(req, reply));
  app.post(
    '/security/totp',
    page(async (req, reply) => {
      const e = await startTotpEnrolment(ctx, me(req));
      const qr = await QRCode.toString(e.uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return security(req, reply, { enrol: { secret: e.secret.replace(/(.{4})/g, '$1 ').trim(), qr } });
    }),
  );
  app.post(
    '/security/totp/confirm',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      try {
        const r = await confirmTotpEnrolment(
          ctx,
          me(req),
          { code: one(f.code) },
          sessionHash(req.cookies[COOKIE] ?? ''),
        );
        return security(req, reply, { totpEnabled: true, gate: null, recoveryCodes: r.recoveryCodes });
      } catch (e) {
        if (!isEixError(e) || e.code !== 'mfa.code') throw e;
        return security(req, reply, { flash: { text: `${e.message}. Начните подключение заново.` } }, e.http);
      }
    }),
  );
  app.post(
    '/security/tokens',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const t = await createApiToken(ctx, me(req), { name: one(f.name) });
      return security(req, reply, { token: t });
    }),
  );

  app.get('/password', (req, reply) => render(reply, req, 'password', { title: 'Смена пароля' }));
  /** A password field as typed: never trimmed (spaces are part of a password, ASVS V2.1.4). */
  const raw = (v: string | string[] | undefined): string => (typeof v === 'string' ? v : '');
  app.post(
    '/password',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      try {
        await changePassword(
          ctx,
          me(req),
          { current: raw(f.current), next: raw(f.next) },
          sessionHash(req.cookies[COOKIE] ?? ''),
        );
      } catch (e) {
        if (!isEixError(e)) throw e;
        return render(reply, req, 'password', { title: 'Смена пароля', flash: { text: e.message } }, e.http);
      }
      return render(reply, req, 'password', {
        title: 'Смена пароля',
        changed: true,
        flash: { ok: true, text: 'Пароль изменён; другие сеансы завершены.' },
      });
    }),
  );
  // ASVS V2.1.8: the strength meter under a new-password field (htmx, as the request wizard's live check).
  // The officer's own page sends only the password; the admin's new-user form also the login and name typed.
  app.post(
    '/password/strength',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const password = raw(f.next) || raw(f.password);
      const check = password
        ? estimatePassword(ctx, me(req), {
            password,
            ...(opt(f.login) ? { login: one(f.login) } : {}),
            ...(opt(f.fullName) ? { fullName: one(f.fullName) } : {}),
          })
        : null;
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(eta.render('password-strength', { check }));
    }),
  );
  app.post<{ Params: { id: string } }>(
    '/requests/:id/paper-original',
    page(async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const f = (req.body ?? {}) as Form;
      const arrival = one(f.movement) === 'arrival';
      await recordPaperOriginal(ctx, me(req), {
        requestId: id,
        ...(opt(f.document) ? { document: one(f.document) } : {}),
        ...(arrival ? { arrivedOn: one(f.datedOn) } : { dispatchedOn: one(f.datedOn || f.dispatchedOn) }),
        means: one(f.means),
        ...(opt(f.tracking) ? { tracking: one(f.tracking) } : {}),
      });
      return reply.redirect(`/requests/${id}`);
    }),
  );

  /** The admin page, with a notice (read once from the session, or a one-time password shown right here). */
  const renderAdmin = async (
    req: FastifyRequest,
    reply: FastifyReply,
    flash: string | null,
    oneTime?: { login: string; password: string },
  ) => {
    const o = me(req);
    const admin = o.roles.includes('admin');
    const supervisor = o.roles.includes('supervisor');
    if (!admin && !supervisor) throw new EixError('access.denied');
    const audit = await listAuditEntries(ctx, o);
    return render(reply, req, 'admin', {
      title: 'Администрирование',
      bodies: await listBodies(ctx, o),
      retention: await listRetentionRules(ctx, o),
      // R9.6: rules a stored request needs and nobody set (that data is not destroyed meanwhile).
      retentionMissing: (await checkRetentionRules(ctx, o)).missing,
      retentionKinds: RETENTION_KINDS.map((k) => [k, RETENTION_KIND_LABELS_RU[k]]),
      retentionKindLabel: (k: keyof typeof RETENTION_KIND_LABELS_RU) => RETENTION_KIND_LABELS_RU[k],
      parties: [...new Set([...SIGNATORY_CODES, ...Object.keys(ctx.treaty().parties)])]
        .map((cc) => [cc, labels.partyName(cc)])
        .sort((a, b) => a[1]!.localeCompare(b[1]!, 'ru')),
      statement: await getProtectionStatement(ctx),
      // Protocol versions (MESSAGES.md §3.1): what waits for another Party's node or a newer registry.
      waiting: await listWaitingMessages(ctx, o),
      treaty: treatyStatus(ctx.treaty(), today()),
      today: today(),
      audit: audit.entries,
      auditOk: audit.chainOk,
      isAdmin: admin,
      party: ctx.party,
      roleLabels: Object.entries(ROLE_LABELS_RU),
      tokens: admin ? await listApiTokens(ctx, o) : [],
      roleGrants: admin ? await listRoleGrants(ctx, o) : [],
      // No query parameter is shown: `?flash=` reflects nothing.
      ...(flash ? { flash: { ok: true, text: flash } } : {}),
      ...(oneTime ? { oneTime } : {}),
    });
  };
  app.get(
    '/admin',
    page(async (req, reply) => {
      return renderAdmin(req, reply, await takeFlash(ctx, req.cookies[COOKIE] ?? ''));
    }),
  );
  /** An admin form: its notice waits in the session for the page it redirects to. */
  const adminForm = (url: string, run: (f: Form, o: Officer) => Promise<string>) =>
    app.post(
      url,
      page(async (req, reply) => {
        const message = await run((req.body ?? {}) as Form, me(req));
        await setFlash(ctx, req.cookies[COOKIE] ?? '', message);
        return reply.redirect('/admin');
      }),
    );
  adminForm('/admin/bodies', async (f, o) => {
    const b = await addBody(ctx, o, {
      id: one(f.id),
      name: one(f.name),
      kind: one(f.kind),
      ...(opt(f.parentId) ? { parentId: one(f.parentId) } : {}),
    });
    return `Орган ${b.id} добавлен`;
  });
  // The generated password is shown on the answer to the POST itself (no redirect, no-store), never in a URL;
  // a password the admin typed is never echoed back.
  app.post(
    '/admin/officers',
    page(async (req, reply) => {
      const f = (req.body ?? {}) as Form;
      const roles = (Array.isArray(f.roles) ? f.roles : f.roles ? [f.roles] : []).map(String);
      const r = await addOfficer(ctx, me(req), {
        bodyId: one(f.bodyId),
        login: one(f.login),
        fullName: one(f.fullName),
        position: one(f.position),
        roles,
        ...(raw(f.password) ? { password: raw(f.password) } : {}),
      });
      // Casework roles for an account an admin controls wait for a second admin (issue 13, item 3).
      const pending = r.pendingGrant ? `. ${r.pendingGrant.note}` : '';
      if (raw(f.password))
        return renderAdmin(req, reply, `Пользователь ${r.officer.login} добавлен с заданным паролем${pending}`);
      return renderAdmin(req, reply, `Пользователь ${r.officer.login} добавлен${pending}`, {
        login: r.officer.login,
        password: r.password,
      });
    }),
  );
  // Separation of duties (issue 13, item 3): a second admin approves or rejects a casework grant.
  adminForm('/admin/grants', async (f, o) => {
    const r = await decideRoleGrant(ctx, o, { id: one(f.id), decision: one(f.decision) });
    return r.status === 'approved' ? `Роли назначены: ${r.roles.join(', ')}` : 'Запрос на назначение ролей отклонён';
  });
  adminForm('/admin/retention', async (f, o) => {
    const r = await setRetentionRule(ctx, o, {
      party: one(f.party).toUpperCase(),
      ...(opt(f.kind) ? { kind: one(f.kind) } : {}),
      months: Number(one(f.months)),
      legalBasis: one(f.legalBasis),
    });
    return `Срок хранения по законодательству Стороны ${labels.partyName(r.party)} (${RETENTION_KIND_LABELS_RU[r.kind]}): ${r.months} мес.`;
  });
  adminForm('/admin/statement', async (f, o) => {
    await setProtectionStatement(ctx, o, { measures: one(f.measures), retention: one(f.retention) });
    return 'Сведения о мерах защиты сохранены';
  });
}
