// Issue 13 item 2 (ASVS V12.1.1, V13.1.x, V4.2.2): request bodies are bounded
// before they are read. An anonymous POST, multipart or not, is answered (302
// to /login) and its connection closed while most of its body has not even
// been sent; a logged-in upload that declares more than the total cap, or no
// size at all, is refused before its body is read; too many files or a file
// over attachmentBytes are refused. Raw TCP on loopback: the test counts the
// bytes it sent when the answer came, it does not measure time.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/adapters/http/server.js';
import { hashPassword } from '../../src/adapters/crypto/passwords.js';
import type { Officer } from '../../src/app/context.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';

const PASSWORD = 'correct-horse-battery-staple';
const BOUNDARY = 'eix-test-boundary';
const MAX_BYTES = 4 * 1024 * 1024;

interface RawResult {
  head: string;
  sent: number;
  closedByServer: boolean;
}

/**
 * Sends the head and the first chunk of a body of `declared` bytes (or a
 * chunked one), then waits: whatever the server answers now, it answered
 * without the rest of the body, which is never sent.
 */
const sockets = new Set<net.Socket>();
function rawPost(
  port: number,
  path: string,
  headers: Record<string, string>,
  declared: number | null,
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    sockets.add(socket);
    let data = '';
    let sent = 0;
    let closedByServer = false;
    const first = Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file_1"; filename="big.pdf"\r\n`),
      Buffer.from('Content-Type: application/pdf\r\n\r\n'),
      Buffer.alloc(64 * 1024, 0x41),
    ]);
    socket.on('connect', () => {
      const lines = [
        `POST ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
        declared === null ? 'Transfer-Encoding: chunked' : `Content-Length: ${declared}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ];
      socket.write(lines.join('\r\n'));
      if (declared === null) socket.write(`${first.length.toString(16)}\r\n`);
      socket.write(first);
      sent = first.length;
    });
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('end', () => {
      closedByServer = true;
      socket.end();
    });
    socket.on('close', () => resolve({ head: data.split('\r\n\r\n')[0] ?? '', sent, closedByServer }));
    socket.on('error', reject);
  });
}

for (const e of ENGINES) {
  describe(`issue 13 item 2: request bodies bounded before they are read on ${e.engine}`, () => {
    let node: TestNode;
    let app: FastifyInstance;
    let port: number;
    let officer: Officer;
    let cookie: string;
    let csrf: string;

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      officer = await seedOfficer(node.ctx, await seedBody(node.ctx));
      await node.ctx.db
        .updateTable('officers')
        .set({ password_hash: await hashPassword(PASSWORD) })
        .where('id', '=', officer.officerId)
        .execute();
      app = await buildServer({
        ctx: node.ctx,
        logLevel: 'silent',
        rateLimit: 100_000,
        uploads: { maxBytes: MAX_BYTES, maxFiles: 2 },
      });
      const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
      port = Number(url.port);
      const login = await app.inject({
        method: 'POST',
        url: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ login: officer.login, password: PASSWORD }).toString(),
      });
      cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
      const page = await app.inject({ method: 'GET', url: '/password', headers: { cookie } });
      csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    });
    after(async () => {
      // A server that waited for a body would keep these open (the test then fails by its timeout).
      for (const s of sockets) s.destroy();
      await app?.close();
      await node?.database.close();
    });

    test(
      'V13.2: an anonymous multipart POST of 200 MiB is sent to /login after 64 KiB, the connection closed',
      { timeout: 15_000 },
      async () => {
        const declared = 200 * 1024 * 1024;
        const r = await rawPost(port, '/requests/00000000-0000-0000-0000-000000000000/answer', {}, declared);
        assert.match(r.head, /^HTTP\/1\.1 302/, r.head);
        assert.match(r.head, /\r\nlocation: \/login\r\n/i);
        assert.match(r.head, /\r\nconnection: close\r\n/i);
        assert.ok(r.closedByServer, 'the server ends the connection instead of draining the body');
        assert.ok(r.sent < declared / 1000, `answered after ${r.sent} of ${declared} bytes`);
      },
    );

    test(
      'V13.2: an anonymous multipart POST within every cap is refused before its body too',
      { timeout: 15_000 },
      async () => {
        const r = await rawPost(port, '/requests/00000000-0000-0000-0000-000000000000/answer', {}, MAX_BYTES - 1);
        assert.match(r.head, /^HTTP\/1\.1 302/, r.head);
        assert.ok(r.closedByServer);
        // And chunked, with no size stated.
        const c = await rawPost(port, '/requests/x/answer', {}, null);
        assert.match(c.head, /^HTTP\/1\.1 302/, c.head);
        assert.ok(c.closedByServer);
      },
    );

    test('V13.2: anonymous multipart to any other page or to /login is never parsed', { timeout: 15_000 }, async () => {
      const other = await rawPost(port, '/proceedings', {}, 100 * 1024 * 1024);
      assert.match(other.head, /^HTTP\/1\.1 302/, other.head);
      assert.ok(other.closedByServer);
      const login = await rawPost(port, '/login', {}, 100 * 1024 * 1024);
      assert.match(login.head, /^HTTP\/1\.1 415/, login.head);
      assert.ok(login.closedByServer, 'the login does not drain a body it refuses');
    });

    test(
      'V12.1.1: a logged-in upload declaring more than the total cap, or no size, is refused before its body',
      { timeout: 15_000 },
      async () => {
        const big = await rawPost(port, '/requests/x/answer', { cookie, 'x-csrf-token': csrf }, MAX_BYTES + 1);
        assert.match(big.head, /^HTTP\/1\.1 413/, big.head);
        assert.ok(big.closedByServer);
        const chunked = await rawPost(port, '/requests/x/answer', { cookie, 'x-csrf-token': csrf }, null);
        assert.match(chunked.head, /^HTTP\/1\.1 411/, chunked.head);
        assert.ok(chunked.closedByServer);
      },
    );

    const multipart = (files: { name: string; size: number }[]) => {
      const parts = [
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`,
        ...files.map(
          (f) =>
            `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file_1"; filename="${f.name}"\r\nContent-Type: application/pdf\r\n\r\n${'%PDF-'.padEnd(f.size, 'A')}\r\n`,
        ),
        `--${BOUNDARY}--\r\n`,
      ];
      return parts.join('');
    };
    const upload = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/requests/00000000-0000-0000-0000-000000000000/answer',
        headers: { cookie, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
        payload,
      });

    test('V12.1.1: more files than EIX_UPLOAD_MAX_FILES, or a file over attachmentBytes, are refused in Russian', async () => {
      const three = await upload(
        multipart([
          { name: 'a.pdf', size: 10 },
          { name: 'b.pdf', size: 10 },
          { name: 'c.pdf', size: 10 },
        ]),
      );
      assert.equal(three.statusCode, 413, three.body.slice(0, 300));
      assert.match(three.body, /Слишком много файлов или полей в одной форме/);
      const huge = await upload(multipart([{ name: 'a.pdf', size: node.ctx.limits.attachmentBytes + 1 }]));
      assert.equal(huge.statusCode, 413, huge.body.slice(0, 300));
      assert.match(huge.body, /Файл слишком большой/);
      // Within the caps the form reaches the use case (the request does not exist here).
      const fine = await upload(multipart([{ name: 'a.pdf', size: 10 }]));
      assert.equal(fine.statusCode, 404, fine.body.slice(0, 300));
    });
  });
}
