// The officer UI's form mappers: plain HTTP-form translation into the input
// of the use cases (no browser, no database). Issue 14, item 6: the answer form from one table per item kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from 'typebox/value';
import { formToAnswerItems } from '../../src/web/forms/answer-form.js';
import {
  ANSWER_ITEMS,
  answerFormView,
  answerToForm,
  askedOf,
  formToAnswer,
  groupsOf,
  type AnswerFormItem,
} from '../../src/web/forms/answer-items.js';
import { AnswerDataSchema, type AnswerData } from '../../src/domain/answer.js';
import { ITEM_KINDS, type Item } from '../../src/domain/request.js';

const ITEMS: AnswerFormItem[] = [
  { itemNo: 1, kind: 'proceedings', item: { kind: 'proceedings', results: ['collected', 'arrested'] } },
  { itemNo: 2, kind: 'property', item: { kind: 'property', subItems: ['a', 'b', 'c', 'd'] } },
  {
    itemNo: 3,
    kind: 'employment_income',
    item: {
      kind: 'employment_income',
      workplace: true,
      income: true,
      period: { from: '2024-01-01', to: '2026-10-31' },
    },
  },
  { itemNo: 4, kind: 'location', item: { kind: 'location', target: 'debtor' } },
  { itemNo: 5, kind: 'documents', item: { kind: 'documents', description: 'копия решения суда' } },
];

test('answer items: every item kind has its row in the table; each repeats what was asked', () => {
  assert.deepEqual(Object.keys(ANSWER_ITEMS).sort(), [...ITEM_KINDS].sort());
  assert.match(askedOf(ITEMS[0]!.item).join('\n'), /взыскано, арестовано/);
  assert.match(askedOf(ITEMS[1]!.item).join('\n'), /а\) счета.*\n.*б\) недвижимое/s);
  assert.match(
    askedOf(ITEMS[2]!.item, (d) => d.split('-').reverse().join('.')).join('\n'),
    /с 01\.01\.2024 по 31\.10\.2026/,
  );
  assert.match(
    askedOf({ kind: 'clarification', party: 'debtor', questions: ['Где работаете?'] } as Item).join('\n'),
    /1\. Где работаете\?/,
  );
  assert.deepEqual(groupsOf(ITEMS[1]!.item), ['accounts', 'realEstate', 'vehicles', 'shares', 'disclosureProcedure']);
});

const FULL: { itemNo: number; outcome: string; data?: AnswerData }[] = [
  {
    itemNo: 1,
    outcome: 'found',
    data: {
      proceedings: [
        {
          number: '12-2026-KZ',
          executiveDocument: 'исполнительный лист ВС № 1',
          collected: { value: 150000.5, currency: 'KZT' },
          arrested: { value: 2000000, currency: 'KZT' },
        },
        { number: '13-2026-KZ', forSale: { value: 900000, currency: 'RUB' } },
      ],
    },
  },
  {
    itemNo: 2,
    outcome: 'partial',
    data: {
      accounts: [
        {
          bank: 'АО «Kaspi Bank»',
          number: 'KZ86125KZT5004100100',
          currency: 'KZT',
          balance: { value: 12, currency: 'KZT' },
        },
        { bank: 'АО «Халык Банк»', number: 'KZ11601A871000123456', kind: 'вклад' },
        { bank: 'АО «Банк ЦентрКредит»', number: 'KZ32856000000012345' },
      ],
      vehicles: [{ description: 'Toyota Camry', registrationNumber: '123ABC02', year: 2019 }],
      shares: [{ issuer: 'ТОО «Степь»', description: 'доля в уставном капитале', share: '25%' }],
      disclosureProcedure: { description: 'Сведения о вкладах — по решению суда', body: 'суд по месту жительства' },
      text: 'Недвижимость не найдена.',
    },
  },
  {
    itemNo: 3,
    outcome: 'found',
    data: {
      employer: { name: 'ТОО «Алматы Строй»', position: 'инженер', since: '2024-02-01' },
      income: [
        {
          from: '2025-01-01',
          to: '2025-12-31',
          amount: { value: 4800000, currency: 'KZT' },
          source: 'заработная плата',
        },
      ],
    },
  },
  {
    itemNo: 4,
    outcome: 'found',
    data: { addresses: [{ address: 'г. Алматы, ул. Абая, 1', kind: 'место жительства' }] },
  },
  { itemNo: 5, outcome: 'not_found' },
];

test('answer items: answer data → form → the same answer data (round trip over every group), valid by the schema', () => {
  const back = formToAnswer(answerToForm(FULL, ITEMS), ITEMS);
  assert.deepEqual(back.errors, {});
  assert.deepEqual(back.items, FULL);
  for (const i of back.items) if (i.data) assert.ok(Value.Check(AnswerDataSchema, i.data), JSON.stringify(i.data));
});

test('answer items: empty fields stay absent — no «—» for a missing account, no default income source', () => {
  const r = formToAnswer(
    {
      outcome_2: 'found',
      accounts_2_0_bank: 'АО «Банк»',
      accounts_2_0_currency: '',
      accounts_2_1_bank: '',
      accounts_2_1_balance_currency: 'KZT', // a select's value alone is no content
      outcome_3: 'found',
      income_3_0_from: '2025-01-01',
      income_3_0_to: '2025-01-31',
      income_3_0_amount: '100',
      income_3_0_amount_currency: 'KZT',
    },
    ITEMS,
  );
  assert.deepEqual(r.items, [
    { itemNo: 2, outcome: 'found' },
    { itemNo: 3, outcome: 'found' },
  ]);
  assert.match(r.errors['accounts_2_0']!, /Счёт 1: заполните «Номер счёта»/);
  assert.match(r.errors['income_3_0']!, /Доход 1: заполните «Источник/);
  assert.ok(!JSON.stringify(r.items).includes('—') && !JSON.stringify(r.items).includes('заработная'));
  assert.equal(Object.keys(r.errors).length, 2, JSON.stringify(r.errors));
});

test('answer items: a wrong amount or year is an error next to its row; data without an outcome is an error on the item', () => {
  const r = formToAnswer(
    {
      outcome_1: 'found',
      proceedings_1_0_number: '1',
      proceedings_1_0_collected: 'сто',
      proceedings_1_0_collected_currency: 'KZT',
      vehicles_2_0_description: 'ВАЗ',
      vehicles_2_0_year: '19',
    },
    ITEMS,
  );
  assert.match(r.errors['proceedings_1_0']!, /«Взыскано» — укажите сумму цифрами/);
  assert.match(r.errors['vehicles_2_0']!, /«Год выпуска» — четыре цифры/);
  assert.match(r.errors['item_2']!, /выберите результат/);
});

test('answer items: «Добавить ещё» adds rows; the view keeps what was typed and shows each error at its row', () => {
  const form = { rows_accounts_2: '2', more: 'accounts_2', accounts_2_1_bank: 'Банк', outcome_2: 'found' };
  const view = answerFormView(ITEMS, form, { accounts_2_1: 'Счёт 2: заполните номер счёта.' }, (d) => d);
  const accounts = view[1]!.groups.find((g) => g.key === 'accounts')!;
  assert.equal(accounts.rows.length, 4);
  assert.equal(accounts.rows[1]!.fields[0]!.value, 'Банк');
  assert.equal(accounts.rows[1]!.error, 'Счёт 2: заполните номер счёта.');
  assert.equal(view[1]!.outcome, 'found');
  assert.equal(view[1]!.groups.find((g) => g.key === 'disclosureProcedure')!.open, false, 'folded while empty');
});

test('answer form: files go with their item (R5)', () => {
  const files = [
    { field: 'file_5', fileName: 'справка.pdf', mediaType: 'application/pdf', content: Buffer.from('%PDF') },
  ];
  const r = formToAnswerItems({ outcome_5: 'found' }, ITEMS, files);
  assert.deepEqual(r.items, [
    {
      itemNo: 5,
      outcome: 'found',
      attachments: [
        {
          fileName: 'справка.pdf',
          mediaType: 'application/pdf',
          contentBase64: Buffer.from('%PDF').toString('base64'),
        },
      ],
    },
  ]);
});
