// ONE table per request item kind (R3–R8): its Russian label, the article it
// rests on and its fields. The wizard's template, the form mapping (formToItems),
// the way back (itemToForm, for editing a draft), the review screen (describeItem)
// and the placing of errors next to a field (itemFieldOf) all iterate this table;
// it is a Record over ItemKind, so a kind missing here does not compile (issue 14:
// the wizard had lost a kind to a non-exhaustive switch).
import { ITEM_KINDS, type Item, type ItemKind } from '../../domain/request.js';

import { many, one, type Form } from '../kit.js';

/**
 * How a field reads from and writes to the form:
 * flag — one checkbox, a boolean (always written, true or false);
 * set — checkboxes, an array of the chosen options in table order;
 * choice — radio buttons, one option;
 * text, textarea, date — a string;
 * lines — a textarea, one array element per non-empty line.
 */
export type FieldInput = 'flag' | 'set' | 'choice' | 'text' | 'textarea' | 'lines' | 'date';

export interface ItemField {
  /** The field's key in the form: the form name is `${kind}_${key}`. */
  readonly key: string;
  /** Where the value sits in the item (`['period', 'from']`). */
  readonly path: readonly string[];
  readonly input: FieldInput;
  readonly label: string;
  readonly options?: readonly (readonly [string, string])[];
  /** The Agreement requires it when the kind is asked for (shown «обязательно»). */
  readonly required?: boolean;
  readonly hint?: string;
  /** Read only when another field of the kind has this value (or, without a value, is filled / checked). */
  readonly when?: { readonly key: string; readonly value?: string };
}

export interface ItemKindSpec {
  readonly label: string;
  /** The provision in words, shown as a small reference («статья 5, подпункт «а»»). */
  readonly article: string;
  readonly fields: readonly ItemField[];
}

const SUB_ITEMS_RU = [
  ['a', 'а) денежные средства на счетах, во вкладах и на хранении в банках и иных кредитных организациях'],
  ['b', 'б) недвижимое имущество, в том числе земельные участки'],
  ['c', 'в) транспортные средства'],
  ['d', 'г) доли (акции) в уставном капитале коммерческих организаций'],
  ['e', 'д) иное имущество, сведения о котором имеются у запрашиваемого органа'],
] as const;

export const ITEM_TABLE: Readonly<Record<ItemKind, ItemKindSpec>> = {
  proceedings: {
    label: 'Исполнительные документы в отношении должника и результаты их исполнения',
    article: 'статья 4',
    fields: [
      {
        key: 'results',
        path: ['results'],
        input: 'set',
        label: 'Сообщить результаты исполнения',
        options: [
          ['collected', 'взысканные суммы'],
          ['arrested', 'арестованное имущество'],
          ['for_sale', 'имущество, выставленное на реализацию'],
        ],
      },
      { key: 'resultsOther', path: ['resultsOther'], input: 'textarea', label: 'Иные результаты исполнения' },
    ],
  },
  documents: {
    label: 'Информация, справки, документы или их заверенные копии',
    article: 'статья 5, подпункт «а»',
    fields: [
      {
        key: 'description',
        path: ['description'],
        input: 'textarea',
        label: 'Какие сведения или документы нужны',
        required: true,
      },
      {
        key: 'from',
        path: ['from'],
        input: 'set',
        label: 'У кого получить',
        options: [
          ['parties', 'у сторон исполнительного производства'],
          ['persons', 'у иных физических и юридических лиц'],
          ['state_bodies', 'у государственных органов'],
        ],
      },
    ],
  },
  clarification: {
    label: 'Объяснения стороны исполнительного производства',
    article: 'статья 5, подпункт «б»; статья 11, пункт 2',
    fields: [
      {
        key: 'party',
        path: ['party'],
        input: 'choice',
        label: 'От кого',
        options: [
          ['debtor', 'от должника'],
          ['creditor', 'от взыскателя'],
        ],
        required: true,
      },
      {
        key: 'questions',
        path: ['questions'],
        input: 'lines',
        label: 'Вопросы',
        hint: 'по одному вопросу в строке',
        required: true,
      },
    ],
  },
  property: {
    label: 'Имущество должника',
    article: 'статья 6',
    fields: [
      {
        key: 'subItems',
        path: ['subItems'],
        input: 'set',
        label: 'Виды имущества',
        options: SUB_ITEMS_RU,
        required: true,
      },
      { key: 'note', path: ['note'], input: 'textarea', label: 'Пояснение' },
    ],
  },
  employment_income: {
    label: 'Место работы и доходы должника',
    article: 'статья 7',
    fields: [
      {
        key: 'workplace',
        path: ['workplace'],
        input: 'flag',
        label: 'место работы (деятельности), в том числе в качестве индивидуального предпринимателя',
      },
      { key: 'income', path: ['income'], input: 'flag', label: 'официальные источники и размер доходов' },
      {
        key: 'from',
        path: ['period', 'from'],
        input: 'date',
        label: 'Доходы за период: с',
        hint: 'период не более 3 лет',
        required: true,
        when: { key: 'income' },
      },
      { key: 'to', path: ['period', 'to'], input: 'date', label: 'по', required: true, when: { key: 'income' } },
    ],
  },
  location: {
    label: 'Место нахождения должника или его имущества',
    article: 'статья 8',
    fields: [
      {
        key: 'target',
        path: ['target'],
        input: 'choice',
        label: 'Что установить',
        options: [
          ['debtor', 'место жительства (пребывания) или местонахождение должника'],
          ['property', 'местонахождение определённого имущества должника'],
        ],
        required: true,
      },
      {
        key: 'propertyDescription',
        path: ['property', 'description'],
        input: 'textarea',
        label: 'Какое имущество',
        required: true,
        when: { key: 'target', value: 'property' },
      },
      {
        key: 'propertyIdentifiers',
        path: ['property', 'identifiers'],
        input: 'text',
        label: 'Идентифицирующие данные имущества',
        hint: 'государственный регистрационный знак, VIN, кадастровый номер и т. п.',
        required: true,
        when: { key: 'target', value: 'property' },
      },
    ],
  },
  other: {
    label: 'Иные сведения, необходимые для исполнения',
    article: 'статья 3',
    fields: [
      { key: 'description', path: ['description'], input: 'textarea', label: 'Какие сведения нужны', required: true },
    ],
  },
};

/** The kinds in the order the wizard shows them (the domain's order). */
export const ITEM_ORDER: readonly ItemKind[] = ITEM_KINDS;

/** The form name of a field of a kind. */
export const fieldName = (kind: ItemKind, f: ItemField): string => `${kind}_${f.key}`;
/** The form name of the checkbox that asks for a kind. */
export const kindName = (kind: ItemKind): string => `item_${kind}`;

function applies(kind: ItemKind, f: ItemField, form: Form): boolean {
  if (!f.when) return true;
  const other = ITEM_TABLE[kind].fields.find((x) => x.key === f.when!.key)!;
  const v = form[fieldName(kind, other)];
  return f.when.value === undefined ? many(v).length > 0 : many(v).includes(f.when.value);
}

function read(f: ItemField, v: string | string[] | undefined): unknown {
  switch (f.input) {
    case 'flag':
      return one(v) !== '';
    case 'set': {
      const chosen = many(v);
      const out = (f.options ?? []).map(([o]) => o).filter((o) => chosen.includes(o));
      return out.length ? out : undefined;
    }
    case 'lines': {
      const lines = one(v)
        .split(/\r?\n/)
        .map((x) => x.trim())
        .filter(Boolean);
      return lines.length ? lines : undefined;
    }
    case 'choice':
    case 'text':
    case 'textarea':
    case 'date':
      return one(v) || undefined;
  }
}

function put(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = target;
  for (const seg of path.slice(0, -1)) {
    at[seg] ??= {};
    at = at[seg] as Record<string, unknown>;
  }
  at[path.at(-1)!] = value;
}

function get(source: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (at, seg) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[seg] : undefined),
    source,
  );
}

/** One kind's fields as an item of the request (empty fields left out; the use case checks the rest). */
export function formToItem(kind: ItemKind, form: Form): Item {
  const item: Record<string, unknown> = { kind };
  for (const f of ITEM_TABLE[kind].fields) {
    if (!applies(kind, f, form)) continue;
    const value = read(f, form[fieldName(kind, f)]);
    if (value !== undefined) put(item, f.path, value);
  }
  return item as Item;
}

/** The kinds asked for on the form, in table order, as the request's items. */
export function formToItems(form: Form): Item[] {
  return ITEM_ORDER.filter((k) => one(form[kindName(k)]) !== '').map((k) => formToItem(k, form));
}

/** An item back as the wizard's fields (editing a draft). */
export function itemToForm(item: Item): Form {
  const kind = item.kind;
  const out: Form = { [kindName(kind)]: '1' };
  for (const f of ITEM_TABLE[kind].fields) {
    const v = get(item, f.path);
    if (v === undefined || v === null) continue;
    const name = fieldName(kind, f);
    if (f.input === 'flag') {
      if (v === true) out[name] = '1';
    } else if (f.input === 'set') out[name] = (v as string[]).map(String);
    else if (f.input === 'lines') out[name] = (v as string[]).join('\n');
    else out[name] = String(v);
  }
  return out;
}

/** What an item asks, as label and value lines in Russian (the review screen). */
export function describeItem(item: Item): { label: string; article: string; lines: [string, string][] } {
  const spec = ITEM_TABLE[item.kind];
  const lines: [string, string][] = [];
  for (const f of spec.fields) {
    const v = get(item, f.path);
    if (v === undefined || v === null || v === '') continue;
    const opt = (x: unknown) => (f.options ?? []).find(([o]) => o === x)?.[1] ?? String(x);
    const text =
      f.input === 'flag'
        ? v === true
          ? 'да'
          : 'нет'
        : f.input === 'set'
          ? (v as unknown[]).map(opt).join('; ')
          : f.input === 'choice'
            ? opt(v)
            : f.input === 'lines'
              ? (v as unknown[]).map((q, i) => `${i + 1}) ${String(q)}`).join('\n')
              : String(v);
    if (f.input === 'flag' && v !== true) continue;
    lines.push([f.input === 'flag' ? 'Запрашивается' : f.label, f.input === 'flag' ? f.label : text]);
  }
  return { label: spec.label, article: spec.article, lines };
}

/**
 * The field of an item a problem's path points at (`period.to` → the «по» date,
 * `questions[2]` → the questions), or null when it concerns the item as a whole.
 */
export function itemFieldOf(kind: ItemKind, relPath: string): ItemField | null {
  const rel = relPath.replace(/\[\d+\]/g, '');
  return (
    ITEM_TABLE[kind].fields.find((f) => {
      const p = f.path.join('.');
      return rel === p || rel.startsWith(`${p}.`);
    }) ?? null
  );
}
