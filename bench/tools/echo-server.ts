// The load suite's baseline in a process of its own, like the nodes: a plain
// mutual-TLS echo (Fastify, the node's TLS settings and certificates) of
// whatever is POSTed to the federation path. Prints "ready" when listening.
//   node --import tsx bench/tools/echo-server.ts <node home> <port>
import { readFile } from 'node:fs/promises';
import Fastify from 'fastify';
import { FEDERATION_PATH } from '../../src/adapters/federation/context.js';
import { TLS_CIPHERS } from '../../src/adapters/federation/server.js';
import { nodePaths } from '../../src/main.js';

const [home, port] = process.argv.slice(2);
const p = nodePaths(home!);
const app = Fastify({
  https: {
    key: await readFile(p.tlsKey, 'utf8'),
    cert: await readFile(p.tlsChain, 'utf8'),
    ca: await readFile(p.depositary, 'utf8'),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    ciphers: TLS_CIPHERS,
  },
  bodyLimit: 40 * 1024 * 1024,
});
app.addContentTypeParser('application/jose', { parseAs: 'string' }, (_r, body, done) => done(null, body));
app.post(FEDERATION_PATH, async (req, reply) => reply.type('application/jose').send(req.body));
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
