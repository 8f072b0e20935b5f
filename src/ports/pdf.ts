// Printed forms (R10.a): what the app hands the PDF printer besides the request
// itself. A signed form carries this seal; its QR code ties the paper original
// to the signed electronic message (`EIX1|<messageId>|<documentSha256>`).

/** What ties a printed form to the signed electronic document. */
export interface PdfSeal {
  /** Id of the signed message (envelope id). */
  messageId: string;
  /** SHA-256 (hex) of the signed JWS as sent or received. */
  documentSha256: string;
  /** When it was signed (ISO 8601). */
  signedAt: string;
  officer: { name: string; position: string };
  bodyName: string;
  /** SHA-256 (hex) of the signing certificate (DER). */
  certificateSha256?: string;
}
