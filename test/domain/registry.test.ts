// The trust registry document (federation): form, treaty events, unique nodes, revocations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { EixError } from '../../src/domain/errors.js';
import { findNode, isRevoked, parseRegistry, type Registry } from '../../src/domain/registry.js';

const events = (
  JSON.parse(await readFile(new URL('../../data/treaty/demo-events.json', import.meta.url), 'utf8')) as {
    events: unknown[];
  }
).events;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function registry(): Record<string, unknown> & Registry {
  return {
    format: 'eix-registry/1',
    version: 3,
    issuedAt: '2026-03-01T10:00:00Z',
    depositary: { name: 'Депозитарий' },
    treaty: { events: structuredClone(events) as Registry['treaty']['events'] },
    parties: {
      RU: {
        name: 'Российская Федерация',
        caCertificates: [PEM],
        nodes: [{ id: 'ru-node', url: 'https://eix.ru.example:8443' }],
      },
      KZ: {
        name: 'Республика Казахстан',
        caCertificates: [PEM],
        nodes: [{ id: 'kz-node', url: 'https://eix.kz.example/' }],
      },
    },
    revocations: [
      { serialNumber: '0A1B2C', party: 'RU', revokedAt: '2026-04-01T00:00:00Z', reason: 'ключ скомпрометирован' },
    ],
  };
}

function formatError(input: unknown): EixError {
  try {
    parseRegistry(input);
  } catch (e) {
    assert.ok(e instanceof EixError);
    assert.equal(e.code, 'registry.format');
    assert.match(e.message, /[а-яё]/i);
    assert.ok(Array.isArray(e.data.problems));
    return e;
  }
  assert.fail('parseRegistry accepted a bad registry');
}

test('a well-formed registry parses; findNode and isRevoked', () => {
  const r = parseRegistry(registry());
  assert.equal(r.version, 3);
  assert.deepEqual(findNode(r, 'kz-node'), { party: 'KZ', node: { id: 'kz-node', url: 'https://eix.kz.example/' } });
  assert.equal(findNode(r, 'by-node'), null);
  assert.equal(isRevoked(r, '0a1b2c', new Date('2026-04-01T00:00:00Z')), true);
  assert.equal(isRevoked(r, '000A1B2C', new Date('2026-05-01T00:00:00Z')), true);
  assert.equal(isRevoked(r, '0a1b2c', new Date('2026-03-31T23:59:59Z')), false);
  assert.equal(isRevoked(r, 'ffff', new Date('2030-01-01T00:00:00Z')), false);
  assert.doesNotThrow(() => parseRegistry({ ...registry(), revocations: [], parties: {} }));
});

test('format errors name the first problem field', () => {
  const cases: [(r: Record<string, unknown> & Registry) => unknown, string][] = [
    [(r) => ({ ...r, format: 'eix-registry/2' }), 'format'],
    [(r) => ({ ...r, version: 0 }), 'version'],
    [(r) => ({ ...r, version: 1.5 }), 'version'],
    [(r) => ({ ...r, issuedAt: '2026-03-01' }), 'issuedAt'],
    [
      (r) => {
        const { depositary: _d, ...rest } = r;
        return rest;
      },
      'depositary',
    ],
    [(r) => ({ ...r, extra: true }), 'extra'],
    [
      (r) => {
        r.parties.RU!.caCertificates = [];
        return r;
      },
      'parties.RU.caCertificates',
    ],
    [
      (r) => {
        r.parties.RU!.caCertificates = ['not a pem'];
        return r;
      },
      'parties.RU.caCertificates[0]',
    ],
    [
      (r) => {
        r.parties.KZ!.nodes[0]!.url = 'http://eix.kz.example';
        return r;
      },
      'parties.KZ.nodes[0].url',
    ],
    [
      (r) => {
        r.parties.KZ!.nodes[0]!.id = 'KZ_node';
        return r;
      },
      'parties.KZ.nodes[0].id',
    ],
    [(r) => ({ ...r, parties: { rus: r.parties.RU } }), 'rus'],
    [
      (r) => {
        r.revocations[0]!.serialNumber = 'xyz';
        return r;
      },
      'revocations[0].serialNumber',
    ],
    [
      (r) => {
        (r.revocations[0] as { party: string }).party = 'depository';
        return r;
      },
      'revocations[0].party',
    ],
    [
      (r) => {
        r.parties.KZ!.nodes.push({ id: 'ru-node', url: 'https://x.example' });
        return r;
      },
      'parties.KZ.nodes[1].id',
    ],
  ];
  for (const [mutate, field] of cases) {
    const e = formatError(mutate(registry()));
    assert.ok(String(e.data.field).includes(field), `expected ${field}, got ${String(e.data.field)}: ${e.message}`);
  }
  formatError(null);
  formatError('registry');
});

test('bad treaty events are reported with their path inside the registry', () => {
  const r = registry();
  (r.treaty.events[0] as unknown as Record<string, unknown>).type = 'ratification';
  const e = formatError(r);
  assert.equal(e.data.field, 'treaty.events[0].type');

  const r2 = registry();
  (r2.treaty.events as unknown[]).push({
    type: 'withdrawal',
    party: 'RU',
    received: '2027-01-01',
    effective: '2027-02-01',
  });
  const e2 = formatError(r2);
  assert.match(String(e2.data.field), /^treaty\.events\[\d+\]/);
});
