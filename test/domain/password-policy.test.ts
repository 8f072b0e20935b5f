// The password policy (ASVS 4.0.3 V2.1, issue 13 item 9) as a pure function:
// every place that sets a password (web, API, CLI, generated passwords) calls
// checkPassword, so its rules are proven here once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  checkPassword,
  passwordLength,
  type PasswordCode,
} from '../../src/domain/password-policy.js';
import { generatePassword, hashPassword, verifyPassword } from '../../src/adapters/crypto/passwords.js';

/** A strong password of exactly n code points (random-looking, no dictionary words). */
const strong = (n: number): string => {
  const base = 'Kx7qZ v9Lr2mWp4Tn8Jd3Hf6Yb5Gc1Ns';
  let out = '';
  while ([...out].length < n) out += base;
  return [...out].slice(0, n).join('');
};

const codeOf = (pw: string, ctx = {}): PasswordCode | null => checkPassword(pw, ctx).problem?.code ?? null;

test('V2.1.1: at least 12 characters, counted after runs of spaces are combined', () => {
  assert.equal(PASSWORD_MIN_LENGTH, 12);
  assert.equal(codeOf(strong(11)), 'password.too_short');
  assert.equal(codeOf(strong(12)), null);
  // 12 code points typed, but the four spaces count as one: 9 characters.
  assert.equal(passwordLength('Kx7q    Zv9L'), 9);
  assert.equal(codeOf('Kx7q    Zv9L'), 'password.too_short');
  // Characters, not UTF-16 units: 11 emoji are 22 units and still too short.
  assert.equal(codeOf('🦊🐙🦉🐝🦀🐢🦔🐳🦒🐧🦜'), 'password.too_short');
  const p = checkPassword(strong(8)).problem;
  assert.match(p?.message ?? '', /не короче 12 символов/);
});

test('V2.1.2: 64 characters are allowed, 128 too, more than 128 are refused', () => {
  assert.equal(PASSWORD_MAX_LENGTH, 128);
  assert.equal(codeOf(strong(64)), null);
  assert.equal(codeOf(strong(128)), null);
  assert.equal(codeOf(strong(129)), 'password.too_long');
  assert.match(checkPassword(strong(200)).problem?.message ?? '', /не длиннее 128 символов/);
  // 128 emoji (256 UTF-16 units) are 128 characters: allowed.
  const emoji = [...'🦊🐙🦉🐝🦀🐢🦔🐳🦒🐧🦜🦩🦥🦦🦨🦡'];
  const long = Array.from({ length: 128 }, (_, i) => emoji[(i * 7 + Math.floor(i / 16)) % 16]).join('');
  assert.equal([...long].length, 128);
  assert.equal(codeOf(long), null);
});

test('V2.1.3: the whole password is hashed: a 128-character password and its 127-character prefix differ', async () => {
  const pw = strong(128);
  const hash = await hashPassword(pw);
  assert.equal(await verifyPassword(pw, hash), true);
  assert.equal(await verifyPassword(pw.slice(0, 127), hash), false);
  assert.equal(await verifyPassword(`${pw.slice(0, 127)}x`, hash), false);
  // Beyond 72 bytes (where bcrypt would stop) the last character still counts.
  const multi = `Пароль-${'ж'.repeat(60)}-конец`;
  const h2 = await hashPassword(multi);
  assert.equal(await verifyPassword(multi.replace(/конец$/, 'конеЦ'), h2), false);
});

test('V2.1.4: any printable Unicode: spaces, Cyrillic, CJK, emoji; set and verify agree on NFC', async () => {
  for (const pw of [
    'мой кот Барсик спит на окне',
    '  пробелы  по   краям и внутри  ',
    '🦊 лиса прыгает 🐙 через осьминога',
    '我的密码是一只猫和一条狗',
    'Ωμέγα ünïcödé ñandú çà',
  ])
    assert.equal(codeOf(pw), null, pw);
  // «й» typed decomposed (NFD) and composed (NFC) is the same password everywhere.
  const nfd = 'Мой пароль — йогурт и ёжик'.normalize('NFD');
  const nfc = nfd.normalize('NFC');
  assert.notEqual(nfd, nfc);
  assert.equal(passwordLength(nfd), passwordLength(nfc));
  assert.equal(await verifyPassword(nfc, await hashPassword(nfd)), true);
  // Control characters and broken UTF-16 are not printable: refused, with the reason.
  for (const bad of ['Kx7qZv9Lr2mW\u0000p4Tn', 'Kx7qZv9Lr2mW\np4Tn', 'Kx7qZv9Lr2mW\uD800p4Tn'])
    assert.equal(codeOf(bad), 'password.invalid_char', JSON.stringify(bad));
});

test('V2.1.7: passwords from the breached/common list are refused, also typed in the Russian layout', () => {
  for (const pw of ['1q2w3e4r5t6y', 'qwerty123456', 'password1234', 'iloveyou1234', 'gfhjkmgfhjkm'])
    assert.equal(codeOf(pw), 'password.common', pw);
  // «пароль» typed on a Russian keyboard with the Latin layout is «gfhjkm»; the reverse is caught too.
  assert.equal(codeOf('парольпароль'), 'password.common');
  assert.equal(codeOf('йцукенгшщзхъ'), 'password.weak', 'qwertyuiop[] on the Russian layout');
  const p = checkPassword('qwerty123456').problem!;
  assert.match(p.message, /распространённых или утёкших/);
});

test('V2.1.7: a password containing the login or the name is refused', () => {
  const who = { login: 'ivanov.p', fullName: 'Иванов Пётр Сергеевич' };
  assert.equal(codeOf('Kx7q-ivanov.p-Zv9L', who), 'password.personal');
  assert.equal(codeOf('Kx7q-IVANOV.P-Zv9L', who), 'password.personal');
  assert.equal(codeOf('Мой Иванов и я 2026!', who), 'password.personal');
  assert.equal(codeOf('Kx7q Сергеевич Zv9L', who), 'password.personal');
  // The surname typed with the Latin layout («Иванов» → «Bdfyjd»).
  assert.equal(codeOf('Kx7q Bdfyjd Zv9L!', who), 'password.personal');
  assert.match(checkPassword('Kx7q-ivanov.p-Zv9L', who).problem!.message, /имя входа или ФИО/);
  assert.equal(codeOf(strong(16), who), null);
});

test('V2.1.8: a strength estimate 0–4 with a Russian verdict, whether or not the password is accepted', () => {
  const weak = checkPassword('aaaaaaaaaaaa');
  assert.ok(weak.score <= 1);
  assert.equal(weak.problem?.code, 'password.weak');
  assert.match(weak.verdict, /[а-яё]/i);
  assert.ok(weak.hint && /[а-яё]/i.test(weak.hint), 'a Russian hint from the estimator');
  const good = checkPassword(strong(20));
  assert.equal(good.score, 4);
  assert.equal(good.problem, null);
  assert.match(good.verdict, /надёжный/);
});

test('V2.1.9: no composition rules: all-lowercase, all-digit-free, symbol-free passphrases pass', () => {
  for (const pw of ['плавная речка огибает холм', 'seven purple otters juggle', 'зеленыйкитплывёт'])
    assert.equal(codeOf(pw), null, pw);
});

test('generated passwords pass the policy, also for the officer they are made for', () => {
  const who = { login: 'abc', fullName: 'Абв Где' };
  for (let i = 0; i < 50; i++) {
    const pw = generatePassword(who);
    assert.equal(codeOf(pw, who), null, pw);
  }
});
