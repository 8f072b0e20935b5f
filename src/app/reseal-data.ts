// Re-encryption of sealed personal data under the active data key (R9.4,
// ASVS V1.6.3): after `eix node rotate-data-key`, every value still sealed
// under an older key is opened with that key and sealed again with the active
// one, under the same AAD. Batches of rows, each in its own transaction, in
// primary-key order: a crash loses at most one batch's work and a second run
// continues (rows already under the active key are not selected again).
// A value that does not open is left as it is and reported, never overwritten.
import { sql } from 'kysely';
import { EixError } from '../domain/errors.js';
import type { Tx } from '../ports/store.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';
import {
  countSealedByKey,
  SEALED_COLUMNS,
  sealedBytes,
  sealedColumnName,
  sealedUnder,
  type SealedColumn,
} from './sealed-columns.js';

export interface ResealOptions {
  /** Rows per batch (per transaction); columns with large values use fewer. */
  readonly batchSize?: number;
}

export interface ResealColumnReport {
  readonly column: string;
  /** Values sealed again under the active key by this run. */
  readonly resealed: number;
  /** Rows whose value could not be opened (left unchanged): their primary keys. */
  readonly unreadable: readonly string[];
}

export interface ResealResult {
  readonly activeKeyId: string;
  readonly columns: readonly ResealColumnReport[];
  readonly resealed: number;
  readonly unreadable: number;
  /** Values per key id after the run, over all sealed columns. */
  readonly byKey: Readonly<Record<string, number>>;
}

export const DEFAULT_BATCH = 200;

/** Console only: key management is an act of whoever holds the node's home, not of an officer. */
export function requireConsole(actor: Actor): void {
  if (actor.kind !== 'system') {
    throw new EixError(
      'access.denied',
      {},
      'Управление ключами данных выполняется только из консоли сервера (eix node …)',
    );
  }
}

export async function resealData(ctx: AppContext, actor: Actor, options: ResealOptions = {}): Promise<ResealResult> {
  requireConsole(actor);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new EixError(
      'input.invalid',
      { field: 'batchSize', value: batchSize },
      `Размер пакета (batchSize) должен быть целым числом от 1 до 10000 (получено: ${String(batchSize)})`,
    );
  }
  const columns: ResealColumnReport[] = [];
  for (const c of SEALED_COLUMNS)
    columns.push(await resealColumn(ctx, c, Math.min(batchSize, c.maxBatch ?? batchSize)));
  const byKey: Record<string, number> = {};
  for (const col of await countSealedByKey(ctx.db)) {
    for (const [k, n] of Object.entries(col.byKey)) byKey[k] = (byKey[k] ?? 0) + n;
  }
  const result: ResealResult = {
    activeKeyId: ctx.sealer.activeKeyId,
    columns,
    resealed: columns.reduce((n, c) => n + c.resealed, 0),
    unreadable: columns.reduce((n, c) => n + c.unreadable.length, 0),
    byKey,
  };
  await ctx.db.transaction().execute((tx) =>
    appendAudit(tx, ctx, actor, {
      action: 'data_key.reseal',
      subject: result.activeKeyId,
      details: {
        activeKeyId: result.activeKeyId,
        resealed: result.resealed,
        unreadable: result.unreadable,
        byKey,
        columns: Object.fromEntries(columns.map((c) => [c.column, c.resealed])),
      },
    }),
  );
  return result;
}

async function resealColumn(ctx: AppContext, c: SealedColumn, batch: number): Promise<ResealColumnReport> {
  const active = ctx.sealer.activeKeyId;
  let resealed = 0;
  const unreadable: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { done: boolean; last: string | null; resealed: number; unreadable: string[] } = await ctx.db
      .transaction()
      .execute((tx) => resealBatch(ctx, tx, c, active, after, batch));
    resealed += page.resealed;
    unreadable.push(...page.unreadable);
    if (page.done) break;
    after = page.last;
  }
  return { column: sealedColumnName(c), resealed, unreadable };
}

async function resealBatch(
  ctx: AppContext,
  tx: Tx,
  c: SealedColumn,
  active: string,
  after: string | null,
  batch: number,
): Promise<{ done: boolean; last: string | null; resealed: number; unreadable: string[] }> {
  const aadSelect = Object.entries(c.aadSelect).map(([alias, expr]) => sql`${sql.raw(expr)} as ${sql.ref(alias)}`);
  const key = sql.ref(c.key);
  const rows = await sql<Record<string, unknown> & { pk: unknown; enc: Uint8Array }>`
    select ${key}::text as pk, ${sealedBytes(c)} as enc, ${sql.join(aadSelect)}
    from ${sql.table(c.table)}
    where ${sealedUnder(c, active, false)} ${after === null ? sql`` : sql`and ${key} > ${after}`}
    order by ${key} limit ${batch} for update`.execute(tx);
  let resealed = 0;
  const unreadable: string[] = [];
  for (const row of rows.rows) {
    const aad = c.aad(row);
    let plain: Buffer;
    try {
      plain = ctx.sealer.decrypt(row.enc, aad);
    } catch (e) {
      if (!(e instanceof EixError)) throw e;
      unreadable.push(String(row.pk));
      continue;
    }
    const fresh = ctx.sealer.encrypt(plain, aad);
    plain.fill(0);
    const set = c.jsonField
      ? sql`${sql.ref(c.column)} = jsonb_set(${sql.ref(c.column)}, ${sql.lit(`{${c.jsonField}}`)}, to_jsonb(${fresh.toString('base64')}::text))`
      : sql`${sql.ref(c.column)} = ${fresh}${c.keyIdColumn ? sql`, ${sql.ref(c.keyIdColumn)} = ${active}` : sql``}`;
    await sql`update ${sql.table(c.table)} set ${set} where ${key} = ${String(row.pk)}`.execute(tx);
    resealed += 1;
  }
  const last = rows.rows.length ? String(rows.rows[rows.rows.length - 1]!.pk) : null;
  return { done: rows.rows.length < batch, last, resealed, unreadable };
}
