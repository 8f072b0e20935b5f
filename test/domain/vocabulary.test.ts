// Issue 14, item 2 (R19): one Russian vocabulary. Every value of every code
// union has a non-empty Russian label, with no Latin letters but a short list
// of proper names and abbreviations; the tables are exhaustive (the compiler
// refuses a missing key) and this test walks the runtime lists of the codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANSWER_OUTCOMES } from '../../src/domain/answer.js';
import { ERROR_CODES } from '../../src/domain/errors.js';
import { MESSAGE_TYPE_NAMES, MESSAGE_TYPES, DESTROYED_KINDS } from '../../src/domain/messages.js';
import { PAPER_DOCUMENTS } from '../../src/domain/paper-original.js';
import { SIGNATORY_CODES } from '../../src/domain/parties.js';
import { ISSUER_KINDS, ITEM_KINDS, PROPERTY_SUB_ITEMS } from '../../src/domain/request.js';
import { LOOKUP_FAILURES, LOOKUP_KINDS } from '../../src/domain/registry-lookups.js';
import { RETENTION_KINDS } from '../../src/domain/retention.js';
import { HISTORY_EVENTS, REFUSAL_GROUNDS, REQUEST_STATES, WORKFLOW_EVENTS } from '../../src/domain/workflow.js';
import { ROLES } from '../../src/app/context.js';
import * as v from '../../src/domain/vocabulary.js';

/** Latin words allowed in Russian text: abbreviations and proper names. */
const LATIN_ALLOWED = new Set([
  ...['API', 'JSON', 'ISO', 'QR', 'SHA', 'TOTP', 'IANA', 'HTTP', 'TLS', 'URL', 'X'],
  // file formats an officer may attach
  ...['PDF', 'PNG', 'JPEG', 'TIFF', 'DOCX', 'XLSX', 'ODT', 'ODS', 'TXT', 'CSV'],
]);

/**
 * Errors only the server's operator or an API client meets: their messages name console commands, files
 * or HTTP headers on purpose (the operator types them). No page shows them to an officer.
 */
const OPERATOR_ERRORS = new Set([
  'input.length_required',
  'input.media_type',
  'node.not_initialised',
  'data_key.in_use',
  'audit.key_missing',
  'audit.no_signing_key',
]);

function assertRussian(where: string, label: string | undefined): void {
  assert.ok(typeof label === 'string' && label.trim() !== '', `${where}: no label`);
  assert.match(label, /[а-яё]/i, `${where}: «${label}» has no Russian word`);
  const latin = (label.match(/[A-Za-z][A-Za-z0-9]*/g) ?? []).filter((w) => !LATIN_ALLOWED.has(w));
  assert.deepEqual(latin, [], `${where}: «${label}» has Latin words ${latin.join(', ')}`);
}

function assertTable(name: string, codes: readonly string[], table: Readonly<Record<string, string>>): void {
  for (const c of codes) assertRussian(`${name}.${c}`, table[c]);
  assert.deepEqual(Object.keys(table).sort(), [...codes].sort(), `${name}: labels for codes that do not exist`);
}

test('R19: states, history events (past), actions, grounds, outcomes have Russian labels', () => {
  assertTable('states', REQUEST_STATES, v.STATE_LABELS);
  assertTable('actions', WORKFLOW_EVENTS, v.EVENT_ACTION_LABELS);
  assertTable('history', [...WORKFLOW_EVENTS, ...HISTORY_EVENTS], v.HISTORY_EVENT_LABELS);
  assertTable('refusal grounds', REFUSAL_GROUNDS, v.REFUSAL_GROUND_LABELS);
  assertTable('outcomes', ANSWER_OUTCOMES, v.OUTCOME_LABELS);
});

test('R19: history events read as past events, not as actions to take', () => {
  for (const e of [...WORKFLOW_EVENTS, ...HISTORY_EVENTS]) {
    const label = v.HISTORY_EVENT_LABELS[e];
    assert.doesNotMatch(label.split(' ')[0]!, /(ть|ться)$/, `history «${label}» reads as an infinitive`);
    assert.match(label, /^[А-ЯЁ]/, `history «${label}» starts with a capital`);
  }
  assert.equal(v.HISTORY_EVENT_LABELS.sign, 'Запрос подписан');
  assert.equal(v.HISTORY_EVENT_LABELS.send, 'Запрос отправлен');
});

test('R19: history entries say who did it — an officer by name, the other Party in the instrumental, else the node', () => {
  const out = { direction: 'outgoing' as const, counterpartParty: 'KZ' };
  // The receipt is Kazakhstan's confirmation, even though this node wrote it down on its own side.
  assert.deepEqual(v.historyEntryRu({ event: 'receipt', side: 'requesting' }, out), {
    what: 'Получение подтверждено',
    who: 'Казахстаном',
  });
  assert.deepEqual(v.historyEntryRu({ event: 'receipt', side: 'requested' }, out), {
    what: 'Получение подтверждено',
    who: 'Казахстаном',
  });
  assert.deepEqual(
    v.historyEntryRu({ event: 'sign', side: 'requesting', officerName: 'Петрова Анна Сергеевна' }, out),
    {
      what: 'Запрос подписан',
      who: 'Петрова Анна Сергеевна',
    },
  );
  const inc = { direction: 'incoming' as const, counterpartParty: 'RU' };
  assert.deepEqual(v.historyEntryRu({ event: 'receipt', side: 'requested' }, inc).who, 'автоматически');
  assert.equal(v.historyEntryRu({ event: 'withdraw', side: 'requesting' }, inc).who, 'Россией');
  for (const p of SIGNATORY_CODES) assertRussian(`instrumental.${p}`, v.partyInstrumental(p));
});

test('R19: message types, delivery statuses, roles, body kinds, retention kinds, paper labels', () => {
  assertTable('message types', MESSAGE_TYPE_NAMES, v.MESSAGE_TYPE_LABELS);
  for (const t of MESSAGE_TYPE_NAMES)
    assert.equal(MESSAGE_TYPES[t].title, v.MESSAGE_TYPE_LABELS[t], 'catalogue titles come from the vocabulary');
  assert.equal(v.messageTypeLabel('answer_final'), 'Окончательный ответ');
  assert.equal(v.messageTypeLabel('no_such_type'), 'Сообщение', 'never a wire name');
  assertTable('delivery', v.DELIVERY_STATUSES, v.DELIVERY_STATUS_LABELS);
  assertTable('roles', ROLES, v.ROLE_LABELS);
  assertTable('role names', ROLES, v.ROLE_SHORT_LABELS);
  assertTable('body kinds', v.BODY_KINDS, v.BODY_KIND_LABELS);
  assertTable('retention', RETENTION_KINDS, v.RETENTION_KIND_LABELS);
  assertTable('destroyed', DESTROYED_KINDS, v.DESTROYED_KIND_LABELS);
  assertTable('paper documents', PAPER_DOCUMENTS, v.PAPER_DOCUMENT_LABELS);
  assertTable('paper means', ['post', 'courier', 'diplomatic', 'hand'], v.PAPER_MEANS_LABELS);
  assertTable('consent', ['requested', 'granted', 'refused'], v.CONSENT_STATUS_LABELS);
  for (const b of Object.keys(v.DEADLINE_BASIS_LABELS))
    assertRussian(`basis.${b}`, v.DEADLINE_BASIS_LABELS[b as 'R12.a']);
});

test('R11.1, R3–R8: issuer kinds, item kinds and sub-items with their article references', () => {
  assertTable('issuer kinds', ISSUER_KINDS, v.ISSUER_KIND_LABELS);
  assert.equal(v.ISSUER_KIND_LABELS.authority, 'иной уполномоченный орган', 'one wording for the PDF and the pages');
  assertTable('item kinds', ITEM_KINDS, v.ITEM_KIND_LABELS);
  assertTable('sub-items', PROPERTY_SUB_ITEMS, v.PROPERTY_SUB_ITEM_LABELS);
  assertTable('sub-item letters', PROPERTY_SUB_ITEMS, v.PROPERTY_SUB_ITEM_SHORT);
  assertTable('results', ['collected', 'arrested', 'for_sale'], v.PROCEEDING_RESULT_LABELS);
  assertTable('document sources', ['parties', 'persons', 'state_bodies'], v.DOCUMENT_SOURCE_LABELS);
  // Issue 17.2: what a registry is asked for and why its answer could not be used.
  assertTable('lookup kinds', LOOKUP_KINDS, v.LOOKUP_KIND_LABELS);
  assertTable('lookup failures', LOOKUP_FAILURES, v.LOOKUP_FAILURE_LABELS);
  assert.equal(v.provisionRu('6.a'), '6 а)');
  assert.equal(v.provisionRu('8.c'), '8 в)');
  assert.equal(v.provisionRu('4'), '4');
  assert.equal(v.provisionsRu(['6.a', '6.b']), 'ст. 6 а), 6 б)');
});

test('R19: every audit action the use cases write has a Russian label', () => {
  const actions = Object.keys(v.AUDIT_ACTION_LABELS);
  for (const a of actions) assertRussian(`audit.${a}`, v.auditActionLabel(a));
  // The request's own events are audited as request.<event>: all of them are labelled.
  for (const e of [...WORKFLOW_EVENTS, ...HISTORY_EVENTS]) assert.ok(actions.includes(`request.${e}`), `request.${e}`);
  assert.equal(v.auditActionLabel('paper_original.verified'), 'Проверен бумажный оригинал');
});

test('R19: every error code has a Russian message (the code stays in the API, not on pages)', () => {
  for (const code of Object.keys(ERROR_CODES))
    if (OPERATOR_ERRORS.has(code)) assert.match(v.errorLabel(code), /[а-яё]/i, code);
    else assertRussian(`error.${code}`, v.errorLabel(code));
});

test('R19: history data keys have Russian labels and values; technical keys are hidden', () => {
  for (const k of v.HISTORY_DATA_KEYS) assertRussian(`data.${k}`, v.HISTORY_DATA_LABELS[k]);
  for (const k of ['messageId', 'receipt', 'signedBy', 'consentId']) assert.ok(v.HIDDEN_HISTORY_DATA_KEYS.includes(k));
  assert.equal(v.historyValueRu('basis', 'R12.a'), '30 рабочих дней (статья 12)', 'a rule id only as a reference');
  assert.equal(v.historyValueRu('type', 'answer_final'), 'Окончательный ответ');
  assert.equal(v.historyValueRu('error', 'transport.timeout: узел не ответил'), 'узел не ответил');
  assert.equal(v.historyValueRu('ground', 'security'), v.REFUSAL_GROUND_LABELS.security);
});

test('R19: one partyName — short name for pages, full name for paper', () => {
  assert.equal(v.partyName('KZ'), 'Казахстан');
  assert.equal(v.partyFullName('KZ'), 'Республика Казахстан');
  assert.equal(v.partyName(undefined), '');
});
