// Seeds a node's database with `count` requests as a busy Russian node holds
// them: both directions, several bodies and Parties, realistic states, dates
// over two years, incoming documents sealed under the node's data key (the
// list unseals the debtors it shows), debtors from a few hundred surnames
// (searchable through the blind index), one to three items each. Rows go in
// by batches of one JSON parameter each; items in one statement.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { FILL_SUMMARY } from '../src/adapters/db/migrations/024-statistics-summary.js';
import { STATISTICS_TRIGGERS } from '../src/adapters/db/migrations/030-statistics-per-statement.js';
import type { AppContext } from '../src/app/context.js';
import { refreshStatisticsCalendars } from '../src/app/refresh-statistics-calendars.js';
import { addDays, minDate, type IsoDate } from '../src/domain/dates.js';
import type { Request } from '../src/domain/request.js';
import { personTerms, documentTerms } from '../src/domain/search.js';
import { aRequest } from '../test/support/requests.js';

const SURNAMES = [
  'Иванов',
  'Петров',
  'Сидоров',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Васильев',
  'Соколов',
  'Михайлов',
  'Новиков',
  'Фёдоров',
  'Морозов',
  'Волков',
  'Алексеев',
  'Лебедев',
  'Семёнов',
  'Егоров',
  'Павлов',
  'Козлов',
  'Степанов',
  'Николаев',
  'Орлов',
  'Андреев',
  'Макаров',
  'Никитин',
  'Захаров',
  'Зайцев',
  'Соловьёв',
  'Борисов',
  'Яковлев',
  'Нурланов',
  'Ахметов',
  'Сейткали',
  'Жумабаев',
  'Касымов',
  'Омаров',
  'Абдуллаев',
  'Каримов',
  'Рахимов',
  'Усманов',
];
const NAMES = ['Иван', 'Пётр', 'Сергей', 'Алексей', 'Дмитрий', 'Нурлан', 'Айгуль', 'Марат', 'Ольга', 'Елена'];
const PARTIES = ['KZ', 'KZ', 'KZ', 'BY', 'BY', 'KG', 'AM', 'TJ'];
const INCOMING_STATES = [
  ...Array<string>(10).fill('received'),
  ...Array<string>(10).fill('in_progress'),
  ...Array<string>(4).fill('postponed'),
  ...Array<string>(6).fill('partially_answered'),
  ...Array<string>(58).fill('answered'),
  ...Array<string>(12).fill('refused'),
];
const OUTGOING_STATES = [
  ...Array<string>(3).fill('draft'),
  ...Array<string>(2).fill('signed'),
  ...Array<string>(2).fill('sent'),
  ...Array<string>(10).fill('received'),
  ...Array<string>(10).fill('in_progress'),
  ...Array<string>(6).fill('partially_answered'),
  ...Array<string>(52).fill('answered'),
  ...Array<string>(10).fill('refused'),
  ...Array<string>(5).fill('withdrawn'),
];
const GROUNDS = ['sovereignty', 'security', 'law', 'international_obligations', 'declaration'];
const RECEIPT_CHECK = {
  problems: [{ code: 'R11.1.d.operativePart', path: 'executiveDocument.operativePart', message: 'Не заполнено' }],
  notices: [],
};
const KINDS = ['property', 'employment_income', 'location', 'proceedings', 'documents'];

/** Surname `i`'s debtor; the benchmark searches SURNAMES[0] (one debtor in 40). */
export const SEARCHED_SURNAME = SURNAMES[0]!;

/** A deterministic spread of `g` over 0 … 2³¹ (what hashtext gave the SQL seed before). */
function spread(g: number, salt: number): number {
  let h = Math.imul(g ^ salt, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

export async function seedRequests(
  ctx: AppContext,
  o: { bodies: readonly string[]; proceedingId: string; count: number; today: IsoDate },
): Promise<void> {
  const base = aRequest();
  // One JSON parameter per batch (jsonb_populate_recordset): 1M rows go in about ten times faster than as
  // multi-row VALUES with a parameter per column, and no pass over the table afterwards.
  const BATCH = 2000;
  // The secondary indexes are dropped during the load and built again after it, from their own definitions
  // (what the migrations created): building an index once is several times faster than keeping it up to date
  // row by row (1M rows, thirteen indexes, a GIN among them).
  const indexes = (
    await sql<{ name: string; def: string }>`select i.indexname as name, i.indexdef as def from pg_indexes i
      where i.tablename = 'requests' and i.schemaname = current_schema()
        and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(ctx.db)
  ).rows;
  for (const i of indexes) await sql`drop index ${sql.id(i.name)}`.execute(ctx.db);
  // The statistics summary (migration 024) is counted once after the load rather than row by row by its trigger.
  for (const t of STATISTICS_TRIGGERS) await sql`alter table requests disable trigger ${sql.id(t)}`.execute(ctx.db);
  let pending: Promise<unknown> = Promise.resolve();
  for (let start = 0; start < o.count; start += BATCH) {
    const rows = [];
    for (let g = start; g < Math.min(o.count, start + BATCH); g++) {
      const incoming = g % 2 === 0;
      const id = randomUUID();
      const party = PARTIES[g % PARTIES.length]!;
      // Two thirds in the first body (the benchmark's officer), the rest spread.
      const body =
        g % 3 === 2 && o.bodies.length > 1 ? o.bodies[1 + (((g / 3) | 0) % (o.bodies.length - 1))]! : o.bodies[0]!;
      const debtor = {
        ...base.debtor,
        surname: SURNAMES[(g * 7) % SURNAMES.length]!,
        name: NAMES[g % NAMES.length]!,
        latinName: undefined,
      } as Request['debtor'];
      const doc: Request = { ...base, number: `${party}/2026/${g}`, debtor };
      const receivedOn = addDays(o.today, -((g * 37) % 730));
      const states = incoming ? INCOMING_STATES : OUTGOING_STATES;
      const state = states[(g * 13) % states.length]!;
      const sentYet = !['draft', 'signed', 'sent'].includes(state);
      const keys = [...personTerms(debtor), ...documentTerms([doc.executiveDocument!])].map((t) =>
        ctx.sealer.blindIndex(t),
      );
      // Issue 15.6: what the statistics read of each request's history, as applyEvent keeps it: the answer or
      // refusal day, the refusal's ground, a request for more information (R14), the check on receipt.
      const h1 = spread(g, 0x5eed);
      const h2 = spread(g, 0xbeef);
      const respondedOn =
        sentYet && (state === 'answered' || state === 'refused')
          ? minDate(addDays(receivedOn, 3 + (h1 % 55)), o.today)
          : null;
      rows.push({
        id,
        direction: incoming ? 'incoming' : 'outgoing',
        number: incoming ? `${party}/2026/${g}` : `${body}/2026/${String(g).padStart(6, '0')}`,
        body_id: body,
        proceeding_id: incoming ? null : o.proceedingId,
        counterpart_party: party,
        counterpart_body: { id: `${party.toLowerCase()}-central`, party, name: `Центральный орган ${party}` },
        state,
        document: incoming ? null : doc,
        document_enc: incoming ? `\\x${ctx.sealer.encryptJson(doc, `request:${id}`).toString('hex')}` : null,
        key_id: incoming ? ctx.sealer.activeKeyId : null,
        confidential: g % 50 === 0,
        shorter_term: g % 7 === 0 ? addDays(receivedOn, 20) : null,
        received_at: sentYet ? `${receivedOn}T09:00:00Z` : null,
        received_on: sentYet ? receivedOn : null,
        deadline: sentYet ? addDays(receivedOn, 42) : null,
        deadline_basis: sentYet ? 'R12.a' : null,
        delay_until: g % 11 === 0 && sentYet ? addDays(receivedOn, 60) : null,
        message_id: `bench-${g}-${id.slice(0, 8)}`,
        search_keys: keys,
        updated_at: new Date(Date.parse(`${receivedOn}T12:00:00Z`) + (g % 86_400) * 1000).toISOString(),
        responded_on: respondedOn,
        refusal_ground: sentYet && state === 'refused' ? GROUNDS[h2 % GROUNDS.length]! : null,
        additional_info_asked: sentYet && h1 % 9 === 0,
        receipt_check: incoming && sentYet && h2 % 7 === 0 ? RECEIPT_CHECK : null,
      });
    }
    const columns = sql.join(Object.keys(rows[0]!).map((c) => sql.id(c)));
    // The next batch is built while this one is inserted.
    await pending;
    pending = sql`insert into requests (${columns})
      select ${columns} from jsonb_populate_recordset(null::requests, ${JSON.stringify(rows)}::jsonb)`.execute(ctx.db);
  }
  await pending;
  for (const i of indexes) await sql.raw(i.def).execute(ctx.db);
  await sql`insert into request_items (request_id, item_no, kind, provisions)
    select r.id, n, (${sql.val(KINDS)}::text[])[1 + (abs(hashtext(r.id::text)) + n) % ${KINDS.length}], '{}'::text[]
    from requests r cross join generate_series(1, 3) n
    where n <= 1 + abs(hashtext(r.number)) % 3
    on conflict do nothing`.execute(ctx.db);
  for (const t of STATISTICS_TRIGGERS) await sql`alter table requests enable trigger ${sql.id(t)}`.execute(ctx.db);
  await refreshStatisticsCalendars(ctx);
  await sql`delete from request_statistics_changes`.execute(ctx.db);
  await sql`delete from request_statistics`.execute(ctx.db);
  await sql.raw(FILL_SUMMARY).execute(ctx.db);
  await sql`vacuum analyze requests`.execute(ctx.db);
  await sql`analyze`.execute(ctx.db);
}
