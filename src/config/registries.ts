// The node's registry connectors (issue 17 item 2): `registries.json` in the
// node home, read once at start and checked whole — a mistake refuses the start
// with a message naming the field (`lookups.accounts.mapping.fields.number`).
// No file: no connector, every request is answered by hand.
//
//   {
//     "lookups": {
//       "accounts": { "connector": "http-json", "title": "Реестр банковских счетов",
//                     "url": "https://…", "auth": { "type": "bearer", "tokenFile": "keys/registries/banks.token" },
//                     "timeoutMs": 5000, "retries": 2, "backoffMs": 500,
//                     "breaker": { "failures": 5, "openSeconds": 60 },
//                     "mapping": { "records": "/accounts",
//                                  "fields": { "bank": "/bankName", "number": "/iban",
//                                              "balance.value": "/balance", "balance.currency": { "value": "KZT" } } } },
//       "addresses": { "connector": "demo", "dataset": "KZ" }
//     },
//     "autoSend": ["location"]
//   }
//
// Secrets never sit in the file: `tokenFile`, `passwordFile`, `valueFile` name
// files (relative to the node home) holding them. docs/OPERATIONS.md describes
// the format.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Type, { type TSchema } from 'typebox';
import { EixError } from '../domain/errors.js';
import { checkSchema, joinPath, type Problem } from '../domain/problems.js';
import { answerFieldsOf, isLookupKind, LOOKUP_KINDS, type LookupKind } from '../domain/registry-lookups.js';
import { ITEM_KINDS, type ItemKind } from '../domain/request.js';

export const REGISTRIES_FILE = 'registries.json';

/** Where a value of a mapped field comes from: a JSON Pointer (RFC 6901) into a record, or a constant. */
export type FieldSource = string | { readonly value: string | number };

export interface ResponseMapping {
  /** JSON Pointer to the records in the registry's answer: an array, or one object; "" is the answer itself. */
  readonly records: string;
  /** Answer field (`bank`, `balance.value`) → where its value is in one record. */
  readonly fields: Readonly<Record<string, FieldSource>>;
}

export interface HttpJsonLookup {
  readonly connector: 'http-json';
  readonly title: string;
  readonly url: string;
  /** The header carrying the credentials, its value read from the secret's file. */
  readonly auth: { readonly header: string; readonly value: string } | null;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  readonly breaker: { readonly failures: number; readonly openMs: number };
  /** Statuses that mean "the registry knows nothing of this debtor" (404 by default). */
  readonly notFoundStatus: readonly number[];
  readonly mapping: ResponseMapping;
}

export interface DemoLookup {
  readonly connector: 'demo';
  /** The Party whose demo registries answer (data/registries/demo-<cc>.json). */
  readonly dataset: string;
}

export type LookupConfig = HttpJsonLookup | DemoLookup;

export interface RegistriesConfig {
  readonly lookups: Readonly<Partial<Record<LookupKind, LookupConfig>>>;
  readonly autoSend: readonly ItemKind[];
}

const Top = Type.Object(
  {
    lookups: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    autoSend: Type.Optional(
      Type.Array(Type.Union(ITEM_KINDS.map((k) => Type.Literal(k))), { maxItems: ITEM_KINDS.length }),
    ),
  },
  { additionalProperties: false },
);

const Auth = {
  bearer: Type.Object(
    { type: Type.Literal('bearer'), tokenFile: Type.String({ minLength: 1 }) },
    { additionalProperties: false },
  ),
  basic: Type.Object(
    {
      type: Type.Literal('basic'),
      username: Type.String({ minLength: 1, pattern: '^[^:]+$' }),
      passwordFile: Type.String({ minLength: 1 }),
    },
    { additionalProperties: false },
  ),
  header: Type.Object(
    {
      type: Type.Literal('header'),
      name: Type.String({ pattern: '^[A-Za-z0-9-]{1,100}$' }),
      valueFile: Type.String({ minLength: 1 }),
    },
    { additionalProperties: false },
  ),
} as const;

const HttpJson = Type.Object(
  {
    connector: Type.Literal('http-json'),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    url: Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2000 }),
    auth: Type.Optional(Type.Object({ type: Type.String() })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 120_000 })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
    backoffMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    breaker: Type.Optional(
      Type.Object(
        {
          failures: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          openSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
        },
        { additionalProperties: false },
      ),
    ),
    notFoundStatus: Type.Optional(Type.Array(Type.Integer({ minimum: 400, maximum: 499 }), { maxItems: 10 })),
    mapping: Type.Object(
      {
        records: Type.String({ maxLength: 500 }),
        fields: Type.Record(Type.String(), Type.Unknown()),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const Demo = Type.Object(
  { connector: Type.Literal('demo'), dataset: Type.String({ pattern: '^[A-Z]{2}$' }) },
  { additionalProperties: false },
);

const POINTER = /^(\/([^~]|~[01])*)*$/;

/** The file's problems, each naming its field; nothing is partly accepted. */
function fail(file: string, problems: readonly Problem[]): never {
  const first = problems[0]!;
  throw new EixError(
    'input.invalid',
    { field: first.path, file, problems },
    `Файл ${file}: ${first.path ? `поле ${first.path}: ` : ''}${first.message}`,
  );
}

const problem = (p: string, message: string): Problem => ({ code: 'registries.config', path: p, message });

function check(schema: TSchema, value: unknown, at: string): Problem[] {
  return checkSchema(schema, value).map((p) => ({ ...p, path: joinPath(at, p.path) }));
}

/** The mapping's fields against the answer's fields of the kind: known names, required ones present, sources well formed. */
function mappingProblems(kind: LookupKind, mapping: ResponseMapping, at: string): Problem[] {
  const out: Problem[] = [];
  if (!POINTER.test(mapping.records))
    out.push(problem(`${at}.records`, 'указатель JSON (RFC 6901) должен быть пустым или начинаться с «/»'));
  const known = answerFieldsOf(kind);
  const names = known.map((f) => f.path);
  for (const [field, source] of Object.entries(mapping.fields)) {
    const where = `${at}.fields.${field}`;
    if (!names.includes(field)) {
      out.push(problem(where, `в ответе о «${kind}» нет такого поля; допустимы: ${names.join(', ')}`));
      continue;
    }
    const ok =
      (typeof source === 'string' && source !== '' && POINTER.test(source)) ||
      (typeof source === 'object' &&
        source !== null &&
        !Array.isArray(source) &&
        Object.keys(source).length === 1 &&
        (typeof (source as { value?: unknown }).value === 'string' ||
          typeof (source as { value?: unknown }).value === 'number'));
    if (!ok)
      out.push(
        problem(where, 'укажите указатель JSON на значение в записи («/iban») или постоянное значение { "value": … }'),
      );
  }
  const mapped = new Set(Object.keys(mapping.fields));
  const groups = new Set(known.filter((f) => f.group && mapped.has(f.path)).map((f) => f.group));
  for (const f of known)
    if (f.required && !mapped.has(f.path) && (f.group === null || groups.has(f.group)))
      out.push(problem(`${at}.fields.${f.path}`, `обязательное поле ответа о «${kind}» не сопоставлено`));
  return out;
}

async function readSecret(home: string, file: string, field: string, cfgFile: string): Promise<string> {
  const full = path.resolve(home, file);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch {
    return fail(cfgFile, [problem(field, `не удалось прочитать файл ${full}`)]);
  }
  const value = text.trim();
  if (!value || /[\r\n]/.test(value))
    return fail(cfgFile, [problem(field, `файл ${full} должен содержать одну строку`)]);
  return value;
}

async function httpJsonOf(
  kind: LookupKind,
  raw: Record<string, unknown>,
  at: string,
  home: string,
  file: string,
): Promise<HttpJsonLookup> {
  const shape = check(HttpJson, raw, at);
  if (shape.length) fail(file, shape);
  const v = raw as Type.Static<typeof HttpJson>;
  const mapping = v.mapping as ResponseMapping;
  const mp = mappingProblems(kind, mapping, `${at}.mapping`);
  if (mp.length) fail(file, mp);
  let auth: HttpJsonLookup['auth'] = null;
  if (v.auth) {
    const type = v.auth.type;
    if (type !== 'bearer' && type !== 'basic' && type !== 'header')
      fail(file, [problem(`${at}.auth.type`, 'допустимы bearer, basic и header')]);
    const ap = check(Auth[type], v.auth, `${at}.auth`);
    if (ap.length) fail(file, ap);
    const a = v.auth as unknown as Record<string, string>;
    if (type === 'bearer')
      auth = {
        header: 'authorization',
        value: `Bearer ${await readSecret(home, a.tokenFile!, `${at}.auth.tokenFile`, file)}`,
      };
    else if (type === 'basic') {
      const password = await readSecret(home, a.passwordFile!, `${at}.auth.passwordFile`, file);
      auth = {
        header: 'authorization',
        value: `Basic ${Buffer.from(`${a.username}:${password}`, 'utf8').toString('base64')}`,
      };
    } else
      auth = {
        header: a.name!.toLowerCase(),
        value: await readSecret(home, a.valueFile!, `${at}.auth.valueFile`, file),
      };
  }
  return {
    connector: 'http-json',
    title: v.title,
    url: v.url,
    auth,
    timeoutMs: v.timeoutMs ?? 5000,
    retries: v.retries ?? 2,
    backoffMs: v.backoffMs ?? 500,
    breaker: { failures: v.breaker?.failures ?? 5, openMs: (v.breaker?.openSeconds ?? 60) * 1000 },
    notFoundStatus: v.notFoundStatus ?? [404],
    mapping,
  };
}

/** Checks a parsed registries.json and reads the secrets it names (relative to `home`). */
export async function parseRegistriesConfig(value: unknown, home: string, file: string): Promise<RegistriesConfig> {
  const top = check(Top, value, '');
  if (top.length) fail(file, top);
  const v = value as Type.Static<typeof Top>;
  const lookups: Partial<Record<LookupKind, LookupConfig>> = {};
  for (const [kind, raw] of Object.entries(v.lookups ?? {})) {
    const at = `lookups.${kind}`;
    if (!isLookupKind(kind))
      fail(file, [problem(at, `неизвестный вид сведений; допустимы: ${LOOKUP_KINDS.join(', ')}`)]);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      fail(file, [problem(at, 'ожидается объект с полем connector')]);
    const connector = (raw as { connector?: unknown }).connector;
    if (connector === 'http-json')
      lookups[kind] = await httpJsonOf(kind, raw as Record<string, unknown>, at, home, file);
    else if (connector === 'demo') {
      const dp = check(Demo, raw, at);
      if (dp.length) fail(file, dp);
      lookups[kind] = raw as DemoLookup;
    } else fail(file, [problem(`${at}.connector`, 'допустимы http-json и demo')]);
  }
  return { lookups, autoSend: [...new Set(v.autoSend ?? [])] };
}

/** registries.json of the node home, checked; null when the node has none (no connector). */
export async function readRegistriesConfig(home: string): Promise<RegistriesConfig | null> {
  const file = path.join(home, REGISTRIES_FILE);
  // Read here, not through the file adapters: config depends on nothing but the domain.
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(file, [problem('', `файл не является корректным JSON (${(e as Error).message})`)]);
  }
  return parseRegistriesConfig(value, home, file);
}
