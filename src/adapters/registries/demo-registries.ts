// The demo registries (issue 17 item 2): a Party's "domestic registries" as
// one seeded file, data/registries/demo-<cc>.json, for `npm run demo` and the
// tests. A person is found as a real registry would find him: by a national
// id, or by the full name in either spelling (names.ts) with the date of birth;
// a legal entity by an id or its name. Income is given for the period asked
// (R7.c). The file is checked when the node starts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Type from 'typebox';
import { EixError } from '../../domain/errors.js';
import { namesMatch } from '../../domain/names.js';
import { normalizeId } from '../../domain/national-ids.js';
import { checkSchema } from '../../domain/problems.js';
import { LOOKUP_KINDS, rowSchemaOf, SINGLE_ROW_KINDS, type LookupKind } from '../../domain/registry-lookups.js';
import type { DebtorQuery, RegistryLookup, RegistryQuery } from '../../ports/registry-lookup.js';

const Id = Type.Object(
  { country: Type.String(), kind: Type.String(), value: Type.String() },
  { additionalProperties: false },
);

const DemoFile = Type.Object({
  comment: Type.Optional(Type.String()),
  party: Type.String({ pattern: '^[A-Z]{2}$' }),
  titles: Type.Object(Object.fromEntries(LOOKUP_KINDS.map((k) => [k, Type.String({ minLength: 1 })]))),
  persons: Type.Array(
    Type.Object({
      match: Type.Object({
        type: Type.Union([Type.Literal('individual'), Type.Literal('legal_entity')]),
        surname: Type.Optional(Type.String()),
        name: Type.Optional(Type.String()),
        patronymic: Type.Optional(Type.String()),
        latinName: Type.Optional(Type.String()),
        birthDate: Type.Optional(Type.String({ format: 'date' })),
        ids: Type.Optional(Type.Array(Id)),
      }),
    }),
  ),
});

type Person = Type.Static<typeof DemoFile>['persons'][number] & Partial<Record<LookupKind, unknown>>;
type Match = Person['match'];

export interface DemoDataset {
  readonly party: string;
  readonly titles: Readonly<Record<LookupKind, string>>;
  readonly persons: readonly Person[];
}

/** Reads and checks data/registries/demo-<cc>.json: every record must fit the answer's schema of its kind. */
export async function loadDemoDataset(dataDir: string, party: string): Promise<DemoDataset> {
  const file = path.join(dataDir, 'registries', `demo-${party.toLowerCase()}.json`);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new EixError(
      'input.file',
      { field: 'dataset', file },
      `Демонстрационные реестры ${file}: ${(e as Error).message}`,
    );
  }
  const problems = checkSchema(DemoFile, value);
  const data = value as DemoDataset;
  if (!problems.length)
    data.persons.forEach((p, i) => {
      for (const k of LOOKUP_KINDS) {
        const v = p[k];
        if (v === undefined) continue;
        const rows = SINGLE_ROW_KINDS.includes(k) ? [v] : Array.isArray(v) ? v : [null];
        rows.forEach((r, j) =>
          problems.push(
            ...checkSchema(rowSchemaOf(k), r).map((x) => ({
              ...x,
              path: `persons[${i}].${k}${SINGLE_ROW_KINDS.includes(k) ? '' : `[${j}]`}${x.path ? `.${x.path}` : ''}`,
            })),
          ),
        );
      }
    });
  if (problems.length)
    throw new EixError(
      'input.file',
      { field: problems[0]!.path, file },
      `Демонстрационные реестры ${file}: поле ${problems[0]!.path}: ${problems[0]!.message}`,
    );
  return data;
}

const fullName = (p: { surname?: string; name?: string; patronymic?: string }) =>
  [p.surname, p.name, p.patronymic].filter(Boolean).join(' ');

function matches(m: Match, d: DebtorQuery): boolean {
  if (m.type !== d.type) return false;
  const ids = new Set((m.ids ?? []).map((i) => `${i.country}:${normalizeId(i.value)}`));
  if (d.ids.some((i) => ids.has(`${i.country}:${normalizeId(i.value)}`))) return true;
  if (d.type === 'legal_entity') return Boolean(d.name && m.name && namesMatch(d.name, m.name).score === 1);
  if (!d.birthDate || d.birthDate !== m.birthDate) return false;
  const ours = [fullName(m), m.latinName ?? ''].filter(Boolean);
  const theirs = [fullName(d), d.latinName ?? ''].filter(Boolean);
  return ours.some((a) => theirs.some((b) => namesMatch(a, b).match));
}

/** R7.c: an income row counts when it overlaps the period asked. */
function inPeriod(row: unknown, period: RegistryQuery['period']): boolean {
  const r = row as { from?: string; to?: string };
  if (!period || !r.from || !r.to) return true;
  return (!period.from || r.to >= period.from) && (!period.to || r.from <= period.to);
}

/** One kind's registry of the dataset, as the port sees it. */
export function demoRegistry(data: DemoDataset, kind: LookupKind): RegistryLookup {
  return {
    title: data.titles[kind],
    lookup(q) {
      const found = data.persons.filter((p) => matches(p.match, q.debtor));
      const rows = found.flatMap((p) => {
        const v = p[q.kind];
        if (v === undefined) return [];
        const list = Array.isArray(v) ? v : [v];
        return q.kind === 'income' ? list.filter((r) => inPeriod(r, q.period)) : list;
      });
      return Promise.resolve(rows.length ? { status: 'found', rows: structuredClone(rows) } : { status: 'not_found' });
    },
  };
}
