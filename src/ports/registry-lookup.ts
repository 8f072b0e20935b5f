// The port to a Party's domestic registries (issue 17 item 2): "what does this
// registry know about this debtor, for this kind of information". Adapters:
// the generic HTTP JSON connector and the demo registries
// (src/adapters/registries). The app hands over only what identifies the
// debtor and the purpose (R9.1), never the whole request.
import type { ItemKind } from '../domain/request.js';
import type { LookupFailure, LookupKind, Period } from '../domain/registry-lookups.js';

/** What identifies the debtor in a registry: names, birth date and national ids; no address, no case facts. */
export type DebtorQuery =
  | {
      readonly type: 'individual';
      readonly surname?: string;
      readonly name?: string;
      readonly patronymic?: string;
      readonly latinName?: string;
      readonly birthDate?: string;
      readonly ids: readonly { readonly country: string; readonly kind: string; readonly value: string }[];
    }
  | {
      readonly type: 'legal_entity';
      readonly name?: string;
      readonly ids: readonly { readonly country: string; readonly kind: string; readonly value: string }[];
    };

export interface RegistryQuery {
  readonly kind: LookupKind;
  readonly debtor: DebtorQuery;
  /** R7.c: the period income is asked for. */
  readonly period?: Period;
  /** R9.1: why the registry is asked — the request, its item and the Agreement's provisions. */
  readonly purpose: {
    readonly requestNumber: string;
    readonly requestingParty: string;
    readonly itemNo: number;
    readonly provisions: readonly string[];
  };
}

/** A registry's answer: rows in the answer's shape (AnswerDataSchema of the kind), nothing, or a failure. */
export type RegistryAnswer =
  | { readonly status: 'found'; readonly rows: readonly unknown[] }
  | { readonly status: 'not_found' }
  | { readonly status: 'failed'; readonly failure: LookupFailure; readonly detail: string };

export interface RegistryLookup {
  /** The registry's name for people, shown as the source of the drafted data («Реестр банковских счетов»). */
  readonly title: string;
  /** Never throws: every failure is an answer with its code (the officer then answers by hand). */
  lookup(q: RegistryQuery, signal?: AbortSignal): Promise<RegistryAnswer>;
}

/** The node's connectors as configured (registries.json in the node home). */
export interface RegistryConnectors {
  /** The registry answering a kind, or null when none is connected (the officer answers that part). */
  forKind(kind: LookupKind): RegistryLookup | null;
  /** Item kinds an administrator allowed to be answered without the officer's review (default: none). */
  readonly autoSend: readonly ItemKind[];
}
