// The request wizard's form as the draft use case's input, and its problems placed next to the fields (pure).
import type { Problem } from '../../domain/problems.js';
import type { Request } from '../../domain/request.js';

import { one, opt, type Form } from '../kit.js';

/** The wizard's form as the draft use case's input (items in a fixed order). */
export function formToDraft(f: Form): Record<string, unknown> {
  const items: Record<string, unknown>[] = [];
  if (one(f.item_proceedings)) items.push({ kind: 'proceedings', results: ['collected', 'arrested', 'for_sale'] });
  if (one(f.item_property))
    items.push({ kind: 'property', subItems: ['a', 'b', 'c', 'd', 'e'].filter((k) => one(f[`sub_${k}`])) });
  if (one(f.item_income)) {
    items.push({
      kind: 'employment_income',
      workplace: Boolean(one(f.income_workplace)),
      income: Boolean(one(f.income_income)),
      ...(one(f.income_income)
        ? {
            period: {
              ...(opt(f.income_from) ? { from: one(f.income_from) } : {}),
              ...(opt(f.income_to) ? { to: one(f.income_to) } : {}),
            },
          }
        : {}),
    });
  }
  if (one(f.item_location)) items.push({ kind: 'location', target: 'debtor' });
  if (one(f.item_clarification))
    items.push({
      kind: 'clarification',
      party: 'debtor',
      questions: one(f.clarification_questions)
        .split('\n')
        .map((q) => q.trim())
        .filter(Boolean),
    });
  if (one(f.item_other))
    items.push({ kind: 'other', ...(opt(f.other_description) ? { description: one(f.other_description) } : {}) });
  const [party, id, ...name] = one(f.requestedBody).split('|');
  return {
    proceedingId: one(f.proceedingId),
    requestedBody: {
      ...(party ? { party } : {}),
      ...(id ? { id } : {}),
      ...(name.length ? { name: name.join('|') } : {}),
    },
    items,
    ...(opt(f.grounds) ? { grounds: one(f.grounds) } : {}),
    ...(opt(f.otherInfo) ? { otherInfo: one(f.otherInfo) } : {}),
    ...(opt(f.shorterTerm) ? { shorterTerm: one(f.shorterTerm) } : {}),
    ...(opt(f.executiveDocumentIndex) ? { executiveDocumentIndex: Number(one(f.executiveDocumentIndex)) } : {}),
    confidential: Boolean(one(f.confidential)),
  };
}

const FIELD_IDS = [
  'err-requestedBody',
  'err-items',
  'err-grounds',
  'err-shorterTerm',
  ...['property', 'employment_income', 'clarification', 'other'].map((k) => `err-item-${k}`),
];

/** Puts every problem next to its field (htmx out-of-band swaps); fields without problems are cleared. */
export function fieldErrors(doc: Request | null, problems: readonly Problem[]): [string, string][] {
  const byId = new Map<string, string[]>(FIELD_IDS.map((id) => [id, []]));
  for (const p of problems) {
    const item = /^items\[(\d+)\]/.exec(p.path);
    const id = item
      ? `err-item-${doc?.items?.[Number(item[1])]?.kind ?? ''}`
      : p.path.startsWith('requestedBody')
        ? 'err-requestedBody'
        : p.path === 'items'
          ? 'err-items'
          : p.path === 'grounds'
            ? 'err-grounds'
            : p.path === 'shorterTerm'
              ? 'err-shorterTerm'
              : null;
    if (id && byId.has(id)) byId.get(id)!.push(p.message);
  }
  return [...byId.entries()].map(([id, msgs]) => [id, msgs.join('; ')]);
}
