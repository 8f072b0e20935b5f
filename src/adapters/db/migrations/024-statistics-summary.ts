// 024: the statistics (issue 15, item 6) read a summary kept up to date by a trigger, not one row per request:
// at a million requests a year of figures is some thirty thousand summary rows instead of half a million
// requests (docs/ARCHITECTURE.md, decision 38).
// - request_statistics_facts(r): what one request contributes, as facts of its group (month of receipt,
//   direction, other Party, body): `requests`, `answered`, `answered_in_time`, `open`, `refused`,
//   `refused_<ground>`, `withdrawn`, `forwarded`, `additional_info_asked`, `incomplete_on_receipt`;
//   `overdue_notified`/`overdue_silent` for an answer or refusal after the deadline, `pending_notified`/
//   `pending_silent` with the deadline (day number) for a request still unanswered — overdue once the deadline
//   is before the requested Party's today, decided by the query; `turnaround` with the requested Party's working
//   days from receipt to the first final answer or refusal (R12.a); `reason:<code>|<field>` per problem the
//   check on receipt found (R11). The same definitions as the statement they replace (020).
// - working_days: the requested Parties' calendars as working-day numbers (`calendar`: 'own' for this node's
//   Party — incoming requests — or the other Party's code — outgoing requests); the calendars are data
//   files, so refreshStatisticsCalendars writes them from the calendars the node runs with (at start, and at
//   the first statistics query of a process whose calendars differ) and counts the turnarounds again.
// - request_statistics_changes: the trigger on requests appends the difference of a change (the facts of the
//   new row minus those of the old, nothing when equal) — appends only, so officers' transactions never wait
//   on one another for a counter; request_statistics: the changes summed, folded in by the statistics query.
import { OPEN_STATES, REFUSAL_GROUNDS } from '../../../domain/workflow.js';

// Changing these lists later needs a migration that redefines request_statistics_facts and refills the summary.
const KNOWN = REFUSAL_GROUNDS.map((g) => `'${g}'`).join(', ');
const OPEN = OPEN_STATES.map((s) => `'${s}'`).join(', ');

/**
 * The facts of the request aliased `alias` in a statement's FROM. Passed as a row built of its columns, not as
 * the bare whole-row reference: once the function is inlined (034), PostgreSQL 15 and 17 fail to plan a lateral
 * call on a table's whole-row reference («variable not found in subplan target list»), and the row's fields are
 * then plain column references.
 */
export const factsOf = (alias: string) => `request_statistics_facts(row(${alias}.*)::requests)`;

/** Every stored request's facts, turnarounds included once working_days is filled (also used by the bench seed). */
export const FILL_SUMMARY = `insert into request_statistics (month, direction, partner, body_id, fact, value, n)
  select f.month, f.direction, f.partner, f.body_id, f.fact, f.value, count(*)
  from requests r cross join lateral ${factsOf('r')} f
  group by 1, 2, 3, 4, 5, 6`;

/** The facts function's name, argument and result (024 creates it in PL/pgSQL, 034 replaces it in SQL). */
export const FACTS_FUNCTION = (
  verb: 'create' | 'create or replace',
) => `${verb} function request_statistics_facts(r requests)
   returns table (month date, direction text, partner text, body_id text, fact text, value integer)`;

/**
 * What one request `r` contributes (the body of request_statistics_facts): 024 wrapped it in PL/pgSQL, 034 in SQL
 * (inlined into the statement that calls it).
 */
export const FACTS_QUERY = `     select r.received_on - (extract(day from r.received_on)::int - 1), r.direction, r.counterpart_party::text,
       r.body_id, f.fact, f.value
     from (values
       ('requests', 0, true),
       ('answered', 0, r.state = 'answered'),
       ('answered_in_time', 0, r.state = 'answered' and r.responded_on <= r.deadline),
       ('open', 0, r.state in (${OPEN})),
       ('overdue_notified', 0, r.state <> 'withdrawn' and r.deadline < r.responded_on and r.delay_until is not null),
       ('overdue_silent', 0, r.state <> 'withdrawn' and r.deadline < r.responded_on and r.delay_until is null),
       ('pending_notified', r.deadline - date '1970-01-01',
         r.state <> 'withdrawn' and r.responded_on is null and r.delay_until is not null),
       ('pending_silent', r.deadline - date '1970-01-01',
         r.state <> 'withdrawn' and r.responded_on is null and r.delay_until is null),
       ('refused', 0, r.state = 'refused'),
       ('refused_' || case when r.refusal_ground in (${KNOWN}) then r.refusal_ground else 'unknown' end, 0,
         r.state = 'refused'),
       ('withdrawn', 0, r.state = 'withdrawn'),
       ('forwarded', 0, (r.direction = 'incoming' and r.addressed_to is not null and r.addressed_to <> r.body_id)
         or (r.direction = 'outgoing' and r.counterpart_forwarded_to is not null)),
       ('additional_info_asked', 0, r.additional_info_asked),
       ('incomplete_on_receipt', 0, r.direction = 'incoming' and r.receipt_problems > 0)
     ) f(fact, value, yes)
     where r.received_on is not null and f.yes and f.value is not null
     union all
     select r.received_on - (extract(day from r.received_on)::int - 1), r.direction, r.counterpart_party::text,
       r.body_id, 'turnaround', e.ord - s.ord
     from working_days s join working_days e on e.calendar = s.calendar and e.day = r.responded_on
     where s.calendar = case when r.direction = 'incoming' then 'own' else r.counterpart_party::text end
       and s.day = r.received_on
     union all
     select r.received_on - (extract(day from r.received_on)::int - 1), r.direction, r.counterpart_party::text,
       r.body_id, 'reason:' || (p ->> 'code') || '|' || coalesce(p ->> 'path', ''), 0
     from jsonb_array_elements(case when r.received_on is not null and r.direction = 'incoming'
       and r.receipt_problems > 0 then r.receipt_check -> 'problems' end) p;`;

export const statements: readonly string[] = [
  `create table working_days (
     calendar text not null,
     day date not null,
     ord integer not null,
     primary key (calendar, day)
   )`,
  `create table request_statistics (
     month date not null,
     direction text not null,
     partner text not null,
     body_id text not null,
     fact text not null,
     value integer not null,
     n integer not null,
     primary key (month, direction, partner, body_id, fact, value)
   )`,
  `create table request_statistics_changes (
     month date not null,
     direction text not null,
     partner text not null,
     body_id text not null,
     fact text not null,
     value integer not null,
     n integer not null
   )`,
  'create index request_statistics_changes_month on request_statistics_changes (month)',
  `${FACTS_FUNCTION('create')}
   language plpgsql stable as $$
   #variable_conflict use_column
   begin
     return query
${FACTS_QUERY}
   end $$`,
  `create function request_statistics_track() returns trigger language plpgsql as $$
   begin
     insert into request_statistics_changes (month, direction, partner, body_id, fact, value, n)
     select x.month, x.direction, x.partner, x.body_id, x.fact, x.value, sum(x.n)
     from (
       select f.*, -1 as n from request_statistics_facts(old) f where tg_op <> 'INSERT'
       union all
       select f.*, 1 as n from request_statistics_facts(new) f where tg_op <> 'DELETE'
     ) x
     group by 1, 2, 3, 4, 5, 6
     having sum(x.n) <> 0;
     return null;
   end $$`,
  `create trigger requests_statistics after insert or update or delete on requests
     for each row execute function request_statistics_track()`,
  FILL_SUMMARY,
  // The summary replaces the period scan of 020.
  'drop index requests_statistics',
];
