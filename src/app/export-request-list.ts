// A list of requests as a file (issue 14, item 1): the same filters and sort
// as listRequests, as CSV (UTF-8 with BOM, «;» as Russian spreadsheets expect)
// or XLSX, Russian column headers, dates ДД.ММ.ГГГГ, states and Parties in
// Russian. At most EXPORT_CAP rows; a capped file says so in its last row.
// The debtors of incoming requests are received personal data: the export
// is one read, logged once with every request id it holds (R9.1).
import { calendarDateRu } from '../domain/dates.js';
import Type from 'typebox';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { PARTIES, isSignatory, partyDay } from '../domain/parties.js';
import { ITEM_KIND_LABELS } from '../domain/vocabulary.js';
import { STATE_LABELS_RU } from '../domain/workflow.js';
import { CASEWORK_ROLES, requireRole } from './authorize.js';
import type { Actor, AppContext } from './context.js';
import {
  auditListRead,
  checkListInput,
  countCapped,
  expectedAnswerRu,
  filterProperties,
  listCondition,
  selectPage,
  sortOf,
  sortProperties,
  toItems,
  type Position,
  type RequestListItem,
} from './request-list.js';

export const ExportRequestListInput = Type.Object(
  {
    ...filterProperties,
    ...sortProperties,
    format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]),
  },
  { additionalProperties: false },
);

/** Most rows in one file. */
export const EXPORT_CAP = 5_000;
const BATCH = 500;

export interface ExportedFile {
  fileName: string;
  mediaType: string;
  content: Buffer;
}

export const MEDIA_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

const TERM_RU: Readonly<Record<string, string>> = {
  open: 'срок идёт',
  due_soon: 'срок истекает',
  overdue_notified: 'просрочен, направлено уведомление о задержке',
  overdue_silent: 'просрочен',
};

export async function exportRequestList(ctx: AppContext, actor: Actor, input: unknown): Promise<ExportedFile> {
  const o = requireRole(actor, ...CASEWORK_ROLES);
  const p = checkListInput(ExportRequestListInput, input);
  const s = sortOf(p);
  const { items, bodies, total, totalCapped } = await ctx.db.transaction().execute(async (tx) => {
    const where = await listCondition(tx, ctx, o, p);
    if (!where) return { items: [], bodies: new Map<string, string>(), total: 0, totalCapped: false };
    const counted = await countCapped(tx, where, EXPORT_CAP);
    const out: RequestListItem[] = [];
    const unsealed: string[] = [];
    let after: Position | null = null;
    while (out.length < EXPORT_CAP) {
      const rows = await selectPage(tx, where, s, Math.min(BATCH, EXPORT_CAP - out.length), after);
      if (rows.length === 0) break;
      const page = await toItems(
        tx,
        ctx,
        rows.map((r) => r.row),
      );
      out.push(...page.items);
      unsealed.push(...page.unsealed);
      after = rows.at(-1)!.position;
      if (rows.length < BATCH) break;
    }
    await auditListRead(tx, ctx, actor, unsealed, { list: p.direction, export: p.format });
    const ids = [...new Set(out.map((i) => i.bodyId))];
    const names = ids.length
      ? await tx.selectFrom('bodies').select(['id', 'name']).where('id', 'in', ids).execute()
      : [];
    return { items: out, bodies: new Map(names.map((b) => [b.id, b.name])), ...counted };
  });
  const incoming = p.direction === 'incoming';
  const header = [
    'Номер запроса',
    'Орган',
    incoming ? 'Запрашивающая Сторона' : 'Запрашиваемая Сторона',
    incoming ? 'Запрашивающий орган' : 'Запрашиваемый орган',
    'Должник',
    'Что запрошено',
    'Состояние',
    incoming ? 'Получен' : 'Получен другой Стороной',
    incoming ? 'Срок исполнения' : 'Ответ ожидается до',
    incoming ? 'Срок' : 'Ожидание ответа',
    'Просят исполнить до',
    'Конфиденциально',
    'Изменён',
  ];
  const rows = items.map((i) => [
    i.number,
    bodies.get(i.bodyId) ?? i.bodyId,
    isSignatory(i.counterpartParty) ? PARTIES[i.counterpartParty].nameRu : i.counterpartParty,
    i.counterpartBody.name,
    i.debtorName ?? '',
    i.itemKinds.map((k) => ITEM_KIND_LABELS[k]).join('; '),
    STATE_LABELS_RU[i.state],
    calendarDateRu(i.receivedOn),
    calendarDateRu(i.deadline),
    incoming
      ? i.overdue
        ? `${TERM_RU[i.overdue.status]} · ${
            i.overdue.workingDaysLeft >= 0
              ? `осталось ${i.overdue.workingDaysLeft} раб. дн.`
              : `просрочен на ${-i.overdue.workingDaysLeft} раб. дн.`
          }`
        : ''
      : i.expectedAnswer
        ? expectedAnswerRu(i.expectedAnswer)
        : '',
    calendarDateRu(i.requestedBy),
    i.confidential ? 'да' : 'нет',
    calendarDateRu(partyDay(new Date(i.updatedAt), ctx.party)),
  ]);
  const note = totalCapped
    ? `Выгружены первые ${fmt(items.length)} строк из более чем ${fmt(total)}: уточните фильтры, чтобы выгрузить остальные.`
    : null;
  const today = calendarDateRu(partyDay(ctx.clock.now(), ctx.party));
  return tableFile(ctx, p.format, `${incoming ? 'Входящие запросы' : 'Исходящие запросы'} ${today}`, [
    { name: incoming ? 'Входящие' : 'Исходящие', header, rows, note },
  ]);
}

/** One table of a file: a sheet of the workbook (a block of the CSV file). */
export interface FileTable {
  name: string;
  header: readonly string[];
  rows: readonly (readonly (string | number | null)[])[];
  /** A last row in italics (a capped file says so). */
  note?: string | null;
}

/**
 * Tables as a file an officer opens in a spreadsheet: CSV in UTF-8 with a BOM and «;» (Russian spreadsheets),
 * several tables one after another under their names; or XLSX, a sheet per table, bold frozen header, numbers
 * kept as numbers. Shared by the exports of lists (this file) and of statistics (export-statistics.ts).
 */
export async function tableFile(
  ctx: AppContext,
  format: 'csv' | 'xlsx',
  base: string,
  tables: readonly FileTable[],
): Promise<ExportedFile> {
  if (format === 'csv') {
    const records = tables.flatMap((t, i) => [
      ...(tables.length > 1 ? [...(i > 0 ? [[]] : []), [t.name]] : []),
      [...t.header],
      ...t.rows.map((r) => r.map((c) => (c === null ? '' : typeof c === 'number' ? String(c).replace('.', ',') : c))),
      ...(t.note ? [[t.note]] : []),
    ]);
    const text = stringify(records, { delimiter: ';', record_delimiter: '\r\n' });
    return {
      fileName: `${base}.csv`,
      mediaType: MEDIA_TYPES.csv,
      content: Buffer.concat([Buffer.from('\ufeff', 'utf8'), Buffer.from(text, 'utf8')]),
    };
  }
  const book = new ExcelJS.Workbook();
  book.created = ctx.clock.now();
  for (const t of tables) {
    const sheet = book.addWorksheet(t.name);
    sheet.addRow([...t.header]).font = { bold: true };
    for (const r of t.rows) sheet.addRow([...r]);
    if (t.note) sheet.addRow([t.note]).font = { italic: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
    sheet.columns.forEach((c, i) => {
      c.width = Math.min(60, Math.max(12, (t.header[i] ?? '').length + 2));
    });
  }
  return {
    fileName: `${base}.xlsx`,
    mediaType: MEDIA_TYPES.xlsx,
    content: Buffer.from(await book.xlsx.writeBuffer()),
  };
}

/** 10 000 with a thin space, as Russian writes numbers. */
const fmt = (n: number): string => n.toLocaleString('ru-RU');
