// The treaty engine: which Parties the Agreement binds on a date, computed from
// the depositary's dated events (Articles 22–25), never from hand-set flags.
// The same events travel inside the signed trust registry (federation).
import Type, { type Static, type TSchema } from 'typebox';
import { addDays, addMonths, compareDates, isIsoDate, maxDate, type IsoDate } from './dates.js';
import { EixError } from './errors.js';
import { partyName, provisionRu } from './vocabulary.js';
import { checkSchema, joinPath, type Problem } from './problems.js';

// ---- Input format -------------------------------------------------------------------

const DateStr = Type.String({ format: 'date' });
const Party = Type.String({ pattern: '^[A-Z]{2}$' });
/** An article ("6"), a sub-item ("6.a") or a paragraph ("9.3", "11.2") of the Agreement (R25.b). */
const Provision = Type.String({ pattern: '^[1-9][0-9]?(?:\\.(?:[a-z]|[1-9][0-9]?))?$' });

/** R25.a/b: a Party will not apply the Agreement (wholly or the listed provisions) to such documents. */
export const DeclarationSchema = Type.Object(
  {
    documents: Type.Union([Type.Literal('non-judicial'), Type.Literal('notarial')]),
    provisions: Type.Union([Type.Literal('all'), Type.Array(Provision, { minItems: 1 })]),
    text: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

/** A reservation on a provision (R-KZ is one: Kazakhstan on 6.a); any Party may have one. */
export const ReservationSchema = Type.Object(
  {
    provision: Provision,
    text: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

export const DesignatedBodySchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
    name: Type.String({ minLength: 1 }),
    address: Type.Optional(Type.String({ minLength: 1 })),
    region: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

const statements = {
  declarations: Type.Optional(Type.Array(DeclarationSchema)),
  reservations: Type.Optional(Type.Array(ReservationSchema)),
};

const EVENT_SCHEMAS = {
  signature: Type.Object(
    { type: Type.Literal('signature'), party: Party, date: Type.Union([DateStr, Type.Null()]), ...statements },
    { additionalProperties: false },
  ),
  notification: Type.Object(
    { type: Type.Literal('notification'), party: Party, received: DateStr, ...statements },
    { additionalProperties: false },
  ),
  accession: Type.Object(
    { type: Type.Literal('accession'), party: Party, received: DateStr, cisMember: Type.Boolean(), ...statements },
    { additionalProperties: false },
  ),
  consent: Type.Object(
    { type: Type.Literal('consent'), party: Party, for: Party, received: DateStr },
    { additionalProperties: false },
  ),
  withdrawal: Type.Object(
    { type: Type.Literal('withdrawal'), party: Party, received: DateStr, effective: DateStr },
    { additionalProperties: false },
  ),
  bodies: Type.Object(
    {
      type: Type.Literal('bodies'),
      party: Party,
      date: DateStr,
      central: Type.Array(DesignatedBodySchema, { minItems: 1 }),
      territorial: Type.Optional(Type.Array(DesignatedBodySchema)),
    },
    { additionalProperties: false },
  ),
  // R20/R21: protocols and consultations are recorded, they do not change who is bound.
  protocol: Type.Object(
    {
      type: Type.Literal('protocol'),
      date: DateStr,
      title: Type.String({ minLength: 1 }),
      parties: Type.Optional(Type.Array(Party)),
    },
    { additionalProperties: false },
  ),
};

export const TreatyEventSchema = Type.Union([
  EVENT_SCHEMAS.signature,
  EVENT_SCHEMAS.notification,
  EVENT_SCHEMAS.accession,
  EVENT_SCHEMAS.consent,
  EVENT_SCHEMAS.withdrawal,
  EVENT_SCHEMAS.bodies,
  EVENT_SCHEMAS.protocol,
]);
const EVENT_TYPES = Object.keys(EVENT_SCHEMAS);

/**
 * The reading of "вступает в силу по истечении N дней с даты получения" the
 * document is computed with (decision 9): `extraDays` 0 binds from day R+N,
 * 1 from R+N+1. Optional; absent, the engine's default (AGREEMENT_2025_RULES).
 */
export const TreatyConventionSchema = Type.Object(
  { extraDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })), note: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export const TreatyEventsSchema = Type.Object(
  {
    title: Type.Optional(Type.String()),
    note: Type.Optional(Type.String()),
    illustration: Type.Optional(Type.Boolean()),
    rules: Type.Optional(TreatyConventionSchema),
    events: Type.Array(TreatyEventSchema),
  },
  { additionalProperties: true },
);

const EventsEnvelopeSchema = Type.Object({ events: Type.Array(Type.Object({ type: Type.String() })) });

/** Structural problems, each event checked against the schema of its own type (precise paths). */
function eventProblems(input: unknown): Problem[] {
  const rules = (input as { rules?: unknown } | null)?.rules;
  if (rules !== undefined) {
    const found = checkSchema(TreatyConventionSchema, rules, EVENT_FIELDS).map((p) => ({
      ...p,
      path: joinPath('rules', p.path),
    }));
    if (found.length > 0) return found;
  }
  const envelope = checkSchema(EventsEnvelopeSchema, input, EVENT_FIELDS);
  const problems: Problem[] = [];
  if (envelope.length > 0) {
    // Report unknown types precisely; other envelope problems as they are.
    for (const p of envelope) if (!/^events\[\d+\]\.type$/.test(p.path)) problems.push(p);
    if (problems.length > 0) return problems;
  }
  const events = (input as { events: { type: unknown }[] }).events;
  events.forEach((e, i) => {
    const schema = EVENT_SCHEMAS[e.type as keyof typeof EVENT_SCHEMAS] as TSchema | undefined;
    if (!schema) {
      problems.push({
        code: 'schema.enum',
        path: joinPath('events', i, 'type'),
        message: `Поле «тип события»: допустимые значения — ${EVENT_TYPES.join(', ')}`,
      });
      return;
    }
    for (const p of checkSchema(schema, e, EVENT_FIELDS)) problems.push({ ...p, path: joinPath('events', i, p.path) });
  });
  return problems;
}

export type Declaration = Static<typeof DeclarationSchema>;
export type Reservation = Static<typeof ReservationSchema>;
export type DesignatedBody = Static<typeof DesignatedBodySchema>;
export type TreatyEvent = Static<typeof TreatyEventSchema>;
export type TreatyEvents = Static<typeof TreatyEventsSchema>;

// ---- Rules ----------------------------------------------------------------------------

/**
 * The periods of Articles 22–24, in one place. Convention for "in force after
 * N days from the date of receipt R": the Party is bound from day R+N (and
 * likewise from R + N months). `extraDays` shifts every such start (set it to 1
 * for an agreement read as "bound from the day after the period expires").
 */
export interface TreatyRules {
  readonly notificationsForEntry: number;
  readonly entryDays: number;
  readonly cisAccessionDays: number;
  readonly nonCisAccessionMonths: number;
  readonly withdrawalNoticeMonths: number;
  readonly extraDays: number;
  /** R25.c (and Vienna Convention art. 23.2 for reservations): statements made at signature need confirmation. */
  readonly signatureStatementsNeedConfirmation: boolean;
}

export const AGREEMENT_2025_RULES: TreatyRules = {
  notificationsForEntry: 3,
  entryDays: 30,
  cisAccessionDays: 30,
  nonCisAccessionMonths: 3,
  withdrawalNoticeMonths: 3,
  extraDays: 0,
  signatureStatementsNeedConfirmation: true,
};

// ---- Computed model -----------------------------------------------------------------

export interface PartyRecord {
  readonly party: string;
  readonly signed: boolean;
  readonly signedOn: IsoDate | null;
  readonly notifiedOn: IsoDate | null;
  readonly accession: { readonly received: IsoDate; readonly cisMember: boolean } | null;
  /** First day bound (inclusive), null while not (yet) bound. */
  readonly since: IsoDate | null;
  /** Last day bound (inclusive) after a withdrawal, null otherwise. */
  readonly until: IsoDate | null;
  readonly withdrawalEffective: IsoDate | null;
  readonly declarations: readonly Declaration[];
  readonly reservations: readonly Reservation[];
  /** Statements made at signature and not confirmed in the notification (R25.c). */
  readonly lapsed: { readonly declarations: readonly Declaration[]; readonly reservations: readonly Reservation[] };
  /** Non-CIS accession (R23.b): states whose consent is still awaited. */
  readonly pendingConsents: readonly string[];
}

export interface Treaty {
  readonly rules: TreatyRules;
  readonly events: readonly TreatyEvent[];
  readonly entryIntoForce: IsoDate | null;
  readonly parties: Readonly<Record<string, PartyRecord>>;
}

export interface PartyStatus {
  bound: boolean;
  since: IsoDate | null;
  until: IsoDate | null;
  declarations: Declaration[];
  reservations: Reservation[];
  /** R25.c: made at signature, not confirmed in the notification — not applied. */
  lapsedDeclarations?: Declaration[];
  lapsedReservations?: Reservation[];
  pendingConsents?: string[];
}

export interface TreatyStatus {
  date: IsoDate;
  inForce: boolean;
  entryIntoForce: IsoDate | null;
  parties: Record<string, PartyStatus>;
}

const EVENT_FIELDS: Readonly<Record<string, string>> = {
  events: 'события депозитария',
  party: 'Сторона',
  date: 'дата',
  received: 'дата получения депозитарием',
  effective: 'дата выхода',
  for: 'присоединяющееся государство',
  cisMember: 'признак участника СНГ',
  extraDays: 'сдвиг начала действия (0 — со дня R+N, 1 — со дня R+N+1)',
  provisions: 'положения Соглашения',
  provision: 'положение Соглашения',
};

/**
 * Reads and checks a depositary events document. Throws `treaty.events` with
 * every structural problem, or `treaty.event_order` / `treaty.withdrawal_notice`
 * naming the offending event (`events[i]`).
 */
export function loadTreaty(input: unknown, rules: TreatyRules = AGREEMENT_2025_RULES): Treaty {
  const problems = eventProblems(input);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new EixError(
      'treaty.events',
      { problems, field: first.path },
      `Неверный перечень событий депозитария: ${first.path ? `${first.path}: ` : ''}${first.message}`,
    );
  }
  const doc = input as TreatyEvents;
  // Decision 9: the document may state the reading of "N days after receipt" it was made with.
  const extraDays = doc.rules?.extraDays;
  return build(doc.events, extraDays === undefined ? rules : { ...rules, extraDays });
}

function fail(code: 'treaty.event_order' | 'treaty.withdrawal_notice', index: number, message: string): never {
  throw new EixError(code, { field: joinPath('events', index), index }, `Событие events[${index}]: ${message}`);
}

interface Draft {
  signature?: { index: number; date: IsoDate | null; declarations: Declaration[]; reservations: Reservation[] };
  notification?: { index: number; received: IsoDate; declarations: Declaration[]; reservations: Reservation[] };
  accession?: {
    index: number;
    received: IsoDate;
    cisMember: boolean;
    declarations: Declaration[];
    reservations: Reservation[];
  };
  withdrawal?: { index: number; received: IsoDate; effective: IsoDate };
  consents: Map<string, IsoDate>;
}

function build(events: readonly TreatyEvent[], rules: TreatyRules): Treaty {
  const start = (date: IsoDate, days: number, months = 0): IsoDate =>
    addDays(addMonths(date, months), days + rules.extraDays);
  const drafts = new Map<string, Draft>();
  const draft = (p: string): Draft => {
    let d = drafts.get(p);
    if (!d) drafts.set(p, (d = { consents: new Map() }));
    return d;
  };
  const consents: { index: number; party: string; for: string; received: IsoDate }[] = [];

  events.forEach((e, i) => {
    if (e.type === 'protocol') return;
    if (e.type === 'consent') {
      consents.push({ index: i, party: e.party, for: e.for, received: e.received });
      return;
    }
    const d = draft(e.party);
    const once = (what: string, present: unknown) => {
      if (present) fail('treaty.event_order', i, `повторное событие «${what}» для Стороны ${e.party}`);
    };
    switch (e.type) {
      case 'signature':
        once('подписание', d.signature);
        if (d.accession) fail('treaty.event_order', i, `государство ${e.party} уже присоединилось к Соглашению`);
        d.signature = {
          index: i,
          date: e.date,
          declarations: e.declarations ?? [],
          reservations: e.reservations ?? [],
        };
        break;
      case 'notification':
        once('уведомление о выполнении внутригосударственных процедур', d.notification);
        d.notification = {
          index: i,
          received: e.received,
          declarations: e.declarations ?? [],
          reservations: e.reservations ?? [],
        };
        break;
      case 'accession':
        once('присоединение', d.accession);
        d.accession = {
          index: i,
          received: e.received,
          cisMember: e.cisMember,
          declarations: e.declarations ?? [],
          reservations: e.reservations ?? [],
        };
        break;
      case 'withdrawal':
        once('выход', d.withdrawal);
        if (compareDates(e.effective, addMonths(e.received, rules.withdrawalNoticeMonths)) < 0) {
          fail(
            'treaty.withdrawal_notice',
            i,
            `уведомление о выходе Стороны ${e.party} получено ${e.received}, выход ${e.effective} — менее чем через ${rules.withdrawalNoticeMonths} месяца (статья 24)`,
          );
        }
        d.withdrawal = { index: i, received: e.received, effective: e.effective };
        break;
      case 'bodies':
        break;
    }
  });

  // Semantic order checks that need all events.
  for (const [p, d] of drafts) {
    if (d.notification && !d.signature)
      fail(
        'treaty.event_order',
        d.notification.index,
        `уведомление от государства ${p}, не подписавшего Соглашение (для неподписавших — присоединение, статья 23)`,
      );
    if (d.signature && d.accession)
      fail(
        'treaty.event_order',
        d.accession.index,
        `государство ${p} подписало Соглашение; присоединение не требуется`,
      );
    const sDate = d.signature?.date;
    if (d.notification && sDate && compareDates(d.notification.received, sDate) < 0) {
      fail(
        'treaty.event_order',
        d.notification.index,
        `уведомление ${d.notification.received} получено раньше подписания ${sDate}`,
      );
    }
    if (d.withdrawal && !d.notification && !d.accession)
      fail(
        'treaty.event_order',
        d.withdrawal.index,
        `выход государства ${p}, для которого Соглашение не вступало в силу`,
      );
  }
  events.forEach((e, i) => {
    if (e.type === 'bodies' && !drafts.get(e.party)?.signature && !drafts.get(e.party)?.accession) {
      fail('treaty.event_order', i, `органы назначены государством ${e.party}, не являющимся участником Соглашения`);
    }
  });

  // R22.a: entry into force 30 days after the third notification.
  const notified = [...drafts.entries()]
    .filter(([, d]) => d.notification)
    .map(([p, d]) => ({ party: p, received: d.notification!.received }))
    .sort((a, b) => compareDates(a.received, b.received));
  const third = notified[rules.notificationsForEntry - 1];
  const entryIntoForce = third ? start(third.received, rules.entryDays) : null;

  // R23.a: accession is open only after entry into force.
  for (const [p, d] of drafts) {
    if (d.accession && (!entryIntoForce || compareDates(d.accession.received, entryIntoForce) < 0)) {
      fail(
        'treaty.event_order',
        d.accession.index,
        `присоединение государства ${p} до вступления Соглашения в силу (статья 23)`,
      );
    }
  }
  for (const c of consents) {
    const target = drafts.get(c.for);
    if (!target?.accession || target.accession.cisMember)
      fail(
        'treaty.event_order',
        c.index,
        `согласие на присоединение государства ${c.for}, не подававшего документ о присоединении как государство — не участник СНГ`,
      );
    const giver = drafts.get(c.party);
    if (!giver?.signature && !giver?.accession)
      fail(
        'treaty.event_order',
        c.index,
        `согласие дано государством ${c.party}, не подписавшим Соглашение и не присоединившимся к нему`,
      );
    if (target.consents.has(c.party))
      fail('treaty.event_order', c.index, `повторное согласие ${c.party} на присоединение ${c.for}`);
    target.consents.set(c.party, c.received);
  }

  const parties: Record<string, PartyRecord> = {};
  for (const [p, d] of [...drafts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    let since: IsoDate | null = null;
    let pendingConsents: string[] = [];
    let declarations: readonly Declaration[] = [];
    let reservations: readonly Reservation[] = [];
    let lapsed: PartyRecord['lapsed'] = { declarations: [], reservations: [] };
    if (d.notification) {
      // R22.b: a later notifier is bound 30 days after its own notification.
      since = entryIntoForce ? maxDate(entryIntoForce, start(d.notification.received, rules.entryDays)) : null;
      ({ declarations, reservations, lapsed } = confirmed(d, rules));
    } else if (d.accession) {
      ({ declarations, reservations } = d.accession);
      if (d.accession.cisMember) {
        since = start(d.accession.received, rules.cisAccessionDays); // R23.a
      } else {
        // R23.b: consent of every state that had signed or acceded by the accession.
        const required = [...drafts.entries()]
          .filter(
            ([q, o]) =>
              q !== p &&
              (o.signature || (o.accession && compareDates(o.accession.received, d.accession!.received) <= 0)) &&
              !(o.withdrawal && compareDates(o.withdrawal.effective, d.accession!.received) <= 0),
          )
          .map(([q]) => q);
        pendingConsents = required.filter((q) => !d.consents.has(q)).sort();
        if (pendingConsents.length === 0) {
          const last =
            [...d.consents.entries()]
              .filter(([q]) => required.includes(q))
              .map(([, r]) => r)
              .sort(compareDates)
              .at(-1) ?? d.accession.received;
          since = start(maxDate(last, d.accession.received), 0, rules.nonCisAccessionMonths);
        }
      }
    }
    const effective = d.withdrawal?.effective ?? null;
    const until = effective ? addDays(effective, -1) : null;
    if (since && until && compareDates(until, since) < 0) since = null; // withdrew before being bound
    parties[p] = {
      party: p,
      signed: Boolean(d.signature),
      signedOn: d.signature?.date ?? null,
      notifiedOn: d.notification?.received ?? null,
      accession: d.accession ? { received: d.accession.received, cisMember: d.accession.cisMember } : null,
      since,
      until: since ? until : null,
      withdrawalEffective: effective,
      declarations,
      reservations,
      lapsed,
      pendingConsents,
    };
  }
  return { rules, events, entryIntoForce, parties };
}

/** R25.c: what a notification does with the statements made at signature. */
function confirmed(d: Draft, rules: TreatyRules): Pick<PartyRecord, 'declarations' | 'reservations' | 'lapsed'> {
  const n = d.notification!;
  const s = d.signature!;
  if (!rules.signatureStatementsNeedConfirmation) {
    return {
      declarations: uniq([...s.declarations, ...n.declarations]),
      reservations: uniq([...s.reservations, ...n.reservations]),
      lapsed: { declarations: [], reservations: [] },
    };
  }
  const notIn = <T>(list: readonly T[], from: readonly T[]) => list.filter((x) => !from.some((y) => same(x, y)));
  return {
    declarations: n.declarations,
    reservations: n.reservations,
    lapsed: {
      declarations: notIn(s.declarations, n.declarations),
      reservations: notIn(s.reservations, n.reservations),
    },
  };
}

function same(a: unknown, b: unknown): boolean {
  const key = (x: unknown) =>
    JSON.stringify(x, (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k]) => k !== 'text')
              .sort(),
          )
        : v,
    );
  return key(a) === key(b);
}

function uniq<T>(list: readonly T[]): T[] {
  return list.filter((x, i) => list.findIndex((y) => same(x, y)) === i);
}

// ---- Questions ---------------------------------------------------------------------------

/** Is the Party bound on the date (since ≤ date ≤ until)? */
export function isBound(t: Treaty, party: string, date: IsoDate): boolean {
  const r = t.parties[party];
  return Boolean(r?.since && compareDates(r.since, date) <= 0 && (!r.until || compareDates(date, r.until) <= 0));
}

export function boundParties(t: Treaty, date: IsoDate): string[] {
  return Object.keys(t.parties).filter((p) => isBound(t, p, date));
}

export function treatyStatus(t: Treaty, date: IsoDate): TreatyStatus {
  if (!isIsoDate(date)) throw new EixError('input.date', { field: 'date', value: date });
  const parties: Record<string, PartyStatus> = {};
  for (const [p, r] of Object.entries(t.parties)) {
    const bound = isBound(t, p, date);
    parties[p] = {
      bound,
      since: r.since,
      until: r.until,
      declarations: bound ? [...r.declarations] : [],
      reservations: bound ? [...r.reservations] : [],
      // R25.c: a lapsed statement is reported as lapsed, not as an empty list.
      ...(r.lapsed.declarations.length > 0 ? { lapsedDeclarations: [...r.lapsed.declarations] } : {}),
      ...(r.lapsed.reservations.length > 0 ? { lapsedReservations: [...r.lapsed.reservations] } : {}),
      ...(r.pendingConsents.length > 0 ? { pendingConsents: [...r.pendingConsents] } : {}),
    };
  }
  return {
    date,
    inForce: Boolean(t.entryIntoForce && compareDates(t.entryIntoForce, date) <= 0),
    entryIntoForce: t.entryIntoForce,
    parties,
  };
}

export type PairRefusal =
  | 'same_party'
  | 'not_in_force'
  | 'requesting_not_bound'
  | 'requested_not_bound'
  | 'requested_withdrawn'
  | 'requesting_withdrawn';

export interface PairAnswer {
  allowed: boolean;
  code: PairRefusal | null;
  reason: string;
}

/** R-pair: a request may go from A to B on D only if the Agreement binds both on D. */
export function canSend(t: Treaty, q: { from: string; to: string; date: IsoDate }): PairAnswer {
  const no = (code: PairRefusal, reason: string): PairAnswer => ({ allowed: false, code, reason });
  if (q.from === q.to)
    return no(
      'same_party',
      'Запрос направляется органу другой Стороны; запрашивающая и запрашиваемая Стороны совпадают',
    );
  if (!t.entryIntoForce || compareDates(q.date, t.entryIntoForce) < 0) {
    return no(
      'not_in_force',
      t.entryIntoForce
        ? `Соглашение вступает в силу ${t.entryIntoForce}; на ${q.date} оно ещё не действует (статья 22)`
        : `Соглашение не вступило в силу: депозитарий не получил ${t.rules.notificationsForEntry} уведомления о выполнении внутригосударственных процедур (статья 22)`,
    );
  }
  for (const [party, role] of [
    [q.from, 'requesting'],
    [q.to, 'requested'],
  ] as const) {
    if (isBound(t, party, q.date)) continue;
    const r = t.parties[party];
    const who = `${role === 'requesting' ? 'Запрашивающая' : 'Запрашиваемая'} Сторона ${partyName(party)} (${party})`;
    if (r?.until && compareDates(q.date, r.until) > 0) {
      return no(`${role}_withdrawn`, `${who} вышла из Соглашения с ${r.withdrawalEffective} (статья 24)`);
    }
    return no(`${role}_not_bound`, `${who} не связана Соглашением на ${q.date}${notBoundDetail(r, q.date)}`);
  }
  return {
    allowed: true,
    code: null,
    reason: `Соглашение связывает ${partyName(q.from)} (${q.from}) и ${partyName(q.to)} (${q.to}) на ${q.date}`,
  };
}

function notBoundDetail(r: PartyRecord | undefined, date: IsoDate): string {
  if (!r) return ': государство не подписало Соглашение и не присоединилось к нему';
  if (r.since && compareDates(date, r.since) < 0) return `: Соглашение вступает для неё в силу ${r.since}`;
  if (r.pendingConsents.length > 0)
    return `: не получены согласия на присоединение от ${r.pendingConsents.join(', ')} (статья 23)`;
  if (r.signed && !r.notifiedOn)
    return ': депозитарий не получил её уведомление о выполнении внутригосударственных процедур (статья 22)';
  return '';
}

export type IssuerKind = 'court' | 'authority' | 'notary';

export interface RequestNotice {
  code: 'R13.d' | 'R-KZ';
  party: string;
  role: 'requesting' | 'requested';
  /** The request's provisions the statement concerns. */
  provisions: string[];
  text?: string;
  message: string;
}

/** Does a statement on `stated` (e.g. "6" or "6.a") cover the request's provision `p`? */
function covers(stated: string, p: string): boolean {
  return stated === p || p.startsWith(`${stated}.`) || stated.startsWith(`${p}.`);
}

/**
 * R25.a: two categories, as Article 25 lists them — documents issued by an
 * authorised body or official outside the judicial system («non-judicial»),
 * «а также нотариально заверенных документов» («notarial»). A declaration on
 * one does not cover the other.
 */
function declarationApplies(d: Declaration, issuer: IssuerKind): boolean {
  return d.documents === 'notarial' ? issuer === 'notary' : issuer === 'authority';
}

/**
 * R13.d and R-KZ: the declarations (of either Party) and reservations (of the
 * requested Party) that concern a request; warnings, never blocks.
 */
export function requestNotices(
  t: Treaty,
  q: { from: string; to: string; date: IsoDate; issuerKind: IssuerKind; provisions: readonly string[] },
): RequestNotice[] {
  const out: RequestNotice[] = [];
  for (const [party, role] of [
    [q.from, 'requesting'],
    [q.to, 'requested'],
  ] as const) {
    const r = t.parties[party];
    if (!r || !isBound(t, party, q.date)) continue;
    for (const d of r.declarations) {
      if (!declarationApplies(d, q.issuerKind)) continue;
      const hit =
        d.provisions === 'all'
          ? [...q.provisions]
          : q.provisions.filter((p) => (d.provisions as string[]).some((s) => covers(s, p)));
      if (hit.length === 0) continue;
      const docs =
        d.documents === 'notarial'
          ? 'нотариально заверенных документов'
          : 'исполнительных документов органов и должностных лиц, не входящих в судебную систему';
      const scope = d.provisions === 'all' ? 'полностью' : `в части положений ${hit.join(', ')}`;
      out.push({
        code: 'R13.d',
        party,
        role,
        provisions: hit,
        ...(d.text ? { text: d.text } : {}),
        message: `${role === 'requesting' ? 'Запрашивающая' : 'Запрашиваемая'} Сторона ${partyName(party)} заявила, что не применяет Соглашение ${scope} в отношении ${docs} (статья 25); в исполнении запроса может быть отказано (статья 13)`,
      });
    }
    if (role !== 'requested') continue;
    for (const res of r.reservations) {
      const hit = q.provisions.filter((p) => covers(res.provision, p));
      if (hit.length === 0) continue;
      out.push({
        code: 'R-KZ',
        party,
        role,
        provisions: hit,
        text: res.text,
        message: `Оговорка ${partyName(party)} к положению ${provisionRu(res.provision)}: «${res.text}». Ответ может быть частичным по этому основанию`,
      });
    }
  }
  return out;
}

/**
 * R13.d: the Parties (the requesting or the requested one) whose Article 25
 * declaration covers the request's executive document and provisions — the
 * only Parties a refusal on a declaration may name.
 */
export function declarationParties(
  t: Treaty,
  q: { from: string; to: string; date: IsoDate; issuerKind: IssuerKind; provisions: readonly string[] },
): string[] {
  return [...new Set(requestNotices(t, q).flatMap((n) => (n.code === 'R13.d' ? [n.party] : [])))];
}

/** R18: the bodies a Party has designated, as of the date (the latest list given to the depositary). */
export function designatedBodies(
  t: Treaty,
  party: string,
  date: IsoDate,
): { central: DesignatedBody[]; territorial: DesignatedBody[]; date: IsoDate } | null {
  let best: Extract<TreatyEvent, { type: 'bodies' }> | null = null;
  for (const e of t.events) {
    if (
      e.type === 'bodies' &&
      e.party === party &&
      compareDates(e.date, date) <= 0 &&
      (!best || compareDates(e.date, best.date) >= 0)
    )
      best = e;
  }
  return best ? { central: [...best.central], territorial: [...(best.territorial ?? [])], date: best.date } : null;
}

/** R18: is the body one the Party has designated (central or territorial) as of the date? */
export function isDesignated(t: Treaty, party: string, bodyId: string, date: IsoDate): boolean {
  const b = designatedBodies(t, party, date);
  return !!b && [...b.central, ...b.territorial].some((x) => x.id === bodyId);
}

/**
 * R18, R-pair: the bodies a Party's officer may address on `date` — the
 * central and territorial bodies designated by every other Party the Agreement
 * binds that day, Party by Party in the treaty's order.
 */
export function requestableBodies(t: Treaty, from: string, date: IsoDate): (DesignatedBody & { party: string })[] {
  return boundParties(t, date)
    .filter((cc) => cc !== from)
    .flatMap((cc) => {
      const b = designatedBodies(t, cc, date);
      return [...(b?.central ?? []), ...(b?.territorial ?? [])].map((x) => ({ ...x, party: cc }));
    });
}

/** Problems an events document would have, without throwing (for `eix registry build` and the UI). */
export function checkTreatyEvents(input: unknown, rules: TreatyRules = AGREEMENT_2025_RULES): Problem[] {
  try {
    loadTreaty(input, rules);
    return [];
  } catch (e) {
    if (!(e instanceof EixError)) throw e;
    const listed = e.data.problems as Problem[] | undefined;
    return listed ?? [{ code: e.code, path: String(e.data.field ?? ''), message: e.message }];
  }
}
