// A problem found in a document (a request, an events file …): a stable code,
// the path of the field it concerns and a Russian message (R19). Validators
// return every problem at once instead of stopping at the first.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';

export interface Problem {
  /** Stable, dotted code, e.g. `R11.1.b.document_number` or `schema.required`. */
  readonly code: string;
  /** Path of the field: `debtor.surname`, `items[2].period.from`; `` for the document. */
  readonly path: string;
  /** Russian message naming the field. */
  readonly message: string;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly errors: readonly Problem[];
  readonly warnings: readonly Problem[];
}

/** Joins path segments: joinPath('items', 2, 'period') → `items[2].period`. */
export function joinPath(...segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (s === '') continue;
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out;
}

// ajv-formats is CommonJS; under NodeNext its default export is the module object.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
// RFC 3339 allows a leap second (23:59:60) that Date cannot hold: such a time
// parses to NaN, and NaN passes every comparison made with it (a federation
// message dated 1972-12-31T23:59:60Z slipped past the clock and certificate
// checks). A date-time is valid only if it is also a real instant.
const rfc3339 = ajv.formats['date-time'] as {
  validate: (s: string) => boolean;
  compare?: (a: string, b: string) => number | undefined;
};
ajv.addFormat('date-time', {
  ...rfc3339,
  type: 'string',
  validate: (s: string) => rfc3339.validate(s) && Number.isFinite(Date.parse(s)),
});
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Checks a value against a TypeBox / JSON schema and returns every structural
 * problem with a Russian message. `fieldNames` gives Russian labels for paths
 * (`debtor.surname` → «фамилия должника»), used in messages when known.
 */
export function checkSchema(
  schema: TSchema,
  value: unknown,
  fieldNames: Readonly<Record<string, string>> = {},
): Problem[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema as object);
    compiled.set(schema, validate);
  }
  // Almost no document holds a NUL: a walk that allocates nothing first, the paths only when one does.
  const nul = hasNul(value, 0) ? nulProblems(value, '', fieldNames) : [];
  if (validate(value)) return nul;
  return dedupe([...nul, ...(validate.errors ?? []).map((e) => toProblem(e, fieldNames))]);
}

function hasNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const v of value) if (hasNul(v, depth + 1)) return true;
    return false;
  }
  for (const k in value) {
    if (k.includes('\u0000') || hasNul((value as Record<string, unknown>)[k], depth + 1)) return true;
  }
  return false;
}

/** Text with a NUL character cannot be stored (PostgreSQL refuses it): a field error, not a crash. */
function nulProblems(value: unknown, path: string, fieldNames: Readonly<Record<string, string>>, depth = 0): Problem[] {
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? [
          {
            code: 'schema.nul',
            path,
            message: `Поле ${fieldLabel(path, fieldNames)} содержит недопустимый символ (NUL)`,
          },
        ]
      : [];
  }
  if (depth > 64 || value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => [
    ...(typeof k === 'string' && k.includes('\u0000')
      ? [
          {
            code: 'schema.nul',
            path: joinPath(path, k.split('\u0000').join('')),
            message: 'Имя поля содержит недопустимый символ (NUL)',
          },
        ]
      : []),
    ...nulProblems(v, joinPath(path, k), fieldNames, depth + 1),
  ]);
}

function toProblem(e: ErrorObject, fieldNames: Readonly<Record<string, string>>): Problem {
  const base = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const path =
    e.keyword === 'required'
      ? joinPath(base, String(params.missingProperty))
      : e.keyword === 'additionalProperties'
        ? joinPath(base, String(params.additionalProperty))
        : base;
  const label = fieldLabel(path, fieldNames);
  return { code: `schema.${e.keyword}`, path, message: schemaMessage(e, label) };
}

function schemaMessage(e: ErrorObject, label: string): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `Не заполнено обязательное поле: ${label}`;
    case 'additionalProperties':
      return `Лишнее поле: ${label}`;
    case 'type':
      return `Поле ${label} должно иметь тип «${typeRu(String(p.type))}»`;
    case 'enum':
      return `Поле ${label}: допустимые значения — ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `Поле ${label} должно иметь значение ${String(p.allowedValue)}`;
    case 'format':
      return `Поле ${label} имеет неверный формат (${formatRu(String(p.format))})`;
    case 'pattern':
      return `Поле ${label} имеет неверный формат`;
    case 'minLength':
      return Number(p.limit) === 1 ? `Не заполнено поле: ${label}` : `Поле ${label} короче ${String(p.limit)} символов`;
    case 'maxLength':
      return `Поле ${label} длиннее ${String(p.limit)} символов`;
    case 'minItems':
      return `В поле ${label} должно быть не меньше ${String(p.limit)} элементов`;
    case 'maxItems':
      return `В поле ${label} должно быть не больше ${String(p.limit)} элементов`;
    case 'minimum':
      return `Поле ${label} должно быть не меньше ${String(p.limit)}`;
    case 'maximum':
      return `Поле ${label} должно быть не больше ${String(p.limit)}`;
    case 'anyOf':
    case 'oneOf':
      return `Поле ${label} не соответствует ни одному из допустимых вариантов`;
    default:
      return `Поле ${label} заполнено неверно`;
  }
}

function typeRu(t: string): string {
  return (
    (
      {
        string: 'строка',
        number: 'число',
        integer: 'целое число',
        boolean: 'да/нет',
        object: 'объект',
        array: 'список',
        null: 'пусто',
      } as Record<string, string>
    )[t] ?? t
  );
}

function formatRu(f: string): string {
  return (
    (
      {
        date: 'ГГГГ-ММ-ДД',
        'date-time': 'дата и время ISO 8601',
        email: 'адрес электронной почты',
        uri: 'URI',
      } as Record<string, string>
    )[f] ?? f
  );
}

/** Russian label of a path: exact match, then the same path without indexes, else the path itself. */
export function fieldLabel(path: string, fieldNames: Readonly<Record<string, string>>): string {
  const generic = path.replace(/\[\d+\]/g, '[]');
  const name = fieldNames[path] ?? fieldNames[generic];
  return name ? `«${name}» (${path || 'документ'})` : `«${path || 'документ'}»`;
}

/** JSON pointer `/items/2/period` → `items[2].period`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  const segs = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return joinPath(...segs.map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.code}|${p.path}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
