// Issue 14, item 5: the wizard generated from ONE table per item kind (R3–R8).
// Every kind round-trips form → item → form → item, fits the wire schema, and
// a problem of any item lands next to its field (pure, no database).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchema } from '../../src/domain/problems.js';
import { ITEM_KINDS, ItemSchema, type Item, type ItemKind } from '../../src/domain/request.js';
import { validateRequest } from '../../src/domain/request-validation.js';
import { ITEM_TABLE, describeItem, fieldName, formToItems, itemToForm } from '../../src/web/forms/request-items.js';
import { draftToForm, errorSlotOf, fieldErrors, formToDraft } from '../../src/web/forms/request-form.js';
import { aRequest } from '../support/requests.js';

/** One full item of every kind, each field filled (R4–R8, R3). */
const FULL: Readonly<Record<ItemKind, Item>> = {
  proceedings: { kind: 'proceedings', results: ['collected', 'for_sale'], resultsOther: 'сведения о розыске' },
  documents: { kind: 'documents', description: 'Копия договора купли-продажи', from: ['parties', 'state_bodies'] },
  clarification: { kind: 'clarification', party: 'creditor', questions: ['Когда получен аванс?', 'Кем?'] },
  property: { kind: 'property', subItems: ['a', 'c', 'd'], note: 'В том числе доли в ТОО' },
  employment_income: {
    kind: 'employment_income',
    workplace: true,
    income: true,
    period: { from: '2024-01-01', to: '2025-12-31' },
  },
  location: {
    kind: 'location',
    target: 'property',
    property: { description: 'Легковой автомобиль Toyota Camry', identifiers: 'VIN JT2BF22K1W0123456' },
  },
  other: { kind: 'other', description: 'Сведения о выезде должника за границу' },
};

test('R3–R8: the table covers all 7 item kinds, each with a Russian label and its article', () => {
  assert.deepEqual(Object.keys(ITEM_TABLE).sort(), [...ITEM_KINDS].sort());
  assert.equal(ITEM_KINDS.length, 7);
  for (const k of ITEM_KINDS) {
    assert.match(ITEM_TABLE[k].label, /[А-Яа-я]/, k);
    assert.match(ITEM_TABLE[k].article, /статья \d/, k);
  }
});

for (const kind of ITEM_KINDS) {
  test(`R3–R8: a «${ITEM_TABLE[kind].label}» item round-trips through the wizard's fields and fits the schema`, () => {
    const item = FULL[kind];
    const form = itemToForm(item);
    assert.equal(form[`item_${kind}`], '1');
    const back = formToItems(form);
    assert.deepEqual(back, [item]);
    assert.deepEqual(checkSchema(ItemSchema, back[0]), []);
    // Every field of the table is used by the full example (the table has no dead field).
    for (const f of ITEM_TABLE[kind].fields) assert.ok(form[fieldName(kind, f)] !== undefined, `${kind}.${f.key}`);
    // The review screen says it in Russian: every line has a label and a value, no wire names.
    const d = describeItem(item);
    assert.ok(d.lines.length > 0);
    for (const [l, v] of d.lines) {
      assert.match(l, /[А-Яа-я]/);
      assert.doesNotMatch(v, /\b(for_sale|state_bodies|creditor|property|collected)\b/, v);
    }
  });
}

test('the wizard: all kinds at once, in table order, with the request fields; nothing preselected', () => {
  const form = Object.assign(
    { proceedingId: 'p', requestedBody: 'KZ|kz-central|Министерство юстиции', grounds: 'Основания' },
    ...[...ITEM_KINDS].reverse().map((k) => itemToForm(FULL[k])),
  );
  const d = formToDraft(form);
  assert.deepEqual(
    d.items,
    ITEM_KINDS.map((k) => FULL[k]),
  );
  assert.deepEqual(d.requestedBody, { party: 'KZ', id: 'kz-central', name: 'Министерство юстиции' });
  // No destination chosen: no body at all (the select starts at «Выберите орган…»).
  assert.deepEqual(formToDraft({ proceedingId: 'p' }).requestedBody, {});
  assert.deepEqual(formToDraft({ proceedingId: 'p' }).items, []);
});

test('R8.c, R7.c: fields that depend on a choice are read only when it is made', () => {
  const form = {
    item_location: '1',
    location_target: 'debtor',
    location_propertyDescription: 'забытый текст',
    item_employment_income: '1',
    employment_income_workplace: '1',
    employment_income_from: '2024-01-01',
  };
  assert.deepEqual(formToItems(form), [
    { kind: 'employment_income', workplace: true, income: false },
    { kind: 'location', target: 'debtor' },
  ]);
});

test('a draft back into the wizard: the same request again (editing a draft)', () => {
  const doc = aRequest((r) => {
    r.items = ITEM_KINDS.map((k) => FULL[k]);
    r.shorterTerm = '2027-01-15';
    r.confidential = true;
  });
  const form = { ...draftToForm(doc), proceedingId: 'p' };
  const back = formToDraft(form);
  assert.deepEqual(back.items, doc.items);
  assert.equal(back.grounds, doc.grounds);
  assert.equal(back.shorterTerm, '2027-01-15');
  assert.equal(back.confidential, true);
  assert.deepEqual(back.requestedBody, doc.requestedBody);
});

test('errors in place: each item problem goes next to its field, or to its kind; request fields to theirs', () => {
  const items = [{ kind: 'clarification' }, { kind: 'employment_income' }, { kind: 'location' }] as const;
  assert.equal(errorSlotOf(items, 'items[0].questions'), 'err-clarification_questions');
  assert.equal(errorSlotOf(items, 'items[0].questions[1]'), 'err-clarification_questions');
  assert.equal(errorSlotOf(items, 'items[0].party'), 'err-clarification_party');
  assert.equal(errorSlotOf(items, 'items[1].period.to'), 'err-employment_income_to');
  assert.equal(errorSlotOf(items, 'items[1].period'), 'err-item-employment_income');
  assert.equal(errorSlotOf(items, 'items[1]'), 'err-item-employment_income');
  assert.equal(errorSlotOf(items, 'items[2].property.identifiers'), 'err-location_propertyIdentifiers');
  assert.equal(errorSlotOf(items, 'grounds'), 'err-grounds');
  assert.equal(errorSlotOf(items, 'requestedBody.party'), 'err-requestedBody');
  assert.equal(errorSlotOf(items, 'debtor.birthDate'), 'err-proceeding');
});

test('errors in place: the validator’s problems of a real request land in the right slots, in Russian, without paths', () => {
  const doc = aRequest((r) => {
    r.items = [
      { kind: 'documents' },
      { kind: 'location', target: 'property', property: {} },
      { kind: 'employment_income', income: true, period: { from: '2020-01-01', to: '2025-12-31' } },
    ];
    delete r.grounds;
  });
  const check = validateRequest(doc, { today: '2026-11-26' });
  const slots = Object.fromEntries(fieldErrors(doc.items!, check.errors).filter(([, m]) => m));
  assert.match(slots['err-documents_description'] ?? '', /описание/i);
  assert.match(slots['err-location_propertyDescription'] ?? '', /имущества/);
  assert.match(slots['err-location_propertyIdentifiers'] ?? '', /идентифицирующие/);
  assert.match(slots['err-employment_income_to'] ?? '', /3 года/);
  assert.match(slots['err-grounds'] ?? '', /содержание запроса/);
  for (const m of Object.values(slots)) assert.doesNotMatch(m, /items\[|\(grounds\)|R\d+\./, m);
});
