// The officer UI's form mappers: plain HTTP-form translation into the input
// of the use cases (no browser, no database).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formToAnswerItems } from '../../src/web/forms/answer-form.js';

test('answer form: items given an outcome, their filled fields as answer data (R4–R8) and their files (R5)', () => {
  const form = {
    outcome_1: 'found',
    bank_1: 'АО «Банк»',
    account_1: '',
    incomeAmount_1: '1 234,5',
    incomeFrom_1: '2025-01-01',
    incomeTo_1: '2025-12-31',
    incomeCurrency_1: '',
    outcome_2: 'not_found',
    text_2: '  ',
    outcome_3: '',
    employer_3: 'ignored: no outcome',
  };
  const files = [
    { field: 'file_2', fileName: 'справка.pdf', mediaType: 'application/pdf', content: Buffer.from('%PDF') },
  ];
  assert.deepEqual(formToAnswerItems(form, [1, 2, 3], files, 'KZT'), [
    {
      itemNo: 1,
      outcome: 'found',
      data: {
        accounts: [{ bank: 'АО «Банк»', number: '—' }],
        income: [
          {
            from: '2025-01-01',
            to: '2025-12-31',
            amount: { value: 1234.5, currency: 'KZT' },
            source: 'заработная плата',
          },
        ],
      },
    },
    {
      itemNo: 2,
      outcome: 'not_found',
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

test("answer form: an amount without a currency is in the answering Party's currency; a given one is kept (upper-cased)", () => {
  const form = {
    outcome_1: 'found',
    incomeAmount_1: '100',
    incomeFrom_1: '2025-01-01',
    incomeTo_1: '2025-01-31',
    incomeCurrency_1: '',
  };
  const income = (items: Record<string, unknown>[]) =>
    (items[0]!.data as { income: { amount: { currency: string } }[] }).income[0]!.amount.currency;
  assert.equal(income(formToAnswerItems(form, [1], [], 'BYN')), 'BYN');
  assert.equal(income(formToAnswerItems({ ...form, incomeCurrency_1: 'usd' }, [1], [], 'BYN')), 'USD');
});
