// The checker every browser walk uses to prove its pages carry no raw code, ISO time or English word (issue 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainRussianFindings } from '../support/plain-russian.js';

/** The kinds found, each once, sorted. */
const kinds = (t: string) => [...new Set(plainRussianFindings(t).map((f) => f.kind))].sort();

test('plain Russian passes: dates ДД.ММ.ГГГГ, local times, amounts, national ids, plates, PDF and QR', () => {
  assert.deepEqual(
    plainRussianFindings(
      'Получен 14.01.2027 12:51 (время Алматы). Взыскано 150 000,00 KZT. ИИН 900101300123, ОГРНИП 304500116000157. ' +
        'Автомобиль А123ВС77, VIN XTA210990Y1234567. Печатная форма (PDF) с QR-кодом. Должник IVANOV IVAN.',
    ),
    [],
  );
});

test('raw codes, ISO times, rule ids, file paths and English words are found', () => {
  assert.deepEqual(kinds('Ошибка. Код: input.invalid'), ['English word', 'dotted code', 'error code suffix']);
  assert.deepEqual(kinds('Передача «answer_final»'), ['snake_case code']);
  assert.deepEqual(kinds('Изменён 2026-11-27T12:51:32.926Z'), ['ISO timestamp']);
  assert.deepEqual(kinds('Основание R12.a'), ['rule id']);
  assert.deepEqual(kinds('Нет ключа подписи (/work/node/keys/bodies)'), ['file path']);
  assert.deepEqual(kinds('Конфиденциально: false'), ['English word', 'programming word']);
  assert.deepEqual(kinds('Статус: security'), ['English word']);
});
