// Seeds a node's database with `count` requests as a busy Russian node holds
// them: both directions, several bodies and Parties, realistic states, dates
// over two years, incoming documents sealed under the node's data key (the
// list unseals the debtors it shows), debtors from a few hundred surnames
// (searchable through the blind index), one to three items each. Rows go in
// by batches of multi-row inserts; items in one statement.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../src/app/context.js';
import { addDays, type IsoDate } from '../src/domain/dates.js';
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

export async function seedRequests(
  ctx: AppContext,
  o: { bodies: readonly string[]; proceedingId: string; count: number; today: IsoDate },
): Promise<void> {
  const base = aRequest();
  const BATCH = 1000;
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
      rows.push({
        id,
        direction: incoming ? ('incoming' as const) : ('outgoing' as const),
        number: incoming ? `${party}/2026/${g}` : `${body}/2026/${String(g).padStart(6, '0')}`,
        body_id: body,
        proceeding_id: incoming ? null : o.proceedingId,
        counterpart_party: party,
        counterpart_body: JSON.stringify({
          id: `${party.toLowerCase()}-central`,
          party,
          name: `Центральный орган ${party}`,
        }),
        state,
        document: incoming ? null : JSON.stringify(doc),
        document_enc: incoming ? ctx.sealer.encryptJson(doc, `request:${id}`) : null,
        key_id: incoming ? ctx.sealer.activeKeyId : null,
        confidential: g % 50 === 0,
        shorter_term: g % 7 === 0 ? addDays(receivedOn, 20) : null,
        received_at: sentYet ? new Date(`${receivedOn}T09:00:00Z`) : null,
        received_on: sentYet ? receivedOn : null,
        deadline: sentYet ? addDays(receivedOn, 42) : null,
        deadline_basis: sentYet ? 'R12.a' : null,
        delay_until: g % 11 === 0 && sentYet ? addDays(receivedOn, 60) : null,
        message_id: `bench-${g}-${id.slice(0, 8)}`,
        search_keys: keys,
        updated_at: new Date(Date.parse(`${receivedOn}T12:00:00Z`) + (g % 86_400) * 1000),
      });
    }
    await ctx.db.insertInto('requests').values(rows).execute();
  }
  await sql`insert into request_items (request_id, item_no, kind, provisions)
    select r.id, n, (${sql.val(KINDS)}::text[])[1 + (abs(hashtext(r.id::text)) + n) % ${KINDS.length}], '{}'::text[]
    from requests r cross join generate_series(1, 3) n
    where n <= 1 + abs(hashtext(r.number)) % 3
    on conflict do nothing`.execute(ctx.db);
  // Issue 15.6: what the statistics read of each request's history (migration 020), as applyEvent keeps it:
  // the answer or refusal day, the refusal's ground, a request for more information (R14), the check on receipt.
  await sql`update requests set
      responded_on = case when state in ('answered', 'refused')
        then least(received_on + (3 + abs(hashtext(id::text)) % 55), ${o.today}::date) end,
      refusal_ground = case when state = 'refused'
        then (${sql.val(GROUNDS)}::text[])[1 + abs(hashtext(number)) % ${GROUNDS.length}] end,
      additional_info_asked = abs(hashtext(id::text)) % 9 = 0,
      receipt_check = case when direction = 'incoming' and abs(hashtext(number)) % 7 = 0
        then cast(${JSON.stringify(RECEIPT_CHECK)} as jsonb) end
    where received_on is not null`.execute(ctx.db);
  await sql`analyze`.execute(ctx.db);
}
