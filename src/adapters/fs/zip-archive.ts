// A ZIP archive as a map of path → bytes (jszip): how an evidence pack travels
// (docs/EVIDENCE.md). Files are stored, not compressed, with a fixed date, so
// any unzip tool opens the pack and the same files make the same archive. A
// pack to check comes from outside: reading refuses what is not a plain
// archive of files (unsafe names, too many entries, too large in all).
import JSZip from 'jszip';
import { EixError } from '../../domain/errors.js';

/** The date written on every entry (the archive's own dates are not evidence; the manifest's time is). */
const ENTRY_DATE = new Date(Date.UTC(2000, 0, 1));
const MAX_ENTRIES = 10_000;
/** At most this much content in all (a request's messages are at most 40 MiB each). */
const MAX_TOTAL_BYTES = 2 * 1024 ** 3 - 1;

export async function writeZip(files: ReadonlyMap<string, Uint8Array>): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, bytes] of files) zip.file(name, bytes, { binary: true, date: ENTRY_DATE, createFolders: false });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'STORE', platform: 'UNIX' });
}

function notAPack(detail: string): EixError {
  return new EixError(
    'input.invalid',
    { field: 'pack', reason: detail },
    `Файл не является доказательным пакетом: ${detail}`,
  );
}

/** The files of an archive (folders left out); refuses unsafe names and archives too large to hold. */
export async function readZip(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes, { createFolders: false });
  } catch {
    throw notAPack('это не ZIP-архив или архив повреждён');
  }
  const entries = Object.values(zip.files).filter((f) => !f.dir);
  if (entries.length > MAX_ENTRIES) throw notAPack(`в архиве более ${MAX_ENTRIES} файлов`);
  // The sizes the archive declares, before anything is inflated (jszip checks each against what it inflates).
  const declared = entries.reduce(
    (sum, f) => sum + ((f as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize ?? 0),
    0,
  );
  if (declared > MAX_TOTAL_BYTES) throw notAPack('архив слишком велик');
  const out = new Map<string, Buffer>();
  let total = 0;
  for (const f of entries) {
    const raw = f.unsafeOriginalName ?? f.name;
    if (raw !== f.name || raw.startsWith('/') || raw.split('/').includes('..') || raw.includes('\\'))
      throw notAPack(`недопустимое имя файла в архиве: ${raw}`);
    let content: Buffer;
    try {
      content = await f.async('nodebuffer');
    } catch {
      throw notAPack(`файл ${raw} в архиве повреждён`);
    }
    total += content.length;
    if (total > MAX_TOTAL_BYTES) throw notAPack('архив слишком велик');
    out.set(raw, content);
  }
  return out;
}
