// Issue 14, item 2: the pages' labels are the vocabulary's; a history entry's
// data shows only what people read (no ids, codes, ISO times or booleans).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labels } from '../../src/web/labels.js';
import { webDates } from '../../src/web/dates.js';
import { ISSUER_KIND_LABELS } from '../../src/domain/vocabulary.js';

const dates = webDates('Europe/Moscow');

test('R19: history data — technical keys hidden, values in Russian and local time', () => {
  const rows = labels.historyData(
    {
      messageId: '0b7c9a52-7a3f-4a0e-9d8c-1f2e3d4c5b6a',
      signedBy: { fullName: 'Петрова' },
      basis: 'R12.a',
      deadline: '2027-01-14',
      receiptAt: '2026-11-27T20:47:00.000Z',
      granted: false,
      type: 'answer_final',
      error: 'transport.timeout: узел Казахстана не ответил',
    },
    dates.valueRu,
  );
  assert.deepEqual(rows, [
    ['Основание срока', '30 рабочих дней (статья 12)'],
    ['Срок', '14.01.2027'],
    ['Квитанция получена', '27.11.2026 23:47'],
    ['Согласие дано', 'нет'],
    ['Вид', 'Окончательный ответ'],
    ['Ошибка', 'узел Казахстана не ответил'],
  ]);
});

test('R19: the label functions the templates use give Russian, never the raw code', () => {
  assert.equal(labels.eventLabel('sign'), 'Запрос подписан');
  assert.equal(labels.eventLabel('delivery_failed'), 'Сообщение не доставлено');
  assert.equal(labels.eventLabel('something_new'), 'Событие по запросу');
  assert.equal(labels.stateLabel('in_progress'), 'На исполнении');
  assert.equal(labels.messageTitle('refusal'), 'Отказ в исполнении');
  assert.equal(labels.issuerLabel('authority'), ISSUER_KIND_LABELS.authority);
  assert.equal(labels.provisionsLabel(['6.a', '7.b']), 'ст. 6 а), 7 б)');
  assert.deepEqual(
    labels.historyEntry(
      { event: 'answer_final', side: 'requested', officerName: null },
      { direction: 'outgoing', counterpartBody: { party: 'KZ' } },
    ),
    { what: 'Направлен окончательный ответ', who: 'Казахстаном' },
  );
});
