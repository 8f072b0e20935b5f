// The officer UI's form mappers: plain HTTP-form translation into the input
// of the use cases (no browser, no database).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formToAnswerItems } from '../../src/web/routes.js';

test('answer form: items given an outcome, their filled fields as answer data (R4–R8) and their files (R5)', () => {
  const form = {
    outcome_1: 'found', bank_1: 'АО «Банк»', account_1: '', incomeAmount_1: '1 234,5', incomeFrom_1: '2025-01-01', incomeTo_1: '2025-12-31', incomeCurrency_1: '',
    outcome_2: 'not_found', text_2: '  ',
    outcome_3: '', employer_3: 'ignored: no outcome',
  };
  const files = [{ field: 'file_2', fileName: 'справка.pdf', mediaType: 'application/pdf', content: Buffer.from('%PDF') }];
  assert.deepEqual(formToAnswerItems(form, [1, 2, 3], files), [
    { itemNo: 1, outcome: 'found', data: {
      accounts: [{ bank: 'АО «Банк»', number: '—' }],
      income: [{ from: '2025-01-01', to: '2025-12-31', amount: { value: 1234.5, currency: 'KZT' }, source: 'заработная плата' }],
    } },
    { itemNo: 2, outcome: 'not_found', attachments: [{ fileName: 'справка.pdf', mediaType: 'application/pdf', contentBase64: Buffer.from('%PDF').toString('base64') }] },
  ]);
});
