// Two attempts at one outbox row at once (issue 18.9, found by the chaos soak). A worker's claim is a lease of
// 60 s on the node's clock; when an attempt outlives it — a black-holed link holds the POST for its 30 s timeout
// on a loaded machine, or the process's clock jumps forward past the lease — the row is claimed again while the
// first attempt is still under way. The soak saw both outcomes this file pins down, on RU's real federation
// wiring (claimDue and deliver as the worker calls them) with a clock the test holds:
//  - the stale attempt failed late and put the delivered row back in the queue; its resend met a request already
//    received and ended `failed` (workflow.transition) with a «delivery failed» entry on an answered request;
//  - both attempts signed: the stale one's second signature under the same message id was refused by the
//    receiver as message.replay, and had overwritten the signed bytes that the receiver's receipt names.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Officer } from '../../src/app/context.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import { claimDue, deliver } from '../../src/adapters/federation/outbound.js';
import type { OutboxRow } from '../../src/app/compose-message.js';
import { TestClock } from '../support/app.js';
import { freePort, officer, outboxRow, settle, startTestFederation } from '../support/federation.js';

describe('an outbox attempt whose lease ran out while it was under way', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let live: Federation;
  let down: Federation;
  let clock: TestClock;
  let ruOfficer: Officer;

  before(async () => {
    fed = await startTestFederation();
    await settle(fed);
    await fed.nodes.RU.worker!.stop();
    const real = fed.nodes.RU.wired.federation!;
    ruOfficer = await officer(fed.nodes.RU, 'ru.officer');
    clock = new TestClock(Date.now());
    live = { ...real, app: { ...real.app, clock } };
    // The same node, its connection to KZ refused: how the stale attempt ends.
    const refused = `https://127.0.0.1:${await freePort()}`;
    down = {
      ...live,
      registry: () => ({
        ...real.registry(),
        parties: {
          ...real.registry().parties,
          KZ: { ...real.registry().parties.KZ!, nodes: [{ id: 'kz-node', url: refused }] },
        },
      }),
    };
  });
  after(async () => {
    await fed?.close();
  });

  /** A signed request to KZ, claimed once (attempt A), then again a lease later (attempt B). */
  async function twoAttempts(): Promise<{ requestId: string; messageId: string; a: OutboxRow; b: OutboxRow }> {
    const ctx = live.app;
    const proceedingId = (await ctx.db.selectFrom('proceedings').select('id').executeTakeFirstOrThrow()).id;
    const d = await draftRequest(ctx, ruOfficer, {
      proceedingId,
      requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
      items: [{ kind: 'location', target: 'debtor' }],
      grounds: 'Должник проживает в Республике Казахстан.',
    });
    const { messageId } = await signRequest(ctx, ruOfficer, { requestId: d.id });
    const due = new Date((await outboxRow(live, messageId)).next_attempt_at).getTime();
    clock.set(new Date(Math.max(due, Date.now())).toISOString()); // near the real clock: KZ checks createdAt
    const a = (await claimDue(live, 10)).find((r) => r.message_id === messageId);
    assert.ok(a, 'attempt A claims the row');
    clock.advance(61_000); // past A's 60 s lease: the row is due again
    const b = (await claimDue(live, 10)).find((r) => r.message_id === messageId);
    assert.ok(b, 'attempt B claims the row again');
    assert.deepEqual([a.attempts, b.attempts], [1, 2]);
    assert.equal(a.signed_enc, null);
    assert.equal(b.signed_enc, null, 'neither attempt has signed bytes yet: each would sign');
    return { requestId: d.id, messageId, a, b };
  }

  test('R10.a: a late failure of the stale attempt leaves the delivered message delivered, with nothing reported', async () => {
    const { requestId, messageId, a, b } = await twoAttempts();
    assert.equal(await deliver(live, b), true, 'attempt B delivers');
    assert.equal(await deliver(down, a), false, 'attempt A fails, after B delivered');
    const row = await outboxRow(live, messageId);
    assert.deepEqual([row.status, row.last_error], ['delivered', null], 'the failure of A changed nothing');
    const ctx = live.app;
    const state = (
      await ctx.db.selectFrom('requests').select('state').where('id', '=', requestId).executeTakeFirstOrThrow()
    ).state;
    assert.equal(state, 'received');
    const history = await ctx.db
      .selectFrom('request_events')
      .select('event')
      .where('request_id', '=', requestId)
      .where('event', '=', 'delivery_failed')
      .execute();
    assert.deepEqual(history, [], 'no «delivery failed» entry');
    const notices = await ctx.db
      .selectFrom('events')
      .select('kind')
      .where('request_id', '=', requestId)
      .where('kind', 'in', ['delivery_delayed', 'delivery_failed'])
      .execute();
    assert.deepEqual(notices, [], 'the national system is told of no delay or failure');
    clock.advance(61_000); // past B's lease too
    assert.equal((await claimDue(live, 10)).filter((r) => r.message_id === messageId).length, 0, 'never sent again');
  });

  test('R10.a: the stale attempt sends the bytes the other attempt signed, not a second signature', async () => {
    const { messageId, a, b } = await twoAttempts();
    assert.equal(await deliver(live, b), true, 'attempt B signs, stores and delivers');
    const signedByB = (await outboxRow(live, messageId)).signed_sha256;
    assert.equal(await deliver(live, a), true, 'attempt A resends the same bytes and gets the original receipt');
    const row = await outboxRow(live, messageId);
    assert.equal(row.status, 'delivered');
    assert.equal(row.signed_sha256, signedByB, 'the stored message is still the one B signed');
    const kz = fed.nodes.KZ.wired.ctx;
    const held = await kz.db
      .selectFrom('inbox')
      .select('receipt')
      .where('message_id', '=', messageId)
      .executeTakeFirstOrThrow();
    const receipt = (typeof held.receipt === 'string' ? JSON.parse(held.receipt) : held.receipt) as {
      messageSha256: string;
    };
    assert.equal(
      receipt.messageSha256,
      row.signed_sha256,
      'the sender keeps the bytes the receiver holds and receipted',
    );
    const refused = await kz.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'federation.rejected')
      .where('subject', '=', messageId)
      .execute();
    assert.deepEqual(refused, [], 'KZ refused nothing (no message.replay)');
  });
});
