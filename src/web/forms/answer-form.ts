// The answer screen's multipart form as the answer use case's items (pure but for reading the parts).
import { OPAQUE_MEDIA_TYPE, typeOfFileName } from '../../domain/attachments.js';

import { one, opt, type Form } from '../kit.js';

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
 * The answer screen's form as the answer use case's items: the items given an
 * outcome, each with its fields as answer data (R4–R8) and its uploaded files
 * as attachments (R5). Empty fields are left out; the use case checks the rest.
 */
export function formToAnswerItems(
  f: Form,
  itemNos: readonly number[],
  files: readonly Upload[],
  defaultCurrency: string,
): Record<string, unknown>[] {
  return itemNos
    .filter((n) => opt(f[`outcome_${n}`]))
    .map((n) => {
      const data = {
        ...(opt(f[`bank_${n}`]) || opt(f[`account_${n}`])
          ? { accounts: [{ bank: one(f[`bank_${n}`]) || '—', number: one(f[`account_${n}`]) || '—' }] }
          : {}),
        ...(opt(f[`estate_${n}`]) ? { realEstate: [{ description: one(f[`estate_${n}`]) }] } : {}),
        ...(opt(f[`employer_${n}`]) ? { employer: { name: one(f[`employer_${n}`]) } } : {}),
        ...(opt(f[`address_${n}`]) ? { addresses: [{ address: one(f[`address_${n}`]) }] } : {}),
        ...(opt(f[`vehicle_${n}`])
          ? {
              vehicles: [
                {
                  description: one(f[`vehicle_${n}`]),
                  ...(opt(f[`vehicleReg_${n}`]) ? { registrationNumber: one(f[`vehicleReg_${n}`]) } : {}),
                },
              ],
            }
          : {}),
        ...(opt(f[`incomeAmount_${n}`])
          ? {
              income: [
                {
                  from: one(f[`incomeFrom_${n}`]),
                  to: one(f[`incomeTo_${n}`]),
                  amount: {
                    value: Number(one(f[`incomeAmount_${n}`]).replace(/\s/g, '').replace(',', '.')),
                    currency: one(f[`incomeCurrency_${n}`]).toUpperCase() || defaultCurrency,
                  },
                  source: one(f[`incomeSource_${n}`]) || 'заработная плата',
                },
              ],
            }
          : {}),
        ...(opt(f[`text_${n}`]) ? { text: one(f[`text_${n}`]) } : {}),
      };
      const attachments = files
        .filter((x) => x.field === `file_${n}`)
        .map((x) => ({ fileName: x.fileName, mediaType: x.mediaType, contentBase64: x.content.toString('base64') }));
      return {
        itemNo: n,
        outcome: one(f[`outcome_${n}`]),
        ...(Object.keys(data).length ? { data } : {}),
        ...(attachments.length ? { attachments } : {}),
      };
    });
}
