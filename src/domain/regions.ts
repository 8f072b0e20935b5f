// R18: which territorial body is competent for a debtor, from the debtor's address. Each Party's regions are
// kept as data (data/regions/<CC>.json): a region's name as people write it, its spelling variants (Russian,
// the state language, Latin, old names) and the territorial body that serves it. Pure: the table is given.
import Type, { type Static } from 'typebox';
import { EixError } from './errors.js';
import { checkSchema } from './problems.js';

export const RegionSchema = Type.Object(
  {
    /** As people read it on the page: «г. Алматы», «Алматинская область». */
    name: Type.String({ minLength: 1, maxLength: 200 }),
    /** A city (of republican significance) is more specific than a region around it. */
    kind: Type.Union([Type.Literal('city'), Type.Literal('region')]),
    /** The territorial body that serves the region (a body id of the Party's designation list, R18). */
    body: Type.String({ minLength: 1, maxLength: 100 }),
    /** How the region is written in addresses: whole words, any case, «ё» as «е», hyphens as spaces. */
    variants: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const RegionTableSchema = Type.Object(
  {
    party: Type.String({ pattern: '^[A-Z]{2}$' }),
    regions: Type.Array(RegionSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type Region = Static<typeof RegionSchema>;
export type RegionTable = Static<typeof RegionTableSchema>;

/** A region table, checked (a broken data file is an error, not an empty suggestion). */
export function parseRegionTable(input: unknown): RegionTable {
  const problems = checkSchema(RegionTableSchema, input);
  if (problems.length > 0)
    throw new EixError(
      'input.invalid',
      { field: problems[0]!.path, problems },
      `Таблица регионов не соответствует схеме: ${problems[0]!.message}`,
    );
  const table = input as RegionTable;
  for (const r of table.regions)
    if (r.variants.every((v) => words(v).length === 0))
      throw new EixError('input.invalid', { field: 'variants' }, `Регион «${r.name}»: варианты написания без слов`);
  return table;
}

// Letters of the state languages folded to their Russian look-alikes, so «Алматы қаласы» and «Алматы каласы» match.
const FOLD: Readonly<Record<string, string>> = {
  ё: 'е',
  қ: 'к',
  ә: 'а',
  ң: 'н',
  ғ: 'г',
  ү: 'у',
  ұ: 'у',
  ө: 'о',
  һ: 'х',
  і: 'и',
  ў: 'у',
};

/** The words of an address or variant: lower case, folded letters, punctuation and hyphens as spaces. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFC')
    .replace(/[ёқәңғүұөһіў]/g, (c) => FOLD[c] ?? c)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export interface RegionMatch {
  readonly region: Region;
  /** Where in the address (word index) the region was named. */
  readonly at: number;
}

/**
 * The regions an address names, the most specific first: a variant matches as whole words in sequence; where
 * variants overlap the longer wins («Алматы облысы» is the region, not the city of «Алматы»); a city comes before
 * a region, then by position in the address. Empty when nothing matches (no guess).
 */
export function matchRegions(table: RegionTable, address: string | null | undefined): RegionMatch[] {
  const text = words(address ?? '');
  if (text.length === 0) return [];
  const hits: { region: Region; at: number; len: number }[] = [];
  for (const region of table.regions)
    for (const v of region.variants) {
      const w = words(v);
      for (let i = 0; i + w.length <= text.length; i++)
        if (w.every((x, j) => text[i + j] === x)) hits.push({ region, at: i, len: w.length });
    }
  // Longest first; a shorter hit inside a longer one's words is dropped.
  hits.sort((a, b) => b.len - a.len || a.at - b.at);
  const taken: { at: number; len: number }[] = [];
  const kept: RegionMatch[] = [];
  for (const h of hits) {
    if (taken.some((t) => h.at < t.at + t.len && t.at < h.at + h.len)) continue;
    taken.push(h);
    if (!kept.some((k) => k.region === h.region)) kept.push({ region: h.region, at: h.at });
  }
  const rank = (m: RegionMatch) => (m.region.kind === 'city' ? 0 : 1);
  return kept.sort((a, b) => rank(a) - rank(b) || a.at - b.at);
}

/** The region an address names (the most specific), or null. */
export function regionOf(table: RegionTable, address: string | null | undefined): Region | null {
  return matchRegions(table, address)[0]?.region ?? null;
}
