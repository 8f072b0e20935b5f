// Straight-through answers (issue 17 item 2): what the requested node may ask
// its domestic registries about a received request, and how their answers
// become a draft answer the officer reviews. Pure: no I/O, no clock.
//
// R9.1: information is requested "в той мере, в которой это необходимо" — a
// registry is asked only for what an item of the request asks for (`lookupsOf`):
// a request asking only for accounts never reaches the land registry; income is
// asked for the request's period only (R7.c). The registry's answer is data for
// the officer, never a decision: the draft waits for his review and signature
// unless an administrator allowed automatic sending for the item's kind.
import type { TSchema } from 'typebox';
import { AnswerDataSchema, type AnswerData, type AnswerOutcome } from './answer.js';
import type { Item, ItemKind, PropertySubItem } from './request.js';

/** A period of the request (R7.c), as the request gives it. */
export interface Period {
  readonly from?: string;
  readonly to?: string;
}

/**
 * What a registry is asked for: one group of the answer's structured data (AnswerDataSchema), each the
 * business of one domestic registry (the national enforcement system, banks, the land and vehicle
 * registries, the register of legal entities, employers and tax, the population register).
 */
export const LOOKUP_KINDS = [
  'proceedings',
  'accounts',
  'realEstate',
  'vehicles',
  'shares',
  'employer',
  'income',
  'addresses',
] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

export const isLookupKind = (k: string): k is LookupKind => (LOOKUP_KINDS as readonly string[]).includes(k);

/** Kinds whose answer is one object (the others are lists of rows). */
export const SINGLE_ROW_KINDS: readonly LookupKind[] = ['employer'];

interface JsonSchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchemaNode>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchemaNode;
}

/** The schema of one row of a kind's answer data (an item of its list, or the object itself). */
export function rowSchemaOf(kind: LookupKind): TSchema {
  const node = (AnswerDataSchema as unknown as JsonSchemaNode).properties![kind]!;
  return (node.type === 'array' ? node.items! : node) as unknown as TSchema;
}

/** A field of a row a registry's answer may fill: its dotted path (`balance.value`) and JSON type. */
export interface AnswerField {
  readonly path: string;
  readonly type: 'string' | 'number' | 'integer';
  /** The nested object it belongs to (`balance`), or null for a field of the row itself. */
  readonly group: string | null;
  /** Required in its object: in the row (group null), or whenever its group is given at all. */
  readonly required: boolean;
}

/** The fields of a kind's row, nested objects (amounts) as dotted paths. */
export function answerFieldsOf(kind: LookupKind): AnswerField[] {
  const row = rowSchemaOf(kind) as unknown as JsonSchemaNode;
  return Object.entries(row.properties ?? {}).flatMap(([name, child]): AnswerField[] =>
    child.type === 'object'
      ? Object.entries(child.properties ?? {}).map(([sub, leaf]) => ({
          path: `${name}.${sub}`,
          type: leaf.type as AnswerField['type'],
          group: name,
          required: (child.required ?? []).includes(sub),
        }))
      : [
          {
            path: name,
            type: child.type as AnswerField['type'],
            group: null,
            required: (row.required ?? []).includes(name),
          },
        ],
  );
}

/** Why a lookup brought nothing usable; Russian reasons in vocabulary.ts (LOOKUP_FAILURE_LABELS). */
export const LOOKUP_FAILURES = [
  'timeout',
  'unavailable',
  'garbage',
  'refused',
  'rejected',
  'circuit_open',
  'interrupted',
] as const;
export type LookupFailure = (typeof LOOKUP_FAILURES)[number];

/** One lookup an item needs: the kind and the Agreement's provisions it serves (the purpose, R9.1). */
export interface PlannedLookup {
  readonly kind: LookupKind;
  readonly provisions: readonly string[];
  /** R7.c: income is asked for the request's period only. */
  readonly period?: Period;
}

const SUB_ITEM_KIND: Readonly<Record<PropertySubItem, LookupKind>> = {
  a: 'accounts',
  b: 'realEstate',
  c: 'vehicles',
  d: 'shares',
  e: 'shares',
};

/**
 * R9.1: the lookups one item of a request needs, and nothing more. Property without sub-items asks for
 * property in general (a–d, as the answer form offers); employment without a choice asks for both. The
 * location of a specific property (R8.c), documents, explanations and "other" information are not in a
 * registry's gift: the officer answers them.
 */
export function lookupsOf(item: Item): PlannedLookup[] {
  switch (item.kind) {
    case 'proceedings':
      return [{ kind: 'proceedings', provisions: ['4'] }];
    case 'property': {
      const subs: readonly PropertySubItem[] = item.subItems?.length ? item.subItems : ['a', 'b', 'c', 'd'];
      const byKind = new Map<LookupKind, string[]>();
      for (const s of subs) {
        const k = SUB_ITEM_KIND[s];
        const p = `6.${s}`;
        const list = byKind.get(k) ?? [];
        if (!list.includes(p)) list.push(p);
        byKind.set(k, list);
      }
      return LOOKUP_KINDS.filter((k) => byKind.has(k)).map((k) => ({ kind: k, provisions: byKind.get(k)! }));
    }
    case 'employment_income': {
      const out: PlannedLookup[] = [];
      if (item.workplace || !item.income) out.push({ kind: 'employer', provisions: ['7.a'] });
      if (item.income || !item.workplace)
        out.push({ kind: 'income', provisions: ['7.b'], ...(item.period ? { period: item.period } : {}) });
      return out;
    }
    case 'location':
      return item.target === 'property' ? [] : [{ kind: 'addresses', provisions: ['8'] }];
    case 'documents':
    case 'clarification':
    case 'other':
      return [];
  }
}

/** What one lookup brought: rows (already in the answer's shape), nothing, or a failure. */
export type LookupResult =
  | {
      readonly kind: LookupKind;
      readonly source: string;
      readonly status: 'found';
      readonly rows: readonly Record<string, unknown>[];
    }
  | { readonly kind: LookupKind; readonly source: string; readonly status: 'not_found' }
  | {
      readonly kind: LookupKind;
      readonly source: string;
      readonly status: 'failed';
      readonly failure: LookupFailure;
    };

/** A lookup of an item as the draft keeps it (the page lists the sources per item). */
export interface DraftSource {
  readonly kind: LookupKind;
  readonly source: string;
  readonly status: 'found' | 'not_found' | 'failed';
  readonly failure?: LookupFailure;
  /** Records found. */
  readonly count: number;
}

export interface DraftItem {
  readonly itemNo: number;
  readonly itemKind: ItemKind;
  /** null: nothing was found and some lookup failed — the officer decides. */
  readonly outcome: Extract<AnswerOutcome, 'found' | 'not_found'> | null;
  readonly data?: AnswerData;
  /** Every lookup the item needs was made and answered (found or not found): nothing left to the officer's search. */
  readonly complete: boolean;
  readonly sources: readonly DraftSource[];
}

/**
 * The draft answer of the items that needed lookups: per item, the rows found as its answer data, "found"
 * when any registry knew something, "not found" when every registry asked answered and none did.
 * A lookup kind with no connector (no result) leaves the item incomplete. Items that need no lookup
 * are not in the draft.
 */
export function composeDraft(
  items: readonly { readonly itemNo: number; readonly item: Item }[],
  results: ReadonlyMap<number, readonly LookupResult[]>,
): DraftItem[] {
  const out: DraftItem[] = [];
  for (const { itemNo, item } of items) {
    const planned = lookupsOf(item);
    if (planned.length === 0) continue;
    const got = results.get(itemNo) ?? [];
    const data: Record<string, unknown> = {};
    const sources: DraftSource[] = [];
    for (const r of got) {
      if (r.status === 'found' && r.rows.length > 0) {
        data[r.kind] = SINGLE_ROW_KINDS.includes(r.kind)
          ? r.rows[0]
          : [...((data[r.kind] as unknown[] | undefined) ?? []), ...r.rows];
      }
      sources.push({
        kind: r.kind,
        source: r.source,
        status: r.status === 'found' && r.rows.length === 0 ? 'not_found' : r.status,
        ...(r.status === 'failed' ? { failure: r.failure } : {}),
        count: r.status === 'found' ? r.rows.length : 0,
      });
    }
    if (sources.length === 0) continue;
    const answered = planned.every((p) => got.some((r) => r.kind === p.kind && r.status !== 'failed'));
    const found = Object.keys(data).length > 0;
    out.push({
      itemNo,
      itemKind: item.kind,
      outcome: found ? 'found' : answered ? 'not_found' : null,
      ...(found ? { data: data as AnswerData } : {}),
      complete: answered,
      sources,
    });
  }
  return out;
}

/**
 * The items the node may send on its own: complete, of a kind the administrator allowed for automatic
 * sending, and only when the check on receipt found nothing for the officer to weigh (missing Article 11
 * content, an Article 25 declaration (R13.d) or a reservation such as Kazakhstan's on Article 6(a), R-KZ).
 */
export function autoSendItems(
  draft: readonly DraftItem[],
  allowed: readonly ItemKind[],
  receipt: { readonly problems: number; readonly notices: number },
): number[] {
  if (receipt.problems > 0 || receipt.notices > 0) return [];
  return draft.filter((d) => d.complete && d.outcome !== null && allowed.includes(d.itemKind)).map((d) => d.itemNo);
}
