// The federation endpoint's TLS policy, probed from outside with node:tls:
// TLS 1.2+ only, forward-secret AEAD suites only, a client certificate of the
// trust chain required. Each probe records what was negotiated.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { RunningDemo } from '../../src/demo/federation.js';
import { FEDERATION_PATH } from '../../src/adapters/federation/context.js';
import { startTestFederation } from '../support/federation.js';

interface Probe {
  ok: boolean;
  protocol: string | null;
  cipher: string | null;
  error: string | null;
  status: number | null;
}

/** Handshakes, then sends one POST and reads the status line: a TLS 1.3 server rejects a missing client certificate only after the handshake. */
function probe(url: string, opts: ConnectionOptions): Promise<Probe> {
  const u = new URL(url);
  return new Promise((resolve) => {
    let done = false;
    let protocol: string | null = null;
    let cipher: string | null = null;
    let data = '';
    const finish = (p: Omit<Probe, 'protocol' | 'cipher'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ ...p, protocol, cipher });
    };
    const s: TLSSocket = connect({ host: u.hostname, port: Number(u.port), servername: 'localhost', ...opts }, () => {
      protocol = s.getProtocol();
      cipher = s.getCipher()?.name ?? null;
      s.write(
        `POST ${FEDERATION_PATH} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/jose\r\nContent-Length: 3\r\nConnection: close\r\n\r\na.b`,
      );
    });
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout', status: null }), 10_000);
    s.on('data', (d: Buffer) => {
      data += d.toString('latin1');
    });
    s.on('end', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      finish({ ok: !!m, error: m ? null : 'closed without HTTP response', status: m ? Number(m[1]) : null });
    });
    s.on('error', (e: NodeJS.ErrnoException) =>
      finish({ ok: false, error: `${e.code ?? ''} ${e.message}`.trim(), status: null }),
    );
  });
}

describe('federation endpoint TLS policy', () => {
  let fed: RunningDemo & { close(): Promise<void> };
  let url: string;
  let client: ConnectionOptions;
  const results: Record<string, Probe> = {};

  before(async () => {
    fed = await startTestFederation();
    url = fed.nodes.KZ.wired.federation!.registry().parties.KZ!.nodes[0]!.url;
    const t = fed.nodes.RU.wired.federation!.tls;
    client = { key: t.keyPem, cert: t.certChainPem, ca: t.rootPem };
  });
  after(async () => {
    console.log('TLS probes:', JSON.stringify(results, null, 1));
    await fed.close();
  });

  test('(a) TLS 1.1 is refused at the handshake', async () => {
    const r = (results.tls11 = await probe(url, {
      ...client,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    }));
    assert.equal(r.ok, false);
    assert.equal(r.protocol, null, 'no handshake completed');
    assert.match(r.error!, /ERR_SSL|protocol|version|alert|ECONNRESET/i);
  });

  test('(b) TLS 1.2 offering only non-AEAD / non-forward-secret suites is refused', async () => {
    for (const cipher of ['AES128-SHA', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-GCM-SHA256']) {
      const r = (results[`tls12 ${cipher}`] = await probe(url, {
        ...client,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        ciphers: cipher,
      }));
      assert.equal(r.ok, false, `${cipher} must be refused: ${JSON.stringify(r)}`);
      assert.equal(r.protocol, null, `${cipher}: no handshake`);
    }
  });

  test('(c) TLS 1.2 with ECDHE-ECDSA-AES128-GCM-SHA256 succeeds', async () => {
    const r = (results['tls12 ECDHE-ECDSA-AES128-GCM-SHA256'] = await probe(url, {
      ...client,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    }));
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.protocol, 'TLSv1.2');
    assert.equal(r.cipher, 'ECDHE-ECDSA-AES128-GCM-SHA256');
    assert.ok(
      r.status! >= 400 && r.status! < 500,
      `the garbage body is refused by the application, not TLS (${r.status})`,
    );
  });

  test('(d) TLS 1.3 succeeds', async () => {
    const r = (results.tls13 = await probe(url, { ...client, minVersion: 'TLSv1.3' }));
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.protocol, 'TLSv1.3');
    assert.match(r.cipher!, /^TLS_(AES_256_GCM_SHA384|AES_128_GCM_SHA256|CHACHA20_POLY1305_SHA256)$/);
  });

  test('(e) no client certificate: refused (TLS 1.2 at the handshake, TLS 1.3 before any HTTP response)', async () => {
    const r12 = (results['no client cert tls12'] = await probe(url, { ca: client.ca, maxVersion: 'TLSv1.2' }));
    assert.equal(r12.ok, false, JSON.stringify(r12));
    assert.equal(r12.status, null);
    const r13 = (results['no client cert tls13'] = await probe(url, { ca: client.ca, minVersion: 'TLSv1.3' }));
    assert.equal(r13.ok, false, JSON.stringify(r13));
    assert.equal(r13.status, null, 'no HTTP response without a client certificate');
  });

  test('a client certificate from outside the trust chain (self-signed) is refused', async () => {
    const { createDepositaryCa } = await import('../../src/adapters/crypto/pki.js');
    const rogue = await createDepositaryCa({ name: 'rogue' });
    const r = (results['rogue client cert'] = await probe(url, {
      ca: client.ca,
      key: rogue.keyPem,
      cert: rogue.certPem,
      minVersion: 'TLSv1.3',
    }));
    assert.equal(r.ok, false, JSON.stringify(r));
    assert.equal(r.status, null);
  });
});
