// Issue 17 item 2 in the demo federation (three nodes, mutual TLS on loopback):
// KZ's node runs with the demo registries (registries.json written by the demo,
// data/registries/demo-kz.json), so RU's example request gets a draft answer
// filled from KZ's "registries"; KZ's officer signs it and RU receives it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { answerRequest } from '../../src/app/answer-request.js';
import type { Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { getRequest } from '../../src/app/get-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { PROJECT_ROOT } from '../../src/config/config.js';
import type { RunningDemo } from '../../src/demo/federation.js';
import type { Request } from '../../src/domain/request.js';
import { officer, settle, startTestFederation } from '../support/federation.js';

describe('issue 17.2: a straight-through answer from the demo registries (RU → KZ)', () => {
  let fed: RunningDemo & { close(): Promise<void> };
  let ruOfficer: Officer;
  let kzOfficer: Officer;
  let example: Request;

  before(async () => {
    fed = await startTestFederation({ registries: true });
    ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    kzOfficer = await officer(fed.nodes.KZ, 'kz.officer');
    example = JSON.parse(
      await readFile(path.join(PROJECT_ROOT, 'data', 'examples', 'request-ru-kz.json'), 'utf8'),
    ) as Request;
  });
  after(async () => {
    await fed?.close();
  });

  async function send(proceeding: string, items: unknown[]): Promise<{ outgoing: string; incoming: string }> {
    const ru = fed.nodes.RU.wired.ctx;
    const p = await ru.db
      .selectFrom('proceedings')
      .select('id')
      .where('number', '=', proceeding)
      .executeTakeFirstOrThrow();
    const d = await draftRequest(ru, ruOfficer, {
      proceedingId: p.id,
      requestedBody: example.requestedBody,
      items,
      grounds: example.grounds,
    });
    const s = await signRequest(ru, ruOfficer, { requestId: d.id });
    await settle(fed);
    const incoming = await fed.nodes.KZ.wired.ctx.db
      .selectFrom('requests')
      .select('id')
      .where('message_id', '=', s.messageId)
      .where('direction', '=', 'incoming')
      .executeTakeFirstOrThrow();
    return { outgoing: d.id, incoming: incoming.id };
  }

  test('the demo’s example request gets a draft from every registry it asks; KZ signs it, RU receives it', async () => {
    assert.ok(fed.nodes.KZ.registryLookups, 'KZ runs the registry lookups');
    assert.equal(fed.nodes.RU.registryLookups, null, 'RU has no connectors');
    const { outgoing, incoming } = await send('123456/26/77001-ИП', example.items!);
    await fed.nodes.KZ.registryLookups!.drain();
    const kz = fed.nodes.KZ.wired.ctx;
    const v = await getRequest(kz, kzOfficer, incoming);
    assert.equal(v.answerDraft?.status, 'ready');
    const items = v.answerDraft!.draft!.items;
    assert.deepEqual(
      items.map((i) => [i.itemNo, i.outcome, i.complete]),
      [
        [1, 'found', true],
        [2, 'found', true],
        [3, 'found', true],
        [4, 'found', true],
      ],
    );
    assert.deepEqual(
      items[1]!.sources.map((s) => [s.kind, s.count]),
      [
        ['accounts', 2],
        ['realEstate', 1],
        ['vehicles', 1],
      ],
    );
    assert.match(items[1]!.sources[0]!.source, /банков второго уровня/);
    // R7.c: the 2022 income is outside the period the request asks for.
    assert.deepEqual(
      items[2]!.data!.income!.map((r) => r.from),
      ['2024-02-01', '2025-01-01', '2026-01-01'],
    );
    assert.equal(v.state, 'received', 'the officer reviews and signs by default');

    await answerRequest(kz, kzOfficer, {
      requestId: incoming,
      final: true,
      items: items.map((i) => ({ itemNo: i.itemNo, outcome: i.outcome!, data: i.data })),
    });
    await settle(fed);
    const ru = await getRequest(fed.nodes.RU.wired.ctx, ruOfficer, outgoing);
    assert.equal(ru.state, 'answered');
    const accounts = ru.answers.find((a) => a.itemNo === 2)!.data as { accounts: { number: string }[] };
    assert.deepEqual(
      accounts.accounts.map((a) => a.number),
      ['KZ86722S000001234567', 'KZ22601A871000765432'],
    );
  });

  test('property the demo registries do not hold for this debtor: the item drafted as «not found»', async () => {
    const { incoming } = await send('223344/26/77001-ИП', [{ kind: 'property', subItems: ['a', 'c'] }]);
    await fed.nodes.KZ.registryLookups!.drain();
    const v = await getRequest(fed.nodes.KZ.wired.ctx, kzOfficer, incoming);
    const item = v.answerDraft!.draft!.items[0]!;
    assert.equal(item.outcome, 'not_found');
    assert.equal(item.complete, true);
  });
});
