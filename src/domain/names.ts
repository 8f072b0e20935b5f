// Personal names across Cyrillic and Latin spellings (SPEC "Beyond the letter":
// debtor matching). transliterate() renders Cyrillic in ICAO Doc 9303 or
// GOST 7.79-2000 system B; normalizeName() builds a phonetic matching key;
// namesMatch() scores two names part by part, order-insensitively.
// Pure: no I/O, no clock, no randomness.

export type TranslitScheme = 'gost779' | 'icao';

/** ICAO Doc 9303 (Russian passport practice) plus the national letters of the signatories. */
const ICAO: Readonly<Record<string, string>> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'i',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: 'ie',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'iu',
  я: 'ia',
  // Ukrainian, Belarusian (ў: see UZBEK_O below)
  є: 'ie',
  ї: 'i',
  і: 'i',
  ґ: 'g',
  ў: 'u',
  // Kazakh, Uzbek, Tajik
  ә: 'a',
  ғ: 'g',
  қ: 'k',
  ң: 'n',
  ө: 'o',
  ұ: 'u',
  ү: 'u',
  һ: 'h',
  ҳ: 'h',
  ӣ: 'i',
  ӯ: 'u',
  ҷ: 'j',
  // Azerbaijani / Turkic Latin letters folded to ASCII
  ə: 'a',
  ğ: 'g',
  ı: 'i',
  ö: 'o',
  ü: 'u',
  ş: 'sh',
  ç: 'ch',
};

/** GOST 7.79-2000 system B (backtick marks as in the standard); national letters follow its annex pattern. */
const GOST: Readonly<Record<string, string>> = {
  ...ICAO,
  ё: 'yo',
  й: 'j',
  х: 'x',
  ц: 'cz',
  щ: 'shh',
  ъ: '``',
  ы: 'y`',
  ь: '`',
  э: 'e`',
  ю: 'yu',
  я: 'ya',
  є: 'ye',
  ї: 'yi',
  ґ: 'g`',
  ў: 'u`',
  ә: 'a`',
  ғ: 'g`',
  қ: 'q',
  ң: 'n`',
  ө: 'o`',
  ұ: 'u`',
  ү: 'u`',
  ҳ: 'h`',
  ӣ: 'i`',
  ӯ: 'u`',
  ҷ: 'j`',
};

const CYR_VOWELS = new Set([...'аеёиоуыэюяіїєәөұүӣӯ']);
const isUpper = (ch: string | undefined): boolean => ch !== undefined && ch !== ch.toLowerCase();
const isLetter = (ch: string | undefined): boolean => ch !== undefined && /\p{L}/u.test(ch);

function mapChars(text: string, table: Readonly<Record<string, string>>, gost: boolean): string {
  const chars = [...text];
  let out = '';
  chars.forEach((ch, i) => {
    const lower = ch.toLowerCase();
    let t = table[lower];
    if (t === undefined) {
      out += ch;
      return;
    }
    if (lower === 'ў' && !CYR_VOWELS.has(chars[i - 1]?.toLowerCase() ?? '')) {
      // Belarusian ў only follows a vowel; elsewhere it is the Uzbek letter (Latin oʻ).
      t = gost ? 'o`' : 'o';
    } else if (gost && lower === 'ц') {
      // System B: c before i, e, y, j; cz otherwise.
      const next = table[chars[i + 1]?.toLowerCase() ?? ''] ?? '';
      t = /^[eiyj]/.test(next) ? 'c' : 'cz';
    }
    if (isUpper(ch) && t.length > 0) {
      const next = chars[i + 1];
      const allCaps = isUpper(next) || (!isLetter(next) && isUpper(chars[i - 1]));
      t = allCaps || t.length === 1 ? t.toUpperCase() : t[0]!.toUpperCase() + t.slice(1);
    }
    out += t;
  });
  return out;
}

/** Cyrillic (Russian and the signatories' national letters) to Latin; other Latin diacritics folded to ASCII. */
export function transliterate(name: string, scheme: TranslitScheme = 'icao'): string {
  const table = scheme === 'gost779' ? GOST : ICAO;
  const once = mapChars(name.normalize('NFC'), table, scheme === 'gost779');
  // Strip remaining combining marks (é, ñ, ä, decomposed Cyrillic) and map what they revealed.
  return mapChars(once.normalize('NFD').replace(/\p{M}/gu, ''), table, scheme === 'gost779').normalize('NFC');
}

// ---- matching key -----------------------------------------------------------------
// Folding works on lower-case Latin words. Upper-case letters are placeholders for
// the digraph phonemes: S = ш/щ, C = ч, J = ж/дж, Z = ц. They are written out as
// sh, ch, zh, ts at the end of each pass, and passes repeat to a fixed point, so
// the key is idempotent.

type Rule = readonly [RegExp, string];

const HEAD: readonly Rule[] = [
  [/cz/g, 'Z'],
  [/tsch/g, 'ZC'],
  [/shch|shh|sch/g, 'S'],
  [/tch/g, 'C'],
  [/ch/g, 'C'],
  [/sh/g, 'S'],
  [/zh/g, 'J'],
  [/c(?=[eiyj])/g, 'Z'],
  [/ts|tc|tz/g, 'Z'],
  [/ck/g, 'k'],
  [/c/g, 'k'],
  [/q/g, 'k'],
];
/** Primary reading: x is "ks" (Alexander), j before a vowel is ж (Jamshid, Djafar). */
const PRIMARY: readonly Rule[] = [
  [/kh/g, 'h'],
  [/x/g, 'ks'],
  [/j(?=[aeiouy])/g, 'J'],
  [/j/g, 'i'],
];
/** Alternative reading: x is х (GOST 7.79, Uzbek Latin), j is й (GOST 7.79, Jurij). */
const ALTERNATIVE: readonly Rule[] = [
  [/kh|x/g, 'h'],
  [/j/g, 'i'],
];
const TAIL: readonly Rule[] = [
  [/ph/g, 'f'],
  [/gh/g, 'g'],
  [/w/g, 'v'],
  [/(?<=[bdfghklmnprstvzSCJZ])yo/g, 'e'], // Fyodor, Pyotr, Semyon: ё written yo
  [/y/g, 'i'],
  [/^ie/g, 'e'],
  [/(?<=[aeiou])ie/g, 'e'], // Yelena/Elena, Sergeyev/Sergeev
  [/(?<=[dt])er$/g, 'r'], // Alexander/Aleksandr, Peter/Petr
  [/(.)\1+/gu, '$1'],
];
const SPELL_OUT: Readonly<Record<string, string>> = { S: 'sh', C: 'ch', J: 'zh', Z: 'ts' };

function foldWord(word: string, alternative: boolean): string {
  const rules = [...HEAD, ...(alternative ? ALTERNATIVE : PRIMARY), ...TAIL];
  let w = word;
  for (let pass = 0; pass < 12; pass++) {
    let next = w;
    for (const [re, to] of rules) next = next.replace(re, to);
    next = next.replace(/[SCJZ]/g, (p) => SPELL_OUT[p] ?? p);
    if (next === w) break;
    w = next;
  }
  return w;
}

function nameKey(name: string, alternative: boolean): string {
  // ICAO already folds ё to e and й to i (as е and и).
  return transliterate(name.normalize('NFC').toLowerCase(), 'icao')
    .toLowerCase()
    .replace(/[^\p{L}\s]|\p{Lm}/gu, '') // punctuation, hyphens, apostrophes (ʻ ʼ ' ’ `), digits
    .split(/\s+/)
    .map((w) => foldWord(w, alternative))
    .filter((w) => w !== '')
    .join(' ');
}

/** The matching key: lower-case Latin phonetic spelling, one space between name parts. */
export function normalizeName(name: string): string {
  return nameKey(name, false);
}

// ---- similarity -------------------------------------------------------------------

function jaro(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const usedA = new Array<boolean>(a.length).fill(false);
  const usedB = new Array<boolean>(b.length).fill(false);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(b.length, i + window + 1); j++) {
      if (!usedB[j] && a[i] === b[j]) {
        usedA[i] = true;
        usedB[j] = true;
        m++;
        break;
      }
    }
  }
  if (m === 0) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!usedA[i]) continue;
    while (!usedB[k]) k++;
    if (a[i] !== b[k]) t++;
    k++;
  }
  return (m / a.length + m / b.length + (m - t / 2) / m) / 3;
}

/** Jaro-Winkler, computed in a canonical argument order so that it is exactly symmetric. */
function jaroWinkler(a: string, b: string): number {
  const [x, y] = a <= b ? [a, b] : [b, a];
  const j = jaro(x, y);
  let p = 0;
  while (p < 4 && p < x.length && x[p] === y[p]) p++;
  return j + p * 0.1 * (1 - j);
}

const MAX_PARTS = 8;

/** Best one-to-one alignment of the shorter part list into the longer one, as a mean similarity. */
function partsScore(a: readonly string[], b: readonly string[]): number {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return 0;
  const used = new Array<boolean>(long.length).fill(false);
  let best = 0;
  const search = (i: number, sum: number): void => {
    if (i === short.length) {
      best = Math.max(best, sum);
      return;
    }
    for (let j = 0; j < long.length; j++) {
      if (used[j]) continue;
      used[j] = true;
      search(i + 1, sum + jaroWinkler(short[i]!, long[j]!));
      used[j] = false;
    }
  };
  search(0, 0);
  let score = best / short.length;
  // A missing patronymic costs nothing; a lone surname or further missing parts do.
  if (short.length === 1 && long.length > 1) score *= 0.85;
  if (long.length - short.length > 1) score *= 0.95 ** (long.length - short.length - 1);
  return score;
}

export interface NameMatch {
  match: boolean;
  score: number;
  key: [string, string];
}

/**
 * Compares two names: score 1 when the keys are equal, otherwise the best
 * part-by-part Jaro-Winkler alignment over both readings of x and j; match
 * when score >= 0.9. Names without letters never match.
 */
export function namesMatch(a: string, b: string): NameMatch {
  const key: [string, string] = [normalizeName(a), normalizeName(b)];
  if (key[0] === '' || key[1] === '') return { match: false, score: 0, key };
  if (key[0] === key[1]) return { match: true, score: 1, key };
  // Canonical side order keeps the score exactly symmetric.
  const [first, second] = key[0] <= key[1] ? [a, b] : [b, a];
  const readings = (n: string): string[][] =>
    [nameKey(n, false), nameKey(n, true)].map((k) => k.split(' ').slice(0, MAX_PARTS));
  let score = 0;
  for (const x of readings(first)) for (const y of readings(second)) score = Math.max(score, partsScore(x, y));
  score = Math.min(1, Math.round(score * 10_000) / 10_000);
  return { match: score >= 0.9, score, key };
}
