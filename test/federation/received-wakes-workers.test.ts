// Issue 16 (decision 55 on the federation endpoint): a message received and stored wakes the workers that take
// what it wrote — the receiving node's webhook worker sends the new request's event to a national system at
// once, not at its next interval; a message refused wakes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postMessage } from '../../src/adapters/federation/outbound.js';
import { officer, settle, signRequestsToKz, startTestFederation } from '../support/federation.js';

describe('a received message wakes the receiving node’s workers', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  /** KZ's webhook worker's kicks (its interval's passes are not kicks). */
  const kicks: string[] = [];

  before(async () => {
    fed = await startTestFederation();
    const worker = fed.nodes.KZ.webhooks;
    const kick = worker.kick;
    Object.assign(worker, {
      kick: () => {
        kicks.push('webhooks');
        kick();
      },
    });
  });
  after(async () => {
    await fed?.close();
  });

  test('a request stored at KZ kicks KZ’s webhook worker; a message KZ refuses kicks nothing', async () => {
    const ru = fed.nodes.RU;
    await signRequestsToKz(ru, await officer(ru, 'ru.officer'), 1);
    await settle(fed);
    const received = await fed.nodes.KZ.wired.ctx.db
      .selectFrom('events')
      .select('kind')
      .where('kind', '=', 'request_received')
      .execute();
    assert.equal(received.length, 1, 'KZ recorded the request’s event');
    assert.ok(kicks.length >= 1, 'the webhook worker was woken by the message');
    const before = kicks.length;
    await assert.rejects(
      postMessage(ru.wired.federation!, { party: 'KZ', url: fed.nodes.KZ.federationUrl! }, 'not.a.jws'),
      (e: Error & { remoteCode?: string }) => e.remoteCode !== undefined,
    );
    assert.equal(kicks.length, before, 'a refused message wakes nothing');
  });
});
