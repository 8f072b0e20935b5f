// R9.1: the audit log as the «Журнал действий» page and the administration page
// read it (issue 15 item 3) — the whole node for an admin, the officer's own
// body for a supervisor, refused to anyone else — and whether the hash chain of
// the whole log is intact.
// Filters: period (days in the node's zone), user (an officer or a service of the
// node), action, object (a request's or a proceeding's registration number).
// Pages by keyset on seq (newest first): page 50 costs what page 1 costs.
// Each entry is also described in Russian: the actor by full name and body, the
// requests and proceedings concerned by their numbers (never a debtor's name),
// the details people read. Reading the log is not itself logged (it holds no
// received personal data, R9.1 logs reads of those).
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB } from '../adapters/db/schema.js';
import { auditDetailsRu, periodInstants, systemActorLabel, SYSTEM_ACTOR_LABELS } from '../domain/audit-view.js';
import { isIsoDate } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import { partyTimeZone } from '../domain/parties.js';
import { AUDIT_ACTION_LABELS, auditActionLabel } from '../domain/vocabulary.js';
import type { Store, Tx } from '../ports/store.js';
import { requireRole } from './authorize.js';
import { verifyAuditLog } from './audit.js';
import type { Actor, AppContext, Officer } from './context.js';

export interface AuditQuery {
  /** Period, days in the node's zone (YYYY-MM-DD), both inclusive. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Who acted: `officer:<login>` or `system:<name>`, as the log writes it. */
  readonly user?: string | undefined;
  /** An action code (AUDIT_ACTION_LABELS). */
  readonly action?: string | undefined;
  /** A request's or a proceeding's registration number. */
  readonly object?: string | undefined;
  /** Keyset cursor: entries with a smaller seq (the next page). */
  readonly before?: string | number | undefined;
  readonly limit?: number | undefined;
}

/** The page's and the file's names of the filter fields (errors name them). */
export const AUDIT_QUERY_FIELDS = {
  from: 'период с',
  to: 'период по',
  user: 'пользователь',
  action: 'действие',
  object: 'запрос или производство',
  before: 'страница',
} as const;

/** A request or proceeding an entry concerns, by number, with its page. */
export interface AuditObject {
  readonly kind: 'request' | 'proceeding' | 'officer' | 'body';
  readonly text: string;
  readonly href: string | null;
}

/** One entry as people read it. */
export interface AuditEntryView {
  readonly seq: number;
  readonly at: Date;
  readonly actor: string;
  /** The acting officer's body (empty for the node's services). */
  readonly actorBody: string;
  readonly action: string;
  readonly objects: readonly AuditObject[];
  /** Objects not listed (a list read naming many requests). */
  readonly moreObjects: number;
  readonly details: readonly [string, string][];
}

type AuditRow = Awaited<ReturnType<typeof selectPage>>[number];

const MAX_LIMIT = 500;
const SHOWN_OBJECTS = 5;
const USER_VALUE = /^(officer|system):[\w.@-]{1,64}$/;

const invalid = (field: keyof typeof AUDIT_QUERY_FIELDS, text: string) =>
  new EixError('input.invalid', { field }, text);

/** Checks the filters; a wrong one names its field in Russian. */
export function checkAuditQuery(q: AuditQuery): AuditQuery {
  const from = q.from?.trim() || undefined;
  const to = q.to?.trim() || undefined;
  if (from && !isIsoDate(from)) throw invalid('from', `Поле «${AUDIT_QUERY_FIELDS.from}»: укажите дату ДД.ММ.ГГГГ`);
  if (to && !isIsoDate(to)) throw invalid('to', `Поле «${AUDIT_QUERY_FIELDS.to}»: укажите дату ДД.ММ.ГГГГ`);
  if (from && to && from > to)
    throw invalid(
      'to',
      `Поле «${AUDIT_QUERY_FIELDS.to}» раньше поля «${AUDIT_QUERY_FIELDS.from}»: укажите период по порядку`,
    );
  const user = q.user?.trim() || undefined;
  if (user && !USER_VALUE.test(user)) throw invalid('user', `Поле «${AUDIT_QUERY_FIELDS.user}»: выберите из списка`);
  const action = q.action?.trim() || undefined;
  if (action && !(action in AUDIT_ACTION_LABELS))
    throw invalid('action', `Поле «${AUDIT_QUERY_FIELDS.action}»: выберите из списка`);
  const object = q.object?.trim() || undefined;
  if (object && object.length > 100)
    throw invalid('object', `Поле «${AUDIT_QUERY_FIELDS.object}»: не длиннее 100 знаков`);
  const before = q.before === undefined || q.before === '' ? undefined : String(q.before).trim();
  if (before !== undefined && !/^[1-9]\d{0,17}$/.test(before))
    throw invalid('before', 'Ссылка на страницу журнала устарела: откройте журнал с начала');
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw invalid('before', 'Неверный размер страницы');
  return { from, to, user, action, object, before, limit };
}

/** Who may read the log, and which part: the node (admin) or the own body (supervisor). */
export function auditScope(actor: Actor): { officer: Officer; node: boolean } {
  const officer = requireRole(actor, 'admin', 'supervisor');
  return { officer, node: officer.roles.includes('admin') };
}

/** A condition on the audit log. */
export type AuditWhere = (eb: ExpressionBuilder<DB, 'audit_log'>) => Expression<SqlBool>;

/** The condition of a checked query in a scope. */
export async function auditCondition(
  db: Store | Tx,
  ctx: AppContext,
  scope: { officer: Officer; node: boolean },
  q: AuditQuery,
): Promise<AuditWhere> {
  const { start, end } = periodInstants(q.from, q.to, partyTimeZone(ctx.party));
  let requestIds: string[] = [];
  let proceedingIds: string[] = [];
  if (q.object) {
    requestIds = (await db.selectFrom('requests').select('id').where('number', '=', q.object).execute()).map(
      (r) => r.id,
    );
    proceedingIds = (await db.selectFrom('proceedings').select('id').where('number', '=', q.object).execute()).map(
      (r) => r.id,
    );
  }
  const object = q.object;
  return (eb) => {
    const all: Expression<SqlBool>[] = [];
    if (!scope.node) all.push(eb('audit_log.body_id', '=', scope.officer.bodyId));
    if (start) all.push(eb('audit_log.at', '>=', start));
    if (end) all.push(eb('audit_log.at', '<', end));
    if (q.user) all.push(eb('audit_log.actor', '=', q.user));
    if (q.action) all.push(eb('audit_log.action', '=', q.action));
    if (q.before !== undefined) all.push(eb('audit_log.seq', '<', String(q.before)));
    if (object) {
      const any: Expression<SqlBool>[] = [eb('audit_log.subject', '=', object)];
      if (requestIds.length) {
        any.push(eb('audit_log.request_id', 'in', requestIds));
        // A list read names its requests in the details (auditListRead): the GIN index of migration 017.
        for (const id of requestIds)
          any.push(sql<SqlBool>`audit_log.details -> 'requestIds' @> ${JSON.stringify([id])}::jsonb`);
      }
      if (proceedingIds.length)
        any.push(sql<SqlBool>`(audit_log.details ->> 'proceedingId') in (${sql.join(proceedingIds)})`);
      all.push(eb.or(any));
    }
    return eb.and(all);
  };
}

/** One keyset page of raw rows, newest first. */
export async function selectPage(db: Store | Tx, where: AuditWhere, limit: number) {
  return db.selectFrom('audit_log').selectAll().where(where).orderBy('seq', 'desc').limit(limit).execute();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Reads the names and numbers an entry shows (officers, bodies, requests, proceedings) in a few queries. */
export async function describeAuditRows(db: Store | Tx, rows: readonly AuditRow[]): Promise<AuditEntryView[]> {
  const logins = new Set<string>();
  const requestIds = new Set<string>();
  const proceedingIds = new Set<string>();
  const subjects = new Set<string>();
  for (const r of rows) {
    if (r.actor.startsWith('officer:')) logins.add(r.actor.slice('officer:'.length));
    if (r.request_id) requestIds.add(r.request_id);
    const d = (r.details ?? {}) as Record<string, unknown>;
    if (Array.isArray(d.requestIds))
      for (const id of d.requestIds.slice(0, SHOWN_OBJECTS))
        if (typeof id === 'string' && UUID.test(id)) requestIds.add(id);
    const pid = str(d.proceedingId);
    if (pid && UUID.test(pid)) proceedingIds.add(pid);
    if (r.subject && !r.request_id) subjects.add(r.subject);
  }
  const subjectIds = [...subjects].filter((s) => UUID.test(s));
  const officers =
    logins.size || subjectIds.length
      ? await db
          .selectFrom('officers')
          .select(['id', 'login', 'full_name', 'body_id'])
          .where((eb) =>
            eb.or([
              ...(logins.size ? [eb('login', 'in', [...logins])] : []),
              ...(subjectIds.length ? [eb('id', 'in', subjectIds)] : []),
            ]),
          )
          .execute()
      : [];
  const byLogin = new Map(officers.map((o) => [o.login, o]));
  const byId = new Map(officers.map((o) => [o.id, o]));
  const bodyIds = new Set([...officers.map((o) => o.body_id), ...[...subjects].filter((s) => !UUID.test(s))]);
  const bodies = bodyIds.size
    ? await db
        .selectFrom('bodies')
        .select(['id', 'name'])
        .where('id', 'in', [...bodyIds])
        .execute()
    : [];
  const bodyName = new Map(bodies.map((b) => [b.id, b.name]));
  const requests = requestIds.size
    ? await db
        .selectFrom('requests')
        .select(['id', 'number'])
        .where('id', 'in', [...requestIds])
        .execute()
    : [];
  const requestNumber = new Map(requests.map((r) => [r.id, r.number]));
  const proceedings = proceedingIds.size
    ? await db
        .selectFrom('proceedings')
        .select(['id', 'number'])
        .where('id', 'in', [...proceedingIds])
        .execute()
    : [];
  const proceedingNumber = new Map(proceedings.map((p) => [p.id, p.number]));

  return rows.map((r) => {
    const d = (r.details ?? {}) as Record<string, unknown>;
    let actor: string;
    let actorBody = '';
    if (r.actor.startsWith('officer:')) {
      const o = byLogin.get(r.actor.slice('officer:'.length));
      actor = o ? o.full_name : `пользователь ${r.actor.slice('officer:'.length)}`;
      actorBody = o ? (bodyName.get(o.body_id) ?? '') : '';
    } else actor = systemActorLabel(r.actor.replace(/^system:/, ''));
    const objects: AuditObject[] = [];
    let moreObjects = 0;
    const request = (id: string, fallback: string | null) => {
      const n = requestNumber.get(id) ?? fallback;
      if (n)
        objects.push({
          kind: 'request',
          text: `запрос № ${n}`,
          href: requestNumber.has(id) ? `/requests/${id}` : null,
        });
    };
    if (r.request_id) request(r.request_id, r.subject);
    else if (Array.isArray(d.requestIds)) {
      const ids = d.requestIds.filter((x): x is string => typeof x === 'string' && UUID.test(x));
      for (const id of ids.slice(0, SHOWN_OBJECTS)) request(id, null);
      moreObjects = Math.max(0, ids.length - SHOWN_OBJECTS);
    }
    const pid = str(d.proceedingId);
    if (pid && proceedingNumber.has(pid))
      objects.push({
        kind: 'proceeding',
        text: `производство № ${proceedingNumber.get(pid)!}`,
        href: `/proceedings/${pid}`,
      });
    if (!r.request_id && r.subject && objects.length === 0) {
      const o = byId.get(r.subject);
      if (o) objects.push({ kind: 'officer', text: `пользователь ${o.full_name}`, href: null });
      else if (r.action === 'body.add' && bodyName.has(r.subject))
        objects.push({ kind: 'body', text: `орган «${bodyName.get(r.subject)!}»`, href: null });
    }
    return {
      seq: Number(r.seq),
      at: r.at,
      actor,
      actorBody,
      action: auditActionLabel(r.action),
      objects,
      moreObjects,
      details: auditDetailsRu(d),
    };
  });
}

/** The users a filter offers in a scope: the officers (by name and body) and, for an admin, the node's services. */
export async function auditUserChoices(db: Store | Tx, scope: { officer: Officer; node: boolean }) {
  const officers = await db
    .selectFrom('officers')
    .innerJoin('bodies', 'bodies.id', 'officers.body_id')
    .select(['officers.login', 'officers.full_name', 'bodies.name as body'])
    .where((eb) => (scope.node ? eb.lit(true) : eb('officers.body_id', '=', scope.officer.bodyId)))
    .orderBy('officers.full_name')
    .execute();
  return [
    ...officers.map((o) => ({ value: `officer:${o.login}`, label: `${o.full_name} (${o.body})` })),
    ...(scope.node
      ? Object.entries(SYSTEM_ACTOR_LABELS).map(([name, label]) => ({ value: `system:${name}`, label }))
      : []),
  ];
}

export interface AuditPage {
  /** The raw rows (the administration page's summary and the API). */
  readonly entries: Awaited<ReturnType<typeof selectPage>>;
  /** The same entries as people read them. */
  readonly views: readonly AuditEntryView[];
  readonly chainOk: boolean;
  /** The cursor of the next (older) page, or null on the last one. */
  readonly nextBefore: string | null;
  /** 'node': every entry (admin); 'body': the supervisor's body only. */
  readonly scope: 'node' | 'body';
}

/** A page of the log: `opts` a number is the latest entries (the administration page), else filters and a cursor. */
export async function listAuditEntries(
  ctx: AppContext,
  actor: Actor,
  opts: number | AuditQuery = 50,
): Promise<AuditPage> {
  const scope = auditScope(actor);
  const q = checkAuditQuery(typeof opts === 'number' ? { limit: opts } : opts);
  const limit = q.limit!;
  const where = await auditCondition(ctx.db, ctx, scope, q);
  const rows = await selectPage(ctx.db, where, limit + 1);
  const page = rows.slice(0, limit);
  return {
    entries: page,
    views: await describeAuditRows(ctx.db, page),
    chainOk: (await verifyAuditLog(ctx.db, { key: ctx.auditKey?.key })).ok,
    nextBefore: rows.length > limit ? String(page.at(-1)!.seq) : null,
    scope: scope.node ? 'node' : 'body',
  };
}
