// The seal of a body (R11.3): signs messages as compact JWS with the body's
// key. Behind a port so that a GOST signer (or an HSM) can replace the file keys.
export interface BodySigner {
  /** PEM certificate of the body's signing key (goes into the JWS x5c header). */
  certificatePem(bodyId: string): Promise<string>;
  /** Compact JWS over `payload` with protected header {alg, typ, x5c}. */
  sign(bodyId: string, payload: Uint8Array, typ: string): Promise<string>;
  /** Bodies this node can sign for. */
  bodies(): Promise<string[]>;
}
