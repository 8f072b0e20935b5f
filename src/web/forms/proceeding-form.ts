// The new-proceeding form as the create-proceeding use case's input (pure; the use case validates it, R11.1).

import { one, opt, type Form } from '../kit.js';

export function formToProceeding(f: Form): Record<string, unknown> {
  const person = (who: string, withBirth: boolean) => ({
    type: 'individual',
    surname: one(f[`${who}Surname`]),
    name: one(f[`${who}Name`]),
    ...(opt(f[`${who}Patronymic`]) ? { patronymic: one(f[`${who}Patronymic`]) } : {}),
    address: one(f[`${who}Address`]),
    ...(withBirth && opt(f.debtorBirthDate) ? { birthDate: one(f.debtorBirthDate) } : {}),
    ...(withBirth && opt(f.debtorBirthPlace) ? { birthPlace: one(f.debtorBirthPlace) } : {}),
    ...(withBirth && opt(f.debtorIdValue)
      ? {
          ids: [
            {
              country: one(f.debtorIdKind).split(/\s+/)[0]?.toUpperCase() ?? '',
              kind: one(f.debtorIdKind).split(/\s+/)[1]?.toUpperCase() ?? '',
              value: one(f.debtorIdValue),
            },
          ],
        }
      : {}),
  });
  return {
    number: one(f.number),
    openedOn: one(f.openedOn),
    debtor: person('debtor', true),
    creditor: person('creditor', false),
    executiveDocuments: [
      {
        title: one(f.docTitle),
        number: one(f.docNumber),
        date: one(f.docDate),
        issuer: { kind: one(f.issuerKind), name: one(f.issuerName) },
        operativePart: one(f.operativePart),
      },
    ],
  };
}
