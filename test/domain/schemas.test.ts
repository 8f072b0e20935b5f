// The published JSON Schemas (data/schemas/, `npm run schemas`): up to date with
// the code, valid for a standard validator (ajv), accepting a realistic message
// of every type and rejecting a broken one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { renderSchemas, SCHEMAS_DIR } from '../../scripts/schemas.js';
import {
  MESSAGE_TYPES,
  MESSAGE_TYPE_NAMES,
  bodyForVersion,
  isReceiptType,
  messageSchema,
  type CatalogueEntry,
  type MessageType,
} from '../../src/domain/messages.js';
import { CURRENT_VERSION, PROTOCOL_VERSIONS, typeInVersion, type ProtocolVersion } from '../../src/domain/protocol.js';

// ajv-formats is CommonJS; under NodeNext its default export is the module object (as in src/domain/problems.ts).
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

const requestDoc = JSON.parse(
  await readFile(new URL('../../data/examples/request-ru-kz.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const REQUEST_ID = '6f1c2a8e-4b7d-4e2a-9c1f-3d5e7a9b0c12';
const RU = { party: 'RU', body: 'ru-fssp-77' };
const KZ = { party: 'KZ', body: 'kz-central' };
const OFFICER = { id: 'ivanova', name: 'Иванова Мария Петровна', position: 'судебный пристав-исполнитель' };

/** Which side sends a type in the examples: the requesting side is RU, the requested KZ. */
function envelope(type: MessageType, i: number, version: ProtocolVersion = CURRENT_VERSION): Record<string, unknown> {
  const fromRequested = MESSAGE_TYPES[type].from === 'requested' || isReceiptType(type);
  return {
    id: `0b8d3f6a-1c2e-4f5a-8b9c-${String(i).padStart(12, '0')}`,
    type,
    schemaVersion: version,
    from: fromRequested ? KZ : RU,
    to: fromRequested ? RU : KZ,
    ...(type === 'request' || type === 'protection_query' || type === 'bundle_receipt'
      ? {}
      : { inReplyTo: REQUEST_ID }),
    createdAt: '2026-11-20T09:15:00.000Z',
    ...(isReceiptType(type) ? {} : { officer: OFFICER }),
  };
}

const answerItems = [
  {
    itemNo: 1,
    outcome: 'found',
    data: { proceedings: [{ number: '0212/26/KZ-1234', collected: { value: 150000, currency: 'KZT' } }] },
  },
  {
    itemNo: 2,
    outcome: 'partial',
    data: {
      accounts: [{ bank: 'АО «Народный банк Казахстана»', number: 'KZ12601A861001234567', currency: 'KZT' }],
      text: 'Сведения о ценных бумагах не запрашивались',
    },
  },
  {
    itemNo: 4,
    outcome: 'not_found',
    attachments: [{ fileName: 'spravka.pdf', mediaType: 'application/pdf', contentBase64: 'JVBERi0xLjQK' }],
  },
];

/** A realistic body of every type and a broken variant (what must be rejected). */
const EXAMPLES: Record<MessageType, { body: Record<string, unknown>; bad: Record<string, unknown> }> = {
  // The request schema is structural (drafts share it; Article 11 completeness is checked before signing).
  request: { body: { request: requestDoc }, bad: { request: { ...requestDoc, date: '20.11.2026' } } },
  receipt: {
    body: {
      messageId: REQUEST_ID,
      receivedAt: '2026-11-20T09:15:02.118Z',
      messageSha256: 'a3f1c9e2b7d4058e6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70',
      deadline: '2026-12-21',
      deadlineBasis: 'R12.b',
    },
    bad: { messageId: REQUEST_ID, receivedAt: '2026-11-20T09:15:02.118Z', messageSha256: 'A3F1' },
  },
  bundle_receipt: {
    body: {
      bundleSha256: 'b1e2c3d4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
      items: [
        {
          messageId: REQUEST_ID,
          messageSha256: 'a3f1c9e2b7d4058e6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70',
          receivedAt: '2026-11-20T09:15:02.118Z',
          deadline: '2026-12-31',
          deadlineBasis: 'R12.a',
        },
        {
          messageSha256: 'c3f1c9e2b7d4058e6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70',
          error: { code: 'message.signature', message: 'Подпись сообщения неверна' },
        },
      ],
    },
    // An item that is neither received (no receivedAt) nor refused (no error).
    bad: {
      bundleSha256: 'b1e2c3d4a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
      items: [
        { messageId: REQUEST_ID, messageSha256: 'a3f1c9e2b7d4058e6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70' },
      ],
    },
  },
  answer_partial: { body: { items: answerItems.slice(0, 1) }, bad: { items: [] } },
  answer_final: { body: { items: answerItems }, bad: { items: [{ itemNo: 21, outcome: 'found' }] } },
  refusal: {
    body: {
      ground: 'declaration',
      circumstances:
        'Исполнительный документ выдан по спору, на который распространяется заявление Республики Казахстан (статья 25).',
      declarationParty: 'KZ',
    },
    bad: { ground: 'inconvenience', circumstances: 'Нет' },
  },
  consult: { body: { text: 'Просим уточнить, известен ли ИИН должника.' }, bad: { text: '' } },
  request_additional_info: {
    body: { questions: 'Укажите дату рождения должника по документу, удостоверяющему личность.' },
    bad: { question: 'опечатка в имени поля' },
  },
  reply_additional_info: { body: { text: 'Дата рождения должника — 15.05.1980.' }, bad: {} },
  notify_delay: {
    body: { newDate: '2027-01-29', reason: 'Ответ банка второго уровня ожидается не ранее 25 января.' },
    bad: { newDate: '29.01.2027', reason: 'Ответ банка' },
  },
  postpone: {
    body: { reason: 'Исполнение помешает производству по уголовному делу.', until: '2027-03-01' },
    bad: { until: '2027-03-01' },
  },
  propose_conditions: {
    body: {
      conditions:
        'Сведения о счетах будут предоставлены при условии их использования только для исполнения решения суда.',
    },
    bad: { conditions: 42 },
  },
  accept_conditions: { body: { note: 'С условиями согласны.' }, bad: { note: 'Согласны', extra: true } },
  reject_conditions: { body: {}, bad: { note: '' } },
  resume: { body: { note: 'Основания отсрочки отпали.' }, bad: { note: 'x'.repeat(10_001) } },
  notify_confidentiality_impossible: {
    body: { reason: 'Для получения сведений из банка необходимо уведомить должника.' },
    bad: {},
  },
  continue_without_confidentiality: {
    body: { note: 'Просим исполнить без соблюдения конфиденциальности.' },
    bad: { note: null },
  },
  withdraw: { body: { reason: 'Задолженность погашена должником добровольно.' }, bad: { reason: '' } },
  forward: {
    body: { body: 'kz-almaty', name: 'Департамент юстиции города Алматы' },
    bad: { body: 'KZ Almaty', name: 'Департамент юстиции города Алматы' },
  },
  consent_request: {
    body: {
      consentId: '9a7e5c3b-1d2f-4a6b-8c0d-2e4f6a8b0c1d',
      recipient: 'ООО «Ромашка» (взыскатель)',
      purpose: 'Обращение взыскания на денежные средства на счёте должника',
    },
    bad: { consentId: 'consent-1', recipient: 'ООО «Ромашка»', purpose: 'Взыскание' },
  },
  consent_answer: {
    body: { consentId: '9a7e5c3b-1d2f-4a6b-8c0d-2e4f6a8b0c1d', granted: true },
    bad: { consentId: '9a7e5c3b-1d2f-4a6b-8c0d-2e4f6a8b0c1d', granted: 'да' },
  },
  protection_query: { body: {}, bad: { text: 'Сообщите меры защиты' } },
  protection_answer: {
    body: {
      measures: 'Шифрование при хранении (AES-256-GCM) и передаче (TLS 1.2+), доступ по ролям, журнал аудита.',
      retention: 'Пять лет после окончания исполнительного производства.',
      contact: 'dpo@adilet.example',
    },
    bad: { measures: 'Шифрование' },
  },
  deletion_notice: {
    body: { destroyed: ['answers', 'attachments'], rule: 'Закон РФ: 5 лет', destroyedAt: '2031-11-20T03:00:00.000Z' },
    bad: { destroyed: [], rule: 'Закон РФ: 5 лет', destroyedAt: '2031-11-20T03:00:00.000Z' },
  },
};

/** Every file under data/schemas, as paths relative to it. */
async function publishedFiles(dir = SCHEMAS_DIR, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await publishedFiles(path.join(dir, e.name), `${prefix}${e.name}/`)));
    else if (e.name.endsWith('.json')) out.push(`${prefix}${e.name}`);
  }
  return out.sort();
}

test('data/schemas matches the code (npm run schemas)', async () => {
  const expected = renderSchemas();
  assert.deepEqual(
    await publishedFiles(),
    Object.keys(expected).sort(),
    'data/schemas has other files than the code publishes: run npm run schemas',
  );
  for (const [name, content] of Object.entries(expected)) {
    const actual = await readFile(path.join(SCHEMAS_DIR, name), 'utf8');
    assert.ok(actual === content, `data/schemas/${name} is stale: run npm run schemas`);
  }
});

test('the index lists every version and every message type with its title, rule, sender, first version and files', () => {
  const index = JSON.parse(renderSchemas()['index.json']!) as {
    versions: number[];
    current: number;
    types: { type: string; title: string; rule: string; from: string; since: number; files: string[] }[];
  };
  assert.deepEqual([index.versions, index.current], [[...PROTOCOL_VERSIONS], CURRENT_VERSION]);
  assert.deepEqual(
    index.types.map((e) => e.type),
    MESSAGE_TYPE_NAMES,
  );
  for (const e of index.types) {
    const t = MESSAGE_TYPES[e.type as MessageType];
    const since = (t as CatalogueEntry).since ?? 1;
    assert.deepEqual(
      { title: e.title, rule: e.rule, from: e.from, since: e.since, files: e.files },
      {
        title: t.title,
        rule: t.rule,
        from: t.from,
        since,
        files: PROTOCOL_VERSIONS.filter((v) => v >= since).map((v) => `v${v}/${e.type}.json`),
      },
    );
  }
});

test('the envelope and registry schemas compile', () => {
  const files = renderSchemas();
  const ajv = newAjv();
  const validate = ajv.compile(JSON.parse(files['envelope.json']!) as object);
  assert.ok(validate(envelope('consult', 0)), JSON.stringify(validate.errors));
  assert.ok(validate(envelope('consult', 0, 1)), JSON.stringify(validate.errors));
  assert.equal(validate({ ...envelope('consult', 0), schemaVersion: 0 }), false);
  ajv.compile(JSON.parse(files['registry.json']!) as object);
});

for (const v of PROTOCOL_VERSIONS) {
  for (const [i, type] of MESSAGE_TYPE_NAMES.entries()) {
    if (!typeInVersion(type, v)) {
      test(`v${v} ${type}: not part of version ${v} (introduced in a later one), no schema published`, () => {
        assert.equal(renderSchemas()[`v${v}/${type}.json`], undefined);
        assert.equal(messageSchema(type, v), null);
      });
      continue;
    }
    test(`v${v} ${type} (${MESSAGE_TYPES[type].title}): the published schema compiles, accepts an example, rejects a broken one`, () => {
      const schema = JSON.parse(renderSchemas()[`v${v}/${type}.json`]!) as object;
      const validate: ValidateFunction = newAjv().compile(schema);
      const example = EXAMPLES[type];
      const good = { envelope: envelope(type, i, v), body: bodyForVersion(type, v, example.body) };
      assert.ok(validate(good), `${type}: ${JSON.stringify(validate.errors)}`);
      const bad = JSON.parse(JSON.stringify({ envelope: envelope(type, i, v), body: example.bad })) as unknown;
      assert.equal(validate(bad), false, `${type}: the broken example was accepted`);
      // A message of one type is not valid under another type's schema, nor under another version's.
      const other = MESSAGE_TYPE_NAMES[(i + 1) % MESSAGE_TYPE_NAMES.length]!;
      assert.equal(
        validate({ envelope: envelope(other, i, v), body: example.body }),
        false,
        `${type}: envelope.type ${other} was accepted`,
      );
      const otherVersion = PROTOCOL_VERSIONS.find((x) => x !== v)!;
      assert.equal(validate({ ...good, envelope: envelope(type, i, otherVersion) }), false, 'another version');
    });
  }
}

test('version 2 adds requestedBy to the receipt; a version 1 receipt refuses it and bodyForVersion leaves it out', () => {
  const body = { ...EXAMPLES.receipt.body, requestedBy: '2026-12-01' };
  const v1 = newAjv().compile(JSON.parse(renderSchemas()['v1/receipt.json']!) as object);
  const v2 = newAjv().compile(JSON.parse(renderSchemas()['v2/receipt.json']!) as object);
  assert.equal(v1({ envelope: envelope('receipt', 0, 1), body }), false);
  assert.ok(v1({ envelope: envelope('receipt', 0, 1), body: bodyForVersion('receipt', 1, body) }));
  assert.ok(v2({ envelope: envelope('receipt', 0, 2), body }), JSON.stringify(v2.errors));
});
