// Sends an attachment (src/app/read-attachment.ts decided its type and name) so
// that no browser renders it in the node's origin: always a download
// (Content-Disposition: attachment, RFC 6266, the name in RFC 8187 encoding
// with a plain ASCII fallback), a sandbox CSP should it be shown anyway, no
// MIME sniffing, not cached. Shared by the REST API and the officer's UI.
// ASVS V12.5.2, V13.1.x (headers), V14.4.1–V14.4.4.
import type { FastifyReply } from 'fastify';

/** RFC 8187 attr-char: everything else is percent-encoded (encodeURIComponent leaves ' ( ) * ! unencoded). */
const encodeRfc8187 = (s: string): string =>
  encodeURIComponent(s).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<name>` (RFC 6266 §4.3). */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(fileName)}`;
}

export function sendAttachment(
  reply: FastifyReply,
  file: { fileName: string; mediaType: string; content: Buffer },
): FastifyReply {
  return reply
    .header('content-type', file.mediaType)
    .header('content-disposition', attachmentDisposition(file.fileName))
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('x-content-type-options', 'nosniff')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('cache-control', 'no-store')
    .send(file.content);
}
