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
  /** SHA-256 (hex) of the signing certificate (DER); kept for checks, not printed. */
  certificateSha256?: string;
  /** The short verification code printed next to the QR code («7K3M-Q9XA-2BCD»); the node stored it when printing. */
  shortCode?: string;
  /** The time zone the signing time is printed in (the node's); UTC when absent. */
  timeZone?: string;
  /** The letterhead of the body that made the document (what this node knows of it). */
  letterhead?: { name: string; address?: string; phone?: string; email?: string };
  /** The signing officer's contacts, when the officer is this node's. */
  officerContacts?: { phone?: string; email?: string };
}
