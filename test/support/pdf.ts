// Text of a PDF, read back with pdfjs (tests check what an officer would print).
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export /** The text of every page, items joined by nothing and runs of spaces collapsed. */
async function pdfText(pdf: Buffer): Promise<{ text: string; pages: number; info: Record<string, unknown> }> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false }).promise;
  let text = '';
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    for (const item of content.items) if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
    text += '\n';
  }
  const meta = await doc.getMetadata();
  const pages = doc.numPages;
  await doc.destroy();
  return { text: text.replace(/[ \u00a0]+/g, ' '), pages, info: meta.info as Record<string, unknown> };
}
