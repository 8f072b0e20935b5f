// The seals of the node's bodies (issue 15.1): each body's signing key lives in the node home, never in the
// database; the node makes the key and a certificate signing request, the Party CA issues the certificate,
// the administrator imports it. Behind a port so that an HSM can keep the keys instead of files.

export interface SealFiles {
  /** The certificate the body signs with now (PEM), or null. */
  readonly certPem: string | null;
  /** The CSR waiting for a certificate (PEM), or null. */
  readonly csrPem: string | null;
  /** Certificates the body signed with before (kept: the record of what it signed). */
  readonly previous: readonly string[];
}

export interface BodySeals {
  read(bodyId: string): Promise<SealFiles>;
  /** A new key (0600) and CSR for the body; the current seal, if any, signs until a certificate is installed. */
  request(body: { party: string; id: string; name: string }): Promise<string>;
  /** Why `certPem` cannot be the seal of the body's pending CSR, or null. */
  check(opts: {
    certPem: string;
    csrPem: string;
    party: string;
    bodyId: string;
    caPems: readonly string[];
    at: Date;
  }): Promise<SealObjection | null>;
  /** Facts of a certificate: serial number (hex), validity (ISO instants), subject and issuer. */
  describe(certPem: string): {
    serialNumber: string;
    notBefore: string;
    notAfter: string;
    subject: string;
    issuer: string;
  };
  /** Makes the pending key and `certPem` the body's seal; the previous certificate is kept beside. */
  install(bodyId: string, certPem: string): Promise<{ replaced: string | null }>;
}

/** Why a certificate cannot be a body's seal: each reason is one error code (src/domain/errors.ts). */
export type SealObjection =
  | { code: 'seal.key_mismatch' }
  | { code: 'seal.issuer' }
  | { code: 'seal.expired'; notAfter: string }
  | { code: 'seal.not_yet_valid'; notBefore: string }
  | { code: 'seal.subject'; party: string | null; bodyId: string | null }
  | { code: 'seal.usage' };
