// What kind of person a debtor or creditor is (R11.1.c). The Agreement knows
// natural and legal persons only: an individual entrepreneur is an individual
// in law, told apart by the entrepreneur's registration number among its ids
// (e.g. RU ОГРНИП; national-ids.ts, subject 'entrepreneur').
import { idSubject } from './national-ids.js';
import type { Person } from './request.js';

export const PERSON_KINDS = ['individual', 'entrepreneur', 'legal_entity'] as const;
export type PersonKind = (typeof PERSON_KINDS)[number];

/** True when the identifier kind is an entrepreneur's registration number (unknown kinds are not). */
export function isEntrepreneurId(id: { country: string; kind: string }): boolean {
  try {
    return idSubject(id.country, id.kind) === 'entrepreneur';
  } catch {
    return false;
  }
}

export function personKind(p: Person): PersonKind {
  if (p.type === 'legal_entity') return 'legal_entity';
  return (p.ids ?? []).some(isEntrepreneurId) ? 'entrepreneur' : 'individual';
}
