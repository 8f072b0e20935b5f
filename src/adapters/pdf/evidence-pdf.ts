// The Russian summary of a court evidence pack (issue 17 item 4,
// docs/EVIDENCE.md): the request, its Parties and bodies, every message with
// its type, signer, signing time and time of receipt in local time, its
// SHA-256, and what the exporting node's check found. Written for a judge:
// no technical strings but the hashes (grouped by eight to compare by eye).
import { localDateTimeRu } from '../../domain/dates.js';
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { ExchangeCheck, MessageFinding } from '../../app/verify-evidence.js';
import { groupedHash, type EvidenceManifest, type ManifestMessage } from '../../domain/evidence.js';
import { DELIVERY_STATUS_LABELS, messageTypeLabel, partyFullName } from '../../domain/vocabulary.js';
import { printPdf } from './request-pdf.js';

export interface EvidenceSummaryInput {
  readonly manifest: Omit<EvidenceManifest, 'files'>;
  readonly check: ExchangeCheck;
  /** The Russian name of a body (this node's bodies, the counterpart, the registry's designated bodies). */
  readonly bodyName: (party: string, body: string) => string;
}

const DASH = '—';

function dateTimeIn(timeZone: string): { at: (iso: string | null) => string; offset: (iso: string) => string } {
  return {
    at: (iso) => localDateTimeRu(iso, timeZone)?.text ?? DASH,
    offset: (iso) => localDateTimeRu(iso, timeZone)?.offset ?? '+00:00',
  };
}

const cell = (text: string, bold = false): TableCell => ({ text: text || DASH, bold });

function fields(rows: readonly (readonly [string, string])[]): Content {
  return {
    table: { widths: [150, '*'], body: rows.map(([k, v]) => [{ text: k, style: 'label' }, cell(v)]) },
    layout: 'lightHorizontalLines',
    margin: [0, 0, 0, 6],
  };
}

function statusRu(m: ManifestMessage): string {
  if (m.status === 'received') return 'получено нашим органом';
  return DELIVERY_STATUS_LABELS[m.status];
}

function contentRu(m: ManifestMessage, f: MessageFinding | undefined, at: (iso: string | null) => string): string {
  if (m.file) return 'электронный документ включён в пакет';
  if (m.destroyedAt)
    return `уничтожено ${at(m.destroyedAt)} по истечении срока хранения (статья 9 Соглашения); сохранены хеш документа и квитанция о его получении`;
  return f?.content === 'unsigned' ? 'сообщение ещё не подписано и не отправлено' : DASH;
}

function checkRu(m: ManifestMessage, f: MessageFinding | undefined): string {
  if (!f) return DASH;
  const parts: string[] = [];
  if (f.signature === true) parts.push('подпись органа верна');
  if (f.signature === false) parts.push('подпись НЕ подтверждена');
  if (f.receipt === true) parts.push('получение подтверждено квитанцией получателя');
  if (f.receipt === false) parts.push('квитанция НЕ подтверждает получение');
  if (f.receipt === null && m.sha256) parts.push('квитанции нет');
  return parts.join('; ') || DASH;
}

function messageBlock(
  m: ManifestMessage,
  f: MessageFinding | undefined,
  input: EvidenceSummaryInput,
  at: (iso: string | null) => string,
): Content {
  const who = (a: { party: string; body: string }) => `${input.bodyName(a.party, a.body)} (${partyFullName(a.party)})`;
  return {
    stack: [
      { text: `${m.no}. ${messageTypeLabel(m.type)}`, style: 'h3' },
      fields([
        ['Отправитель', who(m.from)],
        ['Получатель', who(m.to)],
        ['Подписал', m.signer ? `${m.signer.name}, ${m.signer.position}` : m.file ? 'печать органа' : DASH],
        ['Подписано', at(m.createdAt)],
        ['Получено', m.receipt ? at(m.receipt.receivedAt) : DASH],
        ['Состояние', statusRu(m)],
        ['Содержание', contentRu(m, f, at)],
        ['Проверка', checkRu(m, f)],
        ['Хеш SHA-256 документа', m.sha256 ? groupedHash(m.sha256) : DASH],
      ]),
    ],
    unbreakable: true,
  };
}

export async function renderEvidenceSummary(input: EvidenceSummaryInput): Promise<Buffer> {
  const m = input.manifest;
  const { at, offset } = dateTimeIn(m.timeZone);
  const findings = new Map(input.check.messages.map((f) => [f.no, f]));
  const ok = input.check.problems.length === 0;
  const r = m.request;
  const content: Content[] = [
    { text: 'ДОКАЗАТЕЛЬНЫЙ ПАКЕТ', style: 'title' },
    { text: `обмена информацией по запросу № ${r.number || DASH}`, style: 'subtitle' },
    {
      text:
        'Пакет содержит электронные документы, которыми органы Сторон обменялись по запросу, подписанные ' +
        'электронными подписями этих органов, квитанции об их получении, реестр доверия, по которому проверены ' +
        'подписи, сертификаты и настоящую сводку. Опись пакета заверена печатью органа, выгрузившего пакет: ' +
        'изменение любого файла пакета обнаруживается проверкой. Для проверки нужен только сертификат депозитария.',
      margin: [0, 0, 0, 8],
    },
    { text: 'Запрос', style: 'h2' },
    fields([
      ['Номер', r.number],
      ['Запрос по отношению к органу, выгрузившему пакет', r.direction === 'outgoing' ? 'направленный' : 'полученный'],
      ['Запрашивающая Сторона', partyFullName(r.requesting.party)],
      ['Запрашивающий орган', r.requesting.name],
      ['Запрашиваемая Сторона', partyFullName(r.requested.party)],
      ['Запрашиваемый орган', r.requested.name],
    ]),
    { text: 'Сообщения и квитанции', style: 'h2' },
    {
      text: `Время указано местное (часовой пояс UTC${offset(m.createdAt)}).`,
      style: 'note',
    },
    ...(m.messages.length
      ? m.messages.map((x) => messageBlock(x, findings.get(x.no), input, at))
      : [{ text: 'Сообщений по запросу нет.' }]),
    { text: 'Реестр доверия', style: 'h2' },
    fields(
      input.check.registries.map((x): [string, string] => [
        `Версия ${x.version}`,
        `выпущена депозитарием ${at(x.issuedAt)}; ${x.ok ? 'подпись депозитария верна' : 'подпись депозитария НЕ подтверждена'}`,
      ]),
    ),
    { text: 'Результат проверки при выгрузке', style: 'h2' },
    {
      text: ok
        ? 'Все подписи, квитанции и реестр доверия проверены: нарушений не обнаружено.'
        : `Обнаружены нарушения: ${input.check.problems.length}. Подробности — в отчёте о проверке, который входит в пакет.`,
      bold: !ok,
      margin: [0, 0, 0, 8],
    },
    { text: 'Выгрузка', style: 'h2' },
    fields([
      ['Дата и время', at(m.createdAt)],
      ['Орган', `${m.exportedBy.bodyName} (${partyFullName(m.exportedBy.party)})`],
      ['Сотрудник', `${m.exportedBy.officer.name}, ${m.exportedBy.officer.position}`],
      ['Цель выгрузки', m.purpose],
    ]),
  ];
  const doc: TDocumentDefinitions = {
    pageSize: 'A4',
    pageMargins: [50, 50, 50, 60],
    info: {
      title: `Доказательный пакет по запросу № ${r.number}`,
      subject: 'Сводка доказательного пакета',
      creator: 'EIX',
      producer: 'EIX (pdfmake)',
    },
    defaultStyle: { font: 'DejaVuSans', fontSize: 9.5, lineHeight: 1.15 },
    styles: {
      title: { fontSize: 14, bold: true, alignment: 'center' },
      subtitle: { fontSize: 11, alignment: 'center', margin: [0, 2, 0, 10] },
      h2: { fontSize: 11, bold: true, margin: [0, 8, 0, 4] },
      h3: { fontSize: 10, bold: true, margin: [0, 4, 0, 2] },
      label: { color: '#444444' },
      note: { fontSize: 8.5, color: '#333333', margin: [0, 0, 0, 4] },
      foot: { fontSize: 7, color: '#333333' },
    },
    content,
    footer: (page: number, pages: number): Content => ({
      margin: [50, 20, 50, 0],
      columns: [
        { text: `Доказательный пакет по запросу № ${r.number}`, style: 'foot' },
        { text: `стр. ${page} из ${pages}`, style: 'foot', alignment: 'right', width: 80 },
      ],
    }),
  };
  return printPdf(doc);
}
