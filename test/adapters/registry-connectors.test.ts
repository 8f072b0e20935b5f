// Issue 17 item 2: the generic HTTP JSON connector to a domestic registry,
// against a real registry on loopback (node:http) that answers well, never
// answers, answers garbage or 500s: the mapping of registries.json, a timeout
// per attempt, retries, and the circuit breaker (opens after N failures,
// half-opens after its pause on a test clock, closes on a good trial).
// registries.json is checked at start with errors naming the field.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { httpJsonConnector } from '../../src/adapters/registries/http-json-connector.js';
import { demoRegistry, loadDemoDataset } from '../../src/adapters/registries/demo-registries.js';
import { parseRegistriesConfig, readRegistriesConfig, type HttpJsonLookup } from '../../src/config/registries.js';
import { PROJECT_ROOT } from '../../src/config/config.js';
import type { RegistryQuery } from '../../src/ports/registry-lookup.js';
import { TestClock } from '../support/app.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fake-registry.js';

const QUERY: RegistryQuery = {
  kind: 'accounts',
  debtor: {
    type: 'individual',
    surname: 'Иванов',
    name: 'Иван',
    patronymic: 'Иванович',
    birthDate: '1980-05-15',
    ids: [{ country: 'KZ', kind: 'IIN', value: '800515301233' }],
  },
  purpose: { requestNumber: '77001/26/000123', requestingParty: 'RU', itemNo: 2, provisions: ['6.a'] },
};

const GOOD = {
  result: {
    accounts: [
      { bankName: 'АО «Каспи Банк»', iban: 'KZ86722S000001234567', balance: '845120.35', type: 'текущий' },
      { bankName: 'АО «Халык Банк»', iban: 'KZ22601A871000765432' },
    ],
  },
};

const MAPPING = {
  records: '/result/accounts',
  fields: {
    bank: '/bankName',
    number: '/iban',
    kind: '/type',
    'balance.value': '/balance',
    'balance.currency': { value: 'KZT' },
  },
};

async function settings(url: string, over: Record<string, unknown> = {}): Promise<HttpJsonLookup> {
  const c = await parseRegistriesConfig(
    {
      lookups: {
        accounts: {
          connector: 'http-json',
          title: 'Реестр банковских счетов',
          url,
          timeoutMs: 5000,
          retries: 1,
          backoffMs: 0,
          breaker: { failures: 2, openSeconds: 30 },
          mapping: MAPPING,
          ...over,
        },
      },
    },
    tmpdir(),
    'registries.json',
  );
  return c.lookups.accounts as HttpJsonLookup;
}

describe('issue 17.2: the HTTP JSON registry connector on loopback', () => {
  let reg: FakeRegistry;
  let home: string;
  before(async () => {
    reg = await startFakeRegistry();
    home = await mkdtemp(path.join(tmpdir(), 'eix-registries-'));
  });
  after(async () => {
    await reg.close();
    await rm(home, { recursive: true, force: true });
  });

  test('good data: mapped to the answer’s rows (amount from text, constant currency), credentials in the header', async () => {
    await mkdir(path.join(home, 'keys'), { recursive: true });
    await writeFile(path.join(home, 'keys', 'banks.token'), 'secret-token-1\n');
    reg.set('/good', { kind: 'json', body: GOOD });
    const cfg = (
      await parseRegistriesConfig(
        {
          lookups: {
            accounts: {
              connector: 'http-json',
              title: 'Реестр банковских счетов',
              url: `${reg.url}/good`,
              auth: { type: 'bearer', tokenFile: 'keys/banks.token' },
              mapping: MAPPING,
            },
          },
        },
        home,
        'registries.json',
      )
    ).lookups.accounts as HttpJsonLookup;
    const c = httpJsonConnector(cfg, { clock: new TestClock(0) });
    const r = await c.lookup(QUERY);
    assert.deepEqual(r, {
      status: 'found',
      rows: [
        {
          bank: 'АО «Каспи Банк»',
          number: 'KZ86722S000001234567',
          kind: 'текущий',
          balance: { value: 845120.35, currency: 'KZT' },
        },
        { bank: 'АО «Халык Банк»', number: 'KZ22601A871000765432' },
      ],
    });
    const call = reg.calls('/good')[0]!;
    assert.equal(call.headers.authorization, 'Bearer secret-token-1');
    // R9.1: the registry learns who the debtor is and why it is asked, nothing else of the request.
    assert.deepEqual(call.body, QUERY);
  });

  test(
    'a registry that never answers: a timeout per attempt, retried, then «timeout»',
    { timeout: 30_000 },
    async () => {
      reg.set('/hang', { kind: 'hang' });
      const c = httpJsonConnector(await settings(`${reg.url}/hang`, { timeoutMs: 200, breaker: { failures: 10 } }), {
        clock: new TestClock(0),
      });
      const r = await c.lookup(QUERY);
      assert.equal(r.status, 'failed');
      assert.equal(r.status === 'failed' && r.failure, 'timeout');
      assert.equal(reg.calls('/hang').length, 2, 'one attempt and one retry');
    },
  );

  test('garbage: not JSON, or JSON whose records do not fit the answer — refused whole, not retried', async () => {
    reg.set('/html', { kind: 'raw', text: '<html>Сервис на обслуживании</html>' });
    reg.set('/shape', { kind: 'json', body: { result: { accounts: [{ bankName: 'Банк', balance: 'много' }] } } });
    reg.set('/nowhere', { kind: 'json', body: { data: [] } });
    for (const p of ['/html', '/shape', '/nowhere']) {
      const c = httpJsonConnector(await settings(`${reg.url}${p}`), { clock: new TestClock(0) });
      const r = await c.lookup(QUERY);
      assert.equal(r.status === 'failed' && r.failure, 'garbage', p);
      assert.equal(reg.calls(p).length, 1, `${p}: an answer is not retried`);
    }
  });

  test('not found (404 or no records), credentials refused (403, not retried)', async () => {
    reg.set('/empty', { kind: 'json', body: { result: { accounts: [] } } });
    reg.set('/forbidden', { kind: 'status', status: 403 });
    const clock = new TestClock(0);
    assert.deepEqual(await httpJsonConnector(await settings(`${reg.url}/missing`), { clock }).lookup(QUERY), {
      status: 'not_found',
    });
    assert.deepEqual(await httpJsonConnector(await settings(`${reg.url}/empty`), { clock }).lookup(QUERY), {
      status: 'not_found',
    });
    const r = await httpJsonConnector(await settings(`${reg.url}/forbidden`), { clock }).lookup(QUERY);
    assert.equal(r.status === 'failed' && r.failure, 'refused');
    assert.equal(reg.calls('/forbidden').length, 1);
  });

  test('500s: retried, then the circuit opens after N failures, half-opens after its pause, closes on success', async () => {
    reg.set('/flaky', { kind: 'status', status: 500 });
    const clock = new TestClock(Date.parse('2026-11-26T09:00:00Z'));
    const c = httpJsonConnector(await settings(`${reg.url}/flaky`), { clock });
    for (let i = 0; i < 2; i++) {
      const r = await c.lookup(QUERY);
      assert.equal(r.status === 'failed' && r.failure, 'unavailable');
    }
    assert.equal(reg.calls('/flaky').length, 4, 'two lookups, each with one retry');
    assert.equal(c.breaker.state(), 'open');
    // Open: no call is made at all.
    const open = await c.lookup(QUERY);
    assert.equal(open.status === 'failed' && open.failure, 'circuit_open');
    assert.equal(reg.calls('/flaky').length, 4);
    clock.advance(29_000);
    assert.equal((await c.lookup(QUERY)).status, 'failed');
    assert.equal(reg.calls('/flaky').length, 4, 'still open before its pause ends');
    // Half-open after the pause: one trial; the registry is back.
    clock.advance(1_000);
    assert.equal(c.breaker.state(), 'half_open');
    reg.set('/flaky', { kind: 'json', body: GOOD });
    assert.equal((await c.lookup(QUERY)).status, 'found');
    assert.equal(c.breaker.state(), 'closed');
    assert.equal(reg.calls('/flaky').length, 5);
  });

  test('a failed trial in the half-open state opens the circuit again for a whole pause', async () => {
    reg.set('/down', { kind: 'status', status: 503 });
    const clock = new TestClock(0);
    const c = httpJsonConnector(await settings(`${reg.url}/down`, { retries: 0 }), { clock });
    await c.lookup(QUERY);
    await c.lookup(QUERY);
    assert.equal(c.breaker.state(), 'open');
    clock.advance(30_000);
    await c.lookup(QUERY);
    assert.equal(reg.calls('/down').length, 3, 'the trial was made');
    assert.equal(c.breaker.state(), 'open');
    clock.advance(29_999);
    const r = await c.lookup(QUERY);
    assert.equal(r.status === 'failed' && r.failure, 'circuit_open');
  });

  test('registries.json is checked at start: each mistake names its field', async () => {
    const bad = async (value: unknown, field: string, message: RegExp) => {
      await assert.rejects(
        parseRegistriesConfig(value, home, 'registries.json'),
        (e: Error & { data?: { field?: string } }) => {
          assert.equal(e.data?.field, field);
          assert.match(e.message, message);
          assert.match(e.message, new RegExp(field.replace(/[.[\]]/g, '\\$&')));
          return true;
        },
      );
    };
    const http = (over: Record<string, unknown>) => ({
      lookups: {
        accounts: { connector: 'http-json', title: 'Банки', url: 'https://banks.test/x', mapping: MAPPING, ...over },
      },
    });
    await bad({ lookups: { cars: { connector: 'demo', dataset: 'KZ' } } }, 'lookups.cars', /неизвестный вид/);
    await bad({ lookups: { accounts: { connector: 'ftp' } } }, 'lookups.accounts.connector', /http-json и demo/);
    await bad(http({ url: 'ftp://banks' }), 'lookups.accounts.url', /./);
    await bad(http({ timeoutMs: 10 }), 'lookups.accounts.timeoutMs', /./);
    await bad(
      http({ mapping: { records: '/a', fields: { ...MAPPING.fields, iban: '/iban' } } }),
      'lookups.accounts.mapping.fields.iban',
      /нет такого поля/,
    );
    await bad(
      http({ mapping: { records: '/a', fields: { bank: '/bankName' } } }),
      'lookups.accounts.mapping.fields.number',
      /обязательное поле/,
    );
    await bad(
      http({ mapping: { records: '/a', fields: { bank: '/b', number: '/n', 'balance.value': '/v' } } }),
      'lookups.accounts.mapping.fields.balance.currency',
      /обязательное поле/,
    );
    await bad(
      http({ mapping: { records: 'accounts', fields: MAPPING.fields } }),
      'lookups.accounts.mapping.records',
      /указатель/,
    );
    await bad(
      http({ auth: { type: 'bearer', tokenFile: 'keys/none.token' } }),
      'lookups.accounts.auth.tokenFile',
      /прочитать/,
    );
    await bad({ autoSend: ['everything'] }, 'autoSend[0]', /./);
  });

  test('no registries.json: no connectors; a broken one refuses the start', async () => {
    assert.equal(await readRegistriesConfig(home), null);
    await writeFile(path.join(home, 'registries.json'), '{ "lookups": ');
    await assert.rejects(readRegistriesConfig(home), /registries\.json: файл не является корректным JSON/);
    await rm(path.join(home, 'registries.json'));
  });

  test('the demo registries: a person by name and birth date in either spelling, income for the period asked', async () => {
    const data = await loadDemoDataset(path.join(PROJECT_ROOT, 'data'), 'KZ');
    const income = demoRegistry(data, 'income');
    const byName = await income.lookup({
      ...QUERY,
      kind: 'income',
      debtor: { type: 'individual', latinName: 'IVANOV IVAN', birthDate: '1980-05-15', ids: [] },
      period: { from: '2023-12-01', to: '2026-10-31' },
    });
    assert.equal(byName.status, 'found');
    // R7.c: the 2022 income is outside the period asked.
    assert.deepEqual(byName.status === 'found' && byName.rows.map((r) => (r as { from: string }).from), [
      '2024-02-01',
      '2025-01-01',
      '2026-01-01',
    ]);
    const other = await demoRegistry(data, 'accounts').lookup({
      ...QUERY,
      debtor: { type: 'individual', surname: 'Иванов', name: 'Иван', birthDate: '1981-05-15', ids: [] },
    });
    assert.deepEqual(other, { status: 'not_found' }, 'another birth date is another person');
  });
});
