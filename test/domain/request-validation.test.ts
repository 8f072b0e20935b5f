import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRequest, requestProvisions } from '../../src/domain/request-validation.js';
import { loadTreaty } from '../../src/domain/treaty.js';
import { addDays } from '../../src/domain/dates.js';
import type { Problem } from '../../src/domain/problems.js';
import { aRequest } from '../support/requests.js';

const today = '2026-11-25';
const codes = (ps: readonly Problem[]): string[] => ps.map((p) => p.code).sort();
const find = (ps: readonly Problem[], code: string): Problem => {
  const p = ps.find((x) => x.code === code);
  assert.ok(p, `expected ${code} in ${JSON.stringify(ps.map((x) => x.code))}`);
  return p;
};

test('R11.1: the shipped example request is valid with no warnings', () => {
  const r = validateRequest(aRequest(), { today });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.ok, true);
});

test('R11.1: an empty request reports every missing part at once, each with a path and a Russian message', () => {
  const r = validateRequest({}, { today });
  assert.equal(r.ok, false);
  assert.deepEqual(codes(r.errors), [
    'R10.b.proceeding',
    'R11.1.a.requestedBody',
    'R11.1.a.requestingBody',
    'R11.1.b.executiveDocument',
    'R11.1.c.creditor',
    'R11.1.c.debtor',
    'R11.1.e.grounds',
    'R11.1.e.items',
  ]);
  for (const p of r.errors) assert.match(p.message, /[А-Яа-я]/);
});

test('R11.1.a: both bodies need id, party and name', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.requestedBody = { party: 'KZ' };
    }),
    { today },
  );
  assert.equal(find(r.errors, 'R11.1.a.name').path, 'requestedBody.name');
  assert.equal(find(r.errors, 'R11.1.a.id').path, 'requestedBody.id');
});

test('R11.1.b: number, date, issuer and its kind of the executive document', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.executiveDocument = { operativePart: 'Взыскать 100 рублей' };
    }),
    { today },
  );
  assert.deepEqual(codes(r.errors), ['R11.1.b.date', 'R11.1.b.issuer_kind', 'R11.1.b.name', 'R11.1.b.number']);
  assert.equal(find(r.errors, 'R11.1.b.name').path, 'executiveDocument.issuer.name');
  assert.match(find(r.errors, 'R11.1.b.number').message, /номер исполнительного документа/);
});

test('R11.1.b: an executive document dated in the future is an error (boundary: today is fine)', () => {
  assert.equal(
    validateRequest(
      aRequest((q) => {
        q.executiveDocument!.date = today;
      }),
      { today },
    ).ok,
    true,
  );
  const r = validateRequest(
    aRequest((q) => {
      q.executiveDocument!.date = '2026-11-26';
    }),
    { today },
  );
  assert.equal(find(r.errors, 'R11.1.b.date_future').path, 'executiveDocument.date');
});

test('R11.1.d: the operative part is mandatory', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.executiveDocument!.operativePart = '   ';
    }),
    { today },
  );
  assert.equal(find(r.errors, 'R11.1.d.operativePart').path, 'executiveDocument.operativePart');
});

test('R11.1.c: an individual debtor needs name, address, date and place of birth; patronymic is optional', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.debtor = { type: 'individual', surname: 'Иванов' };
    }),
    { today },
  );
  assert.deepEqual(codes(r.errors), ['R11.1.c.address', 'R11.1.c.birthDate', 'R11.1.c.birthPlace', 'R11.1.c.name']);
  assert.equal(find(r.errors, 'R11.1.c.birthDate').path, 'debtor.birthDate');
  assert.equal(find(r.warnings, 'R11.1.c.identifiers').path, 'debtor.ids');
});

test('R11.1.c: an individual creditor needs no birth data', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.creditor = { type: 'individual', surname: 'Петров', name: 'Пётр', address: 'г. Тверь' };
    }),
    { today },
  );
  assert.equal(r.ok, true, JSON.stringify(r.errors));
});

test('R11.1.c: a legal-entity debtor must carry an identifying number', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.debtor = { type: 'legal_entity', name: 'ТОО «Береке»', address: 'г. Алматы' };
    }),
    { today },
  );
  assert.equal(find(r.errors, 'R11.1.c.ids').path, 'debtor.ids');
});

test('R11.1.c: the debtor’s national id is checked with its state’s checksum', () => {
  const bad = validateRequest(
    aRequest((q) => {
      q.debtor = {
        type: 'legal_entity',
        name: 'ТОО «Береке»',
        address: 'г. Алматы',
        ids: [{ country: 'RU', kind: 'INN', value: '7707083894' }],
      };
    }),
    { today },
  );
  const p = find(bad.errors, 'R11.1.c.id_checksum');
  assert.equal(p.path, 'debtor.ids[0].value');
  assert.match(p.message, /ИНН/);
  const good = validateRequest(
    aRequest((q) => {
      q.debtor = {
        type: 'legal_entity',
        name: 'ПАО Сбербанк',
        address: 'г. Москва',
        ids: [{ country: 'RU', kind: 'INN', value: '7707083893' }],
      };
    }),
    { today },
  );
  assert.equal(good.ok, true, JSON.stringify(good.errors));
  const unknown = validateRequest(
    aRequest((q) => {
      q.debtor = { type: 'legal_entity', name: 'X', address: 'Y', ids: [{ country: 'RU', kind: 'PINFL', value: '1' }] };
    }),
    { today },
  );
  assert.equal(find(unknown.errors, 'R11.1.c.id_kind').path, 'debtor.ids[0].kind');
});

test('R11.1.e: at least one item and the grounds', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.items = [];
      q.grounds = '';
    }),
    { today },
  );
  assert.deepEqual(codes(r.errors), ['R11.1.e.grounds', 'R11.1.e.items']);
});

test('R7.c: an income period of exactly 3 years is accepted, one day more is refused', () => {
  const withPeriod = (from: string, to: string) =>
    aRequest((q) => {
      q.items = [{ kind: 'employment_income', income: true, period: { from, to } }];
    });
  assert.equal(validateRequest(withPeriod('2023-01-01', '2025-12-31'), { today }).ok, true);
  const r = validateRequest(withPeriod('2023-01-01', '2026-01-01'), { today });
  const p = find(r.errors, 'R7.c.period_too_long');
  assert.equal(p.path, 'items[0].period.to');
  assert.match(p.message, /3 года/);
  // leap day start: 3 years from 2024-02-29 end on 2027-02-27 inclusive
  assert.equal(validateRequest(withPeriod('2024-02-29', '2027-02-27'), { today: '2027-03-01' }).ok, true);
  assert.equal(validateRequest(withPeriod('2024-02-29', '2027-02-28'), { today: '2027-03-01' }).ok, false);
});

test('R7.c: income needs a period; reversed periods are refused; a future end is a warning', () => {
  const none = validateRequest(
    aRequest((q) => {
      q.items = [{ kind: 'employment_income', income: true }];
    }),
    { today },
  );
  assert.equal(find(none.errors, 'R7.c.period').path, 'items[0].period');
  const reversed = validateRequest(
    aRequest((q) => {
      q.items = [{ kind: 'employment_income', income: true, period: { from: '2025-01-01', to: '2024-01-01' } }];
    }),
    { today },
  );
  find(reversed.errors, 'R7.c.period_order');
  const future = validateRequest(
    aRequest((q) => {
      q.items = [{ kind: 'employment_income', income: true, period: { from: '2025-01-01', to: '2026-12-31' } }];
    }),
    { today },
  );
  assert.equal(future.ok, true);
  find(future.warnings, 'R7.c.period_future');
  const nothing = validateRequest(
    aRequest((q) => {
      q.items = [{ kind: 'employment_income' }];
    }),
    { today },
  );
  find(nothing.errors, 'R7.scope');
  const workplaceOnly = validateRequest(
    aRequest((q) => {
      q.items = [{ kind: 'employment_income', workplace: true }];
    }),
    { today },
  );
  assert.equal(workplaceOnly.ok, true);
});

test('R8.c: a request to locate property must identify the property', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.items = [{ kind: 'location', target: 'property', property: { description: 'автомобиль Toyota Camry' } }];
    }),
    { today },
  );
  assert.equal(find(r.errors, 'R8.c.identifiers').path, 'items[0].property.identifiers');
  const ok = validateRequest(
    aRequest((q) => {
      q.items = [
        {
          kind: 'location',
          target: 'property',
          property: { description: 'автомобиль Toyota Camry', identifiers: 'VIN JTNB11HK103456789, г/н А123ВС77' },
        },
      ];
    }),
    { today },
  );
  assert.equal(ok.ok, true, JSON.stringify(ok.errors));
});

test('R11.2: a clarification request lists the questions, none empty', () => {
  const none = validateRequest(
    aRequest((q) => {
      q.items = [{ kind: 'clarification', party: 'debtor', questions: [] }];
    }),
    { today },
  );
  assert.equal(find(none.errors, 'R11.2.questions').path, 'items[0].questions');
  const empty = validateRequest(
    aRequest((q) => {
      q.items = [{ kind: 'clarification', party: 'debtor', questions: ['Где вы работаете?', ' '] }];
    }),
    { today },
  );
  assert.equal(find(empty.errors, 'R11.2.question_empty').path, 'items[0].questions[1]');
});

test('R6: a property item names at least one sub-item a–e', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.items = [{ kind: 'property', subItems: [] }];
    }),
    { today },
  );
  find(r.errors, 'R6.sub_items');
});

test('R19: free text without Cyrillic is a warning, not an error', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.grounds = 'The debtor lives in Almaty.';
    }),
    { today },
  );
  assert.equal(r.ok, true);
  assert.equal(find(r.warnings, 'R19.language').path, 'grounds');
  const digits = validateRequest(
    aRequest((q) => {
      q.otherInfo = '12345';
    }),
    { today },
  );
  assert.deepEqual(digits.warnings, []);
});

test('R10.b: only the body holding the proceedings, and only its officers, may request', () => {
  const other = validateRequest(
    aRequest((q) => {
      q.proceeding!.bodyId = 'ru-fssp-50';
    }),
    { today },
  );
  assert.equal(find(other.errors, 'R10.b.holder').path, 'proceeding.bodyId');
  const officer = validateRequest(aRequest(), { today, officerBodyId: 'ru-fssp-50' });
  find(officer.errors, 'R10.b.officer');
  const none = validateRequest(
    aRequest((q) => {
      delete q.proceeding;
    }),
    { today },
  );
  find(none.errors, 'R10.b.proceeding');
});

test('R12.b: a shorter term may not lie before the expected day of receipt (the requesting body’s today)', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.shorterTerm = addDays(today, -1);
    }),
    { today },
  );
  const problem = find(r.errors, 'R12.b.shorter_term');
  assert.equal(problem.path, 'shorterTerm');
  assert.match(problem.message, /раньше ожидаемого дня получения/);
  for (const ok of [today, '2026-12-10'])
    assert.equal(
      validateRequest(
        aRequest((q) => {
          q.shorterTerm = ok;
        }),
        { today },
      ).ok,
      true,
      ok,
    );
});

test('schema: wrong types and unknown fields are reported with their path, alongside the rule problems', () => {
  const r = validateRequest({ ...aRequest(), grounds: 42, extra: true, items: [{ kind: 'weather' }] }, { today });
  const paths = r.errors.map((p) => `${p.code}@${p.path}`);
  assert.ok(paths.includes('schema.type@grounds'), paths.join());
  assert.ok(paths.includes('schema.additionalProperties@extra'), paths.join());
  assert.ok(
    r.errors.some((p) => p.path.startsWith('items[0]')),
    paths.join(),
  );
  assert.ok(!paths.includes('R11.1.e.grounds@grounds'), 'no duplicate for a path the schema flagged');
});

test('schema: non-object input is refused without throwing', () => {
  for (const input of [null, 42, 'x', []]) {
    const r = validateRequest(input, { today });
    assert.equal(r.ok, false);
    assert.ok(r.errors.length > 0);
  }
});

const treaty = loadTreaty({
  events: [
    { type: 'signature', party: 'RU', date: '2025-10-10' },
    {
      type: 'signature',
      party: 'KZ',
      date: '2025-10-10',
      reservations: [
        {
          provision: '6.a',
          text: 'Республика Казахстан оставляет за собой право применять положения подпункта а) статьи 6 в части, не противоречащей ее законодательству',
        },
      ],
    },
    { type: 'signature', party: 'BY', date: '2025-10-10' },
    { type: 'signature', party: 'AM', date: '2025-10-10' },
    // R18: the bodies of the example request are designated; an undesignated one is an error (test below).
    {
      type: 'bodies',
      party: 'RU',
      date: '2026-01-10',
      central: [{ id: 'ru-fssp', name: 'ФССП России' }],
      territorial: [{ id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' }],
    },
    { type: 'bodies', party: 'KZ', date: '2026-01-10', central: [{ id: 'kz-central', name: 'Комитет МЮ РК' }] },
    {
      type: 'notification',
      party: 'RU',
      received: '2026-01-10',
      declarations: [{ documents: 'notarial', provisions: 'all' }],
    },
    {
      type: 'notification',
      party: 'KZ',
      received: '2026-01-20',
      reservations: [
        {
          provision: '6.a',
          text: 'Республика Казахстан оставляет за собой право применять положения подпункта а) статьи 6 в части, не противоречащей ее законодательству',
        },
      ],
    },
    { type: 'notification', party: 'BY', received: '2026-02-01' },
  ],
});

test('R-pair: a request to a Party not bound on the day is an error naming the party', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.requestedBody = { id: 'am-central', party: 'AM', name: 'Служба принудительного исполнения Армении' };
    }),
    { today, treaty },
  );
  const p = r.errors.find((x) => x.code.startsWith('R-pair.'));
  assert.ok(p, JSON.stringify(r.errors));
  assert.equal(p.path, 'requestedBody.party');
  assert.equal(validateRequest(aRequest(), { today, treaty }).errors.length, 0);
});

test('R18: a request passes only between designated bodies; an undesignated requested body is an error naming it', () => {
  const r = validateRequest(
    aRequest((q) => {
      q.requestedBody = { id: 'kz-astana', party: 'KZ', name: 'Департамент по г. Астане' };
    }),
    { today, treaty },
  );
  const p = r.errors.find((x) => x.code === 'R18.designated');
  assert.ok(p, JSON.stringify(r.errors));
  assert.equal(p.path, 'requestedBody.id');
  assert.match(p.message, /Департамент по г\. Астане/);
  assert.ok(!validateRequest(aRequest(), { today, treaty }).errors.some((x) => x.code === 'R18.designated'));
});

test('R-KZ: a 6.a request to Kazakhstan carries the reservation as a warning on the property item', () => {
  const r = validateRequest(aRequest(), { today, treaty });
  assert.equal(r.ok, true);
  const w = find(r.warnings, 'R-KZ');
  assert.equal(w.path, 'items[1]');
  const no6a = validateRequest(
    aRequest((q) => {
      q.items = [{ kind: 'property', subItems: ['b'] }];
    }),
    { today, treaty },
  );
  assert.ok(!no6a.warnings.some((x) => x.code === 'R-KZ'));
});

test('R13.d: a notarial executive document caught by the requesting Party’s declaration is warned about, a court one is not', () => {
  const notarial = validateRequest(
    aRequest((q) => {
      q.executiveDocument!.issuer = { kind: 'notary', name: 'Нотариус г. Москвы Сидорова А. А.' };
    }),
    { today, treaty },
  );
  assert.equal(notarial.ok, true);
  assert.equal(find(notarial.warnings, 'R13.d').path, 'executiveDocument.issuer.kind');
  const court = validateRequest(aRequest(), { today, treaty });
  assert.ok(!court.warnings.some((x) => x.code === 'R13.d'));
});

test('R3–R8: item provisions used for declarations and reservations', () => {
  assert.deepEqual(requestProvisions(aRequest()), ['4', '6.a', '6.b', '6.c', '7.a', '7.b', '8.a']);
  assert.deepEqual(
    requestProvisions(
      aRequest((q) => {
        q.debtor = { type: 'legal_entity' };
        q.items = [
          { kind: 'location', target: 'debtor' },
          { kind: 'other', description: 'x' },
        ];
      }),
    ),
    ['3', '8.b'],
  );
});
