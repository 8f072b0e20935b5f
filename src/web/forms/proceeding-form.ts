// The new-proceeding form (pure): its fields, the mapping to the create-proceeding
// use case's input (R11.1), the live check of an identifier, and the problems the
// use case found placed next to the fields they concern (errors in place).
//
// Debtor and creditor are each an individual, an individual entrepreneur or a
// legal entity. The wire format knows natural and legal persons only (R11.1.c):
// an entrepreneur is sent as an individual whose ids carry the entrepreneur's
// registration number where the country has one (person-kind.ts).
import { CURRENCY_LABELS } from '../../domain/vocabulary.js';
import { ID_KINDS, checkNationalId, idLabelRu, idSubject, type IdSubject } from '../../domain/national-ids.js';
import { PERSON_KINDS, personKind, type PersonKind } from '../../domain/person-kind.js';
import { PARTIES, SIGNATORY_CODES, isSignatory, partyCurrency } from '../../domain/parties.js';
import type { Problem } from '../../domain/problems.js';
import type { Person } from '../../domain/request.js';

import { one, opt, type Form } from '../kit.js';
import { cleanMessage } from './messages.js';

export type Role = 'debtor' | 'creditor';
export const ROLES: readonly Role[] = ['debtor', 'creditor'];
export const ROLE_LABELS: Readonly<Record<Role, string>> = { debtor: 'Должник', creditor: 'Взыскатель' };

export const PERSON_KIND_LABELS: Readonly<Record<PersonKind, string>> = {
  individual: 'физическое лицо',
  entrepreneur: 'индивидуальный предприниматель',
  legal_entity: 'юридическое лицо',
};
/** The short form on pages («ИП» where a person carries an entrepreneur's registration number). */
export const PERSON_KIND_SHORT: Readonly<Record<PersonKind, string>> = {
  individual: 'физическое лицо',
  entrepreneur: 'ИП',
  legal_entity: 'юридическое лицо',
};
export const personKindLabel = (p: Person | undefined): string => (p ? PERSON_KIND_SHORT[personKind(p)] : '');

export const CURRENCY_OPTIONS: readonly (readonly [string, string])[] = [
  ...new Set(SIGNATORY_CODES.map((c) => partyCurrency(c)!)),
].map((c) => [c, CURRENCY_LABELS[c] ?? c] as const);

// ---- the fields ---------------------------------------------------------------------

/** The groups of a person's fields: shown for the person kinds listed. */
export type Group = 'person' | 'entrepreneur' | 'org';
export const GROUP_KINDS: Readonly<Record<Group, readonly PersonKind[]>> = {
  person: ['individual', 'entrepreneur'],
  entrepreneur: ['entrepreneur'],
  org: ['legal_entity'],
};
export const GROUP_LEGENDS: Readonly<Record<Group, string>> = {
  person: 'Физическое лицо (в том числе индивидуальный предприниматель)',
  entrepreneur: 'Регистрация индивидуального предпринимателя',
  org: 'Юридическое лицо',
};
/** The identifier kinds a group offers: only those whose subject fits (national-ids.ts). */
const GROUP_SUBJECTS: Readonly<Record<Group, readonly IdSubject[]>> = {
  person: ['individual', 'any'],
  entrepreneur: ['entrepreneur'],
  org: ['legal_entity', 'any'],
};

export interface FieldView {
  readonly name: string;
  readonly label: string;
  readonly type: 'text' | 'date' | 'textarea' | 'idkind' | 'idvalue';
  readonly required: boolean;
  readonly hint?: string;
  readonly group?: Group;
}

/** An identifier row: the kind (a select per country) and the number. */
interface IdRow {
  readonly kind: string;
  readonly value: string;
}
const idRows = (who: Role, group: Group): IdRow[] =>
  group === 'entrepreneur'
    ? [{ kind: `${who}IpIdKind`, value: `${who}IpIdValue` }]
    : [1, 2].map((n) => ({
        kind: `${who}${group === 'org' ? 'Org' : ''}IdKind${n}`,
        value: `${who}${group === 'org' ? 'Org' : ''}IdValue${n}`,
      }));

const idFields = (who: Role, group: Group, firstRequired: boolean): FieldView[] =>
  idRows(who, group).flatMap((r, i) => [
    {
      name: r.kind,
      label: group === 'entrepreneur' ? 'Вид регистрационного номера' : `Вид идентификатора ${i + 1}`,
      type: 'idkind' as const,
      required: firstRequired && i === 0,
      group,
    },
    {
      name: r.value,
      label: group === 'entrepreneur' ? 'Регистрационный номер ИП' : `Идентификационный номер ${i + 1}`,
      type: 'idvalue' as const,
      required: firstRequired && i === 0,
      group,
      ...(group === 'entrepreneur'
        ? { hint: 'если в государстве регистрации он есть (в России — ОГРНИП)' }
        : group === 'org'
          ? { hint: 'учётный номер плательщика, ИНН, БИН, ОГРН и т. п.' }
          : { hint: 'ИНН, ИИН, СНИЛС, идентификационный номер и т. п.' }),
    },
  ]);

/** A person's fields by group, the Agreement's required ones marked (R11.1.c). */
export function personFields(who: Role): Record<Group, FieldView[]> {
  const debtor = who === 'debtor';
  return {
    person: (
      [
        { name: `${who}Surname`, label: 'Фамилия', type: 'text', required: true },
        { name: `${who}Name`, label: 'Имя', type: 'text', required: true },
        { name: `${who}Patronymic`, label: 'Отчество (если имеется)', type: 'text', required: false },
        { name: `${who}Address`, label: 'Место жительства (пребывания)', type: 'text', required: true },
        ...(debtor
          ? ([
              { name: 'debtorBirthDate', label: 'Дата рождения', type: 'date', required: true },
              { name: 'debtorBirthPlace', label: 'Место рождения', type: 'text', required: true },
              { name: 'debtorWork', label: 'Место работы или учёбы (если известно)', type: 'text', required: false },
            ] as const)
          : []),
        ...idFields(who, 'person', false),
      ] as FieldView[]
    ).map((f) => ({ ...f, group: 'person' as const })),
    entrepreneur: idFields(who, 'entrepreneur', false),
    org: [
      { name: `${who}OrgName`, label: 'Наименование', type: 'text' as const, required: true, group: 'org' as const },
      {
        name: `${who}OrgAddress`,
        label: 'Местонахождение (адрес регистрации)',
        type: 'text' as const,
        required: true,
        group: 'org' as const,
      },
      // R11.1.c: a debtor that is a legal entity is named with its taxpayer / registration number.
      ...idFields(who, 'org', debtor),
    ],
  };
}

/** The proceeding's and the executive document's fields (R10.b, R11.1.b, R11.1.d). */
export const PROCEEDING_FIELDS: readonly FieldView[] = [
  { name: 'number', label: 'Номер исполнительного производства', type: 'text', required: true },
  { name: 'openedOn', label: 'Дата возбуждения', type: 'date', required: true },
];
export const DOCUMENT_FIELDS = {
  docTitle: { label: 'Вид документа', required: false },
  docNumber: { label: 'Номер документа', required: true },
  docDate: { label: 'Дата документа', required: true },
  issuerKind: { label: 'Кем выдан', required: true },
  issuerName: { label: 'Наименование органа (должностного лица), выдавшего документ', required: true },
  operativePart: { label: 'Резолютивная часть', required: true },
  docAmount: { label: 'Сумма долга', required: false },
  docCurrency: { label: 'Валюта', required: false },
} as const;
export const ISSUER_KIND_OPTIONS: readonly (readonly [string, string])[] = [
  ['court', 'суд'],
  ['authority', 'иной уполномоченный орган (должностное лицо)'],
  ['notary', 'нотариус'],
];

/** The identifier kinds a group offers, by country (value «RU|OGRNIP»). */
export function idKindOptions(group: Group): { country: string; label: string; kinds: [string, string][] }[] {
  return Object.keys(ID_KINDS)
    .map((country) => ({
      country,
      label: isSignatory(country) ? PARTIES[country].nameRu : country,
      kinds: (ID_KINDS[country] ?? [])
        .filter((k) => GROUP_SUBJECTS[group].includes(idSubject(country, k)))
        .map((k): [string, string] => [`${country}|${k}`, idLabelRu(country, k)]),
    }))
    .filter((c) => c.kinds.length > 0)
    .sort((a, b) => a.label.localeCompare(b.label, 'ru'));
}

/** The chosen kind of a person on the form (an individual when nothing is chosen). */
export function chosenKind(f: Form, who: Role): PersonKind {
  const t = one(f[`${who}Type`]);
  return (PERSON_KINDS as readonly string[]).includes(t) ? (t as PersonKind) : 'individual';
}

// ---- form → input -------------------------------------------------------------------

/** A debt amount as typed («250 000,50»): a number, or the text itself when it is none (the schema names it). */
export function parseAmount(s: string): number | string {
  const t = s.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  return /^\d+(\.\d{1,2})?$/.test(t) ? Number(t) : s;
}

/** The ids of a person in wire order, each with the form fields it came from. */
function idsOf(f: Form, who: Role, kind: PersonKind): { id: Record<string, string>; row: IdRow }[] {
  const groups: Group[] =
    kind === 'legal_entity' ? ['org'] : kind === 'entrepreneur' ? ['entrepreneur', 'person'] : ['person'];
  return groups
    .flatMap((g) => idRows(who, g))
    .filter((row) => opt(f[row.value]) !== undefined)
    .map((row) => {
      const [country = '', k = ''] = one(f[row.kind]).split('|');
      return { id: { country, kind: k, value: one(f[row.value]) }, row };
    });
}

function personFromForm(f: Form, who: Role): Record<string, unknown> {
  const kind = chosenKind(f, who);
  const ids = idsOf(f, who, kind).map((x) => x.id);
  const withIds = ids.length ? { ids } : {};
  if (kind === 'legal_entity')
    return { type: 'legal_entity', name: one(f[`${who}OrgName`]), address: one(f[`${who}OrgAddress`]), ...withIds };
  const o = (key: string, name: string) => (opt(f[name]) ? { [key]: one(f[name]) } : {});
  return {
    type: 'individual',
    surname: one(f[`${who}Surname`]),
    name: one(f[`${who}Name`]),
    ...o('patronymic', `${who}Patronymic`),
    address: one(f[`${who}Address`]),
    ...(who === 'debtor'
      ? {
          ...o('birthDate', 'debtorBirthDate'),
          ...o('birthPlace', 'debtorBirthPlace'),
          ...o('workOrStudy', 'debtorWork'),
        }
      : {}),
    ...withIds,
  };
}

/** The new-proceeding form as the create-proceeding use case's input (the use case validates it, R11.1). */
export function formToProceeding(f: Form): Record<string, unknown> {
  return {
    number: one(f.number),
    openedOn: one(f.openedOn),
    debtor: personFromForm(f, 'debtor'),
    creditor: personFromForm(f, 'creditor'),
    executiveDocuments: [
      {
        ...(opt(f.docTitle) ? { title: one(f.docTitle) } : {}),
        number: one(f.docNumber),
        ...(opt(f.docDate) ? { date: one(f.docDate) } : {}),
        issuer: { ...(opt(f.issuerKind) ? { kind: one(f.issuerKind) } : {}), name: one(f.issuerName) },
        operativePart: one(f.operativePart),
        ...(opt(f.docAmount) ? { amount: { value: parseAmount(one(f.docAmount)), currency: one(f.docCurrency) } } : {}),
      },
    ],
  };
}

// ---- the live check of an identifier ----------------------------------------------------

/** The message under an identifier field: '' while empty, else whether the number is right (Russian). */
export function checkIdField(kindValue: string, value: string): { ok: boolean; message: string } {
  if (value.trim() === '') return { ok: true, message: '' };
  const [country = '', kind = ''] = kindValue.split('|');
  if (!country || !kind) return { ok: false, message: 'Выберите вид номера' };
  if (!ID_KINDS[country]?.includes(kind)) return { ok: false, message: 'Неизвестный вид номера' };
  const c = checkNationalId(country, kind, value);
  return c.valid
    ? { ok: true, message: `${idLabelRu(country, kind)}: номер верный` }
    : { ok: false, message: c.message };
}

/** The identifier row a live check was asked for: the first value field of the posted form, and its kind. */
export function idRowOf(f: Form): { kindField: string; valueField: string } | null {
  const valueField = Object.keys(f).find((k) => /^(debtor|creditor)(Org|Ip)?IdValue\d?$/.test(k));
  return valueField ? { valueField, kindField: valueField.replace('IdValue', 'IdKind') } : null;
}

// ---- problems → fields --------------------------------------------------------------

const DOC_FIELDS: Readonly<Record<string, keyof typeof DOCUMENT_FIELDS>> = {
  title: 'docTitle',
  number: 'docNumber',
  date: 'docDate',
  'issuer.kind': 'issuerKind',
  issuer: 'issuerName',
  'issuer.name': 'issuerName',
  operativePart: 'operativePart',
  amount: 'docAmount',
  'amount.value': 'docAmount',
  'amount.currency': 'docCurrency',
};

const PERSON_PATHS: Readonly<Record<string, string>> = {
  surname: 'Surname',
  name: 'Name',
  patronymic: 'Patronymic',
  address: 'Address',
  birthDate: 'BirthDate',
  birthPlace: 'BirthPlace',
  workOrStudy: 'Work',
};

/** The form field a problem's path concerns, or null (then it is shown above the form). */
export function fieldOf(f: Form, path: string): string | null {
  if (path === 'number' || path === 'openedOn') return path;
  const doc = /^executiveDocuments(?:\[0\])?\.?(.*)$/.exec(path);
  if (doc) return DOC_FIELDS[doc[1] ?? ''] ?? (doc[1] ? null : 'docNumber');
  const person = /^(debtor|creditor)\.?(.*)$/.exec(path);
  if (!person) return null;
  const who = person[1] as Role;
  const rest = person[2] ?? '';
  const kind = chosenKind(f, who);
  if (rest === '' || rest === 'type') return `${who}Type`;
  const id = /^ids(?:\[(\d+)\])?\.?(.*)$/.exec(rest);
  if (id) {
    const rows = idsOf(f, who, kind);
    const row = id[1] !== undefined ? rows[Number(id[1])]?.row : undefined;
    if (row) return id[2] === 'kind' || id[2] === 'country' ? row.kind : row.value;
    return idRows(who, kind === 'legal_entity' ? 'org' : 'person')[0]!.value;
  }
  if (kind === 'legal_entity')
    return rest === 'name' ? `${who}OrgName` : rest === 'address' ? `${who}OrgAddress` : null;
  return PERSON_PATHS[rest] ? `${who}${PERSON_PATHS[rest]}` : null;
}

function fieldMessage(field: string, p: Problem): string {
  if (!p.code.startsWith('schema.')) return cleanMessage(p.message);
  if (field === 'docAmount') return 'Укажите сумму числом, например 250 000,50';
  if (field === 'docCurrency') return 'Выберите валюту';
  if (/IdKind/.test(field)) return 'Выберите вид номера';
  if (/IdValue/.test(field)) return 'Номер длиннее допустимого';
  if (/Date$|^openedOn$/.test(field)) return 'Укажите дату';
  if (p.code === 'schema.maxLength') return 'Слишком длинный текст';
  return 'Заполните поле';
}

/** Every problem next to its field (messages joined); those without a field go above the form. */
export function proceedingErrors(
  f: Form,
  problems: readonly Problem[],
): { fields: Record<string, string>; general: string[] } {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const p of problems) {
    const field = fieldOf(f, p.path);
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${fieldMessage(field, p)}` : fieldMessage(field, p);
    else general.push(cleanMessage(p.message));
  }
  return { fields, general };
}

/** A debt amount in words for people («250 000,5 — российский рубль»), never the bare currency code. */
export function amountText(a: { value: number; currency: string }): string {
  return `${a.value.toLocaleString('ru-RU', { maximumFractionDigits: 2 })} — ${CURRENCY_LABELS[a.currency] ?? a.currency}`;
}
