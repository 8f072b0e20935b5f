// What an officer must never read on a page (issue 14, item 2): a raw code
// («input.invalid», «answer_final»), a rule id outside a small reference, an ISO
// date or timestamp, a UTC time, a file path, or an English word. Proper names
// and abbreviations that are Latin by nature are allowed by a short list.
//
// `plainRussianFindings(text)` returns what it found (empty when the text is
// clean); browser tests call it on every page of the walk.

/** Latin words a Russian page may carry: proper names, units, formats and standard abbreviations. */
const LATIN_ALLOWED = new Set([
  // The system's own name and proper names of programs.
  'EIX',
  'Excel',
  'PDF',
  'QR',
  'CSV',
  'XLSX',
  'SHA',
  'JPEG',
  'PNG',
  'TIFF',
  'DOCX',
  'ODT',
  'ODS',
  'TXT',
  'XML',
  'JSON',
  'RUB',
  'KZT',
  'BYN',
  'AMD',
  'KGS',
  'TJS',
  'UZS',
  'AZN',
  'MDL',
  'UAH',
  'TMT',
  'USD',
  'EUR',
  'IBAN',
  'BIC',
  'SWIFT',
  'VIN',
  'TOTP',
  'TLS',
  'AES',
  'GCM',
  'PEM',
  'CSR',
  'ID',
  'IP',
  'API',
  'UTC',
  // Letters of national identifiers and plates as they are written in their country.
  'VÖEN',
  'FIN',
  'IDNO',
  'IDNP',
  'PINFL',
]);

const PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'ISO timestamp'],
  [/\b\d{4}-\d{2}-\d{2}\b/, 'ISO date'],
  [/\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*\b/, 'dotted code'],
  [/\b[a-z]+_[a-z_]+\b/, 'snake_case code'],
  [/(?:^|[\s(«"'])\/[a-z]+\/[\w./-]+/, 'file path'],
  [/\bR\d+(?:\.\d+)?(?:\.[a-z])?\b/, 'rule id'],
  [/\b(?:true|false|null|undefined|NaN|Error)\b/, 'programming word'],
  [/\[object Object\]/, 'unrendered object'],
  [/\b\d+\.[a-e]\b/, 'Latin article letter'],
  [/Код: /, 'error code suffix'],
];

export interface Finding {
  readonly kind: string;
  readonly match: string;
  readonly context: string;
}

export function plainRussianFindings(text: string): Finding[] {
  const found: Finding[] = [];
  const at = (i: number, len: number) => text.slice(Math.max(0, i - 40), i + len + 40).replace(/\s+/g, ' ');
  for (const [re, kind] of PATTERNS) {
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    for (const m of text.matchAll(g)) found.push({ kind, match: m[0], context: at(m.index, m[0].length) });
  }
  // English words: runs of 2+ Latin letters that are not an allowed name, not part of an identifier with digits
  // (plates, numbers such as «ФС 012345678» or «A123BC») and not inside an e-mail address or a URL.
  for (const m of text.matchAll(/[A-Za-zÖÜÄöüä][A-Za-zÖÜÄöüä'-]+/g)) {
    const w = m[0].replace(/[-']+$/, '');
    const before = text[m.index - 1] ?? ' ';
    // What follows the whole run (a trailing hyphen belongs to the run: «API-токены», «ru-fssp-77/…»).
    const after = text[m.index + m[0].length] ?? ' ';
    if (/[\d@./:_-]/.test(before) || /[\d@/:_]/.test(after)) continue;
    if (LATIN_ALLOWED.has(w) || LATIN_ALLOWED.has(w.toUpperCase())) continue;
    // A transliterated name is written in capitals in passports (IVANOV IVAN): allowed as a proper name.
    if (w === w.toUpperCase() && w.length >= 3 && /\b[A-Z]{3,}\s+[A-Z]{3,}\b/.test(at(m.index, w.length))) continue;
    found.push({ kind: 'English word', match: w, context: at(m.index, w.length) });
  }
  return found;
}

/** A failure message listing what was found (one line each), or null when the text is plain Russian. */
export function plainRussianReport(page: string, text: string): string | null {
  const f = plainRussianFindings(text);
  return f.length ? `${page}: ${f.map((x) => `${x.kind} «${x.match}» in «…${x.context}…»`).join('\n')}` : null;
}
