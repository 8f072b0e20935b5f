// National identifiers of the signatories (R11.1.c: the debtor's taxpayer /
// registration / personal number), validated with the issuing state's check
// digit where one is defined, by format otherwise (noted per kind).
import { EixError } from './errors.js';
import { isIsoDate } from './dates.js';

export type IdSubject = 'individual' | 'legal_entity' | 'entrepreneur' | 'any';

export type IdCheck =
  | {
      valid: true;
      normalized: string;
      country: string;
      kind: string;
      subject: IdSubject;
      details?: Record<string, string | number>;
    }
  | { valid: false; reason: 'checksum' | 'length' | 'format'; message: string; country: string; kind: string };

interface KindSpec {
  readonly label: string;
  readonly subject: IdSubject;
  /** Allowed lengths after normalisation. */
  readonly lengths: readonly number[];
  /** Character rule checked before length (reason 'format'). */
  readonly chars: RegExp;
  /** Full-shape rule checked after length (reason 'format'), e.g. letters in fixed places. */
  readonly shape?: RegExp;
  /** Check digit(s) and embedded data; returns null when the check fails. */
  readonly check?: (v: string) => Record<string, string | number> | null | true | 'format';
}

const DIGITS = /^\d+$/;
const ALNUM = /^[0-9A-Z]+$/;

const digits = (v: string): number[] => [...v].map(Number);
const weighted = (ds: readonly number[], ws: readonly number[]): number =>
  ws.reduce((s, w, i) => s + w * (ds[i] ?? 0), 0);

// ---- Russia ---------------------------------------------------------------------

function ruInn(v: string): true | null {
  const d = digits(v);
  const c = (ws: number[]) => (weighted(d, ws) % 11) % 10;
  if (v.length === 10) return c([2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[9] ? true : null;
  const c11 = c([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
  const c12 = c([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]);
  return c11 === d[10] && c12 === d[11] ? true : null;
}

/** OGRN (13): the number of the first 12 digits mod 11, last digit; OGRNIP (15): mod 13. */
function ruOgrn(modulus: number) {
  return (v: string): true | null => {
    const body = BigInt(v.slice(0, -1));
    return Number((body % BigInt(modulus)) % 10n) === Number(v.at(-1)) ? true : null;
  };
}

function ruSnils(v: string): true | null {
  const d = digits(v);
  // Numbers up to 001-001-998 were issued before check digits existed.
  if (Number(v.slice(0, 9)) <= 1001998) return true;
  let s = weighted(d, [9, 8, 7, 6, 5, 4, 3, 2, 1]);
  if (s > 101) s %= 101;
  const control = s === 100 || s === 101 ? 0 : s;
  return control === Number(v.slice(9)) ? true : null;
}

// ---- Kazakhstan -----------------------------------------------------------------

/** IIN/BIN check digit: weights 1..11, then 3..11,1,2 when the first pass gives 10. */
function kzCheckDigit(v: string): number | null {
  const d = digits(v);
  let c = weighted(d, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) % 11;
  if (c === 10) c = weighted(d, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]) % 11;
  return c === 10 ? null : c;
}

/**
 * Sex and birth date from a "century digit" (1/2 → 1800s, 3/4 → 1900s, 5/6 →
 * 2000s; odd male, even female) and a two-digit year, month and day.
 */
function centuryPerson(
  centuryChar: string | undefined,
  yy: string,
  mm: string,
  dd: string,
): Record<string, string | number> | 'format' {
  const centuryDigit = Number(centuryChar);
  if (!(centuryDigit >= 1 && centuryDigit <= 6)) return 'format';
  const century = 1800 + Math.floor((centuryDigit - 1) / 2) * 100;
  const birthDate = `${century + Number(yy)}-${mm}-${dd}`;
  if (!isIsoDate(birthDate)) return 'format';
  return { birthDate, sex: centuryDigit % 2 === 1 ? 'male' : 'female' };
}

/** IIN: YYMMDD, century digit, serial, check digit. */
function kzIin(v: string): Record<string, string | number> | null | 'format' {
  if (kzCheckDigit(v) !== Number(v[11])) return null;
  return centuryPerson(v[6], v.slice(0, 2), v.slice(2, 4), v.slice(4, 6));
}

/** Century digit then DDMMYY (BY identification number, UZ PINFL). */
const centuryDdMmYy = (v: string) => centuryPerson(v[0], v.slice(5, 7), v.slice(3, 5), v.slice(1, 3));

function kzBin(v: string): Record<string, string | number> | null | 'format' {
  if (kzCheckDigit(v) !== Number(v[11])) return null;
  // 5th digit: 4 resident legal entity, 5 non-resident, 6 individual entrepreneur (joint).
  if (!['4', '5', '6'].includes(v[4] ?? '')) return 'format';
  return { registered: `${v.slice(0, 2)}.${v.slice(2, 4)}`, entityType: Number(v[4]) };
}

// ---- Belarus --------------------------------------------------------------------

/** UNP: 9 characters, the second may be a letter (А В С Е Н К М for individuals, Latin forms). */
function byUnp(v: string): true | null {
  const letters = 'ABCEHKM';
  const second = /\d/.test(v[1] ?? '') ? Number(v[1]) : letters.indexOf(v[1] ?? '');
  if (second < 0) return null;
  const d = [Number(v[0]), second, ...digits(v.slice(2))];
  const c = weighted(d, [29, 23, 19, 17, 13, 7, 5, 3]) % 11;
  return c !== 10 && c === d[8] ? true : null;
}

const PN_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Belarusian identification number (14): weights 7,3,1 over character values mod 10. */
function byPn(v: string): Record<string, string | number> | null | 'format' {
  const vals = [...v].map((ch) => PN_ALPHABET.indexOf(ch));
  const s = vals.slice(0, 13).reduce((acc, x, i) => acc + x * [7, 3, 1][i % 3]!, 0);
  if (s % 10 !== vals[13]) return null;
  return centuryDdMmYy(v);
}

// ---- weights 7,3,1 (UZ PINFL, MD IDNO/IDNP) ------------------------------------

function mod10Weights731(v: string): true | null {
  const d = digits(v);
  const s = d.slice(0, -1).reduce((acc, x, i) => acc + x * [7, 3, 1][i % 3]!, 0);
  return s % 10 === d.at(-1) ? true : null;
}

/** UZ PINFL (14): sex/century digit, DDMMYY birth date, region, serial, check digit. */
function uzPinfl(v: string): Record<string, string | number> | null | 'format' {
  if (!mod10Weights731(v)) return null;
  return centuryDdMmYy(v);
}

/** KG PIN (14): 1 female / 2 male, DDMMYYYY birth date, then 5 digits; no public check digit. */
function kgPin(v: string): Record<string, string | number> | null | 'format' {
  if (!['1', '2'].includes(v[0] ?? '')) return 'format';
  const birthDate = `${v.slice(5, 9)}-${v.slice(3, 5)}-${v.slice(1, 3)}`;
  if (!isIsoDate(birthDate)) return 'format';
  return { birthDate, sex: v[0] === '2' ? 'male' : 'female' };
}

// ---- Azerbaijan -----------------------------------------------------------------

/** VÖEN (10): check digit over the first 8 digits (weights 4,1,8,6,2,7,5,3, mod 11), then 1 legal / 2 individual. */
function azVoen(v: string): Record<string, string | number> | null | 'format' {
  const d = digits(v);
  const c = weighted(d, [4, 1, 8, 6, 2, 7, 5, 3]) % 11;
  if (c === 10 || c !== d[8]) return null;
  // The status digit is part of the structure, not of the check (reason 'format').
  if (d[9] !== 1 && d[9] !== 2) return 'format';
  return { holder: d[9] === 1 ? 'legal_entity' : 'individual' };
}

// ---- Ukraine --------------------------------------------------------------------

function uaRnokpp(v: string): Record<string, string | number> | null {
  const d = digits(v);
  const c = (((weighted(d, [-1, 5, 7, 9, 4, 6, 10, 5, 7]) % 11) + 11) % 11) % 10;
  if (c !== d[9]) return null;
  const days = Number(v.slice(0, 5));
  const birth = new Date(Date.UTC(1899, 11, 31) + days * 86_400_000).toISOString().slice(0, 10);
  return { birthDate: birth, sex: (d[8] ?? 0) % 2 === 1 ? 'male' : 'female' };
}

function uaEdrpou(v: string): true | null {
  const d = digits(v);
  const n = Number(v);
  const w1 = n < 30_000_000 || n > 60_000_000 ? [1, 2, 3, 4, 5, 6, 7] : [7, 1, 2, 3, 4, 5, 6];
  let c = weighted(d, w1) % 11;
  if (c === 10)
    c =
      (weighted(
        d,
        w1.map((w) => w + 2),
      ) %
        11) %
      10;
  return c === d[7] ? true : null;
}

// ---- the table ------------------------------------------------------------------

const SPECS: Readonly<Record<string, Readonly<Record<string, KindSpec>>>> = {
  RU: {
    INN: { label: 'ИНН', subject: 'any', lengths: [10, 12], chars: DIGITS, check: ruInn },
    OGRN: { label: 'ОГРН', subject: 'legal_entity', lengths: [13], chars: DIGITS, shape: /^[1-9]/, check: ruOgrn(11) },
    OGRNIP: { label: 'ОГРНИП', subject: 'entrepreneur', lengths: [15], chars: DIGITS, shape: /^3/, check: ruOgrn(13) },
    SNILS: { label: 'СНИЛС', subject: 'individual', lengths: [11], chars: DIGITS, check: ruSnils },
  },
  KZ: {
    IIN: { label: 'ИИН', subject: 'individual', lengths: [12], chars: DIGITS, check: kzIin },
    BIN: { label: 'БИН', subject: 'legal_entity', lengths: [12], chars: DIGITS, check: kzBin },
  },
  BY: {
    UNP: { label: 'УНП', subject: 'any', lengths: [9], chars: ALNUM, shape: /^\d[0-9ABCEHKM]\d{7}$/, check: byUnp },
    PN: {
      label: 'идентификационный номер',
      subject: 'individual',
      lengths: [14],
      chars: ALNUM,
      shape: /^\d{7}[A-Z]\d{3}[A-Z]{2}\d$/,
      check: byPn,
    },
  },
  UZ: {
    PINFL: { label: 'ПИНФЛ', subject: 'individual', lengths: [14], chars: DIGITS, check: uzPinfl },
    // STIR/INN: 9 digits; 2–3 first for legal entities, 4–7 for individuals. No public check digit.
    INN: { label: 'ИНН (СТИР)', subject: 'any', lengths: [9], chars: DIGITS, shape: /^[2-7]/ },
  },
  KG: {
    PIN: { label: 'ПИН', subject: 'individual', lengths: [14], chars: DIGITS, check: kgPin },
  },
  AM: {
    // Public service number (ՀԾՀ) and taxpayer number (ՀՎՀՀ): format only, no published check digit.
    SSN: { label: 'номер социальной карты (ПСН)', subject: 'individual', lengths: [10], chars: DIGITS },
    TIN: { label: 'УНН (ИНН)', subject: 'any', lengths: [8], chars: DIGITS },
  },
  AZ: {
    VOEN: { label: 'VÖEN (ИНН)', subject: 'any', lengths: [10], chars: DIGITS, check: azVoen },
    // FIN: the 7-character personal code of the identity card, letters and digits (no I, O).
    FIN: {
      label: 'FIN (персональный код)',
      subject: 'individual',
      lengths: [7],
      chars: ALNUM,
      shape: /^[0-9A-HJ-NP-Z]{7}$/,
    },
  },
  MD: {
    IDNO: { label: 'IDNO', subject: 'legal_entity', lengths: [13], chars: DIGITS, shape: /^1/, check: mod10Weights731 },
    IDNP: {
      label: 'IDNP',
      subject: 'individual',
      lengths: [13],
      chars: DIGITS,
      shape: /^[02]/,
      check: mod10Weights731,
    },
  },
  TJ: {
    // ИНН of Tajikistan: 9 digits, no published check digit.
    INN: { label: 'ИНН', subject: 'any', lengths: [9], chars: DIGITS },
  },
  UA: {
    RNOKPP: { label: 'РНОКПП', subject: 'individual', lengths: [10], chars: DIGITS, check: uaRnokpp },
    EDRPOU: { label: 'код ЕГРПОУ', subject: 'legal_entity', lengths: [8], chars: DIGITS, check: uaEdrpou },
  },
};

/** Identifier kinds per country (the CLI contract's KIND names). */
export const ID_KINDS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(SPECS).map(([c, kinds]) => [c, Object.keys(kinds)]),
);

function spec(country: string, kind: string): KindSpec {
  const s = SPECS[country]?.[kind];
  if (!s) {
    throw new EixError(
      'id.kind',
      { country, kind, known: ID_KINDS[country] ?? [] },
      SPECS[country]
        ? `Неизвестный вид идентификатора ${kind} для государства ${country}; допустимые: ${(ID_KINDS[country] ?? []).join(', ')}`
        : `Для государства ${country} виды идентификаторов не определены; известны: ${Object.keys(SPECS).join(', ')}`,
    );
  }
  return s;
}

export function idLabelRu(country: string, kind: string): string {
  return SPECS[country]?.[kind]?.label ?? kind;
}

export function idSubject(country: string, kind: string): IdSubject {
  return spec(country, kind).subject;
}

/** Strips spaces, hyphens, dots and slashes; upper-cases letters (Cyrillic look-alikes become Latin). */
export function normalizeId(value: string): string {
  return value
    .trim()
    .replace(/[\s\-./]/g, '')
    .toUpperCase()
    .replace(/[АВСЕНКМОРТХ]/g, (ch) => CYR_TO_LAT[ch] ?? ch);
}

const CYR_TO_LAT: Record<string, string> = {
  А: 'A',
  В: 'B',
  С: 'C',
  Е: 'E',
  Н: 'H',
  К: 'K',
  М: 'M',
  О: 'O',
  Р: 'P',
  Т: 'T',
  Х: 'X',
};

export function checkNationalId(country: string, kind: string, value: string): IdCheck {
  const s = spec(country, kind);
  const v = normalizeId(value);
  const fail = (reason: 'checksum' | 'length' | 'format', why: string): IdCheck => ({
    valid: false,
    reason,
    message: `${s.label}: ${why}`,
    country,
    kind,
  });
  if (v === '' || !s.chars.test(v)) {
    return fail(
      'format',
      s.chars === DIGITS ? 'допускаются только цифры' : 'допускаются только цифры и латинские буквы',
    );
  }
  if (!s.lengths.includes(v.length)) {
    return fail('length', `должно быть ${s.lengths.join(' или ')} знаков, указано ${v.length}`);
  }
  if (s.shape && !s.shape.test(v)) return fail('format', 'неверная структура номера');
  const r = s.check ? s.check(v) : true;
  if (r === 'format') return fail('format', 'неверная структура номера (дата или признак в номере)');
  if (r === null) return fail('checksum', 'неверное контрольное число (номер с ошибкой)');
  return { valid: true, normalized: v, country, kind, subject: s.subject, ...(r === true ? {} : { details: r }) };
}
