// HTTPS for the API/UI listener (EIX_TLS_CERT, EIX_TLS_KEY): the PEM files are
// read and checked at start, so a missing file, a wrong format or a key that is
// not the certificate's refuses the start with a message naming the variable.
// The policy is the federation endpoint's: TLS 1.2+, forward-secret AEAD suites.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SecureContextOptions } from 'node:tls';
import { EixError } from '../../domain/errors.js';
import { TLS_CIPHERS } from '../federation/server.js';

export interface ListenerTlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export type ListenerTls = SecureContextOptions & { readonly key: string; readonly cert: string };

const tlsError = (field: 'EIX_TLS_CERT' | 'EIX_TLS_KEY', file: string, message: string) =>
  new EixError('config.tls', { field, file }, `Переменная ${field} (${file}): ${message}`);

async function readPem(field: 'EIX_TLS_CERT' | 'EIX_TLS_KEY', file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw tlsError(
      field,
      file,
      code === 'ENOENT' ? 'файл не найден' : code === 'EACCES' ? 'нет прав на чтение файла' : 'файл не читается',
    );
  }
}

/** Reads and checks the certificate (chain) and its private key; throws config.tls naming the variable. */
export async function loadListenerTls(files: ListenerTlsFiles): Promise<ListenerTls> {
  const cert = await readPem('EIX_TLS_CERT', files.certFile);
  const key = await readPem('EIX_TLS_KEY', files.keyFile);
  let leaf: X509Certificate;
  try {
    // The first certificate of the file is the server's; the rest is its chain.
    leaf = new X509Certificate(cert);
  } catch {
    throw tlsError('EIX_TLS_CERT', files.certFile, 'не является сертификатом X.509 в формате PEM');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw tlsError(
      'EIX_TLS_KEY',
      files.keyFile,
      'не является закрытым ключом в формате PEM без пароля (PKCS#8, PKCS#1 или SEC1)',
    );
  }
  if (!leaf.checkPrivateKey(privateKey))
    throw tlsError('EIX_TLS_KEY', files.keyFile, `ключ не соответствует сертификату из EIX_TLS_CERT (${leaf.subject})`);
  return { cert, key, minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS, honorCipherOrder: true };
}
