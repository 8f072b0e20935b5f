// Issue 15.6, R12.a: the statistics count a request's turnaround in the requested Party's working days, in SQL,
// from `working_days` (migration 024): the calendars are data files, so this writes them into the database from
// the calendars the node runs with, and counts the turnarounds of the summary again for each calendar that
// changed (a year published, a holiday decreed, a calendar installed where there was none). Each calendar's
// fingerprint is kept in node_settings; a process checks it at start (src/main.ts) and before its first
// statistics query, so the figures always follow the calendars in force — as if counted at every query.
// While a calendar is written, changes of requests wait (a share lock on the table): the turnarounds counted
// again and those the trigger appends cannot overlap.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../adapters/db/schema.js';
import { factsOf } from '../adapters/db/migrations/024-statistics-summary.js';
import type { Calendar } from '../domain/calendar.js';
import { fromDayNumber } from '../domain/dates.js';
import { PARTIES } from '../domain/parties.js';
import { foldStatisticsChanges } from './statistics-summary.js';
import type { AppContext } from './context.js';

const KEY = 'statistics_calendars';
/** The calendar of requests received here (this node's Party). */
export const OWN_CALENDAR = 'own';

/** What the turnarounds depend on in a calendar: its span and which days are working days. */
export function calendarFingerprint(cal: Calendar | null): string {
  if (!cal) return 'none';
  let f = fingerprints.get(cal);
  if (!f) {
    f = createHash('sha256')
      .update(`${cal.first}:`)
      .update(Buffer.from(cal.cumulative.buffer, cal.cumulative.byteOffset, cal.cumulative.byteLength))
      .digest('hex')
      .slice(0, 32);
    fingerprints.set(cal, f);
  }
  return f;
}
const fingerprints = new WeakMap<Calendar, string>();

/** The fingerprints last checked against each database by this process. */
const checked = new WeakMap<object, string>();

/** Serialises the writing of the calendars between processes of one node (a transaction lock). */
const CALENDARS_LOCK = 7_420_024;

/** The calendars the node runs with, keyed as working_days keys them. */
async function calendarsOf(ctx: AppContext): Promise<Map<string, Calendar | null>> {
  const out = new Map<string, Calendar | null>();
  const load = (p: string) => ctx.calendar(p).catch(() => null);
  out.set(OWN_CALENDAR, await load(ctx.party));
  for (const p of Object.keys(PARTIES)) if (p !== ctx.party) out.set(p, await load(p));
  return out;
}

/** Writes the calendars that changed and counts their turnarounds again; returns the calendars written. */
export async function refreshStatisticsCalendars(ctx: AppContext): Promise<{ calendars: string[] }> {
  const calendars = await calendarsOf(ctx);
  const now = Object.fromEntries([...calendars].map(([k, c]) => [k, calendarFingerprint(c)]));
  const all = JSON.stringify(now);
  if (checked.get(ctx.db) === all) return { calendars: [] };
  const written = await ctx.db.transaction().execute(async (tx) => {
    // Two processes of one node starting together on one PostgreSQL database: one writes, the other then reads
    // what it wrote and has nothing to do (share locks on requests do not exclude each other; this lock does).
    await sql`select pg_advisory_xact_lock(${CALENDARS_LOCK})`.execute(tx);
    const row = await tx.selectFrom('node_settings').select('value').where('key', '=', KEY).executeTakeFirst();
    const stored = (row?.value ?? {}) as Record<string, string>;
    const changed = [...calendars.keys()].filter((k) => stored[k] !== now[k]);
    if (changed.length === 0) return changed;
    await sql`lock table requests in share mode`.execute(tx);
    await foldStatisticsChanges(tx);
    for (const key of changed) await writeCalendar(tx, key, calendars.get(key)!);
    await tx
      .insertInto('node_settings')
      .values({ key: KEY, value: all })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: all, updated_at: ctx.clock.now() }))
      .execute();
    return changed;
  });
  checked.set(ctx.db, all);
  return { calendars: written };
}

async function writeCalendar(db: Kysely<DB>, key: string, cal: Calendar | null): Promise<void> {
  await sql`delete from working_days where calendar = ${key}`.execute(db);
  if (cal) {
    // cumulative[i + 1]: working days among the covered days up to index i, as workingDaysBetween reads it.
    const days = Array.from({ length: cal.last - cal.first + 1 }, (_, i) => fromDayNumber(cal.first + i));
    const ords = Array.from(cal.cumulative.subarray(1));
    await sql`insert into working_days (calendar, day, ord)
      select ${key}, d, o from unnest(${days}::date[], ${ords}::int[]) as x(d, o)`.execute(db);
  }
  const requested =
    key === OWN_CALENDAR
      ? sql`r.direction = 'incoming'`
      : sql`r.direction = 'outgoing' and r.counterpart_party = ${key}`;
  await sql`delete from request_statistics s where s.fact = 'turnaround' and ${
    key === OWN_CALENDAR ? sql`s.direction = 'incoming'` : sql`s.direction = 'outgoing' and s.partner = ${key}`
  }`.execute(db);
  await sql`insert into request_statistics (month, direction, partner, body_id, fact, value, n)
    select f.month, f.direction, f.partner, f.body_id, f.fact, f.value, count(*)
    from requests r cross join lateral ${sql.raw(factsOf('r'))} f
    where ${requested} and r.responded_on is not null and f.fact = 'turnaround'
    group by 1, 2, 3, 4, 5, 6`.execute(db);
}
