// Search terms for debtors, executive documents and request numbers. The node
// stores only keyed hashes of these terms (blind index), so received personal
// data stays encrypted and is still findable by name (Cyrillic or Latin
// spelling, names.ts) or number.
import { normalizeName } from './names.js';
import { normalizeId } from './national-ids.js';
import type { ExecutiveDocument, Person } from './request.js';

const compact = (v: string): string => v.toUpperCase().replace(/[\s\-‐–—_.,/\\№#]+/g, '');

/** Terms of a person: each name part, the full name, every national id. */
export function personTerms(p: Person | undefined): string[] {
  if (!p) return [];
  const names =
    p.type === 'individual'
      ? [[p.surname, p.name, p.patronymic].filter(Boolean).join(' '), p.latinName ?? '']
      : [p.name ?? ''];
  const terms = new Set<string>();
  for (const n of names) {
    const key = normalizeName(n);
    if (!key) continue;
    terms.add(`name:${key}`);
    for (const part of key.split(' ')) if (part.length >= 2) terms.add(`np:${part}`);
  }
  for (const id of p.ids ?? []) terms.add(`id:${normalizeId(id.value)}`);
  return [...terms];
}

export function documentTerms(docs: readonly (ExecutiveDocument | undefined)[]): string[] {
  return docs.flatMap((d) => (d?.number ? [`doc:${compact(d.number)}`] : []));
}

export function numberTerm(number: string): string {
  return `num:${compact(number)}`;
}

/**
 * What a search box query means: a number (national id, executive document or
 * request number: any of them) or a name (every part must match).
 */
export function queryTerms(query: string): { any: string[] } | { all: string[] } {
  const q = query.trim();
  if (/\d/.test(q) && !/\s[А-ЯЁа-яёA-Za-z]{2,}/.test(q)) {
    return { any: [`id:${normalizeId(q)}`, `doc:${compact(q)}`, numberTerm(q)] };
  }
  const key = normalizeName(q);
  return {
    all: key
      ? key
          .split(' ')
          .filter((p) => p.length >= 2)
          .map((p) => `np:${p}`)
      : [],
  };
}
