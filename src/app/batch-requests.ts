// Batch requests (issue 16, item 1): one operation creates many requests, each a complete request of its own
// (R11) and its own signed message (each is a legal document). Every row is checked with the rules of the single
// path (validateRequest through checkDocument: R10.b, R11, R-pair, R18, national-id check digits); the answer is
// a per-row report (row, field, Russian message). Rows with errors are listed, the others are created, signed
// and queued — nothing half-created: the rows go in by chunks, each chunk one transaction that also moves the
// batch's cursor, so a crash loses at most the chunk in flight and a restart resumes after the last committed one.
//
// The rows are validated all in memory first, then written with multi-row inserts: proceedings (a proceeding
// with the row's number in the officer's body is reused when its data match, otherwise registered), requests
// (state `signed`, with their numbers, blind-search keys and message ids), items, history entries, outbox rows,
// and the audit entries the single path writes (proceeding.create, request.draft, request.sign; R9.1), chained
// in one append per chunk. "Signed" is the officer's act, as in signRequest: the outbox builds and signs each
// message's JWS at its first delivery attempt.
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import type { Insertable, Selectable } from 'kysely';
import type { BatchesTable, OutboxTable, RequestEventsTable, RequestsTable } from '../adapters/db/schema.js';
import { canonicalJson } from '../adapters/crypto/audit-chain.js';
import { BATCH_MAX_ROWS, cellsToRow, columnOf, problemField, type BatchRowInput, type Cells } from '../domain/batch.js';
import { yearOf, type IsoDate } from '../domain/dates.js';
import { EixError } from '../domain/errors.js';
import { PARTIES, isSignatory, partyDay } from '../domain/parties.js';
import { checkSchema, type Problem } from '../domain/problems.js';
import {
  ExecutiveDocumentSchema,
  PersonSchema,
  REQUEST_FIELD_NAMES,
  type ExecutiveDocument,
  type Request,
} from '../domain/request.js';
import { numberTerm } from '../domain/search.js';
import { requestableBodies } from '../domain/treaty.js';
import { nextState } from '../domain/workflow.js';
import type { Tx } from '../ports/store.js';
import { appendAudit, appendAuditMany, type AuditFields } from './audit.js';
import { canSeeBody, requireRole } from './authorize.js';
import type { Actor, AppContext, Officer, Role } from './context.js';
import { proceedingAudit, proceedingValues } from './create-proceeding.js';
import {
  DraftContentSchema,
  checkDocument,
  composeDocument,
  draftAudit,
  draftValues,
  itemValues,
  type DraftingBody,
} from './draft-request.js';
import { requireSeal } from './get-body-seal.js';
import { parseInput } from './input.js';
import { outboxValues } from './request-record.js';
import { nextNumbers, signEventData, signedDocument } from './sign-request.js';

/** One row: a complete request (R11) with its proceeding (R10.b). The wire format's parts, as the API takes them. */
export const BatchRowSchema = Type.Object(
  {
    proceeding: Type.Object(
      {
        number: Type.String({ minLength: 1, maxLength: 100 }),
        openedOn: Type.String({ format: 'date' }),
      },
      { additionalProperties: false },
    ),
    debtor: PersonSchema,
    creditor: PersonSchema,
    executiveDocument: ExecutiveDocumentSchema,
    items: DraftContentSchema.properties.items,
    grounds: DraftContentSchema.properties.grounds,
    otherInfo: DraftContentSchema.properties.otherInfo,
    confidential: DraftContentSchema.properties.confidential,
    shorterTerm: DraftContentSchema.properties.shorterTerm,
  },
  { additionalProperties: false },
);
export type BatchRow = Type.Static<typeof BatchRowSchema>;

const ROW_FIELDS = {
  ...REQUEST_FIELD_NAMES,
  'proceeding.number': 'номер исполнительного производства',
  'proceeding.openedOn': 'дата возбуждения исполнительного производства',
};

export const BatchDestinationSchema = Type.Object(
  {
    party: Type.String({ pattern: '^[A-Z]{2}$' }),
    /** The requested body (designated by its Party, R18); its central body when absent. */
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** A row as submitted: its number as the officer sees it (the file's line; 1, 2… in a JSON array) and its content. */
export interface SubmittedRow {
  readonly n: number;
  /** A file's row: its cells by column key (src/domain/batch.ts). */
  readonly cells?: Cells;
  /** A JSON row (the API). */
  readonly row?: unknown;
}

export interface SubmitBatchInput {
  readonly source: 'csv' | 'xlsx' | 'json';
  readonly fileName?: string | null;
  readonly requestedBody: unknown;
  readonly rows: readonly SubmittedRow[];
}

/** The roles that sign requests (signRequest): they submit batches. */
const SIGNING_ROLES: readonly Role[] = ['officer', 'supervisor'];

const partyName = (p: string): string => (isSignatory(p) ? PARTIES[p].nameRu : p);

/** The requested body of the batch: designated by its Party for the exchange today (R18), the central one by default. */
function destination(ctx: AppContext, today: IsoDate, input: unknown): { party: string; id: string; name: string } {
  const ref = parseInput(BatchDestinationSchema, input, {
    party: 'запрашиваемая Сторона',
    id: 'запрашиваемый орган',
  });
  const bodies = requestableBodies(ctx.treaty(), ctx.party, today).filter((b) => b.party === ref.party);
  if (bodies.length === 0)
    throw new EixError(
      'input.invalid',
      { field: 'requestedBody.party', party: ref.party },
      `Запросы не могут быть направлены Стороне ${partyName(ref.party)}: Соглашение не связывает Стороны сегодня или Сторона не назначила органы (статьи 18, 22–24)`,
    );
  const body = ref.id === undefined ? bodies[0]! : bodies.find((b) => b.id === ref.id);
  if (!body)
    throw new EixError(
      'input.invalid',
      { field: 'requestedBody.id', id: ref.id },
      `Орган «${ref.id}» не назначен Стороной ${partyName(ref.party)} для обмена информацией (статья 18); назначены: ${bodies.map((b) => b.name).join('; ')}`,
    );
  return { party: ref.party, id: body.id, name: body.name };
}

/** The body an officer drafts for, with its time zone (the request's date is its local day). */
async function draftingBody(db: AppContext['db'] | Tx, bodyId: string): Promise<DraftingBody> {
  return db
    .selectFrom('bodies')
    .select(['id', 'party', 'name', 'time_zone'])
    .where('id', '=', bodyId)
    .executeTakeFirstOrThrow();
}

/**
 * Stores a batch for the node to run (runBatch): the rows sealed under the data key, the destination checked
 * now (R18, the body's seal: a batch that could not be signed is refused before anything is stored).
 */
export async function submitBatch(
  ctx: AppContext,
  actor: Actor,
  input: SubmitBatchInput,
): Promise<{ id: string; total: number }> {
  const o = requireRole(actor, ...SIGNING_ROLES);
  if (input.rows.length === 0)
    throw new EixError('batch.empty', { field: 'rows' }, 'В пакете нет ни одной строки с данными');
  if (input.rows.length > BATCH_MAX_ROWS)
    throw new EixError(
      'batch.too_large',
      { field: 'rows', rows: input.rows.length, limit: BATCH_MAX_ROWS },
      `В пакете ${input.rows.length} строк; допускается не больше ${BATCH_MAX_ROWS.toLocaleString('ru-RU')}`,
    );
  const body = await draftingBody(ctx.db, o.bodyId);
  const today = partyDay(ctx.clock.now(), ctx.party, body.time_zone);
  const to = destination(ctx, today, input.requestedBody);
  // Issue 15.1: no seal certificate, no signature — refused before anything is stored.
  await requireSeal(ctx, o.bodyId);
  requireRoute(ctx, to.party);
  const id = randomUUID();
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('batches')
      .values({
        id,
        body_id: o.bodyId,
        created_by: o.officerId,
        source: input.source,
        file_name: input.fileName ?? null,
        requested_body: JSON.stringify(to),
        total: input.rows.length,
        error: null,
        rows_enc: ctx.sealer.encryptJson(input.rows, `batch:${id}`),
        key_id: ctx.sealer.activeKeyId,
        claimed_by: null,
        claimed_at: null,
        started_at: null,
        validated_at: null,
        finished_at: null,
      })
      .execute();
    await appendAudit(tx, ctx, o, {
      action: 'request.batch',
      details: { batchId: id, rows: input.rows.length, source: input.source, to: to.party, toBody: to.id },
    });
  });
  return { id, total: input.rows.length };
}

/** What the API takes: the destination and the rows (each checked by the batch, reported per row). */
export const SubmitBatchJsonInput = Type.Object(
  {
    requestedBody: BatchDestinationSchema,
    rows: Type.Array(Type.Unknown()),
  },
  { additionalProperties: false },
);

/** A batch of JSON rows (the API): rows are numbered 1, 2… in the order of the array. */
export async function submitBatchJson(
  ctx: AppContext,
  actor: Actor,
  input: unknown,
): Promise<{ id: string; total: number }> {
  requireRole(actor, ...SIGNING_ROLES);
  const p = parseInput(SubmitBatchJsonInput, input, {
    requestedBody: 'запрашиваемый орган',
    'requestedBody.party': 'запрашиваемая Сторона',
    'requestedBody.id': 'запрашиваемый орган',
    rows: 'строки пакета',
  });
  return submitBatch(ctx, actor, {
    source: 'json',
    requestedBody: p.requestedBody,
    rows: p.rows.map((row, i) => ({ n: i + 1, row })),
  });
}

function requireRoute(ctx: AppContext, party: string): void {
  if (ctx.route && !ctx.route(party))
    throw new EixError(
      'registry.node',
      { field: 'requestedBody.party', party },
      `В реестре доверия нет узла Стороны ${party}: запросы не могут быть направлены`,
    );
}

// ---- validation, all rows in memory ----------------------------------------------------------

/** A row that passed every check: its document (unsigned) and its proceeding. */
interface Planned {
  readonly index: number;
  readonly n: number;
  readonly doc: Request;
  readonly row: BatchRow;
}

export interface RowProblem {
  readonly row: number;
  readonly field: string;
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

interface ExistingProceeding {
  readonly id: string;
  readonly openedOn: string;
  readonly debtor: unknown;
  readonly creditor: unknown;
  readonly documents: readonly unknown[];
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** What differs between a row's proceeding and one already known (registered, or in an earlier row). */
function differences(row: BatchRow, p: ExistingProceeding): string[] {
  return [
    ...(p.openedOn !== row.proceeding.openedOn ? ['дата возбуждения'] : []),
    ...(!same(p.debtor, row.debtor) ? ['должник'] : []),
    ...(!same(p.creditor, row.creditor) ? ['взыскатель'] : []),
    ...(!p.documents.some((d) => same(d, row.executiveDocument)) ? ['исполнительный документ'] : []),
  ];
}

/** The proceedings of the body with these numbers (read in slices). */
async function loadProceedings(
  db: AppContext['db'] | Tx,
  bodyId: string,
  numbers: readonly string[],
): Promise<Map<string, ExistingProceeding>> {
  const out = new Map<string, ExistingProceeding>();
  for (let i = 0; i < numbers.length; i += 1000) {
    const rows = await db
      .selectFrom('proceedings')
      .select(['id', 'number', 'opened_on', 'debtor', 'creditor', 'executive_documents'])
      .where('body_id', '=', bodyId)
      .where('number', 'in', numbers.slice(i, i + 1000))
      .execute();
    for (const r of rows)
      out.set(r.number, {
        id: r.id,
        openedOn: r.opened_on,
        debtor: r.debtor,
        creditor: r.creditor,
        documents: r.executive_documents,
      });
  }
  return out;
}

export interface Validated {
  readonly planned: readonly Planned[];
  readonly problems: readonly RowProblem[];
  /** Rows with at least one problem. */
  readonly failedRows: ReadonlySet<number>;
}

/**
 * Every row checked, in memory: the file's values read (cellsToRow), the row's shape (BatchRowSchema), the
 * request it makes checked as signRequest checks it (checkDocument: R10.b, R11, R-pair, R18, national ids on
 * the body's local day), and its proceeding against the one registered under that number (or an earlier row's).
 */
export async function validateRows(
  ctx: AppContext,
  o: Officer,
  body: DraftingBody,
  to: { party: string; id: string; name: string },
  rows: readonly SubmittedRow[],
  onProgress?: (validated: number) => Promise<void> | void,
): Promise<Validated> {
  const today = partyDay(ctx.clock.now(), ctx.party, body.time_zone);
  const numbers = [
    ...new Set(
      rows
        .map((r) =>
          r.cells
            ? (r.cells.proceedingNumber ?? '').trim()
            : (r.row as { proceeding?: { number?: unknown } })?.proceeding?.number,
        )
        .filter((n): n is string => typeof n === 'string' && n !== ''),
    ),
  ];
  const existing = await loadProceedings(ctx.db, body.id, numbers);
  const firstInBatch = new Map<string, { n: number; p: ExistingProceeding }>();
  const planned: Planned[] = [];
  const problems: RowProblem[] = [];
  const failedRows = new Set<number>();
  for (let index = 0; index < rows.length; index++) {
    const submitted = rows[index]!;
    const { row, problems: rowProblems } = checkRow(ctx, o, body, to, today, submitted);
    const found = [...rowProblems];
    if (found.length === 0) {
      const number = row.proceeding.number;
      const registered = existing.get(number);
      const earlier = firstInBatch.get(number);
      const diff = registered ? differences(row, registered) : earlier ? differences(row, earlier.p) : [];
      if (diff.length > 0)
        found.push({
          code: 'batch.proceeding_mismatch',
          path: 'proceeding.number',
          message: registered
            ? `Производство № ${number} уже зарегистрировано в органе с другими сведениями (${diff.join(', ')}): исправьте строку или запросите по производству отдельно`
            : `Производство № ${number} указано в строке ${earlier!.n} с другими сведениями (${diff.join(', ')})`,
        });
      else if (!registered && !earlier)
        firstInBatch.set(number, {
          n: submitted.n,
          p: {
            id: '',
            openedOn: row.proceeding.openedOn,
            debtor: row.debtor,
            creditor: row.creditor,
            documents: [row.executiveDocument],
          },
        });
    }
    if (found.length > 0) {
      failedRows.add(submitted.n);
      const items = Array.isArray(row?.items) ? row.items : [];
      for (const p of found)
        problems.push({
          row: submitted.n,
          field: problemField(p.path, items),
          path: p.path.replace(/^column:/, ''),
          code: p.code,
          message: p.message,
        });
    } else planned.push({ index, n: submitted.n, doc: documentOf(ctx, body, to, row, today), row });
    if (onProgress && (index + 1) % 10_000 === 0) await onProgress(index + 1);
  }
  return { planned, problems, failedRows };
}

function documentOf(ctx: AppContext, body: DraftingBody, to: BatchDestination, row: BatchRow, today: IsoDate): Request {
  return composeDocument(
    ctx,
    body,
    {
      // A JSON row may lack any part: the checks name what is missing.
      number: row.proceeding?.number ?? '',
      opened_on: row.proceeding?.openedOn ?? '',
      body_id: body.id,
      debtor: row.debtor,
      creditor: row.creditor,
    },
    row.executiveDocument as ExecutiveDocument,
    {
      requestedBody: to,
      items: row.items,
      ...(row.grounds !== undefined ? { grounds: row.grounds } : {}),
      ...(row.otherInfo !== undefined ? { otherInfo: row.otherInfo } : {}),
      ...(row.confidential !== undefined ? { confidential: row.confidential } : {}),
      ...(row.shorterTerm !== undefined ? { shorterTerm: row.shorterTerm } : {}),
    },
    today,
  );
}

type BatchDestination = { party: string; id: string; name: string };

/** One row's problems: reading the cells, the row's shape, and the request's rules (checkDocument). */
function checkRow(
  ctx: AppContext,
  o: Officer,
  body: DraftingBody,
  to: BatchDestination,
  today: IsoDate,
  submitted: SubmittedRow,
): { row: BatchRow; problems: Problem[] } {
  const read = submitted.cells ? cellsToRow(submitted.cells) : { row: submitted.row as BatchRowInput, problems: [] };
  const row = read.row as unknown as BatchRow;
  if (typeof row !== 'object' || row === null || Array.isArray(row))
    return {
      row: {} as BatchRow,
      problems: [{ code: 'schema.type', path: '', message: 'Строка пакета должна быть объектом JSON' }],
    };
  const shape = checkSchema(BatchRowSchema, row, ROW_FIELDS);
  // The request it makes, checked as signRequest checks it (the parts the row lacks are reported by R11).
  const doc = documentOf(ctx, body, to, row, today);
  const check = checkDocument(ctx, o, doc, today);
  // A value the file's cell could not give (an unreadable date…) is told once, by its column.
  const unreadable = new Set(read.problems.map((p) => columnOf(p.path)));
  const seen = new Set<string>();
  const problems = [...read.problems, ...shape, ...check.errors].filter((p) => {
    const key = `${p.path}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return !(read.problems.length && !p.path.startsWith('column:') && unreadable.has(columnOf(p.path, row.items)));
  });
  return { row, problems };
}

// ---- running a batch ----------------------------------------------------------------------------

export interface BatchProgress {
  readonly id: string;
  readonly state: 'queued' | 'validating' | 'creating' | 'done' | 'failed';
  readonly total: number;
  readonly validated: number;
  readonly failed: number;
  readonly created: number;
}

export interface RunBatchOptions {
  /** Who runs it (a process of the node: host#pid#…); the lease names it. */
  readonly runner: string;
  /** Rows per transaction (default 500). */
  readonly chunkSize?: number;
  /** A lease older than this is taken over (default 60 s); 0 takes over at once (a restart of a single-process node). */
  readonly leaseMs?: number;
  readonly onProgress?: (p: BatchProgress) => void;
  /** Asked before each chunk: true stops the run there (the node stops); the batch resumes later from its cursor. */
  readonly shouldStop?: () => boolean;
  /**
   * Errors that are no fault of the batch (the database lost: `storage.unavailable`): runBatch rethrows them and
   * leaves the batch claimed and open, to be resumed from its cursor by the next run, instead of failing it.
   */
  readonly transient?: (e: unknown) => boolean;
  /**
   * Test seams: called inside a chunk's transaction after its rows are written, and after it commits. A hook
   * that throws stands for the process dying there: runBatch rethrows and writes nothing more.
   */
  readonly faults?: {
    readonly inChunk?: (chunk: number) => void | Promise<void>;
    readonly afterChunk?: (chunk: number) => void | Promise<void>;
  };
}

export const DEFAULT_CHUNK = 500;
const DEFAULT_LEASE_MS = 60_000;

/** The batches a runner should take: not finished, and not held by a live lease of another runner. */
export async function openBatches(ctx: AppContext, runner: string, leaseMs = DEFAULT_LEASE_MS): Promise<string[]> {
  const stale = new Date(ctx.clock.now().getTime() - leaseMs);
  const rows = await ctx.db
    .selectFrom('batches')
    .select('id')
    .where('state', 'in', ['queued', 'validating', 'creating'])
    .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '=', runner), eb('claimed_at', '<', stale)]))
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.id);
}

class LeaseLost extends Error {}

/** A fault hook's error stands for the process dying there: nothing more is written (a crash test). */
class Crash extends Error {
  constructor(override readonly cause: unknown) {
    super('batch runner stopped (fault injected)');
  }
}

async function fault(hook: ((chunk: number) => void | Promise<void>) | undefined, chunk: number): Promise<void> {
  try {
    await hook?.(chunk);
  } catch (e) {
    throw new Crash(e);
  }
}

/**
 * Runs (or resumes) a batch: validates every row, stores the report, then creates the valid rows chunk by
 * chunk. Returns the progress at the end (or when another runner holds the batch).
 */
export async function runBatch(ctx: AppContext, batchId: string, opts: RunBatchOptions): Promise<BatchProgress> {
  const now = ctx.clock.now();
  const stale = new Date(now.getTime() - (opts.leaseMs ?? DEFAULT_LEASE_MS));
  const claimed = await ctx.db
    .updateTable('batches')
    .set((eb) => ({
      claimed_by: opts.runner,
      claimed_at: now,
      started_at: eb.fn.coalesce('started_at', eb.val(now)),
      state: eb
        .case()
        .when('state', '=', 'queued')
        .then(eb.val<'validating'>('validating'))
        .else(eb.ref('state'))
        .end() as never,
    }))
    .where('id', '=', batchId)
    .where('state', 'in', ['queued', 'validating', 'creating'])
    .where((eb) =>
      eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '=', opts.runner), eb('claimed_at', '<=', stale)]),
    )
    .returningAll()
    .executeTakeFirst();
  if (!claimed) return progressOf(await loadBatchRow(ctx, batchId));
  try {
    return await work(ctx, claimed, opts);
  } catch (e) {
    if (e instanceof LeaseLost) return progressOf(await loadBatchRow(ctx, batchId));
    if (e instanceof Crash) throw e.cause;
    if (opts.transient?.(e)) throw e;
    const row = await loadBatchRow(ctx, batchId);
    const message = e instanceof EixError ? e.message : `внутренняя ошибка (${(e as Error).message})`;
    await ctx.db
      .updateTable('batches')
      .set({
        state: 'failed',
        error: `Обработка пакета остановлена: ${message}. Создано запросов: ${row.created}; остальные строки не обработаны`,
        finished_at: ctx.clock.now(),
        rows_enc: null,
        key_id: null,
      })
      .where('id', '=', batchId)
      .where('claimed_by', '=', opts.runner)
      .execute();
    return progressOf(await loadBatchRow(ctx, batchId));
  }
}

async function loadBatchRow(ctx: AppContext, id: string): Promise<Selectable<BatchesTable>> {
  return ctx.db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function progressOf(b: Selectable<BatchesTable>): BatchProgress {
  return { id: b.id, state: b.state, total: b.total, validated: b.validated, failed: b.failed, created: b.created };
}

/** The officer who submitted the batch, as he is now (a revoked officer's batch is not signed in his name). */
async function submitter(ctx: AppContext, b: Selectable<BatchesTable>): Promise<Officer> {
  const r = await ctx.db.selectFrom('officers').selectAll().where('id', '=', b.created_by).executeTakeFirstOrThrow();
  if (r.disabled_at)
    throw new EixError(
      'access.denied',
      {},
      'доступ пользователя, подавшего пакет, прекращён; запросы не подписываются',
    );
  const officer: Officer = {
    kind: 'officer',
    officerId: r.id,
    login: r.login,
    fullName: r.full_name,
    position: r.position,
    bodyId: r.body_id,
    party: ctx.party,
    roles: r.roles as Role[],
  };
  if (r.body_id !== b.body_id || !SIGNING_ROLES.some((x) => officer.roles.includes(x)))
    throw new EixError('access.denied', {}, 'у пользователя, подавшего пакет, больше нет права подписывать запросы');
  return officer;
}

async function work(ctx: AppContext, b: Selectable<BatchesTable>, opts: RunBatchOptions): Promise<BatchProgress> {
  const o = await submitter(ctx, b);
  const body = await draftingBody(ctx.db, b.body_id);
  const to = b.requested_body;
  await requireSeal(ctx, b.body_id);
  requireRoute(ctx, to.party);
  if (!b.rows_enc) throw new EixError('internal', {}, 'строки пакета не сохранены');
  const rows = ctx.sealer.decryptJson<SubmittedRow[]>(b.rows_enc, `batch:${b.id}`);
  const report = (p: Partial<BatchProgress>) => opts.onProgress?.({ ...progressOf(b), ...p });
  const v = await validateRows(ctx, o, body, to, rows, async (validated) => {
    if (b.state !== 'validating') return;
    await ctx.db.updateTable('batches').set({ validated }).where('id', '=', b.id).execute();
    report({ validated });
  });
  // The report is written once, when validation first completes; a resumed batch keeps it.
  let stored: Set<number>;
  let failed = b.failed;
  if (b.state === 'validating') {
    await ctx.db.transaction().execute(async (tx) => {
      await lockBatch(tx, b.id, opts.runner, 0);
      await insertProblems(tx, b.id, v.problems);
      await tx
        .updateTable('batches')
        .set({
          state: 'creating',
          validated: rows.length,
          failed: v.failedRows.size,
          validated_at: ctx.clock.now(),
          claimed_at: ctx.clock.now(),
        })
        .where('id', '=', b.id)
        .execute();
    });
    stored = new Set(v.failedRows);
    failed = v.failedRows.size;
  } else {
    const rowsWithProblems = await ctx.db
      .selectFrom('batch_problems')
      .select('row_no')
      .distinct()
      .where('batch_id', '=', b.id)
      .execute();
    stored = new Set(rowsWithProblems.map((r) => r.row_no));
  }
  report({ state: 'creating', validated: rows.length, failed });
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  const plannedByIndex = new Map(v.planned.map((p) => [p.index, p]));
  const problemsByRow = new Map<number, RowProblem[]>();
  for (const p of v.problems) problemsByRow.set(p.row, [...(problemsByRow.get(p.row) ?? []), p]);
  // Proceedings registered by earlier chunks (or before) are found by number; a new one is registered once.
  const known = await loadProceedings(ctx.db, body.id, [...new Set(v.planned.map((p) => p.row.proceeding.number))]);
  const proceedingIds = new Map([...known].map(([n, p]) => [n, p.id]));
  let cursor = b.next_row;
  let created = b.created;
  for (let chunk = Math.floor(cursor / chunkSize); cursor < rows.length; chunk++) {
    if (opts.shouldStop?.()) return progressOf(await loadBatchRow(ctx, b.id));
    const end = Math.min(rows.length, cursor + chunkSize);
    const todo: Planned[] = [];
    const newProblems: RowProblem[] = [];
    let newFailed = 0;
    for (let i = cursor; i < end; i++) {
      const n = rows[i]!.n;
      if (stored.has(n)) continue;
      const p = plannedByIndex.get(i);
      if (p) todo.push(p);
      else {
        // A row that passed before the restart and fails now (the day changed, the Agreement's state…): reported now.
        newProblems.push(...(problemsByRow.get(n) ?? []));
        newFailed += 1;
      }
    }
    const from = cursor;
    const madeHere = new Map<string, string>();
    await ctx.db.transaction().execute(async (tx) => {
      await lockBatch(tx, b.id, opts.runner, from);
      await insertProblems(tx, b.id, newProblems);
      await tx
        .updateTable('batches')
        .set((eb) => ({
          next_row: end,
          created: eb('created', '+', todo.length),
          failed: eb('failed', '+', newFailed),
          claimed_at: ctx.clock.now(),
        }))
        .where('id', '=', b.id)
        .execute();
      // Last, as it appends the audit entries: the log's lock is held from there to the commit.
      await createChunk(tx, ctx, o, body, b.id, todo, proceedingIds, madeHere);
      await fault(opts.faults?.inChunk, chunk);
    });
    for (const [n, id] of madeHere) proceedingIds.set(n, id);
    cursor = end;
    created += todo.length;
    failed += newFailed;
    report({ state: 'creating', validated: rows.length, failed, created });
    await fault(opts.faults?.afterChunk, chunk);
  }
  // Done: the submitted rows (personal data) are dropped; the report and the requests stay.
  await ctx.db
    .updateTable('batches')
    .set({ state: 'done', finished_at: ctx.clock.now(), rows_enc: null, key_id: null })
    .where('id', '=', b.id)
    .where('claimed_by', '=', opts.runner)
    .execute();
  const done = progressOf(await loadBatchRow(ctx, b.id));
  opts.onProgress?.(done);
  return done;
}

/** Locks the batch row for the chunk; the cursor must be where this runner left it (else another runner took over). */
async function lockBatch(tx: Tx, id: string, runner: string, cursor: number): Promise<void> {
  const row = await tx
    .selectFrom('batches')
    .select(['next_row', 'claimed_by', 'state'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (row.claimed_by !== runner || row.next_row !== cursor) throw new LeaseLost();
}

async function insertProblems(tx: Tx, batchId: string, problems: readonly RowProblem[]): Promise<void> {
  for (let i = 0; i < problems.length; i += 2000)
    await tx
      .insertInto('batch_problems')
      .values(
        problems.slice(i, i + 2000).map((p) => ({
          batch_id: batchId,
          row_no: p.row,
          field: p.field,
          path: p.path,
          code: p.code,
          message: p.message,
        })),
      )
      .execute();
}

const SLICE = 1000;
async function insertSliced<T>(rows: readonly T[], insert: (slice: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += SLICE) await insert(rows.slice(i, i + SLICE));
}

/**
 * One chunk's rows written as the single path writes each (draftRequest + signRequest, createProceeding when
 * the proceeding is new): the same rows, history entries, outbox rows and audit entries, with multi-row
 * inserts and one audit append (its lock taken last, so other writers wait the shortest time).
 */
async function createChunk(
  tx: Tx,
  ctx: AppContext,
  o: Officer,
  body: DraftingBody,
  batchId: string,
  todo: readonly Planned[],
  proceedingIds: ReadonlyMap<string, string>,
  madeHere: Map<string, string>,
): Promise<void> {
  if (todo.length === 0) return;
  const now = ctx.clock.now();
  const today = partyDay(now, ctx.party, body.time_zone);
  const audit: AuditFields[] = [];
  // Proceedings not yet registered: once each, by the first row that names them.
  const fresh = todo.filter(
    (p, i) =>
      !proceedingIds.has(p.row.proceeding.number) &&
      todo.findIndex((q) => q.row.proceeding.number === p.row.proceeding.number) === i,
  );
  const proceedingAuditOf = new Map<number, AuditFields>();
  if (fresh.length > 0) {
    const inserted = await tx
      .insertInto('proceedings')
      .values(
        fresh.map((p) =>
          proceedingValues(ctx, o, {
            number: p.row.proceeding.number,
            openedOn: p.row.proceeding.openedOn,
            debtor: p.row.debtor,
            creditor: p.row.creditor,
            executiveDocuments: [p.row.executiveDocument],
          }),
        ),
      )
      .returning(['id', 'number'])
      .execute();
    for (const r of inserted) madeHere.set(r.number, r.id);
    for (const p of fresh)
      proceedingAuditOf.set(p.index, proceedingAudit(p.row.proceeding.number, madeHere.get(p.row.proceeding.number)!));
  }
  const proceedingOf = (p: Planned) =>
    proceedingIds.get(p.row.proceeding.number) ?? madeHere.get(p.row.proceeding.number)!;
  const numbers = await nextNumbers(tx, body.id, yearOf(today), todo.length);
  // R11.3: signed as signRequest signs — the state machine decides the state (draft → signed).
  const state = nextState('draft', 'sign', 'requesting', []);
  const requests: Insertable<RequestsTable>[] = [];
  const events: Insertable<RequestEventsTable>[] = [];
  const outbox: Insertable<OutboxTable>[] = [];
  todo.forEach((p, i) => {
    const id = randomUUID();
    const number = numbers[i]!;
    const proceedingId = proceedingOf(p);
    const draft = draftValues(ctx, o, proceedingId, p.doc);
    const counterpart = { id: p.doc.requestedBody!.id!, party: p.doc.requestedBody!.party!, name: '' };
    const queued = outboxValues({ id, counterpart_body: counterpart, counterpart_forwarded_to: null }, 'request', {
      requestId: id,
    });
    requests.push({
      ...draft,
      id,
      number,
      state,
      document: JSON.stringify(signedDocument(p.doc, number, today)),
      message_id: queued.messageId,
      search_keys: [...(draft.search_keys as string[]), ctx.sealer.blindIndex(numberTerm(number))],
      version: 1,
      updated_at: now,
      batch_id: batchId,
      batch_row: p.n,
    });
    events.push({
      request_id: id,
      event: 'sign',
      side: 'requesting',
      officer_id: o.officerId,
      data: JSON.stringify(signEventData(o, number)),
      at: now,
    });
    outbox.push(queued.values);
    const made = proceedingAuditOf.get(p.index);
    if (made) audit.push(made);
    audit.push(draftAudit(id, proceedingId, { batchId, row: p.n }));
    audit.push({
      action: 'request.sign',
      bodyId: body.id,
      requestId: id,
      // As applyEvent writes it for a draft: the subject is the number before signing (none).
      subject: '',
      details: { from: 'draft', to: state },
    });
  });
  await insertSliced(requests, (s) => tx.insertInto('requests').values(s).execute());
  await insertSliced(
    todo.flatMap((p, i) => itemValues(requests[i]!.id!, p.doc)),
    (s) => tx.insertInto('request_items').values(s).execute(),
  );
  await insertSliced(events, (s) => tx.insertInto('request_events').values(s).execute());
  await insertSliced(outbox, (s) => tx.insertInto('outbox').values(s).execute());
  await appendAuditMany(tx, ctx, o, audit);
}

// ---- what the officer sees ------------------------------------------------------------------------

export interface BatchView extends BatchProgress {
  readonly bodyId: string;
  readonly source: 'csv' | 'xlsx' | 'json';
  readonly fileName: string | null;
  readonly requestedBody: { party: string; id: string; name: string };
  readonly error: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly validatedAt: Date | null;
  readonly finishedAt: Date | null;
  /** Requests of the batch whose receipt the other Party's node gave (R12.a). */
  readonly receipted: number;
  readonly problemsTotal: number;
  readonly problems: readonly RowProblem[];
}

async function visibleBatch(ctx: AppContext, actor: Actor, id: string): Promise<Selectable<BatchesTable>> {
  const o = requireRole(actor, 'officer', 'supervisor', 'central');
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const b = UUID.test(id)
    ? await ctx.db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!b || !canSeeBody(o, b.body_id)) throw new EixError('batch.not_found', { id });
  return b;
}

/** A batch's progress and (a page of) its report. */
export async function getBatch(
  ctx: AppContext,
  actor: Actor,
  id: string,
  page: { limit?: number; offset?: number } = {},
): Promise<BatchView> {
  const b = await visibleBatch(ctx, actor, id);
  const [problems, total, receipted] = await Promise.all([
    ctx.db
      .selectFrom('batch_problems')
      .select(['row_no', 'field', 'path', 'code', 'message'])
      .where('batch_id', '=', b.id)
      .orderBy('row_no')
      .orderBy('id')
      .limit(Math.min(page.limit ?? 200, 5000))
      .offset(page.offset ?? 0)
      .execute(),
    ctx.db
      .selectFrom('batch_problems')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('batch_id', '=', b.id)
      .executeTakeFirstOrThrow(),
    ctx.db
      .selectFrom('requests')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('batch_id', '=', b.id)
      .where('state', 'not in', ['draft', 'signed', 'sent'])
      .executeTakeFirstOrThrow(),
  ]);
  return {
    ...progressOf(b),
    bodyId: b.body_id,
    source: b.source,
    fileName: b.file_name,
    requestedBody: b.requested_body,
    error: b.error,
    createdAt: b.created_at,
    startedAt: b.started_at,
    validatedAt: b.validated_at,
    finishedAt: b.finished_at,
    receipted: Number(receipted.n),
    problemsTotal: Number(total.n),
    problems: problems.map((p) => ({ row: p.row_no, field: p.field, path: p.path, code: p.code, message: p.message })),
  };
}

/** The whole report of a batch (the CSV download), row by row. */
export async function batchReport(ctx: AppContext, actor: Actor, id: string): Promise<RowProblem[]> {
  const b = await visibleBatch(ctx, actor, id);
  const rows = await ctx.db
    .selectFrom('batch_problems')
    .select(['row_no', 'field', 'path', 'code', 'message'])
    .where('batch_id', '=', b.id)
    .orderBy('row_no')
    .orderBy('id')
    .execute();
  return rows.map((p) => ({ row: p.row_no, field: p.field, path: p.path, code: p.code, message: p.message }));
}

/** The latest batches the officer may see (his body's; a central officer's: the node's). */
export async function listBatches(ctx: AppContext, actor: Actor, limit = 20): Promise<BatchProgress[]> {
  const o = requireRole(actor, 'officer', 'supervisor', 'central');
  const rows = await ctx.db
    .selectFrom('batches')
    .select(['id', 'state', 'total', 'validated', 'failed', 'created', 'file_name', 'created_at', 'body_id'])
    .where((eb) => (o.roles.includes('central') ? eb.lit(true) : eb('body_id', '=', o.bodyId)))
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, fileName: r.file_name, createdAt: r.created_at }));
}
