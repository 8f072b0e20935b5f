// The password policy of the node (ASVS 4.0.3 V2.1, issue 13 item 9), one pure
// function for every place a password is set: the web pages, the REST API, the
// CLI and generated passwords. Only length, printable characters and
// guessability count (V2.1.9: no composition rules); the strength estimate and
// the common-password list come from zxcvbn-ts (V2.1.7, V2.1.8).
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';

/** V2.1.1: at least 12 characters after runs of spaces are combined. */
export const PASSWORD_MIN_LENGTH = 12;
/** V2.1.2: 64 and more are allowed; more than 128 are refused. */
export const PASSWORD_MAX_LENGTH = 128;
/** zxcvbn score a new password must reach: 3 = at least 10^8 guesses. */
export const PASSWORD_MIN_SCORE = 3;

export type PasswordCode =
  | 'password.too_short'
  | 'password.too_long'
  | 'password.invalid_char'
  | 'password.personal'
  | 'password.common'
  | 'password.weak';

export interface PasswordProblem {
  readonly code: PasswordCode;
  /** Russian, without the field's name (the caller names the field). */
  readonly message: string;
}

export interface PasswordCheck {
  /** zxcvbn score 0–4 (0 also for a password refused before it is estimated). */
  readonly score: 0 | 1 | 2 | 3 | 4;
  /** Russian verdict for the strength meter (V2.1.8). */
  readonly verdict: string;
  /** Russian hint from the estimator, if it has one. */
  readonly hint: string | null;
  /** Why the password is refused; null when it is accepted. */
  readonly problem: PasswordProblem | null;
}

/** Whom the password is for: a password may not contain these (V2.1.7, context-specific words). */
export interface PasswordContext {
  readonly login?: string | undefined;
  readonly fullName?: string | undefined;
}

/** The one normal form, used when a password is measured, hashed and verified (V2.1.4). */
export function normalizePassword(pw: string): string {
  return pw.normalize('NFC');
}

/** V2.1.1: characters (code points of the normal form) after runs of spaces are combined. */
export function passwordLength(pw: string): number {
  return [...normalizePassword(pw).replace(/\s{2,}/gu, ' ')].length;
}

const VERDICTS = ['очень слабый', 'слабый', 'недостаточно надёжный', 'хороший', 'надёжный'] as const;

const WARNINGS_RU: Readonly<Record<string, string>> = {
  straightRow: 'Ряд соседних клавиш легко угадать',
  keyPattern: 'Короткий рисунок на клавиатуре легко угадать',
  simpleRepeat: 'Повторы вроде «ааа» легко угадать',
  extendedRepeat: 'Повторы вроде «абвабвабв» угадать лишь чуть сложнее, чем «абв»',
  sequences: 'Последовательности вроде «abc» или «6543» легко угадать',
  recentYears: 'Недавние годы легко угадать',
  dates: 'Даты легко угадать',
  topTen: 'Это один из самых распространённых паролей',
  topHundred: 'Это очень распространённый пароль',
  common: 'Это распространённый пароль',
  similarToCommon: 'Пароль похож на распространённый',
  wordByItself: 'Одно слово легко угадать',
  namesByThemselves: 'Имена и фамилии сами по себе легко угадать',
  commonNames: 'Распространённые имена и фамилии легко угадать',
  userInputs: 'Пароль не должен содержать личные данные',
  pwned: 'Этот пароль есть в утёкших базах паролей',
};

const SUGGESTIONS_RU: Readonly<Record<string, string>> = {
  l33t: 'Замены вроде «@» вместо «a» мало что дают',
  reverseWords: 'Слова, записанные задом наперёд, легко угадать',
  allUppercase: 'Заглавные буквы лучше ставить не все, а некоторые',
  capitalization: 'Заглавная буква в начале почти ничего не даёт',
  dates: 'Не используйте даты, связанные с вами',
  recentYears: 'Не используйте недавние годы',
  associatedYears: 'Не используйте годы, связанные с вами',
  sequences: 'Не используйте последовательности символов',
  repeated: 'Не повторяйте слова и символы',
  longerKeyboardPattern: 'Используйте более длинный рисунок на клавиатуре с поворотами',
  anotherWord: 'Добавьте ещё несколько слов, лучше необычных',
  useWords: 'Используйте несколько слов, но не распространённые фразы',
  noNeed: 'Цифры, символы и заглавные буквы не обязательны',
  pwned: 'Если вы где-то ещё используете этот пароль, смените его там',
};

const COMMON_WARNINGS = new Set(['topTen', 'topHundred', 'common', 'similarToCommon', 'pwned']);

// A Russian keyboard typed in the Latin layout and back: «пароль» is «gfhjkm»,
// «йцукен» is «qwerty»; the common lists hold such passwords in Latin letters.
const RU_KEYS = 'йцукенгшщзхъфывапролджэячсмитьбюё';
const LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
const LAYOUT = new Map<string, string>(
  [...RU_KEYS].flatMap((c, i) => {
    const l = LATIN_KEYS[i]!;
    const upper = /[a-z]/.test(l) ? l.toUpperCase() : l;
    return [
      [c, l],
      [c.toUpperCase(), upper],
    ];
  }),
);
const toLatinLayout = (s: string): string => [...s].map((c) => LAYOUT.get(c) ?? c).join('');

let estimator: { factory: ZxcvbnFactory; common: ReadonlySet<string> } | undefined;
function zxcvbn(): { factory: ZxcvbnFactory; common: ReadonlySet<string> } {
  estimator ??= {
    factory: new ZxcvbnFactory({
      dictionary: { ...zxcvbnCommon.dictionary },
      graphs: zxcvbnCommon.adjacencyGraphs,
      maxLength: PASSWORD_MAX_LENGTH,
    }),
    common: new Set(zxcvbnCommon.dictionary['passwords-common'].map((w) => String(w).toLowerCase())),
  };
  return estimator;
}

/** Words of the login and the name worth refusing inside a password (3 characters and more). */
function personalWords(c: PasswordContext): string[] {
  const words = new Set<string>();
  const add = (w: string) => {
    const x = normalizePassword(w).toLowerCase();
    if ([...x].length >= 3) words.add(x);
  };
  if (c.login) {
    add(c.login);
    for (const part of c.login.split(/[._-]+/)) add(part);
  }
  for (const part of (c.fullName ?? '').split(/[\s\-.,]+/u)) {
    add(part);
    add(toLatinLayout(part));
  }
  return [...words];
}

function refused(code: PasswordCode, message: string, score: PasswordCheck['score'] = 0, hint: string | null = null) {
  return { score, verdict: VERDICTS[score], hint, problem: { code, message } } satisfies PasswordCheck;
}

/**
 * Checks a new password against the policy and estimates its strength. The
 * first problem found is returned (cheapest checks first, so an overlong
 * password never reaches the estimator).
 */
export function checkPassword(password: string, context: PasswordContext = {}): PasswordCheck {
  const pw = normalizePassword(password);
  if (/[\p{Cc}\p{Cs}]/u.test(pw))
    return refused(
      'password.invalid_char',
      'содержит управляющие символы (перевод строки, табуляция и т. п.); допустимы любые печатные символы, пробелы и эмодзи',
    );
  if ([...pw].length > PASSWORD_MAX_LENGTH)
    return refused('password.too_long', `не длиннее ${PASSWORD_MAX_LENGTH} символов (сейчас ${[...pw].length})`);

  const { factory, common } = zxcvbn();
  const latin = toLatinLayout(pw);
  const words = personalWords(context);
  const results: ZxcvbnResult[] = [factory.check(pw, words)];
  if (latin !== pw) results.push(factory.check(latin, words));
  const weakest = results.reduce((a, b) => (b.guesses < a.guesses ? b : a));
  const score = weakest.score;
  const warning = weakest.feedback.warning;
  const hint =
    (warning ? WARNINGS_RU[warning] : undefined) ??
    weakest.feedback.suggestions.map((s) => SUGGESTIONS_RU[s]).find((s) => s !== undefined) ??
    null;

  const length = passwordLength(pw);
  if (length < PASSWORD_MIN_LENGTH)
    return refused(
      'password.too_short',
      `не короче ${PASSWORD_MIN_LENGTH} символов (сейчас ${length}; несколько пробелов подряд считаются за один)`,
      score,
      hint,
    );
  const lower = pw.toLowerCase();
  const lowerLatin = latin.toLowerCase();
  if (words.some((w) => lower.includes(w) || lowerLatin.includes(w)))
    return refused('password.personal', 'не должен содержать имя входа или ФИО пользователя', score, hint);
  if (common.has(lower) || common.has(lowerLatin) || (warning !== null && COMMON_WARNINGS.has(warning)))
    return refused(
      'password.common',
      'входит в список распространённых или утёкших паролей или похож на такой пароль; выберите другой',
      score,
      hint,
    );
  if (score < PASSWORD_MIN_SCORE)
    return refused(
      'password.weak',
      `слишком легко подобрать${hint ? ` (${hint.charAt(0).toLowerCase()}${hint.slice(1)})` : ''}; возьмите несколько необычных слов`,
      score,
      hint,
    );
  return { score, verdict: VERDICTS[score], hint, problem: null };
}
