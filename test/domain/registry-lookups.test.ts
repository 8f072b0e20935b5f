// Issue 17 item 2, the pure rules: which registries an item needs (R9.1: only what it asks, R7.c: income for
// its period), how their answers become a draft, and which drafted items may be sent without the officer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  answerFieldsOf,
  autoSendItems,
  composeDraft,
  lookupsOf,
  type LookupResult,
} from '../../src/domain/registry-lookups.js';
import type { Item } from '../../src/domain/request.js';
import { auditDetailsRu } from '../../src/domain/audit-view.js';

test('R9.1: an item needs only the registries of what it asks', () => {
  const kinds = (i: Item) => lookupsOf(i).map((l) => [l.kind, l.provisions.join(',')]);
  assert.deepEqual(kinds({ kind: 'property', subItems: ['a'] }), [['accounts', '6.a']]);
  assert.deepEqual(kinds({ kind: 'property', subItems: ['c', 'b'] }), [
    ['realEstate', '6.b'],
    ['vehicles', '6.c'],
  ]);
  assert.deepEqual(kinds({ kind: 'property', subItems: ['d', 'e'] }), [['shares', '6.d,6.e']]);
  // Property in general, as the answer form offers it.
  assert.deepEqual(kinds({ kind: 'property' }), [
    ['accounts', '6.a'],
    ['realEstate', '6.b'],
    ['vehicles', '6.c'],
    ['shares', '6.d'],
  ]);
  assert.deepEqual(kinds({ kind: 'employment_income', workplace: true }), [['employer', '7.a']]);
  assert.deepEqual(kinds({ kind: 'employment_income' }), [
    ['employer', '7.a'],
    ['income', '7.b'],
  ]);
  assert.deepEqual(kinds({ kind: 'location', target: 'debtor' }), [['addresses', '8']]);
  assert.deepEqual(kinds({ kind: 'proceedings' }), [['proceedings', '4']]);
  for (const i of [
    { kind: 'location', target: 'property' },
    { kind: 'documents' },
    { kind: 'clarification', questions: ['Где работает?'] },
    { kind: 'other', description: 'Иное' },
  ] as Item[])
    assert.deepEqual(lookupsOf(i), [], i.kind);
});

test('R7.c: income is asked for the request’s period', () => {
  const period = { from: '2024-01-01', to: '2026-06-30' };
  assert.deepEqual(lookupsOf({ kind: 'employment_income', income: true, period }), [
    { kind: 'income', provisions: ['7.b'], period },
  ]);
});

test('the answer’s fields a mapping may fill: amounts as dotted paths, required where their object is', () => {
  const f = answerFieldsOf('accounts');
  assert.deepEqual(
    f.map((x) => [x.path, x.type, x.group, x.required]),
    [
      ['bank', 'string', null, true],
      ['number', 'string', null, true],
      ['currency', 'string', null, false],
      ['balance.value', 'number', 'balance', true],
      ['balance.currency', 'string', 'balance', true],
      ['kind', 'string', null, false],
    ],
  );
  assert.deepEqual(
    answerFieldsOf('employer').map((x) => x.path),
    ['name', 'address', 'position', 'since'],
  );
});

const items: { itemNo: number; item: Item }[] = [
  { itemNo: 1, item: { kind: 'property', subItems: ['a', 'b'] } },
  { itemNo: 2, item: { kind: 'employment_income', workplace: true } },
  { itemNo: 3, item: { kind: 'location', target: 'debtor' } },
  { itemNo: 4, item: { kind: 'documents' } },
];

test('a draft: found when any registry knew something, not found when all answered empty, open when one failed', () => {
  const r = (x: LookupResult) => x;
  const results = new Map<number, LookupResult[]>([
    [
      1,
      [
        r({ kind: 'accounts', source: 'Банки', status: 'found', rows: [{ bank: 'Банк', number: '1' }] }),
        r({ kind: 'realEstate', source: 'Кадастр', status: 'not_found' }),
      ],
    ],
    [2, [r({ kind: 'employer', source: 'Пенсионный фонд', status: 'found', rows: [{ name: 'А' }, { name: 'Б' }] })]],
    [3, [r({ kind: 'addresses', source: 'Население', status: 'failed', failure: 'timeout' })]],
  ]);
  const d = composeDraft(items, results);
  assert.deepEqual(
    d.map((i) => [i.itemNo, i.outcome, i.complete]),
    [
      [1, 'found', true],
      [2, 'found', true],
      [3, null, false],
    ],
    'documents need no registry: not in the draft',
  );
  assert.deepEqual(d[0]!.data, { accounts: [{ bank: 'Банк', number: '1' }] });
  assert.deepEqual(d[1]!.data, { employer: { name: 'А' } }, 'one employer: the first record');
  assert.deepEqual(d[2]!.sources, [
    { kind: 'addresses', source: 'Население', status: 'failed', failure: 'timeout', count: 0 },
  ]);

  const notFound = composeDraft(
    items.slice(0, 1),
    new Map([
      [
        1,
        [
          r({ kind: 'accounts', source: 'Банки', status: 'not_found' }),
          r({ kind: 'realEstate', source: 'Кадастр', status: 'found', rows: [] }),
        ],
      ],
    ]),
  );
  assert.deepEqual([notFound[0]!.outcome, notFound[0]!.complete], ['not_found', true]);
  // A kind with no connector leaves the item for the officer to complete.
  const half = composeDraft(
    items.slice(0, 1),
    new Map([[1, [r({ kind: 'accounts', source: 'Банки', status: 'not_found' })]]]),
  );
  assert.deepEqual([half[0]!.outcome, half[0]!.complete], [null, false]);
});

test('automatic sending: complete items of allowed kinds, never when the check on receipt found something', () => {
  const d = composeDraft(
    items,
    new Map<number, LookupResult[]>([
      [
        1,
        [
          { kind: 'accounts', source: 'Банки', status: 'not_found' },
          { kind: 'realEstate', source: 'Кадастр', status: 'not_found' },
        ],
      ],
      [2, [{ kind: 'employer', source: 'ПФ', status: 'found', rows: [{ name: 'А' }] }]],
      [3, [{ kind: 'addresses', source: 'Население', status: 'failed', failure: 'garbage' }]],
    ]),
  );
  const none = { problems: 0, notices: 0 };
  assert.deepEqual(autoSendItems(d, [], none), [], 'default: the officer reviews');
  assert.deepEqual(autoSendItems(d, ['employment_income'], none), [2]);
  assert.deepEqual(
    autoSendItems(d, ['property', 'employment_income', 'location'], none),
    [1, 2],
    'never a failed item',
  );
  assert.deepEqual(autoSendItems(d, ['employment_income'], { problems: 0, notices: 1 }), [], 'R-KZ, R13.d');
  assert.deepEqual(autoSendItems(d, ['employment_income'], { problems: 1, notices: 0 }), [], 'R11 problems');
});

test('R9.1: a lookup’s audit entry reads in Russian: the registry, what, which items and Articles, the purpose', () => {
  assert.deepEqual(
    auditDetailsRu({
      registry: 'Сведения банков о счетах',
      lookup: 'accounts',
      itemNos: [2],
      provisions: ['6.a'],
      purpose: 'Исполнение запроса № 77001/26/000123 (Россия): пункт 2 (ст. 6 а)) Соглашения',
      period: { from: '2024-01-01' },
    }),
    [
      ['Реестр', 'Сведения банков о счетах'],
      ['Какие сведения', 'счета и вклады'],
      ['Пункты запроса', '2'],
      ['Статьи Соглашения', 'ст. 6 а)'],
      ['Цель', 'Исполнение запроса № 77001/26/000123 (Россия): пункт 2 (ст. 6 а)) Соглашения'],
    ],
  );
  assert.deepEqual(auditDetailsRu({ items: 4, found: 3, failures: ['timeout'] }), [
    ['Сведений', '4'],
    ['Пунктов со сведениями', '3'],
    ['Сбои реестров', 'реестр не ответил в отведённое время'],
  ]);
});
