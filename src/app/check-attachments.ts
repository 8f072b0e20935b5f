// The attachment rule (src/domain/attachments.ts) applied to files as they
// arrive, uploaded by an officer (answerRequest) or sent by another Party
// (receiveAnswer): base64 decoded strictly, the per-file size limit, the
// content's type found by its magic bytes with `file-type`, then the domain's
// verdict. Every file is checked before anything is stored, so a refused file
// refuses the whole answer and nothing is half-written. ASVS V12.1.1, V12.2.1.
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import {
  judgeAttachment,
  OPAQUE_MEDIA_TYPE,
  textProblem,
  typeOfMediaType,
  type AttachmentType,
} from '../domain/attachments.js';
import { EixError } from '../domain/errors.js';
import type { AppContext } from './context.js';

export interface AttachmentInput {
  readonly fileName: string;
  readonly mediaType: string;
  readonly contentBase64: string;
}

export interface CheckedAttachment {
  readonly fileName: string;
  /** The canonical media type of the allowlisted type (an alias declared is stored as the canonical type). */
  readonly mediaType: string;
  readonly content: Buffer;
  readonly sha256: string;
}

/**
 * The media type the content's magic bytes show, or null (none known: text, or unknown bytes). Content whose
 * signature the detector cannot parse (a truncated or malformed container) counts as opaque bytes: refused.
 */
async function detect(content: Buffer): Promise<string | null> {
  try {
    return (await fileTypeFromBuffer(content))?.mime ?? null;
  } catch {
    return OPAQUE_MEDIA_TYPE;
  }
}

/**
 * Checks the attachments of answer items; `field(i, j)` names attachment j of
 * item i in errors (`items[0].attachments[1]` for an upload,
 * `body.items[0].attachments[1]` for a received message).
 */
export async function checkAttachments(
  ctx: AppContext,
  items: readonly { readonly attachments?: readonly AttachmentInput[] | undefined }[],
  field: (i: number, j: number) => string,
): Promise<CheckedAttachment[][]> {
  const out: CheckedAttachment[][] = [];
  for (const [i, item] of items.entries()) {
    const files: CheckedAttachment[] = [];
    for (const [j, a] of (item.attachments ?? []).entries()) {
      const at = field(i, j);
      const b64 = a.contentBase64.replace(/\s/g, '');
      // The size is known from the text before anything is decoded (a huge file is not decoded at all).
      const size = Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
      if (size > ctx.limits.attachmentBytes)
        throw new EixError(
          'attachment.too_large',
          { field: at, fileName: a.fileName, size, limit: ctx.limits.attachmentBytes },
          `Вложение «${a.fileName}» (${size} байт) больше допустимого размера ${ctx.limits.attachmentBytes} байт`,
        );
      const content = Buffer.from(b64, 'base64');
      if (content.length === 0 || content.toString('base64').replace(/=+$/, '') !== b64.replace(/=+$/, ''))
        throw new EixError(
          'input.invalid',
          { field: `${at}.contentBase64`, fileName: a.fileName },
          `Вложение «${a.fileName}»: содержимое не в формате base64`,
        );
      const detected = await detect(content);
      const verdict = judgeAttachment({
        fileName: a.fileName,
        declared: a.mediaType,
        detected,
        text: detected ? null : textProblem(content),
      });
      if (!verdict.ok)
        throw new EixError(
          verdict.code,
          { field: at, fileName: a.fileName, declared: a.mediaType, detected, reason: verdict.reason },
          verdict.message,
        );
      files.push({
        fileName: a.fileName,
        mediaType: verdict.type.mediaType,
        content,
        sha256: createHash('sha256').update(content).digest('hex'),
      });
    }
    out.push(files);
  }
  return out;
}

/**
 * How a stored file is served: its allowlisted type when the stored media type
 * is on the list and the content still is that type (the rule applied again,
 * so a file stored before the rule existed is judged too); otherwise
 * application/octet-stream (type null).
 */
export async function servedType(
  storedMediaType: string,
  content: Buffer,
): Promise<{ type: AttachmentType | null; mediaType: string }> {
  const detected = await detect(content);
  const verdict = judgeAttachment({
    // The stored name is not judged here: a legacy name only changes what the file is saved as.
    fileName: `x.${typeOfMediaType(storedMediaType)?.extensions[0] ?? 'bin'}`,
    declared: storedMediaType,
    detected,
    text: detected ? null : textProblem(content),
  });
  if (!verdict.ok) return { type: null, mediaType: OPAQUE_MEDIA_TYPE };
  return {
    type: verdict.type,
    mediaType: verdict.type.mediaType === 'text/plain' ? 'text/plain; charset=utf-8' : verdict.type.mediaType,
  };
}
