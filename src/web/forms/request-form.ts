// The request wizard's form as the draft use case's input, the way back from a
// draft (editing it), and its problems placed next to the fields (pure). The
// items come from the one table of item kinds (request-items.ts).
import type { Problem } from '../../domain/problems.js';
import type { ExecutiveDocument, Item, ItemKind, Request } from '../../domain/request.js';

import { one, opt, type Form } from '../kit.js';
import { cleanMessage } from './messages.js';
import { ITEM_ORDER, ITEM_TABLE, fieldName, formToItems, itemFieldOf, itemToForm } from './request-items.js';

/** The value of the destination select: Party, body id and name. */
export const bodyValue = (b: { party?: string; id?: string; name?: string }): string =>
  `${b.party ?? ''}|${b.id ?? ''}|${b.name ?? ''}`;

/** The wizard's form as the draft use case's input (items in the table's order). */
export function formToDraft(f: Form): Record<string, unknown> {
  const [party, id, ...name] = one(f.requestedBody).split('|');
  return {
    proceedingId: one(f.proceedingId),
    requestedBody: {
      ...(party ? { party } : {}),
      ...(id ? { id } : {}),
      ...(name.length && name.join('|') ? { name: name.join('|') } : {}),
    },
    items: formToItems(f),
    ...(opt(f.grounds) ? { grounds: one(f.grounds) } : {}),
    ...(opt(f.otherInfo) ? { otherInfo: one(f.otherInfo) } : {}),
    ...(opt(f.shorterTerm) ? { shorterTerm: one(f.shorterTerm) } : {}),
    ...(opt(f.executiveDocumentIndex) ? { executiveDocumentIndex: Number(one(f.executiveDocumentIndex)) } : {}),
    confidential: Boolean(one(f.confidential)),
  };
}

/** A draft back as the wizard's form (its executive document found among the proceeding's). */
export function draftToForm(doc: Request, proceedingDocs: readonly ExecutiveDocument[] = []): Form {
  const index = proceedingDocs.findIndex(
    (d) => d.number === doc.executiveDocument?.number && d.date === doc.executiveDocument?.date,
  );
  return Object.assign(
    {
      requestedBody: doc.requestedBody ? bodyValue(doc.requestedBody) : '',
      ...(doc.grounds ? { grounds: doc.grounds } : {}),
      ...(doc.otherInfo ? { otherInfo: doc.otherInfo } : {}),
      ...(doc.shorterTerm ? { shorterTerm: doc.shorterTerm } : {}),
      ...(doc.confidential ? { confidential: '1' } : {}),
      ...(index > 0 ? { executiveDocumentIndex: String(index) } : {}),
    } as Form,
    ...(doc.items ?? []).map(itemToForm),
  );
}

/** The ids of the wizard's error slots (each one next to its field). */
export const WIZARD_ERROR_IDS: readonly string[] = [
  'err-requestedBody',
  'err-executiveDocumentIndex',
  'err-items',
  'err-grounds',
  'err-otherInfo',
  'err-shorterTerm',
  'err-confidential',
  'err-proceeding',
  ...ITEM_ORDER.flatMap((k) => [`err-item-${k}`, ...ITEM_TABLE[k].fields.map((f) => `err-${fieldName(k, f)}`)]),
];

const TOP_LEVEL: Readonly<Record<string, string>> = {
  requestedBody: 'err-requestedBody',
  executiveDocumentIndex: 'err-executiveDocumentIndex',
  items: 'err-items',
  grounds: 'err-grounds',
  otherInfo: 'err-otherInfo',
  shorterTerm: 'err-shorterTerm',
  confidential: 'err-confidential',
};

/** The error slot of a problem: a field of an item, the item, a field of the request, or the proceeding's data. */
export function errorSlotOf(items: readonly Pick<Item, 'kind'>[], path: string): string {
  const m = /^items\[(\d+)\]\.?(.*)$/.exec(path);
  if (m) {
    const kind = items[Number(m[1])]?.kind as ItemKind | undefined;
    if (!kind || !(kind in ITEM_TABLE)) return 'err-items';
    const field = itemFieldOf(kind, m[2] ?? '');
    return field ? `err-${fieldName(kind, field)}` : `err-item-${kind}`;
  }
  const head = /^[A-Za-z]+/.exec(path)?.[0] ?? '';
  // The debtor, the creditor, the executive document and the bodies come from the proceeding and the node.
  return TOP_LEVEL[head] ?? (head === '' ? 'err-items' : 'err-proceeding');
}

/**
 * Puts every problem next to its field: every slot of the wizard with its
 * messages joined ('' for a slot without problems, so a live check clears it).
 */
export function fieldErrors(items: readonly Pick<Item, 'kind'>[], problems: readonly Problem[]): [string, string][] {
  const bySlot = new Map<string, string[]>(WIZARD_ERROR_IDS.map((id) => [id, []]));
  for (const p of problems) bySlot.get(errorSlotOf(items, p.path))?.push(cleanMessage(p.message));
  return [...bySlot.entries()].map(([id, msgs]) => [id, msgs.join('; ')]);
}
