// Issue 11 (5): the sender checks the server. A message goes only to a server
// whose TLS certificate names a node of the addressed Party in the registry,
// chains to that Party's CA and is not revoked; otherwise not one byte of the
// request (not even its headers) is written and the outbox row keeps the error.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServer, type Server } from 'node:tls';
import { certificateInfo } from '../../src/adapters/crypto/pki.js';
import type { Federation } from '../../src/adapters/federation/context.js';
import { deliver } from '../../src/adapters/federation/outbound.js';
import type { Registry } from '../../src/domain/registry.js';
import { startTestFederation, claimedQuery, outboxRow as outboxRowOf } from '../support/federation.js';

describe('the sender checks the server it talks to', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let ru: Federation;
  let impostor: Server;
  let impostorUrl: string;
  const received: Buffer[] = [];

  before(async () => {
    fed = await startTestFederation();
    // Deliveries are driven by hand here: the node's own worker must not take the rows.
    await fed.nodes.RU.worker!.stop();
    ru = fed.nodes.RU.wired.federation!;
    const byTls = path.join(fed.dir, 'by', 'keys', 'tls');
    // A server holding BY's genuine node certificate (valid under the depositary root, SAN 127.0.0.1).
    impostor = createServer(
      {
        key: await readFile(path.join(byTls, 'node.key'), 'utf8'),
        cert: await readFile(path.join(byTls, 'node-chain.crt'), 'utf8'),
        ca: ru.tls.rootPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        socket.on('data', (d: Buffer) => {
          received.push(d);
          socket.end('HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
        });
        socket.on('error', () => undefined);
      },
    );
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    impostorUrl = `https://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => impostor.close(() => resolve()));
    await fed.close();
  });

  /** RU's registry with `party`'s node moved to `url` (the route the sender follows). */
  const routed = (party: string, url: string, over: Partial<Registry> = {}): Federation => ({
    ...ru,
    registry: () => {
      const r = ru.registry();
      const p = r.parties[party]!;
      return { ...r, ...over, parties: { ...r.parties, [party]: { ...p, nodes: [{ id: p.nodes[0]!.id, url }] } } };
    },
  });

  const queue = (toParty = 'KZ', toBody = 'kz-central') => claimedQuery(ru, toParty, toBody);
  const outboxRow = (messageId: string) => outboxRowOf(ru, messageId);
  const kzHas = async (messageId: string) =>
    Boolean(
      await fed.nodes.KZ.wired.ctx.db
        .selectFrom('inbox')
        .select('message_id')
        .where('message_id', '=', messageId)
        .executeTakeFirst(),
    );

  test('a server presenting BY’s node certificate at KZ’s address never receives RU’s message', async () => {
    const row = await queue();
    assert.equal(await deliver(routed('KZ', impostorUrl), row), false);
    assert.equal(Buffer.concat(received).length, 0, 'not one byte of the request reached the impostor');
    const after = await outboxRow(row.message_id);
    assert.equal(after.status, 'pending', 'retried later: the registry may be corrected');
    assert.match(after.last_error ?? '', /^transport\.peer: .*by-node.*KZ/);
    assert.equal(after.delivered_at, null);
  });

  test('control: the same message goes to the real KZ node', async () => {
    const row = await queue();
    assert.equal(await deliver(ru, row), true);
    assert.ok((await outboxRow(row.message_id)).delivered_at);
    assert.ok(await kzHas(row.message_id));
  });

  test('a kept-alive connection is checked per message: KZ’s socket is not good for a message to BY', async () => {
    const first = await queue();
    assert.equal(await deliver(ru, first), true, 'a connection to KZ is now in the pool');
    const toBy = await queue('BY', 'by-central');
    const kzUrl = ru.registry().parties.KZ!.nodes[0]!.url;
    assert.equal(await deliver(routed('BY', kzUrl), toBy), false);
    assert.match((await outboxRow(toBy.message_id)).last_error ?? '', /^transport\.peer: .*kz-node/);
    assert.equal(await kzHas(toBy.message_id), false, 'KZ never saw the message meant for BY');
  });

  test('KZ’s own node certificate, once revoked in the registry, is refused', async () => {
    const kzCert = await readFile(path.join(fed.dir, 'kz', 'keys', 'tls', 'node-chain.crt'), 'utf8');
    const serialNumber = certificateInfo(kzCert.split(/(?<=-----END CERTIFICATE-----\n)/)[0]!).serialNumber;
    const kzUrl = ru.registry().parties.KZ!.nodes[0]!.url;
    const revoked = routed('KZ', kzUrl, {
      revocations: [{ serialNumber, party: 'KZ', revokedAt: new Date(Date.now() - 60_000).toISOString() }],
    });
    const row = await queue();
    assert.equal(await deliver(revoked, row), false);
    assert.match((await outboxRow(row.message_id)).last_error ?? '', /^transport\.peer: .*отозван/);
    assert.equal(await kzHas(row.message_id), false);
  });
});
