// Printable forms (R10.a): the request and the answer as Russian PDF documents
// (pdfmake, DejaVu fonts for Cyrillic), as an office sends them: the body's
// letterhead, the outgoing registration number, the signing officer with
// contacts. A signed form carries a QR code that ties the paper original to
// the signed electronic message (the message id and the SHA-256 of the signed
// JWS) and, next to it, a short code a person can type on «Проверка оригинала».
// No technical strings on paper: no ids, digests or commands. A draft is marked
// «ПРОЕКТ — не подписан» and has neither. Words come from the one vocabulary.
import { localDateTimeRu } from '../../domain/dates.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PdfPrinter from 'pdfmake';
import type { Content, TableCell, TDocumentDefinitions, TFontDictionary } from 'pdfmake/interfaces.js';
import QRCode from 'qrcode';
import type { RequestView, AnswerView } from '../../app/get-request.js';
import type { AnswerData } from '../../domain/answer.js';
import { idLabelRu } from '../../domain/national-ids.js';
import { itemProvisions, type Item, type NationalIdRef, type Person, type Request } from '../../domain/request.js';
import {
  DOCUMENT_SOURCE_LABELS,
  ISSUER_KIND_LABELS,
  OUTCOME_LABELS,
  PROCEEDING_RESULT_LABELS,
  PROPERTY_SUB_ITEM_LABELS,
  PROPERTY_SUB_ITEM_LETTERS,
  partyFullName,
  partyName,
  provisionRu,
  provisionsRu as provisionListRu,
} from '../../domain/vocabulary.js';
import type { PdfSeal } from '../../ports/pdf.js';

export const QR_PREFIX = 'EIX1';

/** The QR code's text: short and stable, `EIX1|<messageId>|<sha256 of the signed JWS>`. */
export function qrPayload(seal: Pick<PdfSeal, 'messageId' | 'documentSha256'>): string {
  return `${QR_PREFIX}|${seal.messageId}|${seal.documentSha256}`;
}

/** The QR code of a payload as a PNG image. */
export function qrPng(payload: string): Promise<Buffer> {
  return QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 4 });
}

/** The QR image a form embeds and its text (for tests and for printing under the image). */
export async function qrFor(seal: PdfSeal): Promise<{ payload: string; png: Buffer }> {
  const payload = qrPayload(seal);
  return { payload, png: await qrPng(payload) };
}

// ---- fonts and printer -------------------------------------------------------

let printer: PdfPrinter | null = null;

function fonts(): TFontDictionary {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const font = (file: string): Buffer => readFileSync(path.join(dir, file));
  return {
    DejaVuSans: {
      normal: font('DejaVuSans.ttf'),
      bold: font('DejaVuSans-Bold.ttf'),
      italics: font('DejaVuSans-Oblique.ttf'),
      bolditalics: font('DejaVuSans-BoldOblique.ttf'),
    },
  };
}

function getPrinter(): PdfPrinter {
  return (printer ??= new PdfPrinter(fonts()));
}

function toBuffer(doc: TDocumentDefinitions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pdf = getPrinter().createPdfKitDocument(doc);
    const chunks: Buffer[] = [];
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    pdf.end();
  });
}

/** Prints a document with the project's fonts (the evidence summary uses it too). */
export function printPdf(doc: TDocumentDefinitions): Promise<Buffer> {
  return toBuffer(doc);
}

// ---- formatting --------------------------------------------------------------

const DASH = '—';

/** 2026-11-20 → 20.11.2026 */
export function ruDate(iso: string | undefined | null): string {
  if (!iso) return DASH;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso;
}

/** An instant as ДД.ММ.ГГГГ ЧЧ:ММ in the node's time zone, labelled with its offset («по местному времени, +03:00»). */
export function ruInstant(iso: string | undefined | null, timeZone = 'UTC'): string {
  const t = localDateTimeRu(iso, timeZone);
  return t ? `${t.text} (по местному времени, ${t.offset})` : DASH;
}

function money(m: { value: number; currency: string } | undefined): string {
  if (!m) return DASH;
  const [int, frac] = m.value.toFixed(2).split('.');
  return `${int!.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')},${frac} ${m.currency}`;
}

/** The Party's full name («Республика Казахстан»), a dash when absent. */
function partyFull(code: string | undefined): string {
  return partyFullName(code) || DASH;
}

/** «ст. 6 а), 6 б)»: the item's provisions as people write them. */
function provisionsRu(item: Item): string {
  return provisionListRu(itemProvisions(item));
}

const label = <K extends string>(table: Readonly<Record<K, string>>, k: string): string =>
  (table as Readonly<Record<string, string>>)[k] ?? DASH;

// ---- building blocks ---------------------------------------------------------

function heading(text: string): Content {
  return { text, style: 'h2', margin: [0, 10, 0, 4] };
}

function cell(text: string | undefined | null, bold = false): TableCell {
  return { text: text === undefined || text === null || text === '' ? DASH : text, bold };
}

/** A two-column table of label and value; rows without a value are left out. */
function fields(rows: readonly (readonly [string, string | undefined | null])[]): Content {
  const present = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (present.length === 0) return { text: DASH };
  return {
    table: { widths: [160, '*'], body: present.map(([k, v]) => [{ text: k, style: 'label' }, cell(v)]) },
    layout: 'lightHorizontalLines',
  };
}

/** A table with a header row. */
function grid(
  headers: readonly string[],
  rows: readonly (readonly (string | undefined)[])[],
  widths?: (string | number)[],
): Content {
  return {
    table: {
      headerRows: 1,
      widths: widths ?? headers.map(() => '*'),
      body: [headers.map((h) => ({ text: h, style: 'th' })), ...rows.map((r) => r.map((v) => cell(v)))],
    },
    layout: 'lightHorizontalLines',
    fontSize: 9,
    margin: [0, 2, 0, 6],
  };
}

function idsText(ids: readonly NationalIdRef[] | undefined): string | undefined {
  if (!ids?.length) return undefined;
  return ids.map((i) => `${idLabelRu(i.country, i.kind)} (${partyName(i.country)}): ${i.value}`).join('\n');
}

function personFields(p: Person | undefined): Content {
  if (!p) return { text: 'не указан' };
  if (p.type === 'legal_entity') {
    return fields([
      ['Вид', 'юридическое лицо'],
      ['Наименование', p.name],
      ['Местонахождение (адрес)', p.address],
      ['Идентификационные номера', idsText(p.ids)],
    ]);
  }
  const passport = p.passport
    ? [
        partyName(p.passport.country),
        p.passport.series,
        p.passport.number && `№ ${p.passport.number}`,
        p.passport.issuedBy && `выдан ${p.passport.issuedBy}`,
        p.passport.issuedOn && ruDate(p.passport.issuedOn),
      ]
        .filter(Boolean)
        .join(', ')
    : undefined;
  return fields([
    ['Вид', 'физическое лицо'],
    ['Фамилия', p.surname],
    ['Имя', p.name],
    ['Отчество', p.patronymic],
    ['Написание латиницей', p.latinName],
    ['Дата рождения', p.birthDate ? ruDate(p.birthDate) : undefined],
    ['Место рождения', p.birthPlace],
    ['Место жительства (пребывания)', p.address],
    ['Место работы или учёбы', p.workOrStudy],
    ['Идентификационные номера', idsText(p.ids)],
    ['Паспорт', passport],
    ['Иные идентификаторы', p.otherIdentifiers],
  ]);
}

function bodyLine(
  b: Request['requestingBody'] | undefined,
  fallback?: { id: string; party: string; name: string },
): string {
  const x = b ?? fallback;
  if (!x) return DASH;
  return [x.name, partyFull(x.party)].filter(Boolean).join('\n');
}

/** R3–R8: what one item asks for, in words. */
export function itemDescription(item: Item): Content[] {
  const out: Content[] = [];
  const add = (t: string) => out.push({ text: t, margin: [12, 1, 0, 1] });
  switch (item.kind) {
    case 'proceedings':
      out.push(
        'Сведения об исполнительных документах в отношении должника, находящихся на исполнении в запрашиваемой Стороне, и о результатах их исполнения',
      );
      if (item.results?.length)
        add(`Результаты исполнения: ${item.results.map((r) => label(PROCEEDING_RESULT_LABELS, r)).join('; ')}`);
      if (item.resultsOther) add(`Иные результаты: ${item.resultsOther}`);
      break;
    case 'documents':
      out.push('Предоставление информации, справок, документов или их заверенных копий');
      if (item.description) add(item.description);
      if (item.from?.length) add(`Получить: ${item.from.map((f) => label(DOCUMENT_SOURCE_LABELS, f)).join('; ')}`);
      break;
    case 'clarification':
      out.push(`Получение объяснений от ${item.party === 'creditor' ? 'взыскателя' : 'должника'} по вопросам:`);
      (item.questions ?? []).forEach((q, i) => add(`${i + 1}) ${q}`));
      break;
    case 'property':
      out.push('Сведения об имуществе должника, находящемся на территории запрашиваемой Стороны:');
      for (const s of item.subItems ?? [])
        add(`${label(PROPERTY_SUB_ITEM_LETTERS, s)}) ${label(PROPERTY_SUB_ITEM_LABELS, s)}`);
      if (item.note) add(item.note);
      break;
    case 'employment_income':
      if (item.workplace) out.push(`Сведения о месте работы должника — ст. ${provisionRu('7.a')}`);
      if (item.income) out.push(`Сведения об источниках и размере доходов должника — ст. ${provisionRu('7.b')}`);
      if (!item.workplace && !item.income) out.push('Сведения о месте работы и доходах должника');
      if (item.period) add(`Период: с ${ruDate(item.period.from)} по ${ruDate(item.period.to)}`);
      break;
    case 'location':
      if (item.target === 'property') {
        out.push('Сведения о местонахождении имущества должника');
        if (item.property?.description) add(`Имущество: ${item.property.description}`);
        if (item.property?.identifiers) add(`Идентифицирующие данные: ${item.property.identifiers}`);
      } else {
        out.push(
          'Сведения о месте жительства (пребывания) должника — физического лица или о местонахождении должника — юридического лица',
        );
      }
      break;
    case 'other':
      out.push('Иные сведения, необходимые для исполнения');
      if (item.description) add(item.description);
      break;
  }
  return out;
}

/** The letterhead of the body that made the document: its name, address, telephone and e-mail. */
function letterhead(seal: PdfSeal | null, fallback: { name?: string; party?: string } | undefined): Content {
  const h = seal?.letterhead ?? (fallback?.name ? { name: fallback.name } : undefined);
  if (!h) return { text: '' };
  const contacts = [h.phone ? `тел. ${h.phone}` : '', h.email ? `эл. почта: ${h.email}` : '']
    .filter(Boolean)
    .join(', ');
  return {
    margin: [0, 0, 0, 8],
    stack: [
      { text: h.name, bold: true, fontSize: 11 },
      ...(h.address ? [{ text: h.address }] : []),
      ...(contacts ? [{ text: contacts }] : []),
      {
        canvas: [{ type: 'line', x1: 0, y1: 4, x2: 495, y2: 4, lineWidth: 0.75 }],
      },
    ] as Content[],
  };
}

/** The body that conducts the proceeding, by name (never its id): the requesting body when it is that body. */
function proceedingBodyName(d: Partial<Request>): string | undefined {
  const id = d.proceeding?.bodyId;
  if (!id) return undefined;
  return d.requestingBody?.id === id ? d.requestingBody.name : undefined;
}

function signatureBlock(seal: PdfSeal | null, role: string): Content {
  if (!seal) {
    return [
      heading('Подпись'),
      { text: 'ПРОЕКТ — не подписан', style: 'draft' },
      { text: 'Документ не подписан электронной подписью и не имеет юридической силы.', margin: [0, 2, 0, 0] },
    ];
  }
  return [
    heading('Подпись'),
    { text: `${role} подписан электронной подписью.`, margin: [0, 0, 0, 4] },
    fields([
      ['Должностное лицо', seal.officer.name],
      ['Должность', seal.officer.position],
      ['Телефон', seal.officerContacts?.phone],
      ['Электронная почта', seal.officerContacts?.email],
      ['Орган', seal.bodyName],
      ['Дата и время подписания', ruInstant(seal.signedAt, seal.timeZone)],
      ['Код проверки', seal.shortCode],
    ]),
  ];
}

async function frame(opts: {
  title: string;
  content: Content[];
  seal: PdfSeal | null;
  subject: string;
}): Promise<Buffer> {
  const qr = opts.seal ? await qrFor(opts.seal) : null;
  const qrImage = qr ? `data:image/png;base64,${qr.png.toString('base64')}` : null;
  const doc: TDocumentDefinitions = {
    pageSize: 'A4',
    pageMargins: [50, 50, 50, qr ? 120 : 60],
    info: { title: opts.title, subject: opts.subject, creator: 'EIX', producer: 'EIX (pdfmake)' },
    defaultStyle: { font: 'DejaVuSans', fontSize: 10, lineHeight: 1.15 },
    styles: {
      title: { fontSize: 14, bold: true, alignment: 'center' },
      subtitle: { fontSize: 11, alignment: 'center', margin: [0, 2, 0, 10] },
      h2: { fontSize: 11, bold: true },
      label: { color: '#444444' },
      th: { bold: true, fontSize: 9 },
      draft: { fontSize: 13, bold: true, color: '#b00000', alignment: 'center' },
      foot: { fontSize: 7, color: '#333333' },
    },
    ...(qr ? {} : { watermark: { text: 'ПРОЕКТ', opacity: 0.08, bold: true } }),
    content: opts.content,
    footer: (currentPage: number, pageCount: number): Content => {
      const pageText: Content = { text: `стр. ${currentPage} из ${pageCount}`, style: 'foot', alignment: 'right' };
      if (!qr || !qrImage)
        return { margin: [50, 20, 50, 0], stack: [{ text: 'ПРОЕКТ — не подписан', style: 'foot' }, pageText] };
      return {
        margin: [50, 8, 50, 0],
        stack: [
          {
            columns: [
              { image: qrImage, width: 72, height: 72 },
              {
                width: '*',
                margin: [8, 6, 0, 0],
                style: 'foot',
                stack: [
                  'Бумажный подлинник (статья 10) соответствует электронному документу, подписанному электронной подписью.',
                  ...(opts.seal?.shortCode
                    ? [{ text: `Код проверки: ${opts.seal.shortCode}`, fontSize: 10, bold: true, margin: [0, 3, 0, 3] }]
                    : []),
                  'Проверить подлинность: страница «Проверка оригинала» — отсканируйте QR-код или введите код проверки.',
                ] as Content[],
              },
              { width: 80, margin: [0, 6, 0, 0], stack: [pageText] },
            ],
          },
        ],
      };
    },
  };
  return toBuffer(doc);
}

// ---- the request -------------------------------------------------------------

/** R10.a, R11.1: the request as a printable form. */
export async function renderRequestPdf(view: RequestView, seal: PdfSeal | null): Promise<Buffer> {
  const d = view.document;
  const number = d.number ?? view.number;
  const ed = d.executiveDocument;
  const content: Content[] = [];
  if (!seal) content.push({ text: 'ПРОЕКТ — не подписан', style: 'draft', margin: [0, 0, 0, 8] });
  content.push(
    letterhead(seal, d.requestingBody ?? (view.direction === 'incoming' ? view.counterpartBody : undefined)),
  );
  content.push(
    { text: `Исх. № ${number || DASH} от ${ruDate(d.date)}`, margin: [0, 0, 0, 10] },
    { text: 'ЗАПРОС', style: 'title' },
    {
      text: 'о предоставлении информации при осуществлении принудительного исполнения',
      style: 'subtitle',
      margin: [0, 2, 0, 2],
    },
    { text: `№ ${number || DASH} от ${ruDate(d.date)}`, style: 'subtitle' },
    {
      table: {
        widths: ['*', '*'],
        body: [
          [
            { text: 'Запрашивающий орган', style: 'th' },
            { text: 'Запрашиваемый орган', style: 'th' },
          ],
          [
            cell(bodyLine(d.requestingBody, view.direction === 'incoming' ? view.counterpartBody : undefined)),
            cell(bodyLine(d.requestedBody, view.direction === 'outgoing' ? view.counterpartBody : undefined)),
          ],
        ],
      },
      margin: [0, 0, 0, 6],
    },
  );

  content.push(
    heading('Исполнительное производство'),
    fields([
      ['Номер', d.proceeding?.number],
      ['Дата возбуждения', d.proceeding?.openedOn ? ruDate(d.proceeding.openedOn) : undefined],
      ['Орган', proceedingBodyName(d)],
    ]),
  );

  content.push(
    heading('Исполнительный документ'),
    fields([
      ['Наименование', ed?.title],
      ['Номер', ed?.number],
      ['Дата', ed?.date ? ruDate(ed.date) : undefined],
      [
        'Выдан',
        ed?.issuer
          ? [ed.issuer.name, ed.issuer.kind ? `(${label(ISSUER_KIND_LABELS, ed.issuer.kind)})` : '']
              .filter(Boolean)
              .join(' ')
          : undefined,
      ],
      ['Сумма требования', ed?.amount ? money(ed.amount) : undefined],
      ['Резолютивная часть', ed?.operativePart],
    ]),
  );

  content.push(heading('Должник'), personFields(d.debtor));
  content.push(heading('Взыскатель'), personFields(d.creditor));

  content.push(heading('Запрашиваемые сведения'));
  const items = d.items ?? [];
  if (items.length === 0) content.push({ text: DASH });
  items.forEach((item, i) => {
    const provisions = provisionsRu(item);
    content.push({
      margin: [0, 2, 0, 4],
      stack: [
        {
          text: [
            { text: `${i + 1}. `, bold: true },
            { text: provisions, color: '#444444' },
          ],
          margin: [0, 0, 0, 1],
        },
        { stack: itemDescription(item), margin: [12, 0, 0, 0] },
      ],
    });
  });

  content.push(heading('Содержание запроса и фактические обстоятельства'), { text: d.grounds || DASH });
  if (d.otherInfo) content.push(heading('Другие сведения'), { text: d.otherInfo });

  content.push(
    heading('Особые условия'),
    fields([
      [
        'Конфиденциальность (статья 16)',
        (d.confidential ?? view.confidential)
          ? 'Запрашивающий орган просит обеспечить конфиденциальность факта и содержания запроса'
          : 'не требуется',
      ],
      [
        'Более короткий срок исполнения (статья 12)',
        d.shorterTerm ? `до ${ruDate(d.shorterTerm)}` : 'не запрашивается',
      ],
    ]),
  );

  content.push(signatureBlock(seal, 'Запрос'));
  return frame({
    title: `Запрос № ${number}`,
    subject: 'Запрос о предоставлении информации при осуществлении принудительного исполнения',
    content,
    seal,
  });
}

// ---- the answer --------------------------------------------------------------

function answerData(data: AnswerData): Content[] {
  const out: Content[] = [];
  const sub = (t: string) => out.push({ text: t, bold: true, margin: [0, 4, 0, 1] });
  if (data.proceedings?.length) {
    sub('Исполнительные производства');
    out.push(
      grid(
        ['Номер', 'Исполнительный документ', 'Взыскано', 'Арестовано', 'На реализации'],
        data.proceedings.map((p) => [
          p.number,
          p.executiveDocument,
          p.collected && money(p.collected),
          p.arrested && money(p.arrested),
          p.forSale && money(p.forSale),
        ]),
        ['auto', '*', 'auto', 'auto', 'auto'],
      ),
    );
  }
  if (data.accounts?.length) {
    sub(`Счета, вклады, ценности — ст. ${provisionRu('6.a')}`);
    out.push(
      grid(
        ['Банк', 'Номер счёта', 'Вид', 'Валюта', 'Остаток'],
        data.accounts.map((a) => [a.bank, a.number, a.kind, a.currency, a.balance && money(a.balance)]),
        ['*', 'auto', 'auto', 'auto', 'auto'],
      ),
    );
  }
  if (data.realEstate?.length) {
    sub(`Недвижимое имущество — ст. ${provisionRu('6.b')}`);
    out.push(
      grid(
        ['Описание', 'Адрес', 'Кадастровый номер', 'Доля', 'Обременения'],
        data.realEstate.map((r) => [r.description, r.address, r.cadastralNumber, r.share, r.encumbrances]),
        ['*', '*', 'auto', 'auto', '*'],
      ),
    );
  }
  if (data.vehicles?.length) {
    sub(`Транспортные средства — ст. ${provisionRu('6.c')}`);
    out.push(
      grid(
        ['Описание', 'Рег. знак', 'VIN', 'Год выпуска'],
        data.vehicles.map((v) => [
          v.description,
          v.registrationNumber,
          v.vin,
          v.year === undefined ? undefined : String(v.year),
        ]),
        ['*', 'auto', 'auto', 'auto'],
      ),
    );
  }
  if (data.shares?.length) {
    sub(`Доли, ценные бумаги, иные права — ст. ${provisionRu('6.d')}, ${provisionRu('6.e')}`);
    out.push(
      grid(
        ['Эмитент', 'Описание', 'Доля'],
        data.shares.map((s) => [s.issuer, s.description, s.share]),
      ),
    );
  }
  if (data.employer) {
    sub(`Место работы — ст. ${provisionRu('7.a')}`);
    out.push(
      fields([
        ['Работодатель', data.employer.name],
        ['Адрес', data.employer.address],
        ['Должность', data.employer.position],
        ['Работает с', data.employer.since ? ruDate(data.employer.since) : undefined],
      ]),
    );
  }
  if (data.income?.length) {
    sub(`Доходы — ст. ${provisionRu('7.b')}`);
    out.push(
      grid(
        ['Период', 'Источник', 'Сумма'],
        data.income.map((x) => [`${ruDate(x.from)} — ${ruDate(x.to)}`, x.source, money(x.amount)]),
        ['auto', '*', 'auto'],
      ),
    );
  }
  if (data.addresses?.length) {
    sub('Адреса — ст. 8');
    out.push(
      grid(
        ['Адрес', 'Вид', 'С даты'],
        data.addresses.map((a) => [a.address, a.kind, a.since ? ruDate(a.since) : undefined]),
      ),
    );
  }
  if (data.text) {
    sub('Пояснения');
    out.push({ text: data.text });
  }
  if (data.disclosureProcedure) {
    sub('Особый порядок предоставления сведений взыскателю (статья 9)');
    out.push(
      fields([
        ['Порядок', data.disclosureProcedure.description],
        ['Орган, в который следует обратиться', data.disclosureProcedure.body],
      ]),
    );
  }
  return out;
}

function answerItem(view: RequestView, a: AnswerView): Content {
  const item = view.document.items?.[a.itemNo - 1];
  const outcome = label(OUTCOME_LABELS, a.outcome);
  const stack: Content[] = [
    {
      text: [{ text: `Пункт ${a.itemNo}. `, bold: true }, item ? { text: provisionsRu(item), color: '#444444' } : ''],
    },
  ];
  if (item) stack.push({ stack: itemDescription(item), fontSize: 9, color: '#444444', margin: [12, 0, 0, 2] });
  stack.push({
    text: [{ text: 'Результат: ', bold: true }, outcome, a.final ? '' : ' (промежуточный ответ)'],
    margin: [0, 2, 0, 2],
  });
  if (a.purged) stack.push({ text: 'Сведения удалены по истечении срока хранения (статья 9).', italics: true });
  else if (a.data && typeof a.data === 'object') stack.push(...answerData(a.data as AnswerData));
  if (a.attachments.length) {
    stack.push({ text: 'Вложения:', bold: true, margin: [0, 4, 0, 1] });
    stack.push({ ol: a.attachments.map((f) => `${f.fileName} (${f.size} байт)`) });
  }
  return { stack, margin: [0, 4, 0, 8] };
}

/** The answer to a request (R4–R8, R9.3) as a printable form. */
export async function renderAnswerPdf(view: RequestView, seal: PdfSeal | null): Promise<Buffer> {
  const d = view.document;
  const number = d.number ?? view.number;
  // The answering body is the requested one.
  const answering = view.direction === 'incoming' ? d.requestedBody : view.counterpartBody;
  const requesting = view.direction === 'outgoing' ? d.requestingBody : (d.requestingBody ?? view.counterpartBody);
  const content: Content[] = [];
  if (!seal) content.push({ text: 'ПРОЕКТ — не подписан', style: 'draft', margin: [0, 0, 0, 8] });
  content.push(letterhead(seal, answering));
  content.push(
    { text: `На исх. № ${number || DASH} от ${ruDate(d.date)}`, margin: [0, 0, 0, 10] },
    { text: `ОТВЕТ на запрос № ${number || DASH}`, style: 'title' },
    {
      text: `от ${ruDate(d.date)} о предоставлении информации при осуществлении принудительного исполнения`,
      style: 'subtitle',
    },
    {
      table: {
        widths: ['*', '*'],
        body: [
          [
            { text: 'Отвечающий (запрашиваемый) орган', style: 'th' },
            { text: 'Запрашивающий орган', style: 'th' },
          ],
          [cell(bodyLine(answering)), cell(bodyLine(requesting))],
        ],
      },
      margin: [0, 0, 0, 6],
    },
    heading('Должник'),
    fields(debtorSummary(d.debtor)),
    heading('Исполнительное производство'),
    fields([
      ['Номер', d.proceeding?.number],
      [
        'Исполнительный документ',
        [
          d.executiveDocument?.title,
          d.executiveDocument?.number,
          d.executiveDocument?.date ? `от ${ruDate(d.executiveDocument.date)}` : '',
        ]
          .filter(Boolean)
          .join(' ') || undefined,
      ],
    ]),
    heading('Сведения по пунктам запроса'),
  );
  if (view.answers.length === 0) content.push({ text: 'Ответ ещё не дан.' });
  for (const a of view.answers) content.push(answerItem(view, a));
  content.push(signatureBlock(seal, 'Ответ'));
  return frame({
    title: `Ответ на запрос № ${number}`,
    subject: 'Ответ на запрос о предоставлении информации при осуществлении принудительного исполнения',
    content,
    seal,
  });
}

function debtorSummary(p: Person | undefined): [string, string | undefined][] {
  if (!p) return [];
  if (p.type === 'legal_entity')
    return [
      ['Наименование', p.name],
      ['Идентификационные номера', idsText(p.ids)],
    ];
  return [
    ['Фамилия, имя, отчество', [p.surname, p.name, p.patronymic].filter(Boolean).join(' ') || undefined],
    ['Дата рождения', p.birthDate ? ruDate(p.birthDate) : undefined],
    ['Идентификационные номера', idsText(p.ids)],
  ];
}
