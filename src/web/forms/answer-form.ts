// The answer screen's multipart form as the answer use case's items (pure but for reading the parts).
import { OPAQUE_MEDIA_TYPE, typeOfFileName } from '../../domain/attachments.js';

import { type Form } from '../kit.js';
import { formToAnswer, type AnswerFormItem } from './answer-items.js';

export interface Upload {
  field: string;
  fileName: string;
  mediaType: string;
  content: Buffer;
}

/**
 * The media type a browser declared for an uploaded file, without parameters; a browser that knows no type
 * for the file sends application/octet-stream (or nothing): then the type its name's extension names on the
 * allowlist stands for it. The answer use case still checks the content against it (src/domain/attachments.ts).
 */
function uploadMediaType(declared: string | undefined, fileName: string): string {
  const mt = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  return mt && mt !== OPAQUE_MEDIA_TYPE ? mt : (typeOfFileName(fileName)?.mediaType ?? OPAQUE_MEDIA_TYPE);
}

/** Fields and files of a multipart form (attachFieldsToBody), or a plain urlencoded form. */
export async function readMultipart(body: unknown): Promise<{ form: Form; files: Upload[] }> {
  const form: Form = {};
  const files: Upload[] = [];
  for (const [key, raw] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    for (const part of Array.isArray(raw) ? raw : [raw]) {
      const p = part as {
        type?: string;
        value?: unknown;
        filename?: string;
        mimetype?: string;
        toBuffer?: () => Promise<Buffer>;
      };
      if (p && typeof p === 'object' && p.type === 'file' && p.toBuffer) {
        const content = await p.toBuffer();
        if (content.length > 0 && p.filename)
          files.push({
            field: key,
            fileName: p.filename,
            mediaType: uploadMediaType(p.mimetype, p.filename),
            content,
          });
      } else {
        const value = p && typeof p === 'object' && 'value' in p ? String(p.value) : String(part ?? '');
        const prev = form[key];
        form[key] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
      }
    }
  }
  return { form, files };
}

/**
 * The answer screen's form as the answer use case's items: the items given an outcome, each with its filled
 * rows as answer data (R4–R8, the table of answer-items.ts) and its uploaded files as attachments (R5).
 * Empty fields are left out, never filled in by guess; rows filled in part come back as errors by place.
 */
export function formToAnswerItems(
  f: Form,
  items: readonly AnswerFormItem[],
  files: readonly Upload[],
): { items: Record<string, unknown>[]; errors: Record<string, string> } {
  const { items: answered, errors } = formToAnswer(f, items);
  const withFiles = answered.map((a) => {
    const attachments = files
      .filter((x) => x.field === `file_${a.itemNo}`)
      .map((x) => ({ fileName: x.fileName, mediaType: x.mediaType, contentBase64: x.content.toString('base64') }));
    return { ...a, ...(attachments.length ? { attachments } : {}) };
  });
  return { items: withFiles, errors };
}
