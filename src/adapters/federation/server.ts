// The federation endpoint of a node: HTTPS with mandatory client certificates
// (TLS 1.2+ with forward-secret AEAD suites only), one route that accepts a
// signed message and answers with the signed receipt.
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { EixError } from '../../domain/errors.js';
import { toEixError } from '../http/errors.js';
import { derBase64ToPem } from '../crypto/jws.js';
import { acceptBundle, acceptMessage } from './inbound.js';
import { BUNDLE_MEDIA_TYPE, BUNDLE_PATH, FEDERATION_PATH, MAX_MESSAGE_BYTES, type Federation } from './context.js';
import { PLUGIN_TIMEOUT_MS } from '../http/server.js';
import { wakeOnWrites } from '../http/wake-on-writes.js';

export const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

export { MAX_MESSAGE_BYTES };

export async function buildFederationServer(
  fed: Federation,
  opts: {
    logLevel?: string;
    /** Called after every message or bundle taken with the tables it wrote (the workers taking them wake up). */
    onChange?: (written: ReadonlySet<string>) => void;
  } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    pluginTimeout: PLUGIN_TIMEOUT_MS,
    https: {
      key: fed.tls.keyPem,
      cert: fed.tls.certChainPem,
      ca: fed.tls.rootPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ciphers: TLS_CIPHERS,
      honorCipherOrder: true,
    },
    logger: { level: opts.logLevel ?? 'info' },
    bodyLimit: MAX_MESSAGE_BYTES,
  });
  app.addContentTypeParser(['application/jose', BUNDLE_MEDIA_TYPE], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
  wakeOnWrites(app, opts.onChange);
  app.setErrorHandler((err, req, reply) => {
    const e = toEixError(err);
    req.log.warn({ code: e.code }, 'federation message refused');
    void reply.status(e.http).send({ error: e.toJSON() });
  });
  /** The client certificate and the body as text of the declared media type (checked before anything else). */
  const received = (req: FastifyRequest, mediaType: string) => {
    const peer = (req.raw.socket as TLSSocket).getPeerCertificate?.();
    if (!peer?.raw) throw new EixError('message.tls', {}, 'Нет клиентского сертификата TLS');
    if (typeof req.body !== 'string' || !req.headers['content-type']?.toLowerCase().startsWith(mediaType))
      throw new EixError('input.media_type');
    return { text: req.body, peer: { certPem: derBase64ToPem(peer.raw.toString('base64')) } };
  };
  app.post(FEDERATION_PATH, async (req, reply) => {
    const { text, peer } = received(req, 'application/jose');
    const r = await acceptMessage(fed, text, peer);
    return reply.type('application/jose').send(r.receiptJws);
  });
  // Protocol version 3 (docs/MESSAGES.md §2.1): many messages of one body to one body, one receipt.
  app.post(BUNDLE_PATH, async (req, reply) => {
    const { text, peer } = received(req, BUNDLE_MEDIA_TYPE);
    const r = await acceptBundle(fed, text, peer);
    return reply.type('application/jose').send(r.receiptJws);
  });
  return app;
}
