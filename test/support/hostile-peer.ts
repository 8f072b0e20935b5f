// A hostile (or simply foreign) Party as a client of another node's federation
// endpoint: it holds only what a real Party holds — its own node's TLS key and
// chain, its bodies' signing keys, the depositary root — signs whatever it
// likes with one of its body keys and POSTs it over real mutual TLS, exactly as
// postMessage (src/adapters/federation/outbound.ts) does. The response comes
// back raw: status, the receipt JWS on success, the JSON error otherwise.
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import type { CertAndKey } from '../../src/adapters/crypto/pki.js';
import { canonicalBytes, signCompact } from '../../src/adapters/crypto/jws.js';
import { FEDERATION_PATH, MESSAGE_JWS_TYPE } from '../../src/adapters/federation/context.js';
import type { Message } from '../../src/domain/messages.js';

export interface PostResult {
  readonly status: number;
  /** The signed receipt (status 200). */
  readonly receipt: string | null;
  /** The node's error (any other status). */
  readonly error: { code: string; message?: string; details?: unknown } | null;
  readonly text: string;
}

export interface HostileParty {
  readonly party: string;
  /** The real signing key and certificate of one of this Party's bodies. */
  bodyKey(bodyId: string): Promise<CertAndKey>;
  /** Signs a message (compact JWS, x5c, canonical JSON) with a body key of this Party or any key given. */
  sign(message: Message, key: string | CertAndKey): Promise<string>;
  /** POSTs a compact JWS to a node's federation URL over mutual TLS with this Party's node identity. */
  post(nodeUrl: string, jws: string): Promise<PostResult>;
  /** sign + post; signs with the body named in `message.envelope.from.body` unless a key is given. */
  send(nodeUrl: string, message: Message, key?: string | CertAndKey): Promise<PostResult & { jws: string }>;
}

/** The Party `party` of the test federation under `dir` (keys as startTestFederation writes them). */
export async function hostileParty(dir: string, party: string): Promise<HostileParty> {
  const cc = party.toLowerCase();
  const keyPem = await readFile(path.join(dir, cc, 'keys', 'tls', 'node.key'), 'utf8');
  const certChainPem = await readFile(path.join(dir, cc, 'keys', 'tls', 'node-chain.crt'), 'utf8');
  const rootPem = await readFile(path.join(dir, 'pki', 'depositary.crt'), 'utf8');
  const keys = new Map<string, Promise<CertAndKey>>();
  const bodyKey = (bodyId: string): Promise<CertAndKey> => {
    let k = keys.get(bodyId);
    if (!k) {
      const base = path.join(dir, cc, 'keys', 'bodies', bodyId);
      k = Promise.all([readFile(`${base}.key`, 'utf8'), readFile(`${base}.crt`, 'utf8')]).then(([key, cert]) => ({
        keyPem: key,
        certPem: cert,
      }));
      keys.set(bodyId, k);
    }
    return k;
  };
  const sign = async (message: Message, key: string | CertAndKey) => {
    const k = typeof key === 'string' ? await bodyKey(key) : key;
    return signCompact(canonicalBytes(message), k.keyPem, k.certPem, MESSAGE_JWS_TYPE);
  };
  const post = (nodeUrl: string, jws: string) =>
    new Promise<PostResult>((resolve, reject) => {
      const req = httpsRequest(
        new URL(FEDERATION_PATH, nodeUrl),
        {
          method: 'POST',
          agent: false,
          key: keyPem,
          cert: certChainPem,
          ca: rootPem,
          minVersion: 'TLSv1.2',
          headers: { 'content-type': 'application/jose', 'content-length': Buffer.byteLength(jws) },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            let error: PostResult['error'] = null;
            if (status !== 200) {
              try {
                error = (JSON.parse(text) as { error: NonNullable<PostResult['error']> }).error ?? null;
              } catch {
                error = { code: `(not JSON: ${text.slice(0, 200)})` };
              }
            }
            resolve({ status, receipt: status === 200 ? text : null, error, text });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(jws);
    });
  return {
    party,
    bodyKey,
    sign,
    post,
    send: async (nodeUrl, message, key) => {
      const jws = await sign(message, key ?? message.envelope.from.body);
      return { ...(await post(nodeUrl, jws)), jws };
    },
  };
}
