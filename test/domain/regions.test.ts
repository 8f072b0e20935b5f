// R18 routing: the debtor's address names a region of the requested Party (data/regions/<CC>.json), and the
// region's territorial body is suggested. Whole words, any case and script variant; the more specific wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { matchRegions, parseRegionTable, regionOf, words } from '../../src/domain/regions.js';
import { loadRegionTable } from '../../src/adapters/regions/json-region-source.js';

const table = (cc: string) =>
  parseRegionTable(JSON.parse(readFileSync(new URL(`../../data/regions/${cc}.json`, import.meta.url), 'utf8')));
const KZ = table('KZ');
const at = (address: string | undefined, t = KZ) => regionOf(t, address)?.name ?? null;

test('R18: «г. Алматы» in Cyrillic, with or without «г.», any case, old name and state-language spelling → kz-almaty', () => {
  for (const a of [
    'г. Алматы, ул. Абая, д. 10, кв. 5',
    'Республика Казахстан, г.Алматы, пр. Достык 12',
    'город Алматы, мкр. Самал-2',
    'АЛМАТЫ, УЛ. ТОЛЕ БИ 45',
    '050000, Алматы қаласы, Абай даңғылы, 10',
    'Казахская ССР, г. Алма-Ата, ул. Фурманова 1',
  ]) {
    assert.equal(at(a), 'г. Алматы', a);
    assert.equal(regionOf(KZ, a)!.body, 'kz-almaty', a);
  }
});

test('R18: Latin addresses match too («Almaty», «Alma-Ata»)', () => {
  assert.equal(at('Kazakhstan, Almaty, Abay ave. 10, apt. 5'), 'г. Алматы');
  assert.equal(at('ALMA-ATA, FURMANOV STR 1'), 'г. Алматы');
  assert.equal(at('Almaty region, Konaev, Abay str 3'), 'Алматинская область');
});

test('R18: «область» is the region, not the city it is named after; abbreviations and case forms', () => {
  assert.equal(at('Алматинская область, Илийский район, п. Отеген батыр'), 'Алматинская область');
  assert.equal(at('Алматинская обл., г. Конаев, ул. Абая 1'), 'Алматинская область');
  assert.equal(at('проживает в Алматинской области'), 'Алматинская область');
  assert.equal(at('Алматы облысы, Талгар ауданы'), 'Алматинская область', 'Kazakh «облысы»: the longer variant wins');
  assert.equal(at('Карагандинская обл., г. Темиртау'), 'Карагандинская область');
  assert.equal(at('г. Караганда, ул. Бухар-Жырау 1'), 'Карагандинская область', 'a regional centre → its region');
  assert.equal(regionOf(KZ, 'Алматинская область')!.body, 'kz-almaty-oblast');
});

test('R18: a city and a region both named: the city is more specific', () => {
  const m = matchRegions(KZ, 'Алматинская область, г. Алматы (фактически)');
  assert.deepEqual(
    m.map((x) => x.region.name),
    ['г. Алматы', 'Алматинская область'],
  );
});

test('R18: no match — another Party’s address, a street named after a city, nothing at all', () => {
  assert.equal(at('г. Москва, ул. Тверская, д. 1, кв. 1'), null);
  assert.equal(at('г. Москва, ул. Алматинская, д. 3'), null, '«Алматинская» street is not the region');
  assert.equal(at('Алматинский район'), null);
  assert.equal(at(''), null);
  assert.equal(at(undefined), null);
  assert.equal(at('неизвестно'), null);
  // Part of a word is no match: «Алматыбанк» is not Almaty.
  assert.equal(at('АО Алматыбанк'), null);
});

test('R18: the other Parties’ tables (RU, BY) read their own spellings; ё and Belarusian і fold', () => {
  const RU = table('RU');
  const BY = table('BY');
  assert.equal(at('г. Москва, ул. Тверская, д. 1', RU), 'г. Москва');
  assert.equal(at('Московская обл., г. Химки', RU), 'Московская область');
  assert.equal(at('Saint Petersburg, Nevsky pr. 1', RU), 'г. Санкт-Петербург');
  assert.equal(at('г. Мінск, вул. Незалежнасці 1', BY), 'г. Минск');
  assert.equal(at('Могилевская обл., г. Бобруйск', BY), 'Могилёвская область');
  assert.deepEqual(words('Ёлки-Палки, г.Қонаев'), ['елки', 'палки', 'г', 'конаев']);
});

test('R18: a broken table is an error, not an empty suggestion; a Party without a table has none', async () => {
  assert.throws(() => parseRegionTable({ party: 'KZ', regions: [] }), /Таблица регионов/);
  assert.throws(
    () => parseRegionTable({ party: 'KZ', regions: [{ name: 'x', kind: 'city', body: 'b', variants: ['—'] }] }),
    /без слов/,
  );
  assert.equal((await loadRegionTable('KZ'))!.party, 'KZ');
  assert.equal(await loadRegionTable('AM'), null);
});
