// Issue 14, item 6: the answer form from one exhaustive table per item kind (R4–R8). Each item first repeats
// what was asked, then offers the structured fields of AnswerDataSchema (src/domain/answer.ts) that fit it:
// Article 4 results with amounts and currency, several accounts, real estate, vehicles, shares, income rows,
// addresses, the employer, and the R9.3 disclosure procedure. Pure: the form in, the answer items and the
// errors next to their rows out; a field left empty stays absent — nothing is invented.
import { CURRENCY_LABELS } from '../../domain/vocabulary.js';
import type { AnswerData } from '../../domain/answer.js';
import { PARTIES, SIGNATORY_CODES } from '../../domain/parties.js';
import { ITEM_KINDS, type Item, type ItemKind, type PropertySubItem } from '../../domain/request.js';
import { many, one, type Form } from '../kit.js';

// ---- the groups of fields (one per key of AnswerData that holds structured rows) ----------------------------

export type GroupKey =
  | 'proceedings'
  | 'accounts'
  | 'realEstate'
  | 'vehicles'
  | 'shares'
  | 'employer'
  | 'income'
  | 'addresses'
  | 'disclosureProcedure';

type Input = 'text' | 'textarea' | 'date' | 'year' | 'money' | 'currency';

export interface FieldDef {
  readonly name: string;
  readonly label: string;
  readonly input: Input;
  readonly required?: boolean;
}

export interface GroupDef {
  readonly legend: string;
  /** A row's name in messages («счёт 2»). */
  readonly row: string;
  /** Several rows («Добавить ещё») or one object. */
  readonly many: boolean;
  readonly fields: readonly FieldDef[];
}

export const GROUPS: Readonly<Record<GroupKey, GroupDef>> = {
  proceedings: {
    legend: 'Исполнительные производства и результаты исполнения (статья 4)',
    row: 'производство',
    many: true,
    fields: [
      { name: 'number', label: 'Номер исполнительного производства', input: 'text', required: true },
      { name: 'executiveDocument', label: 'Исполнительный документ', input: 'text' },
      { name: 'collected', label: 'Взыскано', input: 'money' },
      { name: 'arrested', label: 'Арестовано имущества на сумму', input: 'money' },
      { name: 'forSale', label: 'Выставлено на реализацию на сумму', input: 'money' },
    ],
  },
  accounts: {
    legend: 'Счета, вклады, ценности на хранении (статья 6, пункт «а»)',
    row: 'счёт',
    many: true,
    fields: [
      { name: 'bank', label: 'Банк или иная организация', input: 'text', required: true },
      { name: 'number', label: 'Номер счёта', input: 'text', required: true },
      { name: 'kind', label: 'Вид (текущий счёт, вклад, ячейка…)', input: 'text' },
      { name: 'currency', label: 'Валюта счёта', input: 'currency' },
      { name: 'balance', label: 'Остаток', input: 'money' },
    ],
  },
  realEstate: {
    legend: 'Недвижимое имущество (статья 6, пункт «б»)',
    row: 'объект',
    many: true,
    fields: [
      { name: 'description', label: 'Объект (вид, площадь)', input: 'text', required: true },
      { name: 'address', label: 'Адрес', input: 'text' },
      { name: 'cadastralNumber', label: 'Кадастровый номер', input: 'text' },
      { name: 'share', label: 'Доля в праве', input: 'text' },
      { name: 'encumbrances', label: 'Обременения', input: 'text' },
    ],
  },
  vehicles: {
    legend: 'Транспортные средства и иное имущество, подлежащее регистрации (статья 6, пункт «в»)',
    row: 'транспортное средство',
    many: true,
    fields: [
      { name: 'description', label: 'Марка, модель', input: 'text', required: true },
      { name: 'registrationNumber', label: 'Государственный регистрационный номер', input: 'text' },
      { name: 'vin', label: 'Идентификационный номер (VIN)', input: 'text' },
      { name: 'year', label: 'Год выпуска', input: 'year' },
    ],
  },
  shares: {
    legend: 'Доли, ценные бумаги, иные имущественные права (статья 6, пункты «г», «д»)',
    row: 'доля или ценная бумага',
    many: true,
    fields: [
      { name: 'issuer', label: 'Общество или эмитент', input: 'text', required: true },
      { name: 'description', label: 'Что принадлежит должнику', input: 'text', required: true },
      { name: 'share', label: 'Размер доли, количество', input: 'text' },
    ],
  },
  employer: {
    legend: 'Место работы (статья 7, пункт «а»)',
    row: 'место работы',
    many: false,
    fields: [
      { name: 'name', label: 'Работодатель', input: 'text', required: true },
      { name: 'address', label: 'Адрес работодателя', input: 'text' },
      { name: 'position', label: 'Должность', input: 'text' },
      { name: 'since', label: 'Работает с', input: 'date' },
    ],
  },
  income: {
    legend: 'Доходы за период (статья 7, пункт «б»)',
    row: 'доход',
    many: true,
    fields: [
      { name: 'from', label: 'с', input: 'date', required: true },
      { name: 'to', label: 'по', input: 'date', required: true },
      { name: 'amount', label: 'Сумма', input: 'money', required: true },
      { name: 'source', label: 'Источник (заработная плата, пенсия…)', input: 'text', required: true },
    ],
  },
  addresses: {
    legend: 'Адреса (статья 8)',
    row: 'адрес',
    many: true,
    fields: [
      { name: 'address', label: 'Адрес', input: 'text', required: true },
      { name: 'kind', label: 'Вид (место жительства, место пребывания, местонахождение)', input: 'text' },
      { name: 'since', label: 'С какой даты', input: 'date' },
    ],
  },
  disclosureProcedure: {
    legend: 'Особый порядок предоставления сведений взыскателю (статья 9, часть 3)',
    row: 'особый порядок',
    many: false,
    fields: [
      { name: 'description', label: 'Порядок', input: 'textarea', required: true },
      { name: 'body', label: 'Орган, в который следует обратиться', input: 'text', required: true },
    ],
  },
};

// ---- the table per item kind: what was asked, which groups answer it --------------------------------------

const SUB_ITEM_RU: Readonly<Record<PropertySubItem, string>> = {
  a: 'а) счета, вклады, ценности на хранении',
  b: 'б) недвижимое имущество',
  c: 'в) транспортные средства и иное имущество, подлежащее регистрации',
  d: 'г) доли в уставном капитале, ценные бумаги',
  e: 'д) иные имущественные права',
};
const SUB_ITEM_GROUP: Readonly<Record<PropertySubItem, GroupKey>> = {
  a: 'accounts',
  b: 'realEstate',
  c: 'vehicles',
  d: 'shares',
  e: 'shares',
};
const RESULT_RU = { collected: 'взыскано', arrested: 'арестовано', for_sale: 'выставлено на реализацию' } as const;
const FROM_RU = { parties: 'от сторон', persons: 'от иных лиц', state_bodies: 'от государственных органов' } as const;

type ItemOf<K extends ItemKind> = Extract<Item, { kind: K }>;
export interface ItemSpec<K extends ItemKind> {
  /** What was asked, line by line, as the request says it. */
  asked(item: ItemOf<K>, dateRu: (d: string) => string): string[];
  /** The groups of structured fields that answer it (the R9.3 procedure is offered on every item). */
  groups(item: ItemOf<K>): GroupKey[];
}

export const ANSWER_ITEMS: { readonly [K in ItemKind]: ItemSpec<K> } = {
  proceedings: {
    asked: (i) => [
      'Исполнительные документы в отношении должника, находящиеся на исполнении, и результаты их исполнения',
      ...(i.results?.length ? [`Результаты: ${i.results.map((r) => RESULT_RU[r]).join(', ')}`] : []),
      ...(i.resultsOther ? [`Иные результаты: ${i.resultsOther}`] : []),
    ],
    groups: () => ['proceedings'],
  },
  documents: {
    asked: (i) => [
      i.description ? `Сведения и документы: ${i.description}` : 'Сведения, справки, документы или их копии',
      ...(i.from?.length ? [`Получить ${i.from.map((f) => FROM_RU[f]).join(', ')}`] : []),
    ],
    groups: () => [],
  },
  clarification: {
    asked: (i) => [
      `Объяснения ${i.party === 'creditor' ? 'взыскателя' : 'должника'} по вопросам:`,
      ...(i.questions ?? []).map((q, n) => `${n + 1}. ${q}`),
    ],
    groups: () => [],
  },
  property: {
    asked: (i) => [
      'Имущество должника:',
      ...(i.subItems ?? []).map((s) => SUB_ITEM_RU[s]),
      ...(i.note ? [`Примечание: ${i.note}`] : []),
    ],
    groups: (i) => [
      ...new Set((i.subItems?.length ? i.subItems : (['a', 'b', 'c', 'd'] as const)).map((s) => SUB_ITEM_GROUP[s])),
    ],
  },
  employment_income: {
    asked: (i, dateRu) => [
      ...(i.workplace ? ['Место работы должника'] : []),
      ...(i.income ? ['Источники и размер доходов должника'] : []),
      ...(i.period?.from || i.period?.to
        ? [
            `За период${i.period.from ? ` с ${dateRu(i.period.from)}` : ''}${i.period.to ? ` по ${dateRu(i.period.to)}` : ''}`,
          ]
        : []),
    ],
    groups: (i) => [
      ...(i.workplace || !i.income ? (['employer'] as const) : []),
      ...(i.income || !i.workplace ? (['income'] as const) : []),
    ],
  },
  location: {
    asked: (i) =>
      i.target === 'property'
        ? [
            'Местонахождение имущества должника',
            ...(i.property?.description ? [`Имущество: ${i.property.description}`] : []),
            ...(i.property?.identifiers ? [`Идентифицирующие данные: ${i.property.identifiers}`] : []),
          ]
        : ['Место жительства (пребывания) должника или местонахождение юридического лица'],
    groups: () => ['addresses'],
  },
  other: {
    asked: (i) => [i.description ? `Иные сведения: ${i.description}` : 'Иные сведения, необходимые для исполнения'],
    groups: () => [],
  },
};

/** Every kind has its row (the type says so; this is for readers of ITEM_KINDS). */
export const ANSWER_ITEM_KINDS: readonly ItemKind[] = ITEM_KINDS;

const spec = <K extends ItemKind>(item: ItemOf<K>): ItemSpec<K> => ANSWER_ITEMS[item.kind as K];

export function askedOf(item: Item | undefined, dateRu: (d: string) => string = (d) => d): string[] {
  return item ? spec(item).asked(item as never, dateRu) : [];
}

/** The groups of an item; the R9.3 procedure last, on every item. */
export function groupsOf(item: Item | undefined): GroupKey[] {
  return [...(item ? spec(item).groups(item as never) : []), 'disclosureProcedure'];
}

// ---- currencies: those of the Parties, the answering Party's first ------------------------------------------

export function currencyOptions(first: string | null): [string, string][] {
  const codes = SIGNATORY_CODES.map((c) => PARTIES[c].currency);
  const ordered = first && codes.includes(first) ? [first, ...codes.filter((c) => c !== first)] : codes;
  return ordered.map((c) => [c, CURRENCY_LABELS[c] ?? c]);
}

// ---- names of the form's fields -------------------------------------------------------------------------

/** Rows offered at first and added by «Добавить ещё». */
export const ROWS_STEP = 2;

export const fieldName = (g: GroupKey, itemNo: number, row: number, field: string): string =>
  `${g}_${itemNo}_${row}_${field}`;
export const rowKey = (g: GroupKey, itemNo: number, row: number): string => `${g}_${itemNo}_${row}`;
export const rowsName = (g: GroupKey, itemNo: number): string => `rows_${g}_${itemNo}`;
const curName = (base: string) => `${base}_currency`;

/** How many rows of a group the form shows: as many as it had (and more when «Добавить ещё» asked). */
export function rowsOf(f: Form, g: GroupKey, itemNo: number): number {
  if (!GROUPS[g].many) return 1;
  const had = Number(one(f[rowsName(g, itemNo)])) || ROWS_STEP;
  const more = many(f.more).includes(`${g}_${itemNo}`) ? ROWS_STEP : 0;
  return Math.min(had + more, 100);
}

// ---- form → answer items ------------------------------------------------------------------------------

export interface AnswerFormItem {
  itemNo: number;
  kind: ItemKind | string;
  item?: Item;
}

export interface AnswerFormResult {
  items: { itemNo: number; outcome: string; data?: AnswerData }[];
  /** Errors by place: `item_<n>` (the item), `<group>_<n>_<row>` (a row). */
  errors: Record<string, string>;
}

const AMOUNT = /^\d{1,15}([.,]\d{1,2})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** «1 234,50» → 1234.5; null when not an amount. */
export function parseAmount(s: string): number | null {
  const t = s.replace(/[\s\u00a0]/g, '');
  return AMOUNT.test(t) ? Number(t.replace(',', '.')) : null;
}

function readRow(
  f: Form,
  g: GroupKey,
  itemNo: number,
  row: number,
): { value: Record<string, unknown> | null; error: string | null } {
  const def = GROUPS[g];
  const value: Record<string, unknown> = {};
  const missing: string[] = [];
  const wrong: string[] = [];
  let any = false;
  for (const fd of def.fields) {
    const name = fieldName(g, itemNo, row, fd.name);
    const text = one(f[name]);
    if (text) any = true;
    if (!text) {
      if (fd.required) missing.push(`«${fd.label}»`);
      continue;
    }
    switch (fd.input) {
      case 'money': {
        const amount = parseAmount(text);
        const currency = one(f[curName(name)]);
        if (amount === null) wrong.push(`«${fd.label}» — укажите сумму цифрами, например 1 250 000,50`);
        else if (!CURRENCY_LABELS[currency]) wrong.push(`«${fd.label}» — выберите валюту`);
        else value[fd.name] = { value: amount, currency };
        break;
      }
      case 'currency':
        if (CURRENCY_LABELS[text]) value[fd.name] = text;
        break;
      case 'year': {
        const y = Number(text);
        if (!Number.isInteger(y) || y < 1900 || y > 2100) wrong.push(`«${fd.label}» — четыре цифры, например 2019`);
        else value[fd.name] = y;
        break;
      }
      case 'date':
        if (!ISO_DATE.test(text)) wrong.push(`«${fd.label}» — укажите дату`);
        else value[fd.name] = text;
        break;
      default:
        value[fd.name] = text;
    }
  }
  // A currency chosen alone (the select always has one) is no content: a row with nothing typed is absent.
  const typed = def.fields.some((fd) => fd.input !== 'currency' && one(f[fieldName(g, itemNo, row, fd.name)]));
  if (!any || !typed) return { value: null, error: null };
  const parts = [...(missing.length ? [`заполните ${missing.join(', ')}`] : []), ...wrong];
  if (parts.length) {
    const where = def.many ? `${def.row[0]!.toUpperCase()}${def.row.slice(1)} ${row + 1}` : def.legend;
    return { value: null, error: `${where}: ${parts.join('; ')}.` };
  }
  return { value, error: null };
}

/**
 * The answer form as the answer use case's items: the items given an outcome, each with the rows filled
 * (rows left blank are absent; a row filled in part is an error next to it) and its explanations. An item
 * with data but no outcome is an error too (nothing is sent for it by guess).
 */
export function formToAnswer(f: Form, items: readonly AnswerFormItem[]): AnswerFormResult {
  const errors: Record<string, string> = {};
  const out: AnswerFormResult['items'] = [];
  for (const it of items) {
    const n = it.itemNo;
    const data: Record<string, unknown> = {};
    let rowErrors = false;
    for (const g of groupsOf(it.item)) {
      const rows: Record<string, unknown>[] = [];
      for (let r = 0; r < rowsOf(f, g, n); r++) {
        const { value, error } = readRow(f, g, n, r);
        if (error) {
          errors[rowKey(g, n, r)] = error;
          rowErrors = true;
        } else if (value) rows.push(value);
      }
      if (rows.length) data[g] = GROUPS[g].many ? rows : rows[0];
    }
    const text = one(f[`text_${n}`]);
    if (text) data.text = text;
    const outcome = one(f[`outcome_${n}`]);
    if (!outcome) {
      if (Object.keys(data).length || rowErrors)
        errors[`item_${n}`] = `Пункт ${n}: выберите результат — сведения заполнены, а результат не указан.`;
      continue;
    }
    out.push({ itemNo: n, outcome, ...(Object.keys(data).length ? { data: data as AnswerData } : {}) });
  }
  return { items: out, errors };
}

// ---- answer data → form (a form filled again; the round trip of the tests) --------------------------------

export function answerToForm(
  answers: readonly { itemNo: number; outcome: string; data?: AnswerData }[],
  items: readonly AnswerFormItem[],
): Form {
  const f: Form = {};
  for (const a of answers) {
    const n = a.itemNo;
    const item = items.find((i) => i.itemNo === n)?.item;
    f[`outcome_${n}`] = a.outcome;
    if (a.data?.text) f[`text_${n}`] = a.data.text;
    for (const g of groupsOf(item)) {
      const v = a.data?.[g];
      if (!v) continue;
      const rows = (Array.isArray(v) ? v : [v]) as Record<string, unknown>[];
      if (GROUPS[g].many) f[rowsName(g, n)] = String(Math.max(rows.length, ROWS_STEP));
      rows.forEach((row, r) => {
        for (const fd of GROUPS[g].fields) {
          const x = row[fd.name];
          if (x === undefined) continue;
          const name = fieldName(g, n, r, fd.name);
          if (fd.input === 'money') {
            const m = x as { value: number; currency: string };
            f[name] = String(m.value).replace('.', ',');
            f[curName(name)] = m.currency;
          } else f[name] = String(x);
        }
      });
    }
  }
  return f;
}

/**
 * Issue 17.2: the answer form filled from the registries' draft — the items not yet sent, each with the
 * outcome the draft proposes (none when nothing was found and a registry failed: the officer chooses) —
 * and «окончательный ответ» ticked when these and the items answered before cover the whole request.
 */
export function draftToForm(
  drafted: readonly { itemNo: number; outcome: string | null; data?: AnswerData; sent?: unknown }[],
  items: readonly AnswerFormItem[],
  answeredBefore: readonly number[],
): Form {
  const open = drafted.filter((d) => !d.sent);
  const f = answerToForm(
    open.map((d) => ({ itemNo: d.itemNo, outcome: d.outcome ?? '', ...(d.data ? { data: d.data } : {}) })),
    items,
  );
  const covered = new Set([...answeredBefore, ...open.filter((d) => d.outcome).map((d) => d.itemNo)]);
  if (items.length > 0 && items.every((i) => covered.has(i.itemNo))) f.final = '1';
  return f;
}

// ---- the page's view of the form (the template only loops) ----------------------------------------------

export interface FieldView {
  id: string;
  name: string;
  label: string;
  input: Input;
  required: boolean;
  value: string;
  /** A money field's currency select. */
  currencyName?: string;
  currencyValue?: string;
}

export interface GroupView {
  key: GroupKey;
  legend: string;
  many: boolean;
  rowsName: string;
  rowCount: number;
  moreValue: string;
  /** The R9.3 procedure is folded unless filled. */
  open: boolean;
  rows: { key: string; label: string; error: string | null; fields: FieldView[] }[];
}

export interface ItemView {
  itemNo: number;
  kind: string;
  asked: string[];
  error: string | null;
  outcome: string;
  text: string;
  groups: GroupView[];
}

export function answerFormView(
  items: readonly AnswerFormItem[],
  f: Form,
  errors: Record<string, string>,
  dateRu: (d: string) => string,
): ItemView[] {
  return items.map((it) => {
    const n = it.itemNo;
    return {
      itemNo: n,
      kind: it.kind,
      asked: askedOf(it.item, dateRu),
      error: errors[`item_${n}`] ?? null,
      outcome: one(f[`outcome_${n}`]),
      text: one(f[`text_${n}`]),
      groups: groupsOf(it.item).map((g): GroupView => {
        const def = GROUPS[g];
        const count = rowsOf(f, g, n);
        const rows = Array.from({ length: count }, (_, r) => ({
          key: rowKey(g, n, r),
          label: def.many ? `${def.row[0]!.toUpperCase()}${def.row.slice(1)} ${r + 1}` : '',
          error: errors[rowKey(g, n, r)] ?? null,
          fields: def.fields.map((fd): FieldView => {
            const name = fieldName(g, n, r, fd.name);
            return {
              id: name,
              name,
              label: fd.label,
              input: fd.input,
              required: Boolean(fd.required),
              value: one(f[name]),
              ...(fd.input === 'money' ? { currencyName: curName(name), currencyValue: one(f[curName(name)]) } : {}),
            };
          }),
        }));
        return {
          key: g,
          legend: def.legend,
          many: def.many,
          rowsName: rowsName(g, n),
          rowCount: count,
          moreValue: `${g}_${n}`,
          open: g !== 'disclosureProcedure' || rows.some((r) => r.error || r.fields.some((x) => x.value)),
          rows,
        };
      }),
    };
  });
}
