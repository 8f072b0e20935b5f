import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ID_KINDS, checkNationalId, idSubject, normalizeId } from '../../src/domain/national-ids.js';
import { isEixError } from '../../src/domain/errors.js';

// ---- independent reference implementations of the check digits (R11.1.c) ---------

const ds = (s: string): number[] => [...s].map((c) => Number(c));
const dot = (d: readonly number[], w: readonly number[]): number => w.reduce((s, x, i) => s + x * d[i]!, 0);
/** Remainder of a long decimal string, digit by digit (no BigInt). */
const modDecimal = (s: string, m: number): number => [...s].reduce((r, c) => (r * 10 + Number(c)) % m, 0);
const PN_VALUE = (c: string): number => '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.indexOf(c);
const weights731 = (vals: readonly number[]): number => vals.reduce((s, v, i) => s + v * [7, 3, 1][i % 3]!, 0) % 10;

const ruInn10 = (b: string): string => String((dot(ds(b), [2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10);
const ruInn12 = (b: string): string => {
  const n11 = (dot(ds(b), [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10;
  const n12 = (dot(ds(b + n11), [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11) % 10;
  return `${n11}${n12}`;
};
const ruSnils = (b: string): string => {
  const s = dot(ds(b), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  const c = s < 100 ? s : s === 100 || s === 101 ? 0 : s % 101 === 100 ? 0 : s % 101;
  return String(c).padStart(2, '0');
};
const kz = (b: string): string | null => {
  let c = dot(ds(b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) % 11;
  if (c === 10) c = dot(ds(b), [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]) % 11;
  return c === 10 ? null : String(c);
};
const byUnp = (b: string): string | null => {
  const second = 'ABCEHKM'.includes(b[1]!) ? 'ABCEHKM'.indexOf(b[1]!) : Number(b[1]);
  const c = dot([Number(b[0]), second, ...ds(b.slice(2))], [29, 23, 19, 17, 13, 7, 5, 3]) % 11;
  return c === 10 ? null : String(c);
};
const byPn = (b: string): string => String(weights731([...b].map(PN_VALUE)));
const mod731 = (b: string): string => String(weights731(ds(b)));
const azVoen = (b: string): string | null => {
  const c = dot(ds(b), [4, 1, 8, 6, 2, 7, 5, 3]) % 11;
  return c === 10 ? null : String(c);
};
const uaRnokpp = (b: string): string => {
  const s = dot(ds(b), [-1, 5, 7, 9, 4, 6, 10, 5, 7]);
  return String((((s % 11) + 11) % 11) % 10);
};
const uaEdrpou = (b: string): string => {
  const w = '345'.includes(b[0]!) ? [7, 1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5, 6, 7];
  let c = dot(ds(b), w) % 11;
  if (c === 10)
    c =
      (dot(
        ds(b),
        w.map((x) => x + 2),
      ) %
        11) %
      10;
  return String(c);
};

// ---- generators ---------------------------------------------------------------------

const digitsOf = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
const pad2 = (n: number): string => String(n).padStart(2, '0');
/** Century/sex digit 1..6 and a date written DDMMYY. */
const ddmmyy = fc
  .record({
    y: fc.integer({ min: 0, max: 99 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ y, m, d }) => `${pad2(d)}${pad2(m)}${pad2(y)}`);
const yymmdd = ddmmyy.map((s) => `${s.slice(4)}${s.slice(2, 4)}${s.slice(0, 2)}`);
const century = fc.integer({ min: 1, max: 6 }).map(String);
const upper = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');

interface CheckCase {
  readonly body: fc.Arbitrary<string>;
  /** The check digit(s) for the body, or null when no valid number has this body. */
  readonly check: (body: string) => string | null;
  /** Characters after the check digit (AZ VÖEN status digit). */
  readonly suffix?: fc.Arbitrary<string>;
}

const CHECKED: Readonly<Record<string, CheckCase>> = {
  'RU INN (10)': { body: digitsOf(9), check: ruInn10 },
  'RU INN (12)': { body: digitsOf(10), check: ruInn12 },
  'RU OGRN': {
    body: fc.tuple(fc.integer({ min: 1, max: 9 }), digitsOf(11)).map(([a, b]) => `${a}${b}`),
    check: (b) => String(modDecimal(b, 11) % 10),
  },
  'RU OGRNIP': { body: digitsOf(13).map((b) => `3${b}`), check: (b) => String(modDecimal(b, 13) % 10) },
  'RU SNILS': { body: digitsOf(9).filter((b) => Number(b) > 1001998), check: ruSnils },
  'KZ IIN': { body: fc.tuple(yymmdd, century, digitsOf(4)).map((p) => p.join('')), check: kz },
  'KZ BIN': {
    body: fc.tuple(digitsOf(4), fc.constantFrom('4', '5', '6'), digitsOf(6)).map((p) => p.join('')),
    check: kz,
  },
  'BY UNP': {
    body: fc.tuple(digitsOf(1), fc.constantFrom(...'0123456789ABCEHKM'), digitsOf(6)).map((p) => p.join('')),
    check: byUnp,
  },
  'BY PN': {
    body: fc.tuple(century, ddmmyy, upper, digitsOf(3), upper, upper).map((p) => p.join('')),
    check: byPn,
  },
  'UZ PINFL': { body: fc.tuple(century, ddmmyy, digitsOf(6)).map((p) => p.join('')), check: mod731 },
  'AZ VOEN': { body: digitsOf(8), check: azVoen, suffix: fc.constantFrom('1', '2') },
  'MD IDNO': { body: digitsOf(11).map((b) => `1${b}`), check: mod731 },
  'MD IDNP': { body: fc.tuple(fc.constantFrom('0', '2'), digitsOf(11)).map((p) => p.join('')), check: mod731 },
  'UA RNOKPP': { body: digitsOf(9), check: uaRnokpp },
  'UA EDRPOU': { body: digitsOf(7), check: uaEdrpou },
};

// ---- per-kind fixtures ----------------------------------------------------------------

interface Fixture {
  readonly valid: readonly (readonly [input: string, normalized: string])[];
  readonly tooShort: string;
  readonly tooLong: string;
  /** Right length, a letter where a digit belongs (or a character the kind never uses). */
  readonly badFormat: string;
}

const FIXTURES: Readonly<Record<string, Readonly<Record<string, Fixture>>>> = {
  RU: {
    INN: {
      valid: [
        ['7707083893', '7707083893'],
        ['500100732259', '500100732259'],
        ['7707 083 893', '7707083893'],
      ],
      tooShort: '770708389',
      tooLong: '77070838931',
      badFormat: '77070838A3',
    },
    OGRN: {
      valid: [['1027700132195', '1027700132195']],
      tooShort: '102770013219',
      tooLong: '10277001321950',
      badFormat: '10277001321O5',
    },
    OGRNIP: {
      valid: [['304500116000157', '304500116000157']],
      tooShort: '30450011600015',
      tooLong: '3045001160001570',
      badFormat: '3045001160001S7',
    },
    SNILS: {
      valid: [['112-233-445 95', '11223344595']],
      tooShort: '112-233-445 9',
      tooLong: '112-233-445 950',
      badFormat: '112-233-4A5 95',
    },
  },
  KZ: {
    IIN: {
      valid: [['900101300126', '900101300126']],
      tooShort: '90010130012',
      tooLong: '9001013001260',
      badFormat: '9001013001Z6',
    },
    BIN: {
      valid: [['050740004819', '050740004819']],
      tooShort: '05074000481',
      tooLong: '0507400048190',
      badFormat: '05074OOO4819',
    },
  },
  BY: {
    UNP: {
      valid: [
        ['100582333', '100582333'],
        ['1005 82333', '100582333'],
      ],
      tooShort: '10058233',
      tooLong: '1005823330',
      badFormat: '1005823X3',
    },
    PN: {
      valid: [
        ['3150390A001PB2', '3150390A001PB2'],
        ['3150390a001pb2', '3150390A001PB2'],
      ],
      tooShort: '3150390A001PB',
      tooLong: '3150390A001PB20',
      badFormat: '3150390A00APB2',
    },
  },
  UZ: {
    PINFL: {
      valid: [['31503901234562', '31503901234562']],
      tooShort: '3150390123456',
      tooLong: '315039012345620',
      badFormat: '3150390123456Z',
    },
    INN: { valid: [['201234567', '201234567']], tooShort: '20123456', tooLong: '2012345670', badFormat: '2012345B7' },
  },
  KG: {
    PIN: {
      valid: [['21501199012345', '21501199012345']],
      tooShort: '2150119901234',
      tooLong: '215011990123450',
      badFormat: '215011990I2345',
    },
  },
  AM: {
    SSN: {
      valid: [['1234567890', '1234567890']],
      tooShort: '123456789',
      tooLong: '12345678901',
      badFormat: '12345678A0',
    },
    TIN: { valid: [['02500001', '02500001']], tooShort: '0250000', tooLong: '025000010', badFormat: '0250000L' },
  },
  AZ: {
    VOEN: {
      valid: [
        ['1400057421', '1400057421'],
        ['140 155 5071', '1401555071'],
      ],
      tooShort: '140005742',
      tooLong: '14000574210',
      badFormat: '14000574Z1',
    },
    FIN: { valid: [['5zrj8q2', '5ZRJ8Q2']], tooShort: '5ZRJ8Q', tooLong: '5ZRJ8Q2A', badFormat: '5ZRO8Q2' },
  },
  MD: {
    IDNO: {
      valid: [['1008600038413', '1008600038413']],
      tooShort: '100860003841',
      tooLong: '10086000384130',
      badFormat: '100860003841E',
    },
    IDNP: {
      valid: [['2002001234563', '2002001234563']],
      tooShort: '200200123456',
      tooLong: '20020012345630',
      badFormat: '20020012345b3',
    },
  },
  TJ: {
    INN: { valid: [['020001234', '020001234']], tooShort: '02000123', tooLong: '0200012340', badFormat: '02000I234' },
  },
  UA: {
    RNOKPP: {
      valid: [['1759013776', '1759013776']],
      tooShort: '175901377',
      tooLong: '17590137760',
      badFormat: '175901377Б',
    },
    EDRPOU: {
      valid: [
        ['14360570', '14360570'],
        ['32855961', '32855961'],
      ],
      tooShort: '1436057',
      tooLong: '143605700',
      badFormat: '1436057O',
    },
  },
};

// ---- tests ----------------------------------------------------------------------------

test('R11.1.c: every kind in ID_KINDS has fixtures and nothing else does', () => {
  assert.deepEqual(
    Object.entries(ID_KINDS)
      .flatMap(([c, ks]) => ks.map((k) => `${c} ${k}`))
      .sort(),
    Object.entries(FIXTURES)
      .flatMap(([c, ks]) => Object.keys(ks).map((k) => `${c} ${k}`))
      .sort(),
  );
});

for (const [country, kinds] of Object.entries(ID_KINDS)) {
  for (const kind of kinds) {
    const fx = FIXTURES[country]?.[kind];
    describe(`R11.1.c: ${country} ${kind}`, () => {
      test(`R11.1.c: ${country} ${kind} accepts a known valid number with its normalized value`, () => {
        assert.ok(fx, 'fixture present');
        for (const [input, normalized] of fx.valid) {
          const r = checkNationalId(country, kind, input);
          assert.equal(r.valid, true, `${input}: ${JSON.stringify(r)}`);
          assert.ok(r.valid);
          assert.equal(r.normalized, normalized);
          assert.equal(r.country, country);
          assert.equal(r.kind, kind);
          assert.equal(r.subject, idSubject(country, kind));
        }
      });

      test(`R11.1.c: ${country} ${kind} rejects a wrong length with reason 'length'`, () => {
        assert.ok(fx);
        for (const v of [fx.tooShort, fx.tooLong]) {
          const r = checkNationalId(country, kind, v);
          assert.equal(r.valid, false);
          assert.ok(!r.valid);
          assert.equal(r.reason, 'length', v);
          assert.ok(r.message.length > 0);
        }
      });

      test(`R11.1.c: ${country} ${kind} rejects letters where digits belong with reason 'format'`, () => {
        assert.ok(fx);
        for (const v of [fx.badFormat, '', '   ', '#'.repeat(fx.valid[0]![1].length)]) {
          const r = checkNationalId(country, kind, v);
          assert.ok(!r.valid, v);
          assert.equal(r.reason, 'format', v);
        }
      });
    });
  }
}

describe('R11.1.c: check digits (property, independent reference implementation)', () => {
  const kindOf = (label: string): [string, string] => {
    const [country, kind] = label.replace(/ \(\d+\)$/, '').split(' ') as [string, string];
    return [country, kind];
  };
  for (const [label, cc] of Object.entries(CHECKED)) {
    test(`R11.1.c: ${label}: the computed check digit is accepted, every other last digit is a 'checksum' error`, () => {
      const [country, kind] = kindOf(label);
      fc.assert(
        fc.property(cc.body, cc.suffix ?? fc.constant(''), (body, suffix) => {
          const check = cc.check(body);
          fc.pre(check !== null);
          const good = `${body}${check}${suffix}`;
          const r = checkNationalId(country, kind, good);
          assert.equal(r.valid, true, `${good}: ${JSON.stringify(r)}`);
          assert.ok(r.valid && r.normalized === good);
          // The last check digit position: the final character, or the one before the suffix.
          const at = good.length - 1 - suffix.length;
          for (let d = 0; d <= 9; d++) {
            if (String(d) === good[at]) continue;
            const bad = good.slice(0, at) + String(d) + good.slice(at + 1);
            const rb = checkNationalId(country, kind, bad);
            assert.equal(rb.valid, false, bad);
            assert.ok(!rb.valid && rb.reason === 'checksum', `${bad}: ${JSON.stringify(rb)}`);
          }
        }),
        { numRuns: 300 },
      );
    });
  }
  test('R11.1.c: every kind with a check digit has a property above', () => {
    const covered = new Set(Object.keys(CHECKED).map((l) => kindOf(l).join(' ')));
    for (const k of [
      'RU INN',
      'RU OGRN',
      'RU OGRNIP',
      'RU SNILS',
      'KZ IIN',
      'KZ BIN',
      'BY UNP',
      'BY PN',
      'UZ PINFL',
      'AZ VOEN',
      'MD IDNO',
      'MD IDNP',
      'UA RNOKPP',
      'UA EDRPOU',
    ]) {
      assert.ok(covered.has(k), k);
    }
  });
});

describe('R11.1.c: structure and embedded data', () => {
  test('R11.1.c: RU SNILS numbers up to 001-001-998 carry no check digit', () => {
    assert.equal(checkNationalId('RU', 'SNILS', '001-001-998 00').valid, true);
    assert.equal(checkNationalId('RU', 'SNILS', '001-001-998 77').valid, true);
  });

  test('R11.1.c: RU OGRNIP must start with 3 (format)', () => {
    const r = checkNationalId('RU', 'OGRNIP', '404500116000157');
    assert.ok(!r.valid && r.reason === 'format');
  });

  test('R11.1.c: KZ IIN, BY PN and UZ PINFL expose birth date and sex; KZ BIN the entity type', () => {
    const iin = checkNationalId('KZ', 'IIN', '900101300126');
    assert.ok(iin.valid);
    assert.deepEqual(iin.details, { birthDate: '1990-01-01', sex: 'male' });
    const pn = checkNationalId('BY', 'PN', '3150390A001PB2');
    assert.ok(pn.valid);
    assert.deepEqual(pn.details, { birthDate: '1990-03-15', sex: 'male' });
    const pinfl = checkNationalId('UZ', 'PINFL', '31503901234562');
    assert.ok(pinfl.valid);
    assert.deepEqual(pinfl.details, { birthDate: '1990-03-15', sex: 'male' });
    const bin = checkNationalId('KZ', 'BIN', '050740004819');
    assert.ok(bin.valid);
    assert.deepEqual(bin.details, { registered: '05.07', entityType: 4 });
  });

  test('R11.1.c: KG PIN and UA RNOKPP decode the birth date', () => {
    const kg = checkNationalId('KG', 'PIN', '21501199012345');
    assert.ok(kg.valid);
    assert.deepEqual(kg.details, { birthDate: '1990-01-15', sex: 'male' });
    const ua = checkNationalId('UA', 'RNOKPP', '1759013776');
    assert.ok(ua.valid);
    // 17590 days after 1899-12-31; 9th digit 7 is odd: male.
    assert.deepEqual(ua.details, { birthDate: '1948-02-28', sex: 'male' });
  });

  test('R11.1.c: an impossible embedded birth date is a format error, not a checksum error', () => {
    // KG PIN: 31 February.
    const r = checkNationalId('KG', 'PIN', '23102199012345');
    assert.ok(!r.valid && r.reason === 'format');
  });

  test("R11.1.c: AZ VÖEN status digit other than 1 or 2 is a 'format' error", () => {
    const r = checkNationalId('AZ', 'VOEN', '1400057423');
    assert.ok(!r.valid && r.reason === 'format', JSON.stringify(r));
    const ok = checkNationalId('AZ', 'VOEN', '1400057421');
    assert.ok(ok.valid);
    assert.deepEqual(ok.details, { holder: 'legal_entity' });
  });

  test('R11.1.c: Cyrillic look-alike letters are read as Latin (BY UNP, AZ FIN)', () => {
    assert.equal(normalizeId(' 1в0-58.2/333 '), '1B0582333');
    assert.equal(checkNationalId('AZ', 'FIN', '5zrj8q2').valid, true);
  });
});

describe('R11.1.c: unknown kinds', () => {
  test("R11.1.c: checkNationalId throws EixError 'id.kind' for an unknown kind or country", () => {
    for (const [country, kind] of [
      ['RU', 'PASSPORT'],
      ['XX', 'INN'],
      ['KZ', 'INN'],
    ] as const) {
      assert.throws(
        () => checkNationalId(country, kind, '7707083893'),
        (e: unknown) => {
          assert.ok(isEixError(e));
          assert.equal(e.code, 'id.kind');
          assert.equal(e.data['country'], country);
          assert.equal(e.data['kind'], kind);
          return true;
        },
      );
    }
  });
});
