// Attachments of answers (R5: documents sent with an answer) are documents, not
// active content: one allowlist of document types, each recognised by its
// content (magic bytes, found by the caller with `file-type`), by the declared
// media type and by the file name's extension — all three must agree. The same
// rule holds for a file an officer uploads and for a file another Party sends
// (docs/MESSAGES.md, "Attachments"), and decides how a stored file is served.
//
// Chosen for bailiff practice: scans and photographs of documents (PDF, PNG,
// JPEG, TIFF), office documents and tables (DOCX, XLSX, ODT, ODS) and plain
// text (TXT). Left out on purpose: HTML, SVG and XML (markup a browser or viewer
// may run; structured data travels in the answer's own fields), RTF and the
// legacy binary Office formats DOC/XLS (embedded OLE objects and macros; every
// office suite saves DOCX/XLSX/ODT/ODS), macro-enabled OOXML (DOCM, XLSM: file-type
// tells them apart), archives (ZIP, RAR, 7z: they hide what they carry) and
// executables. ASVS 4.0.3 V12.1.x, V12.2.1, V12.5.x.

/** The per-file size limit of an attachment, uploaded or received (ctx.limits.attachmentBytes in a node). */
export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

export interface AttachmentType {
  /** Short name shown to people. */
  readonly label: string;
  /** The canonical media type: what is stored, sent and served. */
  readonly mediaType: string;
  /** Other spellings a sender may declare (old browsers, other systems). */
  readonly aliases: readonly string[];
  /** File name extensions (lower case, without the dot); the first is appended when a served name lacks one. */
  readonly extensions: readonly string[];
}

export const ATTACHMENT_TYPES: readonly AttachmentType[] = [
  { label: 'PDF', mediaType: 'application/pdf', aliases: [], extensions: ['pdf'] },
  { label: 'PNG', mediaType: 'image/png', aliases: [], extensions: ['png'] },
  { label: 'JPEG', mediaType: 'image/jpeg', aliases: ['image/jpg', 'image/pjpeg'], extensions: ['jpg', 'jpeg'] },
  { label: 'TIFF', mediaType: 'image/tiff', aliases: [], extensions: ['tif', 'tiff'] },
  {
    label: 'DOCX',
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    aliases: [],
    extensions: ['docx'],
  },
  {
    label: 'XLSX',
    mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    aliases: [],
    extensions: ['xlsx'],
  },
  { label: 'ODT', mediaType: 'application/vnd.oasis.opendocument.text', aliases: [], extensions: ['odt'] },
  { label: 'ODS', mediaType: 'application/vnd.oasis.opendocument.spreadsheet', aliases: [], extensions: ['ods'] },
  // Plain text has no magic bytes: it is recognised by what it is not (see textProblem).
  { label: 'TXT', mediaType: 'text/plain', aliases: [], extensions: ['txt'] },
];

export const TEXT_TYPE: AttachmentType = ATTACHMENT_TYPES.find((t) => t.mediaType === 'text/plain')!;

/** The served type of anything not on the allowlist or not matching its content. */
export const OPAQUE_MEDIA_TYPE = 'application/octet-stream';

/** «PDF (.pdf), PNG (.png), …» for messages to people. */
export const ALLOWED_TYPES_RU = ATTACHMENT_TYPES.map(
  (t) => `${t.label} (${t.extensions.map((e) => `.${e}`).join(', ')})`,
).join(', ');

/** The allowlisted type a declared media type names (parameters and case ignored), or null. */
export function typeOfMediaType(declared: string): AttachmentType | null {
  const mt = declared.split(';')[0]!.trim().toLowerCase();
  return ATTACHMENT_TYPES.find((t) => t.mediaType === mt || t.aliases.includes(mt)) ?? null;
}

/** The allowlisted type a file name's extension names, or null. */
export function typeOfFileName(fileName: string): AttachmentType | null {
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(fileName.trim());
  const ext = m?.[1]!.toLowerCase();
  return ext ? (ATTACHMENT_TYPES.find((t) => t.extensions.includes(ext)) ?? null) : null;
}

/** Why a text file is not accepted as plain text, or null. */
export type TextProblem = 'encoding' | 'control' | 'markup';

// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;
// What a browser's MIME sniffing (WHATWG) or a careless viewer would take for HTML/XML: a tag at the start…
const MARKUP_START = /^\uFEFF?\s*<[A-Za-z!?/]/;
// …or an active element or a script URL anywhere.
const MARKUP_ANYWHERE =
  /<\s*(script|iframe|frame|object|embed|applet|svg|math|html|head|body|meta|link|style|base|form|img|video|audio|!doctype|\?xml)[\s>/]|(java|vb)script\s*:/i;

/**
 * TXT: valid UTF-8 (a BOM allowed), no NUL or other control characters than
 * tab, line feed, form feed and carriage return, and no HTML/XML markup or
 * script URL — plain text that no browser or viewer takes for a page.
 */
export function textProblem(content: Uint8Array): TextProblem | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return 'encoding';
  }
  if (CONTROL.test(text)) return 'control';
  if (MARKUP_START.test(text) || MARKUP_ANYWHERE.test(text)) return 'markup';
  return null;
}

export type AttachmentVerdict =
  | { readonly ok: true; readonly type: AttachmentType }
  | {
      readonly ok: false;
      readonly code: 'attachment.type' | 'attachment.content';
      readonly reason: 'declared_type' | 'extension' | 'content' | TextProblem;
      readonly message: string;
    };

/**
 * The rule for one attachment: the declared media type is on the allowlist,
 * the file name ends with an extension of that type, and the content is that
 * type — `detected` is the media type found by its magic bytes (null: none
 * found, as for text), `text` the text check of the content when nothing was
 * detected. The message names the file and the allowed types.
 */
export function judgeAttachment(a: {
  readonly fileName: string;
  readonly declared: string;
  readonly detected: string | null;
  readonly text: TextProblem | null;
}): AttachmentVerdict {
  const name = `Вложение «${a.fileName}»`;
  const type = typeOfMediaType(a.declared);
  if (!type)
    return {
      ok: false,
      code: 'attachment.type',
      reason: 'declared_type',
      message: `${name}: тип файла ${a.declared} не допускается. Допускаются только документы: ${ALLOWED_TYPES_RU}`,
    };
  if (typeOfFileName(a.fileName) !== type)
    return {
      ok: false,
      code: 'attachment.type',
      reason: 'extension',
      message: `${name}: расширение имени файла не соответствует типу ${type.label} (ожидается ${type.extensions.map((e) => `.${e}`).join(' или ')}). Допускаются только документы: ${ALLOWED_TYPES_RU}`,
    };
  const found = a.detected ? (typeOfMediaType(a.detected)?.label ?? a.detected) : null;
  if (type === TEXT_TYPE) {
    if (a.detected)
      return {
        ok: false,
        code: 'attachment.content',
        reason: 'content',
        message: `${name}: содержимое не является простым текстом (определено: ${found}). Допускаются только документы: ${ALLOWED_TYPES_RU}`,
      };
    if (a.text)
      return {
        ok: false,
        code: 'attachment.content',
        reason: a.text,
        message: `${name}: ${TEXT_PROBLEMS_RU[a.text]}. Допускаются только документы: ${ALLOWED_TYPES_RU}`,
      };
    return { ok: true, type };
  }
  if (!a.detected || typeOfMediaType(a.detected) !== type || a.detected !== type.mediaType)
    return {
      ok: false,
      code: 'attachment.content',
      reason: 'content',
      message: `${name}: содержимое файла не является документом ${type.label}${found ? ` (определено: ${found})` : ''}. Допускаются только документы: ${ALLOWED_TYPES_RU}`,
    };
  return { ok: true, type };
}

const TEXT_PROBLEMS_RU: Readonly<Record<TextProblem, string>> = {
  encoding: 'текстовый файл должен быть в кодировке UTF-8',
  control: 'текстовый файл содержит двоичные или управляющие символы',
  markup: 'текстовый файл содержит разметку HTML/XML или сценарий',
};

/**
 * The file name a download is saved under: no control or path characters, no
 * leading dots, at most 150 characters; a name without an extension of its
 * served type gets one (`.bin` for a file served as application/octet-stream),
 * so the officer's desktop never opens a file by a name its content does not
 * match (a stored «page.html» is saved as «page.html.bin»).
 */
export function downloadFileName(fileName: string, served: AttachmentType | null): string {
  let base = fileName
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[/\\:*?"<>|]/g, '_')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  if (!base) base = 'вложение';
  if ([...base].length > 150) base = [...base].slice(0, 150).join('');
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(base)?.[1]?.toLowerCase();
  if (!served) return `${base}.bin`;
  return ext && served.extensions.includes(ext) ? base : `${base}.${served.extensions[0]}`;
}
