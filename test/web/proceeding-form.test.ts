// Issue 14, item 5: the new-proceeding form (pure, no database). Debtor and
// creditor as an individual, an individual entrepreneur or a legal entity
// (R11.1.c); the entrepreneur goes over the wire as an individual with the
// entrepreneur's registration number; identifier kinds from a list per country;
// the debt amount and currency; problems placed next to their fields.
import { CURRENCY_LABELS } from '../../src/domain/vocabulary.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateProceedingInput } from '../../src/app/create-proceeding.js';
import { personKind } from '../../src/domain/person-kind.js';
import { SIGNATORY_CODES, partyCurrency } from '../../src/domain/parties.js';
import { checkSchema } from '../../src/domain/problems.js';
import type { Person } from '../../src/domain/request.js';
import { validateRequest } from '../../src/domain/request-validation.js';
import {
  checkIdField,
  formToProceeding,
  idKindOptions,
  personKindLabel,
  proceedingErrors,
} from '../../src/web/forms/proceeding-form.js';

const BASE = {
  number: '777/26/77001-ИП',
  openedOn: '2026-06-01',
  docTitle: 'Исполнительный лист',
  docNumber: 'ФС № 044556677',
  docDate: '2026-05-20',
  issuerKind: 'court',
  issuerName: 'Арбитражный суд г. Москвы',
  operativePart: 'Взыскать 250 000 рублей.',
};

/** An ИП debtor with OGRNIP and INN, a company creditor (KZ, BIN). */
const IP_AND_COMPANY = {
  ...BASE,
  debtorType: 'entrepreneur',
  debtorSurname: 'Смирнов',
  debtorName: 'Олег',
  debtorPatronymic: 'Игоревич',
  debtorAddress: 'г. Москва, ул. Садовая, д. 3',
  debtorBirthDate: '1979-02-11',
  debtorBirthPlace: 'г. Тула',
  debtorIpIdKind: 'RU|OGRNIP',
  debtorIpIdValue: '304770000000127',
  debtorIdKind1: 'RU|INN',
  debtorIdValue1: '500100732259',
  // Fields of a group that does not fit the chosen kind are ignored (the form works without script).
  debtorOrgName: 'не то',
  creditorType: 'legal_entity',
  creditorOrgName: 'ТОО «Алатау»',
  creditorOrgAddress: 'г. Алматы, пр. Абая, 10',
  creditorOrgIdKind1: 'KZ|BIN',
  creditorOrgIdValue1: '080440000018',
  creditorSurname: 'не то',
  docAmount: '250 000,50',
  docCurrency: 'RUB',
};

test('R11.1.c: an individual-entrepreneur debtor is an individual with its OGRNIP; a company creditor a legal entity with its BIN', () => {
  const input = formToProceeding(IP_AND_COMPANY);
  assert.deepEqual(input.debtor, {
    type: 'individual',
    surname: 'Смирнов',
    name: 'Олег',
    patronymic: 'Игоревич',
    address: 'г. Москва, ул. Садовая, д. 3',
    birthDate: '1979-02-11',
    birthPlace: 'г. Тула',
    ids: [
      { country: 'RU', kind: 'OGRNIP', value: '304770000000127' },
      { country: 'RU', kind: 'INN', value: '500100732259' },
    ],
  });
  assert.deepEqual(input.creditor, {
    type: 'legal_entity',
    name: 'ТОО «Алатау»',
    address: 'г. Алматы, пр. Абая, 10',
    ids: [{ country: 'KZ', kind: 'BIN', value: '080440000018' }],
  });
  // The wire schema is unchanged and accepts both; the Agreement's content rules find nothing to say.
  assert.deepEqual(checkSchema(CreateProceedingInput, input), []);
  const doc = (input.executiveDocuments as Record<string, unknown>[])[0]!;
  assert.deepEqual(doc.amount, { value: 250000.5, currency: 'RUB' });
  const errors = validateRequest(
    { debtor: input.debtor, creditor: input.creditor, executiveDocument: doc },
    { today: '2026-11-26' },
  ).errors.filter((e) => /^(debtor|creditor|executiveDocument)/.test(e.path));
  assert.deepEqual(errors, []);
  // «ИП» is shown where a person carries an entrepreneur's registration number.
  assert.equal(personKind(input.debtor as Person), 'entrepreneur');
  assert.equal(personKindLabel(input.debtor as Person), 'ИП');
  assert.equal(personKind(input.creditor as Person), 'legal_entity');
  assert.equal(personKind({ type: 'individual', ids: [{ country: 'RU', kind: 'INN', value: '1' }] }), 'individual');
});

test('R11.1.c: a company creditor with an OGRN, an individual debtor; nothing typed is invented', () => {
  const input = formToProceeding({
    ...BASE,
    debtorSurname: 'Белова',
    debtorName: 'Ирина',
    debtorAddress: 'г. Москва',
    creditorType: 'legal_entity',
    creditorOrgName: 'ООО «Ромашка»',
    creditorOrgAddress: 'г. Москва',
    creditorOrgIdKind1: 'RU|OGRN',
    creditorOrgIdValue1: '1027700132195',
  });
  assert.deepEqual(input.debtor, { type: 'individual', surname: 'Белова', name: 'Ирина', address: 'г. Москва' });
  assert.deepEqual((input.creditor as { ids: unknown }).ids, [{ country: 'RU', kind: 'OGRN', value: '1027700132195' }]);
  assert.equal((input.executiveDocuments as Record<string, unknown>[])[0]!.amount, undefined);
});

test('identifier kinds are offered per country and only where the subject fits the person kind', () => {
  const kinds = (g: 'person' | 'entrepreneur' | 'org') => idKindOptions(g).flatMap((c) => c.kinds.map(([v]) => v));
  assert.ok(kinds('org').includes('RU|OGRN') && kinds('org').includes('KZ|BIN') && kinds('org').includes('RU|INN'));
  assert.ok(!kinds('org').includes('KZ|IIN') && !kinds('org').includes('RU|SNILS'));
  assert.ok(kinds('person').includes('KZ|IIN') && kinds('person').includes('RU|SNILS'));
  assert.ok(!kinds('person').includes('RU|OGRN') && !kinds('person').includes('RU|OGRNIP'));
  assert.deepEqual(kinds('entrepreneur'), ['RU|OGRNIP']);
  // Labels are Russian with the country's name, never the kind's code alone.
  const ru = idKindOptions('org').find((c) => c.country === 'RU')!;
  assert.equal(ru.label, 'Россия');
  assert.ok(ru.kinds.some(([, l]) => l === 'ОГРН'));
});

test('the debt currency is chosen among the Parties’ currencies, each named in Russian', () => {
  for (const c of SIGNATORY_CODES) assert.match(CURRENCY_LABELS[partyCurrency(c)!] ?? '', /[а-я]/, c);
});

test('R11.1.c: the live check of an identifier answers in Russian under the field', () => {
  assert.deepEqual(checkIdField('RU|OGRNIP', '304770000000127'), { ok: true, message: 'ОГРНИП: номер верный' });
  const bad = checkIdField('RU|OGRNIP', '304770000000128');
  assert.equal(bad.ok, false);
  assert.match(bad.message, /^ОГРНИП: неверное контрольное число/);
  assert.equal(checkIdField('RU|INN', '').message, '');
  assert.equal(checkIdField('', '123').message, 'Выберите вид номера');
  assert.equal(checkIdField('XX|NOPE', '123').message, 'Неизвестный вид номера');
});

test('errors in place: problem paths become the form fields of the chosen kind, messages without paths or codes', () => {
  const f = { ...IP_AND_COMPANY, debtorIdValue1: '500100732250', docAmount: 'двести' };
  const input = formToProceeding(f);
  const schema = checkSchema(CreateProceedingInput, input);
  const doc = (input.executiveDocuments as Record<string, unknown>[])[0]!;
  const semantic = validateRequest(
    {
      debtor: input.debtor,
      creditor: { ...(input.creditor as object), name: '' },
      executiveDocument: { ...doc, amount: undefined },
    },
    { today: '2026-11-26' },
  ).errors.filter((e) => /^(debtor|creditor)/.test(e.path));
  const { fields, general } = proceedingErrors(f, [...schema, ...semantic]);
  assert.match(fields.docAmount ?? '', /Укажите сумму числом/);
  // ids[1] of the entrepreneur is the INN row (the OGRNIP comes first).
  assert.match(fields.debtorIdValue1 ?? '', /ИНН.*контрольное число/);
  assert.match(fields.creditorOrgName ?? '', /наименование/);
  assert.deepEqual(general, []);
  for (const m of Object.values(fields)) assert.doesNotMatch(m, /debtor\.|creditor\.|ids\[|R11|Код/, m);
  // An individual's missing birth data (R11.1.c) are marked at their fields.
  const ind = { ...BASE, debtorSurname: 'Белова', debtorName: 'Ирина', debtorAddress: 'г. Москва' };
  const indInput = formToProceeding(ind);
  const r = proceedingErrors(
    ind,
    validateRequest({ debtor: indInput.debtor, creditor: indInput.debtor }, { today: '2026-11-26' }).errors,
  );
  assert.match(r.fields.debtorBirthDate ?? '', /дата рождения/);
  assert.match(r.fields.debtorBirthPlace ?? '', /место рождения/);
  // A company debtor without any number: the error is at its first identifier (R11.1.c).
  const co = { ...BASE, debtorType: 'legal_entity', debtorOrgName: 'ООО «Ромашка»', debtorOrgAddress: 'г. Москва' };
  const coInput = formToProceeding(co);
  const rc = proceedingErrors(
    co,
    validateRequest({ debtor: coInput.debtor, creditor: coInput.debtor }, { today: '2026-11-26' }).errors,
  );
  assert.match(rc.fields.debtorOrgIdValue1 ?? '', /учетный номер плательщика/);
});
