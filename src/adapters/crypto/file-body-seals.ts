// Body seals as files in the node home (keys/bodies, issue 15.1), beside what fileBodySigner reads:
//   <id>.key, <id>.crt          the seal in use (key 0600)
//   <id>.req.key, <id>.csr      a key and its CSR waiting for the Party CA's certificate
//   previous/<id>-<serial>.crt  certificates the body signed with before (kept for the record)
// A running node notices an installed certificate by the file itself (fileBodySigner re-reads a changed .crt).
import { mkdir, readFile, readdir, rename, rm, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { EixError } from '../../domain/errors.js';
import type { BodySeals } from '../../ports/body-seals.js';
import { certificateInfo, checkBodyCertificate, createBodyRequest } from './pki.js';

const ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

const readOrNull = (f: string) => readFile(f, 'utf8').catch(() => null);

/** Everything in the node home is the node's alone (0600, ASVS V14 / issue 13 item 8), certificates and requests too. */
async function writeHomeFile(f: string, pem: string): Promise<void> {
  await writeFile(f, pem, { mode: 0o600 });
  await chmod(f, 0o600);
}

export function fileBodySeals(dir: string): BodySeals {
  const file = (bodyId: string, ext: string) => {
    if (!ID.test(bodyId)) throw new EixError('body.not_found', { id: bodyId });
    return path.join(dir, `${bodyId}${ext}`);
  };
  const previousDir = path.join(dir, 'previous');
  return {
    read: async (bodyId) => {
      const [certPem, csrPem, names] = await Promise.all([
        readOrNull(file(bodyId, '.crt')),
        readOrNull(file(bodyId, '.csr')),
        readdir(previousDir).catch(() => [] as string[]),
      ]);
      const previous = await Promise.all(
        names
          .filter((n) => n.startsWith(`${bodyId}-`) && n.endsWith('.crt'))
          .sort()
          .map((n) => readFile(path.join(previousDir, n), 'utf8')),
      );
      return { certPem, csrPem, previous };
    },
    request: async (body) => {
      const { csrPem, keyPem } = await createBodyRequest({ party: body.party, bodyId: body.id, bodyName: body.name });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // A pending key no certificate was issued for is replaced (a new request supersedes the old one).
      const keyFile = file(body.id, '.req.key');
      const tmp = `${keyFile}.${process.pid}.tmp`;
      await writeFile(tmp, keyPem, { flag: 'wx', mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, keyFile);
      await writeHomeFile(file(body.id, '.csr'), csrPem);
      return csrPem;
    },
    check: (opts) => checkBodyCertificate(opts),
    describe: (certPem) => certificateInfo(certPem),
    install: async (bodyId, certPem) => {
      const old = await readOrNull(file(bodyId, '.crt'));
      if (old) {
        await mkdir(previousDir, { recursive: true, mode: 0o700 });
        await writeHomeFile(path.join(previousDir, `${bodyId}-${certificateInfo(old).serialNumber}.crt`), old);
      }
      // The key first, the certificate last: the signer reloads when the certificate changes.
      await rename(file(bodyId, '.req.key'), file(bodyId, '.key'));
      const tmp = `${file(bodyId, '.crt')}.${process.pid}.tmp`;
      await writeHomeFile(tmp, certPem);
      await rename(tmp, file(bodyId, '.crt'));
      await rm(file(bodyId, '.csr'), { force: true });
      return { replaced: old };
    },
  };
}
