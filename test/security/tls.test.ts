// The federation endpoint's TLS policy, probed from outside with node:tls:
// TLS 1.2+ only, forward-secret AEAD suites only, a client certificate of the
// trust chain required. Each probe records what was negotiated.
// Issue 18.6: every refused probe is first run against a deliberately permissive control server (node:tls with
// the same certificate, key and client-certificate check as KZ's node, TLS 1.0+ and every cipher at security
// level 0) and must succeed there — a probe that cannot succeed anywhere proves nothing — and the node's refusal
// is asserted by the TLS alert it sends (protocol_version for an old protocol, handshake_failure for a suite).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type ConnectionOptions, type Server, type TLSSocket } from 'node:tls';
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
  let control: Server;
  let controlUrl: string;

  before(async () => {
    fed = await startTestFederation();
    url = fed.nodes.KZ.wired.federation!.registry().parties.KZ!.nodes[0]!.url;
    const t = fed.nodes.RU.wired.federation!.tls;
    client = { key: t.keyPem, cert: t.certChainPem, ca: t.rootPem };
    // The control: KZ's own TLS identity and client-certificate check, everything else permitted.
    const kz = fed.nodes.KZ.wired.federation!.tls;
    control = createServer(
      {
        key: kz.keyPem,
        cert: kz.certChainPem,
        ca: kz.rootPem,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: 'TLSv1',
        ciphers: 'ALL:@SECLEVEL=0',
      },
      (s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')),
    );
    await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
    controlUrl = `https://127.0.0.1:${(control.address() as { port: number }).port}`;
  });
  after(async () => {
    await new Promise((resolve) => control?.close(resolve));
    await fed.close();
  });

  /** One probe, printed with its name: what each test saw is in its own output. */
  async function logged(name: string, target: string, opts: ConnectionOptions): Promise<Probe> {
    const r = await probe(target, opts);
    console.log(`TLS probe ${name}: ${JSON.stringify(r)}`);
    return r;
  }

  /**
   * The probe succeeds against the permissive control with the protocol and suite it offers, and the node refuses
   * it at the handshake with `alert` (the client's OpenSSL error code for the alert the server sent).
   */
  async function refusedWhereItCouldPass(
    name: string,
    opts: ConnectionOptions,
    expected: { protocol: string; cipher?: string },
    alert: RegExp,
  ): Promise<void> {
    const c = await logged(`control: ${name}`, controlUrl, { ...client, ...opts });
    assert.equal(c.ok, true, `${name} must succeed against the permissive control: ${JSON.stringify(c)}`);
    assert.equal(c.protocol, expected.protocol, name);
    if (expected.cipher) assert.equal(c.cipher, expected.cipher, name);
    assert.equal(c.status, 400, `${name}: the control answered over the negotiated connection`);
    const r = await logged(name, url, { ...client, ...opts });
    assert.equal(r.ok, false, `${name} must be refused by the node: ${JSON.stringify(r)}`);
    assert.equal(r.protocol, null, `${name}: no handshake completed`);
    assert.match(r.error!, alert, `${name}: the node's alert`);
  }

  // A server refusing the version answers ClientHello with the protocol_version alert (70).
  const PROTOCOL_VERSION = /^ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION /;
  // A server sharing no suite with the client answers with the handshake_failure alert (40).
  const HANDSHAKE_FAILURE = /^ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE /;
  // TLS 1.0/1.1 sign the key exchange with SHA-1, which OpenSSL 3 allows only at security level 0: a probe
  // without `@SECLEVEL=0` would fail on the client (ERR_SSL_LEGACY_SIGALG_DISALLOWED…) against any server.
  const LEGACY = 'DEFAULT:@SECLEVEL=0';

  test('(a) TLS 1.0 and TLS 1.1 are refused with protocol_version; a permissive server accepts both probes', async () => {
    await refusedWhereItCouldPass(
      'tls10',
      { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: LEGACY },
      { protocol: 'TLSv1' },
      PROTOCOL_VERSION,
    );
    await refusedWhereItCouldPass(
      'tls11',
      { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: LEGACY },
      { protocol: 'TLSv1.1' },
      PROTOCOL_VERSION,
    );
  });

  // The node's certificate is ECDSA, so the suites a client can meet with it are ECDHE-ECDSA ones: the RSA key
  // exchange suites probed before (AES128-SHA, AES128-GCM-SHA256: not forward-secret) fail against ANY server
  // holding this certificate — even one permitting every cipher — so they proved nothing and are gone. What an
  // ECDSA node could wrongly permit is a non-AEAD (CBC) suite with ECDHE: those are probed, each shown possible.
  test('(b) TLS 1.2 offering only CBC (non-AEAD) suites is refused with handshake_failure; a permissive server accepts each', async () => {
    for (const cipher of [
      'ECDHE-ECDSA-AES128-SHA',
      'ECDHE-ECDSA-AES256-SHA',
      'ECDHE-ECDSA-AES128-SHA256',
      'ECDHE-ECDSA-AES256-SHA384',
    ])
      await refusedWhereItCouldPass(
        `tls12 ${cipher}`,
        { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: cipher },
        { protocol: 'TLSv1.2', cipher },
        HANDSHAKE_FAILURE,
      );
  });

  test('(b2) the RSA key exchange suites cannot be negotiated with the ECDSA certificate, even by a permissive server', async () => {
    // Why (b) no longer probes them: recorded so that a change of certificate type brings them back.
    for (const cipher of ['AES128-SHA', 'AES128-GCM-SHA256']) {
      const c = await logged(`control: tls12 ${cipher}`, controlUrl, {
        ...client,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        ciphers: cipher,
      });
      assert.equal(c.ok, false, `${cipher} against an ECDSA certificate: ${JSON.stringify(c)}`);
      assert.match(c.error!, HANDSHAKE_FAILURE);
    }
  });

  test('(c) TLS 1.2 with ECDHE-ECDSA-AES128-GCM-SHA256 succeeds', async () => {
    const r = await logged('tls12 ECDHE-ECDSA-AES128-GCM-SHA256', url, {
      ...client,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.protocol, 'TLSv1.2');
    assert.equal(r.cipher, 'ECDHE-ECDSA-AES128-GCM-SHA256');
    assert.ok(
      r.status! >= 400 && r.status! < 500,
      `the garbage body is refused by the application, not TLS (${r.status})`,
    );
  });

  test('(d) TLS 1.3 succeeds', async () => {
    const r = await logged('tls13', url, { ...client, minVersion: 'TLSv1.3' });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.protocol, 'TLSv1.3');
    assert.match(r.cipher!, /^TLS_(AES_256_GCM_SHA384|AES_128_GCM_SHA256|CHACHA20_POLY1305_SHA256)$/);
  });

  test('(e) no client certificate: refused (TLS 1.2 at the handshake, TLS 1.3 before any HTTP response)', async () => {
    const r12 = await logged('no client cert tls12', url, { ca: client.ca, maxVersion: 'TLSv1.2' });
    assert.equal(r12.ok, false, JSON.stringify(r12));
    assert.equal(r12.status, null);
    const r13 = await logged('no client cert tls13', url, { ca: client.ca, minVersion: 'TLSv1.3' });
    assert.equal(r13.ok, false, JSON.stringify(r13));
    assert.equal(r13.status, null, 'no HTTP response without a client certificate');
  });

  test('a client certificate from outside the trust chain (self-signed) is refused', async () => {
    const { createDepositaryCa } = await import('../../src/adapters/crypto/pki.js');
    const rogue = await createDepositaryCa({ name: 'rogue' });
    const r = await logged('rogue client cert', url, {
      ca: client.ca,
      key: rogue.keyPem,
      cert: rogue.certPem,
      minVersion: 'TLSv1.3',
    });
    assert.equal(r.ok, false, JSON.stringify(r));
    assert.equal(r.status, null);
  });
});
