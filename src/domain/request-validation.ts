// validateRequest: everything the Agreement asks of a request before it is
// signed (R10.b, R11, R7.c, R8.c, R11.2, R19, R-pair, R13.d, R-KZ), all at once.
// Every problem has a stable code (the rule id first), the path of the field
// and a Russian message naming it.
import { shorterTermTooEarly } from './calendar.js';
import { addDays, addMonths, isIsoDate, type IsoDate } from './dates.js';
import { fieldLabel, joinPath, checkSchema, type CheckResult, type Problem } from './problems.js';
import { REQUEST_FIELD_NAMES, RequestSchema, itemProvisions, type Item, type Person, type Request } from './request.js';
import { checkNationalId, idLabelRu } from './national-ids.js';
import { canSend, isDesignated, requestNotices, type Treaty } from './treaty.js';
import { PARTY_CODE } from './parties.js';

export interface ValidationContext {
  /** The day the request is validated (the requesting body's local day). */
  readonly today: IsoDate;
  /** The Agreement's status (from the trust registry); without it R-pair and Article 25 checks are skipped. */
  readonly treaty?: Treaty;
  /** Body of the officer drafting the request (R10.b). */
  readonly officerBodyId?: string;
}

/** R7.c: income information is given for the period in the request, but at most 3 years. */
export const MAX_INCOME_PERIOD_MONTHS = 36;

export function validateRequest(input: unknown, ctx: ValidationContext): CheckResult {
  const schemaProblems = checkSchema(RequestSchema, input, REQUEST_FIELD_NAMES);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: schemaProblems, warnings: [] };
  }
  const req = input as Request;
  const v = new Collector(schemaProblems);
  checkBodies(v, req, ctx);
  checkExecutiveDocument(v, req, ctx);
  checkPerson(v, 'debtor', req.debtor, true);
  checkPerson(v, 'creditor', req.creditor, false);
  checkItems(v, req, ctx);
  v.requireText('grounds', req.grounds, 'R11.1.e');
  checkTerm(v, req, ctx);
  checkLanguage(v, req);
  checkTreaty(v, req, ctx);
  const errors = [...schemaProblems, ...v.errors];
  return { ok: errors.length === 0, errors, warnings: v.warnings };
}

/** Collects problems; a semantic problem on a path the schema already flagged is dropped. */
class Collector {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];
  private readonly flagged: Set<string>;

  constructor(schemaProblems: readonly Problem[]) {
    this.flagged = new Set(schemaProblems.map((p) => p.path));
  }

  error(code: string, path: string, message: string): void {
    if (!this.flagged.has(path)) this.errors.push({ code, path, message });
  }

  warn(code: string, path: string, message: string): void {
    if (!this.flagged.has(path)) this.warnings.push({ code, path, message });
  }

  label(path: string): string {
    return fieldLabel(path, REQUEST_FIELD_NAMES);
  }

  /** Reports an empty mandatory text field under `<rule>.<field>`; true when filled. */
  requireText(path: string, value: unknown, rule: string): boolean {
    if (filled(value)) return true;
    this.error(
      `${rule}.${lastSegment(path)}`,
      path,
      `Не заполнено обязательное поле ${this.label(path)} (${ruleRu(rule)})`,
    );
    return false;
  }
}

function filled(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function lastSegment(path: string): string {
  return (
    path
      .replace(/\[\d+\]/g, '')
      .split('.')
      .pop() ?? path
  );
}

function ruleRu(rule: string): string {
  const m = /^R(\d+)\.(\d+)(?:\.([a-z]))?$/.exec(rule);
  if (!m) return rule;
  const letter = m[3] ? `, подпункт «${CYRILLIC_LETTER[m[3]] ?? m[3]}»` : '';
  return `статья ${m[1]}, пункт ${m[2]}${letter} Соглашения`;
}

const CYRILLIC_LETTER: Record<string, string> = { a: 'а', b: 'б', c: 'в', d: 'г', e: 'д', f: 'е' };

// ---- R11.1.a, R10.b ---------------------------------------------------------

function checkBodies(v: Collector, req: Request, ctx: ValidationContext): void {
  for (const side of ['requestingBody', 'requestedBody'] as const) {
    const body = req[side];
    if (!body) {
      v.error(`R11.1.a.${side}`, side, `Не указан ${v.label(side)} (${ruleRu('R11.1.a')})`);
      continue;
    }
    v.requireText(`${side}.name`, body.name, 'R11.1.a');
    v.requireText(`${side}.id`, body.id, 'R11.1.a');
    if (!filled(body.party)) v.error(`R11.1.a.party`, `${side}.party`, `Не указана ${v.label(`${side}.party`)}`);
  }
  const from = req.requestingBody?.party;
  const to = req.requestedBody?.party;
  if (filled(from) && filled(to) && from === to) {
    v.error(
      'R-pair.same_party',
      'requestedBody.party',
      'Запрашивающий и запрашиваемый органы относятся к одной Стороне: Соглашение применяется только между Сторонами',
    );
  }
  // R10.b: only the body holding the enforcement proceedings may request.
  const proceeding = req.proceeding;
  if (!proceeding || !filled(proceeding.number)) {
    v.error(
      'R10.b.proceeding',
      'proceeding.number',
      `Не указано ${v.label('proceeding.number')}: запрос направляется только в рамках исполнительного производства (статья 10 Соглашения)`,
    );
  }
  const holder = proceeding?.bodyId;
  const requester = req.requestingBody?.id;
  if (filled(holder) && filled(requester) && holder !== requester) {
    v.error(
      'R10.b.holder',
      'proceeding.bodyId',
      'Исполнительное производство находится в другом органе: направить запрос может только орган, в производстве которого оно находится (статья 10 Соглашения)',
    );
  }
  if (ctx.officerBodyId !== undefined && filled(requester) && ctx.officerBodyId !== requester) {
    v.error(
      'R10.b.officer',
      'requestingBody.id',
      'Судебный исполнитель другого органа не может готовить запрос по этому исполнительному производству (статья 10 Соглашения)',
    );
  }
}

// ---- R11.1.b, R11.1.d ---------------------------------------------------------

function checkExecutiveDocument(v: Collector, req: Request, ctx: ValidationContext): void {
  const doc = req.executiveDocument;
  if (!doc) {
    v.error(
      'R11.1.b.executiveDocument',
      'executiveDocument',
      `Не указан ${v.label('executiveDocument')} (${ruleRu('R11.1.b')})`,
    );
    return;
  }
  v.requireText('executiveDocument.number', doc.number, 'R11.1.b');
  if (!doc.date) {
    v.error(
      'R11.1.b.date',
      'executiveDocument.date',
      `Не указана ${v.label('executiveDocument.date')} (${ruleRu('R11.1.b')})`,
    );
  } else if (isIsoDate(doc.date) && doc.date > ctx.today) {
    v.error(
      'R11.1.b.date_future',
      'executiveDocument.date',
      `${v.label('executiveDocument.date')} не может быть позже сегодняшнего дня`,
    );
  }
  v.requireText('executiveDocument.issuer.name', doc.issuer?.name, 'R11.1.b');
  if (!doc.issuer?.kind) {
    v.error(
      'R11.1.b.issuer_kind',
      'executiveDocument.issuer.kind',
      `Не указан ${v.label('executiveDocument.issuer.kind')}: суд, иной уполномоченный орган (должностное лицо) или нотариус (статья 25 Соглашения)`,
    );
  }
  v.requireText('executiveDocument.operativePart', doc.operativePart, 'R11.1.d');
}

// ---- R11.1.c --------------------------------------------------------------------

function checkPerson(v: Collector, role: 'debtor' | 'creditor', person: Person | undefined, isDebtor: boolean): void {
  const rule = 'R11.1.c';
  if (!person) {
    v.error(`${rule}.${role}`, role, `Не указаны сведения: ${isDebtor ? 'должник' : 'взыскатель'} (${ruleRu(rule)})`);
    return;
  }
  const at = (field: string): string => `${role}.${field}`;
  if (person.type === 'individual') {
    v.requireText(at('surname'), person.surname, rule);
    v.requireText(at('name'), person.name, rule);
    v.requireText(at('address'), person.address, rule);
    if (isDebtor) {
      if (!person.birthDate)
        v.error(`${rule}.birthDate`, at('birthDate'), `Не указана ${v.label(at('birthDate'))} (${ruleRu(rule)})`);
      v.requireText(at('birthPlace'), person.birthPlace, rule);
      if ((person.ids ?? []).length === 0 && !person.passport?.number) {
        v.warn(
          `${rule}.identifiers`,
          at('ids'),
          'Не указаны идентифицирующие данные должника (идентификационный номер, паспорт): без них исполнение запроса может быть затруднено',
        );
      }
    }
  } else if (person.type === 'legal_entity') {
    v.requireText(at('name'), person.name, rule);
    v.requireText(at('address'), person.address, rule);
    if (isDebtor && (person.ids ?? []).length === 0) {
      v.error(
        `${rule}.ids`,
        at('ids'),
        'Для должника — юридического лица укажите учетный номер плательщика, ИНН или иной идентифицирующий номер (статья 11, пункт 1, подпункт «в» Соглашения)',
      );
    }
  }
  (person.ids ?? []).forEach((id, i) => {
    const path = joinPath(role, 'ids', i, 'value');
    if (typeof id?.value !== 'string' || typeof id.kind !== 'string' || typeof id.country !== 'string') return;
    if (!PARTY_CODE.test(id.country)) return;
    let check;
    try {
      check = checkNationalId(id.country, id.kind, id.value);
    } catch {
      v.error(
        `${rule}.id_kind`,
        joinPath(role, 'ids', i, 'kind'),
        `Неизвестный вид идентификатора ${id.kind} для государства ${id.country}`,
      );
      return;
    }
    if (!check.valid) {
      v.error(
        `${rule}.id_${check.reason}`,
        path,
        `${idLabelRu(id.country, id.kind)} (${role === 'debtor' ? 'должник' : 'взыскатель'}): ${check.message}`,
      );
    }
  });
}

// ---- R3–R8, R11.2 ---------------------------------------------------------------

function checkItems(v: Collector, req: Request, ctx: ValidationContext): void {
  const items = req.items ?? [];
  if (items.length === 0) {
    v.error(
      'R11.1.e.items',
      'items',
      'Не выбраны запрашиваемые сведения: укажите хотя бы один вид информации (статьи 3–8 Соглашения)',
    );
    return;
  }
  items.forEach((item, i) => checkItem(v, item, i, ctx));
}

function checkItem(v: Collector, item: Item, i: number, ctx: ValidationContext): void {
  const at = (...rest: (string | number)[]): string => joinPath('items', i, ...rest);
  switch (item.kind) {
    case 'proceedings':
      return;
    case 'documents':
      v.requireText(at('description'), item.description, 'R5.a');
      return;
    case 'clarification': {
      // R11.2: a clarification request lists the questions to put to the party.
      const questions = item.questions ?? [];
      if (questions.length === 0) {
        v.error(
          'R11.2.questions',
          at('questions'),
          'Запрос о получении разъяснения должен содержать перечень вопросов (статья 11, пункт 2 Соглашения)',
        );
      }
      questions.forEach((q, k) => {
        if (!filled(q)) v.error('R11.2.question_empty', at('questions', k), `Вопрос № ${k + 1} не заполнен`);
      });
      if (!item.party)
        v.error(
          'R5.b.party',
          at('party'),
          'Укажите сторону исполнительного производства, от которой требуется разъяснение',
        );
      return;
    }
    case 'property':
      if ((item.subItems ?? []).length === 0) {
        v.error('R6.sub_items', at('subItems'), 'Выберите хотя бы один вид имущества (статья 6, подпункты «а»–«д»)');
      }
      return;
    case 'employment_income':
      checkIncome(v, item, at, ctx);
      return;
    case 'location':
      if (!item.target) {
        v.error(
          'R8.target',
          at('target'),
          'Укажите, что требуется установить: местонахождение должника или его имущества (статья 8)',
        );
      } else if (item.target === 'property') {
        // R8.c: the request must name the specific property and data identifying it.
        v.requireText(at('property', 'description'), item.property?.description, 'R8.c');
        v.requireText(at('property', 'identifiers'), item.property?.identifiers, 'R8.c');
      }
      return;
    case 'other':
      v.requireText(at('description'), item.description, 'R3.other');
      return;
  }
}

function checkIncome(
  v: Collector,
  item: Extract<Item, { kind: 'employment_income' }>,
  at: (...r: (string | number)[]) => string,
  ctx: ValidationContext,
): void {
  if (!item.workplace && !item.income) {
    v.error(
      'R7.scope',
      at(),
      'Укажите, что требуется: место работы (подпункт «а») и (или) источники и размер доходов (подпункт «б») статьи 7',
    );
  }
  if (!item.income) return;
  const from = item.period?.from;
  const to = item.period?.to;
  if (!from || !to) {
    v.error(
      'R7.c.period',
      at('period'),
      'Для сведений о доходах укажите период: начало и окончание (статья 7, не более 3 лет)',
    );
    return;
  }
  if (!isIsoDate(from) || !isIsoDate(to)) return;
  if (from > to) {
    v.error('R7.c.period_order', at('period', 'to'), 'Окончание периода раньше его начала');
    return;
  }
  // R7.c: at most 3 years: [from, to] inclusive may not reach from + 36 months.
  const lastAllowed = addDays(addMonths(from, MAX_INCOME_PERIOD_MONTHS), -1);
  if (to > lastAllowed) {
    v.error(
      'R7.c.period_too_long',
      at('period', 'to'),
      `Период сведений о доходах превышает 3 года (статья 7 Соглашения): при начале ${from} окончание не позднее ${lastAllowed}`,
    );
  }
  if (to > ctx.today) {
    v.warn('R7.c.period_future', at('period', 'to'), 'Окончание периода сведений о доходах позже сегодняшнего дня');
  }
}

// ---- R12.b ------------------------------------------------------------------------

// The expected day of receipt is approximated by the requesting body's local
// today: a message is receipted within seconds, and the requested Party's day
// differs from ours by at most one (time zones), which the officer can see.
function checkTerm(v: Collector, req: Request, ctx: ValidationContext): void {
  if (req.shorterTerm && isIsoDate(req.shorterTerm) && shorterTermTooEarly(req.shorterTerm, ctx.today)) {
    v.error(
      'R12.b.shorter_term',
      'shorterTerm',
      `${v.label('shorterTerm')} не может быть раньше ожидаемого дня получения запроса (${ctx.today}; статья 12)`,
    );
  }
}

// ---- R19 ---------------------------------------------------------------------------

const CYRILLIC = /[\u0400-\u04FF]/;

/** Free-text fields expected in Russian (R19); names and addresses may be in any script. */
function freeTextFields(req: Request): [string, unknown][] {
  const out: [string, unknown][] = [
    ['executiveDocument.operativePart', req.executiveDocument?.operativePart],
    ['grounds', req.grounds],
    ['otherInfo', req.otherInfo],
  ];
  (req.items ?? []).forEach((item, i) => {
    switch (item.kind) {
      case 'documents':
      case 'other':
        out.push([joinPath('items', i, 'description'), item.description]);
        break;
      case 'clarification':
        (item.questions ?? []).forEach((q, k) => out.push([joinPath('items', i, 'questions', k), q]));
        break;
      case 'location':
        out.push([joinPath('items', i, 'property', 'description'), item.property?.description]);
        break;
      case 'proceedings':
        out.push([joinPath('items', i, 'resultsOther'), item.resultsOther]);
        break;
      case 'property':
        out.push([joinPath('items', i, 'note'), item.note]);
        break;
      case 'employment_income':
        break;
    }
  });
  return out;
}

function checkLanguage(v: Collector, req: Request): void {
  for (const [path, value] of freeTextFields(req)) {
    if (filled(value) && /\p{L}/u.test(value) && !CYRILLIC.test(value)) {
      v.warn(
        'R19.language',
        path,
        `Поле ${v.label(path)} заполнено не на русском языке: рабочий язык сотрудничества — русский (статья 19 Соглашения)`,
      );
    }
  }
}

// ---- R-pair, R13.d, R-KZ -------------------------------------------------------------

/** Provisions of the Agreement a request asks for (for Article 25 declarations and reservations). */
export function requestProvisions(req: Request): string[] {
  const all = new Set<string>();
  for (const item of req.items ?? []) {
    for (const p of itemProvisions(item)) {
      all.add(p === '8' ? (req.debtor?.type === 'legal_entity' ? '8.b' : '8.a') : p);
    }
  }
  return [...all].sort();
}

function checkTreaty(v: Collector, req: Request, ctx: ValidationContext): void {
  const from = req.requestingBody?.party;
  const to = req.requestedBody?.party;
  if (!ctx.treaty || !filled(from) || !filled(to) || from === to) return;
  const pair = canSend(ctx.treaty, { from, to, date: ctx.today });
  if (!pair.allowed) v.error(`R-pair.${pair.code ?? 'refused'}`, 'requestedBody.party', pair.reason);
  // R18: requests pass only between the bodies each Party designated (its latest list given to the depositary).
  for (const side of ['requestingBody', 'requestedBody'] as const) {
    const b = req[side];
    if (pair.allowed && b?.id && b.party && !isDesignated(ctx.treaty, b.party, b.id, ctx.today)) {
      v.error(
        'R18.designated',
        `${side}.id`,
        `«${b.name ?? b.id}» не назначен Стороной для обмена информацией по Соглашению (статья 18)`,
      );
    }
  }
  const kind = req.executiveDocument?.issuer?.kind;
  if (!kind) return;
  const provisions = requestProvisions(req);
  for (const notice of requestNotices(ctx.treaty, { from, to, date: ctx.today, issuerKind: kind, provisions })) {
    const path = notice.code === 'R13.d' ? 'executiveDocument.issuer.kind' : itemPathFor(req, notice.provisions);
    v.warn(notice.code, path, notice.message);
  }
}

function itemPathFor(req: Request, provisions: readonly string[]): string {
  const i = (req.items ?? []).findIndex((item) =>
    itemProvisions(item).some((p) => provisions.some((q) => q === p || q.startsWith(`${p}.`) || p.startsWith(`${q}.`))),
  );
  return i >= 0 ? joinPath('items', i) : 'items';
}
