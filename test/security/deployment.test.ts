// Issue 13 item 8 "Deployment": HTTPS on the API/UI listener (EIX_TLS_CERT,
// EIX_TLS_KEY), the real client address behind a reverse proxy
// (EIX_TRUST_PROXY), TLS to PostgreSQL that fails closed (EIX_DATABASE_SSL,
// EIX_DATABASE_SSL_CA) and a node home readable by the node alone.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import https, { request as httpsRequest } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import {
  createDepositaryCa,
  createPartyCa,
  issueNodeCertificate,
  type CertAndKey,
} from '../../src/adapters/crypto/pki.js';
import { openDatabase, type Database } from '../../src/adapters/db/database.js';
import type { AppContext } from '../../src/app/context.js';
import { buildServer } from '../../src/adapters/http/server.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';
import { EixError } from '../../src/domain/errors.js';
import { startNode } from '../../src/main.js';
import { nodeOn } from '../support/app.js';
import { TEST_DATABASE_URL } from '../support/db.js';

const tmp = await mkdtemp(path.join(tmpdir(), 'eix-deploy-'));
after(() => rm(tmp, { recursive: true, force: true }));

/** Files under `dir` (and `dir` itself) that the group or others can use, as "mode path". */
async function looseEntries(dir: string): Promise<string[]> {
  const all = [dir, ...(await readdir(dir, { recursive: true })).map((e) => path.join(dir, e))];
  const loose: string[] = [];
  for (const e of all) {
    const st = await fs.promises.lstat(e);
    if (!st.isSymbolicLink() && (st.mode & 0o077) !== 0) loose.push(`${(st.mode & 0o777).toString(8)} ${e}`);
  }
  return loose;
}

/** Rejects with an EixError of `code` whose details name `field` and whose message is Russian and names it. */
async function refused(p: Promise<unknown>, code: string, field: string): Promise<EixError> {
  const e = await p.then(
    () => assert.fail(`expected ${code} naming ${field}`),
    (err: unknown) => err,
  );
  assert.ok(e instanceof EixError, String(e));
  assert.equal(e.code, code, e.message);
  assert.equal(e.data.field, field, e.message);
  assert.match(e.message, /[а-яё]/i);
  assert.ok(e.message.includes(field), e.message);
  return e;
}

// ---- certificates: depositary root → Party CA → server certificates ----------------------------------------

let root: CertAndKey;
let otherRoot: CertAndKey;
let server: CertAndKey & { chainPem: string };
let foreign: CertAndKey;
let wrongName: CertAndKey & { chainPem: string };
const files = {
  rootCa: path.join(tmp, 'root.crt'),
  otherCa: path.join(tmp, 'other-root.crt'),
  cert: path.join(tmp, 'ui.crt'),
  key: path.join(tmp, 'ui.key'),
  foreignKey: path.join(tmp, 'foreign.key'),
  notPem: path.join(tmp, 'not.pem'),
};

before(async () => {
  root = await createDepositaryCa({ name: 'Test depositary' });
  otherRoot = await createDepositaryCa({ name: 'Another depositary' });
  const ca = await createPartyCa({ party: 'RU', name: 'Test Party', issuer: root });
  const leaf = await issueNodeCertificate({
    party: 'RU',
    nodeId: 'ru-ui',
    hosts: ['127.0.0.1', 'localhost'],
    issuer: ca,
  });
  server = { ...leaf, chainPem: leaf.certPem + ca.certPem };
  foreign = await issueNodeCertificate({ party: 'RU', nodeId: 'ru-other', hosts: ['127.0.0.1'], issuer: ca });
  const named = await issueNodeCertificate({ party: 'RU', nodeId: 'ru-db', hosts: ['db.example.org'], issuer: ca });
  wrongName = { ...named, chainPem: named.certPem + ca.certPem };
  await writeFile(files.rootCa, root.certPem);
  await writeFile(files.otherCa, otherRoot.certPem);
  await writeFile(files.cert, server.chainPem);
  await writeFile(files.key, server.keyPem, { mode: 0o600 });
  await writeFile(files.foreignKey, foreign.keyPem, { mode: 0o600 });
  await writeFile(files.notPem, 'not a certificate\n');
});

// ---- configuration ----------------------------------------------------------------------------------------

describe('issue 13 item 8: deployment settings are validated with Russian messages naming the variable', () => {
  const bad = (env: Record<string, string>, field: string) =>
    refused(
      Promise.resolve().then(() => readConfig(env)),
      'input.invalid',
      field,
    );

  test('EIX_TLS_CERT without EIX_TLS_KEY (and the reverse) is refused', async () => {
    await bad({ EIX_TLS_CERT: files.cert }, 'EIX_TLS_KEY');
    await bad({ EIX_TLS_KEY: files.key }, 'EIX_TLS_CERT');
    assert.equal(readConfig({}).tls, null);
    assert.deepEqual(readConfig({ EIX_TLS_CERT: files.cert, EIX_TLS_KEY: files.key }).tls, {
      certFile: files.cert,
      keyFile: files.key,
    });
  });

  test('EIX_TRUST_PROXY: off by default; addresses/CIDRs; "true", a hop count and garbage refused', async () => {
    assert.equal(readConfig({}).trustProxy, false);
    assert.equal(readConfig({ EIX_TRUST_PROXY: 'false' }).trustProxy, false);
    // Fastify 5 trusts no X-Forwarded-For with a hop count (it cannot check the peer): refused, not silently useless.
    await bad({ EIX_TRUST_PROXY: '1' }, 'EIX_TRUST_PROXY');
    assert.deepEqual(readConfig({ EIX_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback' }).trustProxy, [
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    await bad({ EIX_TRUST_PROXY: 'true' }, 'EIX_TRUST_PROXY');
    await bad({ EIX_TRUST_PROXY: 'proxy.local' }, 'EIX_TRUST_PROXY');
    await bad({ EIX_TRUST_PROXY: '10.0.0.0/33' }, 'EIX_TRUST_PROXY');
  });

  test('EIX_DATABASE_SSL: libpq modes only; a CA only with verify-*; not twice (URL and variable)', async () => {
    const url = 'postgres://eix@db.example.org/eix';
    assert.equal(readConfig({ EIX_DATABASE_URL: url }).databaseSsl, null);
    assert.deepEqual(
      readConfig({ EIX_DATABASE_URL: url, EIX_DATABASE_SSL: 'verify-full', EIX_DATABASE_SSL_CA: files.rootCa })
        .databaseSsl,
      { mode: 'verify-full', caFile: files.rootCa },
    );
    await bad({ EIX_DATABASE_URL: url, EIX_DATABASE_SSL: 'prefer' }, 'EIX_DATABASE_SSL');
    await bad(
      { EIX_DATABASE_URL: url, EIX_DATABASE_SSL: 'require', EIX_DATABASE_SSL_CA: files.rootCa },
      'EIX_DATABASE_SSL_CA',
    );
    await bad({ EIX_DATABASE_URL: `${url}?sslmode=disable`, EIX_DATABASE_SSL: 'verify-full' }, 'EIX_DATABASE_SSL');
  });
});

// ---- HTTPS listener ---------------------------------------------------------------------------------------

/** GET over HTTPS trusting only `ca`; the TLS version negotiated, the status and the body. */
function httpsGet(
  url: string,
  ca: string,
  extra: tls.ConnectionOptions = {},
): Promise<{ status: number; protocol: string | null; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, ...extra, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, protocol: (res.socket as tls.TLSSocket).getProtocol(), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('issue 13 item 8: the API and the officer UI over HTTPS (V9.1.1, V9.1.2, V9.1.3)', () => {
  const home = path.join(tmp, 'node');

  before(async () => {
    const code = await runCli(['node', 'init', '--party', 'ru', '--json'], {
      io: { out: () => undefined, err: () => undefined },
      clock: fixedClock(new Date('2026-11-26T09:00:00Z')),
      config: readConfig({ EIX_HOME: home }),
    });
    assert.equal(code, 0);
  });

  test('eix node init leaves nothing in the home (PGlite data, keys) readable by the group or others', async () => {
    assert.deepEqual(await looseEntries(home), []);
  });

  test('with EIX_TLS_CERT/EIX_TLS_KEY the node answers over TLS 1.2+ only; plain HTTP and TLS 1.1 are refused', async () => {
    const node = await startNode(
      readConfig({
        EIX_HOME: home,
        EIX_PORT: '0',
        EIX_LOG_LEVEL: 'silent',
        EIX_TLS_CERT: files.cert,
        EIX_TLS_KEY: files.key,
      }),
    );
    try {
      assert.match(node.apiUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
      const health = await httpsGet(`${node.apiUrl}/api/v1/health`, root.certPem);
      assert.equal(health.status, 200);
      assert.match(health.protocol ?? '', /^TLSv1\.[23]$/);
      assert.equal((JSON.parse(health.body) as { status: string }).status, 'ok');
      const login = await httpsGet(`${node.apiUrl}/login`, root.certPem);
      assert.equal(login.status, 200);
      assert.match(login.body, /<form/);
      // Issue 18.6: the TLS 1.0/1.1 probe must be able to succeed — against a permissive server with the same
      // certificate it does (`@SECLEVEL=0`: OpenSSL 3 refuses the SHA-1 signatures of TLS 1.0/1.1 on the client
      // otherwise, against any server) — and the node refuses it with the protocol_version alert.
      const old = { maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const;
      const control = https.createServer(
        {
          cert: fs.readFileSync(files.cert),
          key: fs.readFileSync(files.key),
          minVersion: 'TLSv1',
          ciphers: 'ALL:@SECLEVEL=0',
        },
        (_req, res) => res.end('{}'),
      );
      await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
      try {
        const port = (control.address() as { port: number }).port;
        const c = await httpsGet(`https://127.0.0.1:${port}/api/v1/health`, root.certPem, old);
        assert.deepEqual([c.status, c.protocol], [200, 'TLSv1.1'], 'the probe succeeds against a permissive server');
      } finally {
        await new Promise((resolve) => control.close(resolve));
      }
      await assert.rejects(httpsGet(`${node.apiUrl}/api/v1/health`, root.certPem, old), {
        code: 'EPROTO',
        message: /alert protocol version.*SSL alert number 70/,
      });
      await assert.rejects(httpsGet(`${node.apiUrl}/api/v1/health`, otherRoot.certPem), 'an unknown CA is refused');
      await assert.rejects(fetch(`${node.apiUrl.replace('https:', 'http:')}/api/v1/health`), 'no plain HTTP');
      // The start tightened the home again (PGlite made new files 0666 while running; the directory stays 0700).
      assert.equal((await stat(home)).mode & 0o777, 0o700);
    } finally {
      await node.stop();
    }
    assert.deepEqual(await looseEntries(home), [], 'closing the embedded database tightens what it created');
  });

  test('a certificate and a key that do not match refuse the start, naming EIX_TLS_KEY', async () => {
    const e = await refused(
      startNode(readConfig({ EIX_HOME: home, EIX_PORT: '0', EIX_TLS_CERT: files.cert, EIX_TLS_KEY: files.foreignKey })),
      'config.tls',
      'EIX_TLS_KEY',
    );
    assert.match(e.message, /не соответствует сертификату/);
  });

  test('a missing or non-PEM certificate refuses the start, naming EIX_TLS_CERT; an unreadable key names EIX_TLS_KEY', async () => {
    const missing = await refused(
      startNode(readConfig({ EIX_HOME: home, EIX_TLS_CERT: path.join(tmp, 'none.crt'), EIX_TLS_KEY: files.key })),
      'config.tls',
      'EIX_TLS_CERT',
    );
    assert.match(missing.message, /не найден/);
    await refused(
      startNode(readConfig({ EIX_HOME: home, EIX_TLS_CERT: files.notPem, EIX_TLS_KEY: files.key })),
      'config.tls',
      'EIX_TLS_CERT',
    );
    await refused(
      startNode(readConfig({ EIX_HOME: home, EIX_TLS_CERT: files.cert, EIX_TLS_KEY: files.notPem })),
      'config.tls',
      'EIX_TLS_KEY',
    );
  });

  test('eix node start with a mismatched pair exits non-zero with the Russian message (no stack trace)', async () => {
    let out = '';
    const code = await runCli(['node', 'start', '--json'], {
      io: { out: (t) => (out += t), err: (t) => (out += t) },
      clock: fixedClock(new Date('2026-11-26T09:00:00Z')),
      config: readConfig({ EIX_HOME: home, EIX_PORT: '0', EIX_TLS_CERT: files.cert, EIX_TLS_KEY: files.foreignKey }),
    });
    assert.notEqual(code, 0);
    const error = (JSON.parse(out) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'config.tls');
    assert.match(error.message, /EIX_TLS_KEY.*не соответствует/);
    assert.doesNotMatch(out, /\n\s+at .+:\d+:\d+/);
  });

  test('a home left readable by others is tightened at start (V14.1 / data directories 0700, secrets 0600)', async () => {
    await chmod(home, 0o755);
    await chmod(path.join(home, 'keys'), 0o755);
    await mkdir(path.join(home, 'keys', 'bodies'), { recursive: true });
    await writeFile(path.join(home, 'keys', 'bodies', 'ru-central.key'), 'secret', { mode: 0o644 });
    await chmod(path.join(home, 'keys', 'bodies', 'ru-central.key'), 0o644);
    await chmod(path.join(home, 'db'), 0o755);
    assert.notDeepEqual(await looseEntries(home), []);
    const node = await startNode(readConfig({ EIX_HOME: home, EIX_PORT: '0', EIX_LOG_LEVEL: 'silent' }));
    try {
      assert.equal((await stat(path.join(home, 'keys', 'bodies', 'ru-central.key'))).mode & 0o777, 0o600);
      assert.equal((await stat(path.join(home, 'keys'))).mode & 0o777, 0o700);
      assert.equal((await stat(path.join(home, 'db'))).mode & 0o777, 0o700);
    } finally {
      await node.stop();
    }
    assert.deepEqual(await looseEntries(home), []);
  });
});

describe("issue 13 item 8: the embedded database directory is the node's alone", () => {
  test('openDatabase creates the PGlite directory 0700 with no group/other bits inside, even under umask 022', async () => {
    const dir = path.join(tmp, 'pglite-fresh', 'db');
    const previous = process.umask(0o022);
    try {
      const database = await openDatabase({ dir });
      try {
        assert.equal((await stat(dir)).mode & 0o777, 0o700);
        assert.deepEqual(await looseEntries(dir), []);
      } finally {
        await database.close();
      }
    } finally {
      process.umask(previous);
    }
  });

  test('an existing PGlite directory with mode 0755 is tightened when opened', async () => {
    const dir = path.join(tmp, 'pglite-loose');
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    const database = await openDatabase({ dir });
    await database.close();
    assert.deepEqual(await looseEntries(dir), []);
  });
});

// ---- reverse proxy ----------------------------------------------------------------------------------------

/** A log stream for buildServer; `addresses()` are the client addresses its request lines name. */
function logSink(): { write(line: string): void; addresses(): string[] } {
  const lines: string[] = [];
  return {
    write: (line) => void lines.push(line),
    addresses: () =>
      lines
        .map((l) => (JSON.parse(l) as { req?: { remoteAddress?: string } }).req?.remoteAddress)
        .filter((a): a is string => a !== undefined),
  };
}

describe('issue 13 item 8: behind a reverse proxy the client address decides the rate limit and the logs', () => {
  let ctx: AppContext;
  let database: Database;
  before(async () => {
    database = await openDatabase({});
    ctx = nodeOn(database, 'RU').ctx;
  });
  after(() => database.close());
  const health = (app: Awaited<ReturnType<typeof buildServer>>, forwardedFor: string) =>
    app.inject({
      method: 'GET',
      url: '/api/v1/health',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': forwardedFor },
    });

  test('EIX_TRUST_PROXY=127.0.0.1: X-Forwarded-For gives each client its own bucket and its address in the log', async () => {
    const log = logSink();
    const app = await buildServer({ ctx, logLevel: 'info', logStream: log, rateLimit: 2, trustProxy: ['127.0.0.1'] });
    const codes: number[] = [];
    for (const ip of ['203.0.113.5', '203.0.113.5', '203.0.113.5', '203.0.113.6'])
      codes.push((await health(app, ip)).statusCode);
    await app.close();
    assert.deepEqual(codes, [200, 200, 429, 200], 'the third request of one client is limited, another client is not');
    assert.deepEqual(log.addresses(), ['203.0.113.5', '203.0.113.5', '203.0.113.5', '203.0.113.6']);
  });

  test('a chain of trusted proxies: the first untrusted address from the right is the client, a forged one is not', async () => {
    const log = logSink();
    const app = await buildServer({
      ctx,
      logLevel: 'info',
      logStream: log,
      rateLimit: 2,
      trustProxy: ['127.0.0.1', '10.0.0.0/8'],
    });
    const codes: number[] = [];
    // The client forges a first address; the outer proxy (10.1.2.3) appends the real one, the inner adds its peer.
    for (const forwarded of [
      '198.51.100.1, 203.0.113.7, 10.1.2.3',
      '198.51.100.2, 203.0.113.7, 10.1.2.3',
      '198.51.100.3, 203.0.113.7, 10.1.2.3',
      '198.51.100.3, 203.0.113.8, 10.1.2.3',
    ])
      codes.push((await health(app, forwarded)).statusCode);
    await app.close();
    assert.deepEqual(codes, [200, 200, 429, 200]);
    assert.deepEqual(log.addresses(), ['203.0.113.7', '203.0.113.7', '203.0.113.7', '203.0.113.8']);
  });

  test('without EIX_TRUST_PROXY a forged X-Forwarded-For is ignored: one bucket, the socket address logged', async () => {
    const log = logSink();
    const app = await buildServer({ ctx, logLevel: 'info', logStream: log, rateLimit: 2 });
    const codes: number[] = [];
    for (const ip of ['203.0.113.5', '203.0.113.6', '203.0.113.7']) codes.push((await health(app, ip)).statusCode);
    await app.close();
    assert.deepEqual(codes, [200, 200, 429], 'a new forged address does not give a new bucket');
    assert.deepEqual(log.addresses(), ['127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });

  test('an address outside the trusted list cannot forge X-Forwarded-For', async () => {
    const app = await buildServer({ ctx, logLevel: 'silent', rateLimit: 2, trustProxy: ['10.0.0.0/8'] });
    const codes: number[] = [];
    for (const ip of ['203.0.113.5', '203.0.113.6', '203.0.113.7']) codes.push((await health(app, ip)).statusCode);
    await app.close();
    assert.deepEqual(codes, [200, 200, 429]);
  });
});

// ---- PostgreSQL TLS ---------------------------------------------------------------------------------------

/**
 * A stand-in for a PostgreSQL server with TLS: it answers the SSLRequest with 'S', completes the handshake
 * with `pair` and then closes (no PostgreSQL behind). `handshakes` counts completed TLS handshakes.
 */
async function fakeTlsPostgres(pair: { chainPem: string; keyPem: string }): Promise<{
  url: string;
  handshakes: () => number;
  close: () => Promise<void>;
}> {
  let handshakes = 0;
  const sockets = new Set<Socket>();
  const srv: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write('S');
      const secure = new tls.TLSSocket(socket, { isServer: true, key: pair.keyPem, cert: pair.chainPem });
      secure.on('error', () => undefined);
      secure.on('secure', () => {
        handshakes++;
        secure.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `postgres://eix@127.0.0.1:${port}/eix`,
    handshakes: () => handshakes,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

describe('issue 13 item 8: TLS to PostgreSQL can be required and fails closed (V9.2.2)', () => {
  test(
    'EIX_DATABASE_SSL=require against the local PostgreSQL without TLS fails with storage.tls naming the variable',
    { skip: TEST_DATABASE_URL ? false : 'no local PostgreSQL' },
    async () => {
      for (const mode of ['require', 'verify-full'] as const) {
        const e = await refused(
          openDatabase({ url: TEST_DATABASE_URL!, ssl: { mode, caFile: null } }),
          'storage.tls',
          'EIX_DATABASE_SSL',
        );
        assert.match(e.message, /не поддерживает TLS/);
      }
    },
  );

  test(
    'EIX_DATABASE_SSL=disable (and no setting) leave the PostgreSQL path as it was',
    { skip: TEST_DATABASE_URL ? false : 'no local PostgreSQL' },
    async () => {
      for (const ssl of [{ mode: 'disable' as const }, null]) {
        const database = await openDatabase({ url: TEST_DATABASE_URL!, ssl, migrate: false });
        try {
          assert.equal(database.engine, 'postgres');
          await database.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
        } finally {
          await database.close();
        }
      }
    },
  );

  test('verify-full checks the chain against EIX_DATABASE_SSL_CA and the host name; verify-ca the chain only', async () => {
    const good = await fakeTlsPostgres(server);
    const named = await fakeTlsPostgres(wrongName);
    try {
      // The right CA and name: the handshake completes (the stand-in then hangs up: not a TLS error).
      const passed = await openDatabase({ url: good.url, ssl: { mode: 'verify-full', caFile: files.rootCa } }).then(
        () => assert.fail('the stand-in is no database'),
        (e: unknown) => e,
      );
      assert.ok(!(passed instanceof EixError && passed.code === 'storage.tls'), String(passed));
      assert.equal(good.handshakes(), 1);
      // Another CA: refused before anything is sent.
      const e = await refused(
        openDatabase({ url: good.url, ssl: { mode: 'verify-full', caFile: files.otherCa } }),
        'storage.tls',
        'EIX_DATABASE_SSL',
      );
      assert.match(e.message, /сертификат сервера PostgreSQL не прошёл проверку/);
      assert.equal(good.handshakes(), 1);
      // A certificate for another host name: verify-full refuses, verify-ca (chain only) accepts.
      await refused(
        openDatabase({ url: named.url, ssl: { mode: 'verify-full', caFile: files.rootCa } }),
        'storage.tls',
        'EIX_DATABASE_SSL',
      );
      assert.equal(named.handshakes(), 0);
      await openDatabase({ url: named.url, ssl: { mode: 'verify-ca', caFile: files.rootCa } }).catch(() => undefined);
      assert.equal(named.handshakes(), 1);
      // An unreadable CA file names EIX_DATABASE_SSL_CA.
      await refused(
        openDatabase({ url: good.url, ssl: { mode: 'verify-full', caFile: path.join(tmp, 'none.crt') } }),
        'storage.tls',
        'EIX_DATABASE_SSL_CA',
      );
    } finally {
      await good.close();
      await named.close();
    }
  });
});
