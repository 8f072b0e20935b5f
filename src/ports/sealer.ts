// Encryption at rest of personal data (R9.4): the node data key ring.
export interface Sealer {
  readonly activeKeyId: string;
  encrypt(plain: Uint8Array, aad: string): Buffer;
  decrypt(sealed: Uint8Array, aad: string): Buffer;
  encryptJson(value: unknown, aad: string): Buffer;
  decryptJson<T>(sealed: Uint8Array, aad: string): T;
  /** Keyed hash for searching encrypted data (blind index); stable across key rotation. */
  blindIndex(value: string): string;
}
