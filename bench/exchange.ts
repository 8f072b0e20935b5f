// Two local nodes (RU → KZ) exchanging requests: each one signed by the body
// key, sent over mutual TLS, verified, persisted (encrypted, deadline computed)
// and answered by a signed receipt that the sender verifies. The baseline is a
// plain mutual-TLS echo of the same bytes with the same client and certificates.
import { randomUUID } from 'node:crypto';
import type { Bench } from 'tinybench';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  BUNDLE_RECEIPT_JWS_TYPE,
  FEDERATION_PATH,
  MESSAGE_JWS_TYPE,
  RECEIPT_JWS_TYPE,
  type Federation,
} from '../src/adapters/federation/context.js';
import { canonicalBytes } from '../src/adapters/crypto/jws.js';
import { verifySigned } from '../src/adapters/federation/inbound.js';
import { postBundle, postMessage } from '../src/adapters/federation/outbound.js';
import { TLS_CIPHERS } from '../src/adapters/federation/server.js';
import type { Message } from '../src/domain/messages.js';
import { aRequest } from '../test/support/requests.js';
import { freePort, startTestFederation } from '../test/support/federation.js';
import type { BenchRow, Suite } from './run.js';

let close: (() => Promise<void>) | null = null;
const EXCHANGE = 'exchange: request signed → mTLS → verified, stored, receipted → receipt verified';
const ECHO = 'baseline: plain mutual-TLS echo of the same bytes';
const BUNDLE_SIZE = 100;
const BUNDLED = `bundle of ${BUNDLE_SIZE} requests signed → mTLS → each verified, stored in one transaction → bundle receipt verified`;

/** A request message from RU's Moscow body to KZ's central body (the bench's and the profiler's). */
export function requestMessage(): Message {
  return {
    envelope: {
      id: randomUUID(),
      type: 'request',
      schemaVersion: 1,
      from: { party: 'RU', body: 'ru-fssp-77' },
      to: { party: 'KZ', body: 'kz-central' },
      createdAt: new Date().toISOString(),
      officer: { id: 'bench', name: 'Петрова А. С.', position: 'судебный пристав-исполнитель' },
    },
    body: {
      request: { ...aRequest(), requestingBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' } },
    },
  };
}

async function echoServer(fed: Federation): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({
    https: {
      key: fed.tls.keyPem,
      cert: fed.tls.certChainPem,
      ca: fed.tls.rootPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ciphers: TLS_CIPHERS,
    },
    bodyLimit: 40 * 1024 * 1024,
  });
  app.addContentTypeParser('application/jose', { parseAs: 'string' }, (_r, body, done) => done(null, body));
  app.post(FEDERATION_PATH, async (req, reply) => reply.type('application/jose').send(req.body));
  const port = await freePort();
  await app.listen({ host: '127.0.0.1', port });
  return { app, url: `https://127.0.0.1:${port}` };
}

/** `size` request messages signed, POSTed as one bundle (protocol version 3), its bundle receipt verified. */
export async function bundleRoundTrip(ru: Federation, kzUrl: string, size: number): Promise<void> {
  const messages = await Promise.all(
    Array.from({ length: size }, () =>
      ru.signer.sign('ru-fssp-77', canonicalBytes(requestMessage()), MESSAGE_JWS_TYPE),
    ),
  );
  const text = JSON.stringify({
    from: { party: 'RU', body: 'ru-fssp-77' },
    to: { party: 'KZ', body: 'kz-central' },
    messages,
  });
  const receipt = await postBundle(ru, { party: 'KZ', url: kzUrl }, text);
  await verifySigned(ru, receipt, BUNDLE_RECEIPT_JWS_TYPE, {
    party: 'KZ',
    body: 'kz-central',
    at: (m) => new Date(m.envelope.createdAt),
  });
}

export const suite: Suite = {
  name: 'exchange',
  description: 'two local nodes, one sender, sequential round trips (ops/s)',
  async add(bench: Bench) {
    const fed = await startTestFederation();
    const ru = fed.nodes.RU.wired.federation!;
    const kzUrl = ru.registry().parties.KZ!.nodes[0]!.url;
    const echo = await echoServer(fed.nodes.KZ.wired.federation!);
    close = async () => {
      await echo.app.close();
      await fed.close();
    };
    const sample = await ru.signer.sign('ru-fssp-77', canonicalBytes(requestMessage()), MESSAGE_JWS_TYPE);
    bench.add(EXCHANGE, async () => {
      const jws = await ru.signer.sign('ru-fssp-77', canonicalBytes(requestMessage()), MESSAGE_JWS_TYPE);
      const receipt = await postMessage(ru, { party: 'KZ', url: kzUrl }, jws);
      await verifySigned(ru, receipt, RECEIPT_JWS_TYPE, {
        party: 'KZ',
        body: 'kz-central',
        at: (m) => new Date(m.envelope.createdAt),
      });
    });
    // Protocol version 3 (docs/MESSAGES.md §2.1): one operation is a whole bundle; per message = ops/s × size.
    bench.add(BUNDLED, () => bundleRoundTrip(ru, kzUrl, BUNDLE_SIZE));
    bench.add(ECHO, async () => {
      await postMessage(ru, { party: 'KZ', url: echo.url }, sample);
    });
  },
  async teardown() {
    await close?.();
  },
  summarize(rows: readonly BenchRow[]) {
    const ex = rows.find((r) => r.task === EXCHANGE)!;
    const base = rows.find((r) => r.task === ECHO)!;
    const bundled = rows.find((r) => r.task === BUNDLED);
    // ops/s is rounded to a whole number; a bundle takes seconds, so the rate per message comes from its mean time.
    const perMessage = bundled ? (BUNDLE_SIZE * 1e6) / bundled.meanMicros : 0;
    return {
      ...(bundled
        ? {
            'bundled messages/s (per message) / baseline': `${(perMessage / base.opsPerSec).toFixed(3)} (${perMessage.toFixed(0)} vs ${base.opsPerSec} ops/s)`,
          }
        : {}),
      'exchange / baseline throughput': `${(ex.opsPerSec / base.opsPerSec).toFixed(3)} (${ex.opsPerSec} vs ${base.opsPerSec} ops/s)`,
      'exchange p50 / p99 (ms)': `${(ex.p50Micros / 1000).toFixed(2)} / ${(ex.p99Micros / 1000).toFixed(2)}`,
      'baseline p50 / p99 (ms)': `${(base.p50Micros / 1000).toFixed(2)} / ${(base.p99Micros / 1000).toFixed(2)}`,
    };
  },
};
