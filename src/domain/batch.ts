// Batch requests (issue 16, item 1): one row of a file (CSV, XLSX) is one complete request (R11) — the
// proceeding of the requesting body (number and opening date, R10.b), the debtor and the creditor (R11.1.c),
// the executive document (R11.1.b, R11.1.d), the information asked (R3–R8) and the grounds (R11.1.e). The
// destination (requested Party and body) is one for the whole batch.
//
// This module is pure: the columns with their Russian headers, explanations and allowed values (the
// template and its second sheet are made from them), a row of cells as the wire-format row, and a
// problem's field path as the column the officer fills in.
import { isIsoDate, type IsoDate } from './dates.js';
import { ID_KINDS, idLabelRu, idSubject } from './national-ids.js';
import { PARTIES, isSignatory } from './parties.js';
import type { Problem } from './problems.js';
import { REQUEST_FIELD_NAMES, type Item, type Person, type PropertySubItem } from './request.js';
import { CURRENCY_LABELS } from './vocabulary.js';

/** At most this many rows in one batch; a file at most BATCH_MAX_BYTES. */
export const BATCH_MAX_ROWS = 100_000;
export const BATCH_MAX_BYTES = 64 * 1024 * 1024;

export interface BatchColumn {
  readonly key: string;
  readonly header: string;
  readonly required: boolean;
  /** What to write in it (the template's second sheet). */
  readonly explanation: string;
  /** The allowed values, when the column takes a list. */
  readonly allowed?: string;
  /** The template's example row. */
  readonly example: string;
}

const PERSON_KIND_VALUES: Readonly<Record<string, 'individual' | 'entrepreneur' | 'legal_entity'>> = {
  'физическое лицо': 'individual',
  'индивидуальный предприниматель': 'entrepreneur',
  ип: 'entrepreneur',
  'юридическое лицо': 'legal_entity',
  individual: 'individual',
  entrepreneur: 'entrepreneur',
  legal_entity: 'legal_entity',
};

const ISSUER_KIND_VALUES: Readonly<Record<string, 'court' | 'authority' | 'notary'>> = {
  суд: 'court',
  'иной уполномоченный орган': 'authority',
  'иной уполномоченный орган (должностное лицо)': 'authority',
  'иной орган': 'authority',
  нотариус: 'notary',
  court: 'court',
  authority: 'authority',
  notary: 'notary',
};

/** The information asked (R3–R8) as the officer writes it in the «Запрашиваемые сведения» cell. */
type ItemWord =
  | { kind: 'proceedings' }
  | { kind: 'property'; sub: readonly PropertySubItem[] }
  | { kind: 'workplace' }
  | { kind: 'income' }
  | { kind: 'location' }
  | { kind: 'other' };

const ITEM_WORDS: Readonly<Record<string, ItemWord>> = {
  'исполнительные документы': { kind: 'proceedings' },
  имущество: { kind: 'property', sub: ['a', 'b', 'c', 'd', 'e'] },
  счета: { kind: 'property', sub: ['a'] },
  недвижимость: { kind: 'property', sub: ['b'] },
  транспорт: { kind: 'property', sub: ['c'] },
  доли: { kind: 'property', sub: ['d'] },
  'иное имущество': { kind: 'property', sub: ['e'] },
  'место работы': { kind: 'workplace' },
  доходы: { kind: 'income' },
  местонахождение: { kind: 'location' },
  иное: { kind: 'other' },
};

const idKindList = (subjects: readonly string[]): string =>
  Object.entries(ID_KINDS)
    .flatMap(([country, kinds]) =>
      kinds
        .filter((k) => subjects.includes(idSubject(country, k)))
        .map((k) => `${idLabelRu(country, k)} (${isSignatory(country) ? PARTIES[country].nameRu : country})`),
    )
    .join('; ');

const DATE_HINT = 'дата в виде ДД.ММ.ГГГГ';

function personColumns(who: 'debtor' | 'creditor', ex: Record<string, string>): BatchColumn[] {
  const ru = who === 'debtor' ? 'Должник' : 'Взыскатель';
  const debtor = who === 'debtor';
  return [
    {
      key: `${who}Kind`,
      header: `${ru}: вид лица`,
      required: true,
      explanation: `${ru} — физическое лицо, индивидуальный предприниматель или юридическое лицо (статья 11, пункт 1, подпункт «в» Соглашения)`,
      allowed: 'физическое лицо; индивидуальный предприниматель; юридическое лицо',
      example: ex.kind!,
    },
    {
      key: `${who}Surname`,
      header: `${ru}: фамилия`,
      required: true,
      explanation: 'Фамилия физического лица или индивидуального предпринимателя; для юридического лица не заполняется',
      example: ex.surname!,
    },
    {
      key: `${who}Name`,
      header: `${ru}: имя или наименование`,
      required: true,
      explanation: 'Имя физического лица или индивидуального предпринимателя; наименование юридического лица',
      example: ex.name!,
    },
    {
      key: `${who}Patronymic`,
      header: `${ru}: отчество`,
      required: false,
      explanation: 'Отчество (если имеется)',
      example: ex.patronymic!,
    },
    ...(debtor
      ? [
          {
            key: 'debtorBirthDate',
            header: 'Должник: дата рождения',
            required: true,
            explanation: `Для физического лица и индивидуального предпринимателя: ${DATE_HINT}`,
            example: '15.05.1980',
          },
          {
            key: 'debtorBirthPlace',
            header: 'Должник: место рождения',
            required: true,
            explanation: 'Для физического лица и индивидуального предпринимателя',
            example: 'г. Москва',
          },
        ]
      : []),
    {
      key: `${who}Address`,
      header: `${ru}: адрес`,
      required: true,
      explanation: 'Место жительства (пребывания) физического лица; местонахождение юридического лица',
      example: ex.address!,
    },
    {
      key: `${who}IdKind`,
      header: `${ru}: вид номера`,
      required: false,
      explanation: `Вид идентификационного номера и государство, которое его присвоило${debtor ? '; для должника — юридического лица обязателен' : ''}`,
      allowed: idKindList(['individual', 'entrepreneur', 'legal_entity', 'any']),
      example: ex.idKind!,
    },
    {
      key: `${who}IdValue`,
      header: `${ru}: номер`,
      required: false,
      explanation: 'Идентификационный номер; проверяется контрольное число, где оно установлено',
      example: ex.idValue!,
    },
    ...(debtor
      ? [
          {
            key: 'debtorId2Kind',
            header: 'Должник: вид второго номера',
            required: false,
            explanation: 'Второй номер, если есть (например, ОГРНИП индивидуального предпринимателя)',
            allowed: 'те же, что для первого номера',
            example: '',
          },
          {
            key: 'debtorId2Value',
            header: 'Должник: второй номер',
            required: false,
            explanation: 'Второй идентификационный номер',
            example: '',
          },
        ]
      : []),
  ];
}

/** The columns of a batch file, in the template's order. */
export const BATCH_COLUMNS: readonly BatchColumn[] = [
  {
    key: 'proceedingNumber',
    header: 'Номер исполнительного производства',
    required: true,
    explanation:
      'Номер производства в вашем органе (статья 10, пункт «б» Соглашения). Производство с таким номером, уже зарегистрированное в органе, используется, если сведения совпадают; иначе оно регистрируется',
    example: '123456/26/77001-ИП',
  },
  {
    key: 'proceedingOpenedOn',
    header: 'Дата возбуждения производства',
    required: true,
    explanation: DATE_HINT,
    example: '02.03.2026',
  },
  ...personColumns('debtor', {
    kind: 'физическое лицо',
    surname: 'Иванов',
    name: 'Иван',
    patronymic: 'Иванович',
    address: 'г. Москва, ул. Тверская, д. 1, кв. 1',
    idKind: 'ИНН (Россия)',
    idValue: '500100732259',
  }),
  ...personColumns('creditor', {
    kind: 'юридическое лицо',
    surname: '',
    name: 'ООО «Ромашка»',
    patronymic: '',
    address: 'г. Москва, ул. Ленина, д. 10',
    idKind: 'ОГРН (Россия)',
    idValue: '1027700132195',
  }),
  {
    key: 'docTitle',
    header: 'Исполнительный документ: вид',
    required: false,
    explanation: 'Исполнительный лист, судебный приказ, исполнительная надпись нотариуса и т. п.',
    example: 'Исполнительный лист',
  },
  {
    key: 'docNumber',
    header: 'Исполнительный документ: номер',
    required: true,
    explanation: 'Статья 11, пункт 1, подпункт «б» Соглашения',
    example: 'ФС № 012345678',
  },
  {
    key: 'docDate',
    header: 'Исполнительный документ: дата',
    required: true,
    explanation: `${DATE_HINT}; не позже сегодняшнего дня`,
    example: '10.02.2026',
  },
  {
    key: 'issuerKind',
    header: 'Кем выдан документ',
    required: true,
    explanation: 'Вид органа, выдавшего документ (статья 25 Соглашения)',
    allowed: 'суд; иной уполномоченный орган; нотариус',
    example: 'суд',
  },
  {
    key: 'issuerName',
    header: 'Наименование выдавшего органа',
    required: true,
    explanation: 'Наименование суда, органа (должностного лица) или нотариуса',
    example: 'Тверской районный суд г. Москвы',
  },
  {
    key: 'operativePart',
    header: 'Резолютивная часть',
    required: true,
    explanation: 'Резолютивная часть судебного акта или акта иного органа (статья 11, пункт 1, подпункт «г»)',
    example: 'Взыскать с Иванова Ивана Ивановича в пользу ООО «Ромашка» задолженность в размере 1 500 000 рублей.',
  },
  {
    key: 'amount',
    header: 'Сумма долга',
    required: false,
    explanation: 'Число, копейки через запятую или точку, например 1 500 000,50',
    example: '1500000',
  },
  {
    key: 'currency',
    header: 'Валюта',
    required: false,
    explanation: 'Обязательна, если указана сумма',
    allowed: Object.values(CURRENCY_LABELS).join('; '),
    example: 'российский рубль',
  },
  {
    key: 'items',
    header: 'Запрашиваемые сведения',
    required: true,
    explanation:
      'Одно или несколько значений через точку с запятой: исполнительные документы (статья 4), имущество — все виды (статья 6) или отдельно счета, недвижимость, транспорт, доли, иное имущество; место работы и доходы (статья 7); местонахождение (статья 8); иное (статья 3). Разъяснения сторон, документы и местонахождение конкретного имущества запрашиваются по одному запросу',
    allowed: Object.keys(ITEM_WORDS).join('; '),
    example: 'исполнительные документы; имущество; место работы; доходы; местонахождение',
  },
  {
    key: 'incomeFrom',
    header: 'Доходы: период с',
    required: false,
    explanation: `Обязателен, если запрошены доходы: ${DATE_HINT}; период не более 3 лет (статья 7)`,
    example: '01.12.2023',
  },
  {
    key: 'incomeTo',
    header: 'Доходы: период по',
    required: false,
    explanation: `Обязателен, если запрошены доходы: ${DATE_HINT}`,
    example: '31.10.2026',
  },
  {
    key: 'otherDescription',
    header: 'Иные сведения: что требуется',
    required: false,
    explanation: 'Обязательно, если запрошено «иное»: какие сведения нужны для исполнения',
    example: '',
  },
  {
    key: 'grounds',
    header: 'Содержание запроса и обстоятельства',
    required: true,
    explanation: 'Что запрашивается и фактические обстоятельства (статья 11, пункт 1, подпункт «д»)',
    example: 'Должник, по имеющимся сведениям, проживает в г. Алматы и получает доход в Республике Казахстан.',
  },
  {
    key: 'otherInfo',
    header: 'Другие сведения',
    required: false,
    explanation: 'Иные сведения, необходимые для исполнения запроса (статья 11, пункт 1, подпункт «е»)',
    example: '',
  },
  {
    key: 'confidential',
    header: 'Конфиденциально',
    required: false,
    explanation: 'Просьба сохранить конфиденциальность запроса (статья 16)',
    allowed: 'да; нет (пусто — нет)',
    example: 'нет',
  },
  {
    key: 'shorterTerm',
    header: 'Более короткий срок исполнения',
    required: false,
    explanation: `Если нужен срок короче установленного: ${DATE_HINT} (статья 12)`,
    example: '',
  },
];

const BY_KEY = new Map(BATCH_COLUMNS.map((c) => [c.key, c]));
const norm = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase().replace(/ё/g, 'е');
const BY_HEADER = new Map(BATCH_COLUMNS.map((c) => [norm(c.header), c.key]));

export type Cells = Readonly<Record<string, string>>;

/**
 * The header row of a file as column keys: each header is a column of the template (any order), every
 * required column is present. Returns the keys by position, or the problems in Russian.
 */
export function readHeader(header: readonly string[]): { keys: (string | null)[] } | { problems: string[] } {
  const keys = header.map((h) => (norm(h) === '' ? null : (BY_HEADER.get(norm(h)) ?? undefined)));
  const unknown = header.filter((_, i) => keys[i] === undefined).map((h) => `«${h.trim()}»`);
  const seen = new Set<string>();
  const twice = keys.filter((k): k is string => typeof k === 'string' && (seen.has(k) || !seen.add(k)));
  const missing = BATCH_COLUMNS.filter((c) => c.required && !keys.includes(c.key)).map((c) => `«${c.header}»`);
  const problems = [
    ...(unknown.length ? [`неизвестные столбцы: ${unknown.join(', ')}`] : []),
    ...(twice.length ? [`столбцы повторяются: ${twice.map((k) => `«${BY_KEY.get(k)!.header}»`).join(', ')}`] : []),
    ...(missing.length ? [`нет обязательных столбцов: ${missing.join(', ')}`] : []),
  ];
  return problems.length ? { problems } : { keys: keys as (string | null)[] };
}

/** A date as written in a cell (ДД.ММ.ГГГГ, ГГГГ-ММ-ДД): ISO, or undefined when empty, or null when unreadable. */
export function cellDate(v: string): IsoDate | undefined | null {
  const t = v.trim();
  if (t === '') return undefined;
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t);
  const iso = ru ? `${ru[3]}-${ru[2]!.padStart(2, '0')}-${ru[1]!.padStart(2, '0')}` : t;
  return isIsoDate(iso) ? iso : null;
}

/** A money amount as written («1 500 000,50»): a number, or null when unreadable. */
export function cellAmount(v: string): number | null {
  const t = v.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  return /^\d+(\.\d{1,2})?$/.test(t) ? Number(t) : null;
}

/** Every identifier kind under the names a cell may give it: «ИИН (Казахстан)», «KZ IIN», «KZ ИИН» (normalised). */
const ID_KIND_NAMES: ReadonlyMap<string, { country: string; kind: string }> = new Map(
  Object.entries(ID_KINDS).flatMap(([country, kinds]) =>
    kinds.flatMap((kind) => {
      const states = [country, ...(isSignatory(country) ? [PARTIES[country].nameRu] : [])];
      const names = [kind, idLabelRu(country, kind)];
      return names.flatMap((name) => [
        ...states.map((st) => [norm(`${name} (${st})`), { country, kind }] as const),
        [norm(`${country} ${name}`), { country, kind }] as const,
      ]);
    }),
  ),
);

/** «ИИН (Казахстан)», «KZ IIN», «KZ ИИН»: the country and kind of an identifier, or null. */
export function cellIdKind(v: string): { country: string; kind: string } | null {
  return ID_KIND_NAMES.get(norm(v)) ?? null;
}

/** A batch row as the wire format's parts (BatchRowSchema in src/app/batch-requests.ts checks it). */
export interface BatchRowInput {
  proceeding: { number: string; openedOn?: string };
  debtor: Person;
  creditor: Person;
  executiveDocument: Record<string, unknown>;
  items: Item[];
  grounds?: string;
  otherInfo?: string;
  confidential?: boolean;
  shorterTerm?: string;
}

const problem = (key: string, code: string, message: string): Problem => ({
  code,
  path: `column:${key}`,
  message,
});

/**
 * A row of cells as the wire-format row, with the problems of reading it (a value not among those allowed,
 * a date that is no date). What is empty stays out: the Agreement's checks (R11) name what is missing.
 */
export function cellsToRow(cells: Cells): { row: BatchRowInput; problems: Problem[] } {
  const problems: Problem[] = [];
  const get = (k: string): string => (cells[k] ?? '').trim();
  const text = (k: string): string | undefined => get(k) || undefined;
  const date = (k: string): string | undefined => {
    const d = cellDate(get(k));
    if (d === null) {
      problems.push(
        problem(k, 'batch.date', `«${BY_KEY.get(k)!.header}»: дата должна быть в виде ДД.ММ.ГГГГ, указано «${get(k)}»`),
      );
      return undefined;
    }
    return d;
  };
  const person = (who: 'debtor' | 'creditor'): Person => {
    const kindText = get(`${who}Kind`);
    const kind = PERSON_KIND_VALUES[norm(kindText)];
    if (!kind)
      problems.push(
        problem(
          `${who}Kind`,
          'batch.person_kind',
          kindText === ''
            ? `Не указан вид лица (${who === 'debtor' ? 'должник' : 'взыскатель'}): физическое лицо, индивидуальный предприниматель или юридическое лицо`
            : `«${kindText}» — неизвестный вид лица; допустимы: физическое лицо, индивидуальный предприниматель, юридическое лицо`,
        ),
      );
    const ids = (who === 'debtor' ? ['', '2'] : [''])
      .map((n) => ({ kindKey: `${who}Id${n}Kind`, valueKey: `${who}Id${n}Value` }))
      .flatMap(({ kindKey, valueKey }) => {
        const value = get(valueKey);
        const kindCell = get(kindKey);
        if (value === '' && kindCell === '') return [];
        const k = cellIdKind(kindCell);
        if (!k) {
          problems.push(
            problem(
              kindKey,
              'batch.id_kind',
              kindCell === ''
                ? `Указан номер, но не указан его вид («${BY_KEY.get(kindKey)!.header}»), например «ИИН (Казахстан)»`
                : `«${kindCell}» — неизвестный вид номера; пишите, например, «ИИН (Казахстан)» или «ИНН (Россия)»`,
            ),
          );
          return [];
        }
        if (value === '') {
          problems.push(problem(valueKey, 'batch.id_value', `Указан вид номера, но не указан сам номер`));
          return [];
        }
        return [{ country: k.country, kind: k.kind, value }];
      });
    const withIds = ids.length ? { ids } : {};
    if (kind === 'legal_entity')
      return {
        type: 'legal_entity',
        ...(text(`${who}Name`) ? { name: get(`${who}Name`) } : {}),
        ...(text(`${who}Address`) ? { address: get(`${who}Address`) } : {}),
        ...withIds,
      };
    return {
      type: 'individual',
      ...(text(`${who}Surname`) ? { surname: get(`${who}Surname`) } : {}),
      ...(text(`${who}Name`) ? { name: get(`${who}Name`) } : {}),
      ...(text(`${who}Patronymic`) ? { patronymic: get(`${who}Patronymic`) } : {}),
      ...(text(`${who}Address`) ? { address: get(`${who}Address`) } : {}),
      ...(who === 'debtor'
        ? {
            ...(date('debtorBirthDate') ? { birthDate: date('debtorBirthDate')! } : {}),
            ...(text('debtorBirthPlace') ? { birthPlace: get('debtorBirthPlace') } : {}),
          }
        : {}),
      ...withIds,
    };
  };
  const debtor = person('debtor');
  const creditor = person('creditor');
  const issuerText = get('issuerKind');
  const issuerKind = ISSUER_KIND_VALUES[norm(issuerText)];
  if (issuerText !== '' && !issuerKind)
    problems.push(
      problem(
        'issuerKind',
        'batch.issuer_kind',
        `«${issuerText}» — неизвестный вид органа; допустимы: суд, иной уполномоченный орган, нотариус`,
      ),
    );
  let amount: { value: number; currency: string } | undefined;
  if (get('amount') !== '') {
    const value = cellAmount(get('amount'));
    const currencyText = get('currency');
    const currency = Object.keys(CURRENCY_LABELS).find(
      (c) => norm(c) === norm(currencyText) || norm(CURRENCY_LABELS[c]!) === norm(currencyText),
    );
    if (value === null)
      problems.push(problem('amount', 'batch.amount', `Сумма долга указывается числом, например 1 500 000,50`));
    if (!currency)
      problems.push(
        problem(
          'currency',
          'batch.currency',
          currencyText === '' ? 'Укажите валюту суммы долга' : `«${currencyText}» — неизвестная валюта`,
        ),
      );
    if (value !== null && currency) amount = { value, currency };
  }
  const executiveDocument = {
    ...(text('docTitle') ? { title: get('docTitle') } : {}),
    ...(text('docNumber') ? { number: get('docNumber') } : {}),
    ...(date('docDate') ? { date: date('docDate')! } : {}),
    issuer: { ...(issuerKind ? { kind: issuerKind } : {}), ...(text('issuerName') ? { name: get('issuerName') } : {}) },
    ...(text('operativePart') ? { operativePart: get('operativePart') } : {}),
    ...(amount ? { amount } : {}),
  };
  const items = cellItems(get('items'), { from: date('incomeFrom'), to: date('incomeTo') }, text('otherDescription'));
  problems.push(...items.problems);
  const confidentialText = norm(get('confidential'));
  if (!['', 'да', 'нет'].includes(confidentialText))
    problems.push(problem('confidential', 'batch.confidential', `В столбце «Конфиденциально» укажите «да» или «нет»`));
  const openedOn = date('proceedingOpenedOn');
  const shorterTerm = date('shorterTerm');
  return {
    row: {
      proceeding: { number: get('proceedingNumber'), ...(openedOn ? { openedOn } : {}) },
      debtor,
      creditor,
      executiveDocument,
      items: items.items,
      ...(text('grounds') ? { grounds: get('grounds') } : {}),
      ...(text('otherInfo') ? { otherInfo: get('otherInfo') } : {}),
      ...(confidentialText === 'да' ? { confidential: true } : {}),
      ...(shorterTerm ? { shorterTerm } : {}),
    },
    problems,
  };
}

function cellItems(
  cell: string,
  period: { from: string | undefined; to: string | undefined },
  otherDescription: string | undefined,
): { items: Item[]; problems: Problem[] } {
  const written = cell
    .split(/[;,\n]/)
    .map((w) => w.trim())
    .filter((w) => w !== '');
  const words = written.map(norm);
  const unknown = written.filter((w) => !ITEM_WORDS[norm(w)]);
  const problems = unknown.length
    ? [
        problem(
          'items',
          'batch.items',
          `Неизвестные запрашиваемые сведения: ${unknown.map((w) => `«${w}»`).join(', ')}; допустимы: ${Object.keys(ITEM_WORDS).join(', ')}`,
        ),
      ]
    : [];
  const known = words.map((w) => ITEM_WORDS[w]).filter((w): w is ItemWord => w !== undefined);
  const has = (k: ItemWord['kind']) => known.some((w) => w.kind === k);
  const sub = [...new Set(known.flatMap((w) => (w.kind === 'property' ? w.sub : [])))].sort();
  const items: Item[] = [
    ...(has('proceedings') ? [{ kind: 'proceedings' as const, results: ['collected', 'arrested', 'for_sale'] }] : []),
    ...(has('property') ? [{ kind: 'property' as const, subItems: sub as PropertySubItem[] }] : []),
    ...(has('workplace') || has('income')
      ? [
          {
            kind: 'employment_income' as const,
            ...(has('workplace') ? { workplace: true } : {}),
            ...(has('income')
              ? {
                  income: true,
                  period: { ...(period.from ? { from: period.from } : {}), ...(period.to ? { to: period.to } : {}) },
                }
              : {}),
          },
        ]
      : []),
    ...(has('location') ? [{ kind: 'location' as const, target: 'debtor' as const }] : []),
    ...(has('other')
      ? [{ kind: 'other' as const, ...(otherDescription ? { description: otherDescription } : {}) }]
      : []),
  ] as Item[];
  return { items, problems };
}

// ---- problems → the column the officer fills in ----------------------------------------------

const PERSON_FIELDS: Readonly<Record<string, string>> = {
  surname: 'Surname',
  name: 'Name',
  patronymic: 'Patronymic',
  address: 'Address',
  birthDate: 'BirthDate',
  birthPlace: 'BirthPlace',
  type: 'Kind',
  '': 'Kind',
};

const DOC_FIELDS: Readonly<Record<string, string>> = {
  '': 'docNumber',
  title: 'docTitle',
  number: 'docNumber',
  date: 'docDate',
  issuer: 'issuerName',
  'issuer.kind': 'issuerKind',
  'issuer.name': 'issuerName',
  operativePart: 'operativePart',
  amount: 'amount',
  'amount.value': 'amount',
  'amount.currency': 'currency',
};

/** The column of a problem's path (a request's field path, or `column:<key>`), or null. */
export function columnOf(path: string, items: readonly Pick<Item, 'kind'>[] = []): string | null {
  const col = /^column:(.+)$/.exec(path);
  if (col) return col[1]!;
  if (path === 'proceeding.number' || path === 'proceeding' || path === 'proceeding.bodyId') return 'proceedingNumber';
  if (path === 'proceeding.openedOn') return 'proceedingOpenedOn';
  const person = /^(debtor|creditor)\.?(.*)$/.exec(path);
  if (person) {
    const who = person[1]!;
    const rest = person[2] ?? '';
    const id = /^ids(?:\[(\d+)\])?\.?(.*)$/.exec(rest);
    if (id) {
      const n = id[1] === '1' ? '2' : '';
      return id[2] === 'kind' || id[2] === 'country' ? `${who}Id${n}Kind` : `${who}Id${n}Value`;
    }
    if (rest.startsWith('passport')) return `${who}IdValue`;
    const f = PERSON_FIELDS[rest];
    return f ? `${who}${f}` : null;
  }
  const doc = /^executiveDocument\.?(.*)$/.exec(path);
  if (doc) return DOC_FIELDS[doc[1] ?? ''] ?? null;
  const item = /^items\[(\d+)\]\.?(.*)$/.exec(path);
  if (item) {
    const rest = item[2] ?? '';
    if (rest.startsWith('period.to')) return 'incomeTo';
    if (rest.startsWith('period')) return 'incomeFrom';
    if (rest === 'description' && items[Number(item[1])]?.kind === 'other') return 'otherDescription';
    return 'items';
  }
  const head = /^[A-Za-z]+/.exec(path)?.[0] ?? '';
  if (['items', 'grounds', 'otherInfo', 'confidential', 'shorterTerm'].includes(head)) return head;
  return null;
}

/** The Russian name of the field a problem concerns: its column's header, else the field's label. */
export function problemField(path: string, items: readonly Pick<Item, 'kind'>[] = []): string {
  const key = columnOf(path, items);
  if (key && BY_KEY.has(key)) return BY_KEY.get(key)!.header;
  if (/^requestedBody/.test(path)) return 'Запрашиваемый орган';
  if (/^requestingBody/.test(path)) return 'Запрашивающий орган';
  const name = REQUEST_FIELD_NAMES[path] ?? REQUEST_FIELD_NAMES[path.replace(/\[\d+\]/g, '[]')];
  return name ? name[0]!.toUpperCase() + name.slice(1) : 'Строка';
}

/** Template example row as cells. */
export function exampleCells(): Record<string, string> {
  return Object.fromEntries(BATCH_COLUMNS.map((c) => [c.key, c.example]));
}
