// Batch files (issue 16.1): a CSV or XLSX file as rows of cells keyed by column (src/domain/batch.ts), the
// template to fill in (CSV; XLSX with a second sheet explaining each column), and the report as CSV.
// A file that cannot be read is refused as a whole with the problem named in Russian (batch.file).
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import {
  BATCH_COLUMNS,
  BATCH_MAX_BYTES,
  BATCH_MAX_ROWS,
  exampleCells,
  readHeader,
  type Cells,
} from '../../domain/batch.js';
import { EixError } from '../../domain/errors.js';
import type { RowProblem, SubmittedRow } from '../../app/batch-requests.js';

export type BatchFormat = 'csv' | 'xlsx';

const fileError = (message: string, data: Record<string, unknown> = {}): EixError =>
  new EixError('batch.file', { field: 'file', ...data }, message);

/** The format of an uploaded file: by its content (an XLSX is a ZIP), else by its name. */
export function formatOf(fileName: string, content: Uint8Array): BatchFormat {
  const zip = content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04;
  if (zip) return 'xlsx';
  if (/\.xlsx$/i.test(fileName)) throw fileError(`Файл «${fileName}» назван как XLSX, но не является книгой Excel`);
  if (/\.(xls|ods|numbers)$/i.test(fileName))
    throw fileError(`Файл «${fileName}»: допускаются только CSV и XLSX; сохраните таблицу в формате XLSX или CSV`);
  return 'csv';
}

/** Reads a batch file: its rows (numbered as lines of the file: the header is line 1) with their cells. */
export async function readBatchFile(
  fileName: string,
  content: Uint8Array,
): Promise<{ format: BatchFormat; rows: SubmittedRow[] }> {
  if (content.length === 0) throw fileError(`Файл «${fileName}» пуст`);
  if (content.length > BATCH_MAX_BYTES)
    throw new EixError(
      'batch.too_large',
      { field: 'file', size: content.length, limit: BATCH_MAX_BYTES },
      `Файл «${fileName}» слишком большой: ${mb(content.length)} МБ, допускается не больше ${mb(BATCH_MAX_BYTES)} МБ`,
    );
  const format = formatOf(fileName, content);
  const table = format === 'xlsx' ? await xlsxTable(fileName, content) : csvTable(fileName, content);
  return { format, rows: tableRows(fileName, table) };
}

const mb = (n: number): string => (n / 1024 / 1024).toLocaleString('ru-RU', { maximumFractionDigits: 1 });

/** Lines of the file (line number, cells as text), the header first. */
type Table = { line: number; cells: string[] }[];

function tableRows(fileName: string, table: Table): SubmittedRow[] {
  const header = table[0];
  if (!header) throw fileError(`Файл «${fileName}» пуст`);
  const h = readHeader(header.cells);
  if ('problems' in h)
    throw fileError(
      `Файл «${fileName}» не соответствует шаблону: ${h.problems.join('; ')}. Скачайте шаблон и сохраните заголовки столбцов без изменений`,
      { problems: h.problems },
    );
  const rows: SubmittedRow[] = [];
  for (const { line, cells } of table.slice(1)) {
    if (cells.every((c) => c.trim() === '')) continue;
    if (rows.length === BATCH_MAX_ROWS)
      throw new EixError(
        'batch.too_large',
        { field: 'file', limit: BATCH_MAX_ROWS },
        `В файле «${fileName}» больше ${BATCH_MAX_ROWS.toLocaleString('ru-RU')} строк с данными; разделите его на несколько пакетов`,
      );
    const record: Record<string, string> = {};
    h.keys.forEach((k, i) => {
      if (k) record[k] = cells[i] ?? '';
    });
    const extra = cells.slice(h.keys.length).some((c) => c.trim() !== '');
    if (extra)
      throw fileError(
        `Файл «${fileName}», строка ${line}: значения за последним столбцом шаблона; проверьте разделители`,
        {
          line,
        },
      );
    rows.push({ n: line, cells: record });
  }
  if (rows.length === 0)
    throw new EixError('batch.empty', { field: 'file' }, `В файле «${fileName}» нет строк с данными`);
  return rows;
}

/** UTF-8 (with or without BOM), else Windows-1251 (a CSV saved by a Russian Excel). */
function decode(content: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content).replace(/^\ufeff/, '');
  } catch {
    return new TextDecoder('windows-1251').decode(content);
  }
}

function csvTable(fileName: string, content: Uint8Array): Table {
  const text = decode(content);
  if (text.includes('\u0000')) throw fileError(`Файл «${fileName}» не является текстовым файлом CSV`);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  // Russian Excel writes «;», others «,»; the header tells which.
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) >= (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      info: true,
      bom: true,
      skip_empty_lines: false,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw fileError(
      `Файл «${fileName}» не удалось прочитать как CSV${line ? ` (строка ${line})` : ''}: проверьте кавычки и разделители`,
      { line },
    );
  }
  return records.map((r) => ({ line: r.info.lines, cells: r.record }));
}

async function xlsxTable(fileName: string, content: Uint8Array): Promise<Table> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(Buffer.from(content) as unknown as ArrayBuffer);
  } catch {
    throw fileError(`Файл «${fileName}» не удалось открыть как книгу Excel (XLSX)`);
  }
  const sheet = book.getWorksheet(SHEET_ROWS) ?? book.worksheets[0];
  if (!sheet) throw fileError(`В книге «${fileName}» нет листов`);
  const table: Table = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    table.push({ line, cells: Array.from(cells, (c) => c ?? '') });
  });
  if (table[0]?.line !== 1)
    throw fileError(`В книге «${fileName}»: первая строка листа должна содержать заголовки столбцов`);
  return table;
}

/** A cell's value as the officer sees it: dates as ДД.ММ.ГГГГ, numbers as written, formulas by their result. */
function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    // Excel dates have no time zone: exceljs gives the day at UTC midnight.
    const d = v.toISOString().slice(0, 10).split('-');
    return `${d[2]}.${d[1]}.${d[0]}`;
  }
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText((v.result ?? null) as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
    if ('error' in v) return '';
    return '';
  }
  return String(v);
}

// ---- the template and the report -----------------------------------------------------------

const SHEET_ROWS = 'Запросы';
const SHEET_HELP = 'Пояснения';

/** The template as CSV (UTF-8 with BOM, «;»: opens in Excel as is): the headers and one example row. */
export function templateCsv(): Buffer {
  const ex = exampleCells();
  const text = stringify([BATCH_COLUMNS.map((c) => c.header), BATCH_COLUMNS.map((c) => ex[c.key] ?? '')], {
    delimiter: ';',
    record_delimiter: '\r\n',
  });
  return Buffer.concat([Buffer.from('\ufeff', 'utf8'), Buffer.from(text, 'utf8')]);
}

/** The template as XLSX: sheet «Запросы» (headers, one example row), sheet «Пояснения» (each column explained). */
export async function templateXlsx(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(SHEET_ROWS);
  const ex = exampleCells();
  sheet.addRow(BATCH_COLUMNS.map((c) => c.header)).font = { bold: true };
  sheet.addRow(BATCH_COLUMNS.map((c) => ex[c.key] ?? ''));
  BATCH_COLUMNS.forEach((c, i) => {
    sheet.getColumn(i + 1).width = Math.min(40, Math.max(14, c.header.length + 2));
    // Text cells: Excel keeps identifiers with leading zeros and dates as typed.
    sheet.getColumn(i + 1).numFmt = '@';
  });
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  const help = book.addWorksheet(SHEET_HELP);
  help.addRow(['Столбец', 'Обязательно', 'Что указывать', 'Допустимые значения', 'Пример']).font = { bold: true };
  for (const c of BATCH_COLUMNS)
    help.addRow([c.header, c.required ? 'да' : 'нет', c.explanation, c.allowed ?? '', c.example]);
  help.addRow([]);
  for (const note of TEMPLATE_NOTES) help.addRow([note]);
  help.getColumn(1).width = 38;
  help.getColumn(2).width = 12;
  help.getColumn(3).width = 80;
  help.getColumn(4).width = 60;
  help.getColumn(5).width = 30;
  help.eachRow((r) => {
    r.alignment = { wrapText: true, vertical: 'top' };
  });
  return Buffer.from(await book.xlsx.writeBuffer());
}

export const TEMPLATE_NOTES: readonly string[] = [
  'Каждая строка — отдельный запрос: он проверяется, подписывается от вашего имени и направляется отдельным сообщением.',
  'Запрашиваемая Сторона и орган выбираются при загрузке файла и одинаковы для всех строк.',
  `В одном файле не больше ${BATCH_MAX_ROWS.toLocaleString('ru-RU')} строк и ${mb(BATCH_MAX_BYTES)} МБ.`,
  'Строки с ошибками не создаются: в отчёте указаны номер строки, столбец и ошибка; исправьте их и загрузите отдельным файлом.',
];

/** The report as CSV for Excel: row, column, message. */
export function reportCsv(problems: readonly RowProblem[]): Buffer {
  const text = stringify(
    [['Строка', 'Столбец', 'Ошибка'], ...problems.map((p) => [String(p.row), p.field, p.message])],
    {
      delimiter: ';',
      record_delimiter: '\r\n',
    },
  );
  return Buffer.concat([Buffer.from('\ufeff', 'utf8'), Buffer.from(text, 'utf8')]);
}

export type { Cells };
