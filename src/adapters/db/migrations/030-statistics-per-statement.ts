// 030: the statistics summary's trigger (024) runs once per statement, not once per row (issue 16, item 3).
// Row by row it ran a PL/pgSQL function and its own INSERT … SELECT … GROUP BY for every request written: under
// the load bench (auto_explain with its triggers timed) 0.1–0.4 ms of PostgreSQL's time per row — the most costly
// part of writing a request, in each of the three transactions of an exchange (the sender's batch chunk, the
// receiver's bundle, the sender's recording of the receipts). Now one trigger per event reads the statement's
// transition tables (every row it inserted, updated or deleted, as before and after) and appends their
// differences grouped, in one INSERT: the same sums (request_statistics_changes is only ever summed), fewer rows.
// A statement-level trigger can name transition tables for one event only, hence three triggers on one function.
// request_statistics_facts stays the PL/pgSQL function of 024: as an SQL function PostgreSQL would inline it, and
// PostgreSQL 15 fails to plan the inlined UNION ALL over a whole-row argument («variable not found in subplan
// target list»).
const COLUMNS = 'month, direction, partner, body_id, fact, value';

/** The facts of a transition table's rows, each counted `sign` times. */
const facts = (rows: string, sign: number) =>
  `select f.*, ${sign} as n from ${rows} r cross join lateral request_statistics_facts(r::requests) f`;

/** Appends the facts counted by `rows` (grouped; a group whose changes cancel out appends nothing). */
const append = (rows: string) =>
  `insert into request_statistics_changes (${COLUMNS}, n)
       select ${COLUMNS}, sum(n) from (${rows}) x group by 1, 2, 3, 4, 5, 6 having sum(n) <> 0;`;

/**
 * The trigger function: per event, the facts (`rows`: a SELECT of facts, each with its sign `n`) appended to
 * request_statistics_changes. 032 redefines it with other rows (`create or replace`).
 */
export const trackFunction = (
  verb: 'create' | 'create or replace',
  rows: { readonly insert: string; readonly delete: string; readonly update: string },
) =>
  `${verb} function request_statistics_track() returns trigger language plpgsql as $$
   begin
     if tg_op = 'INSERT' then
       ${append(rows.insert)}
     elsif tg_op = 'DELETE' then
       ${append(rows.delete)}
     else
       ${append(rows.update)}
     end if;
     return null;
   end $$`;

/** The transition tables each event's trigger reads (a trigger names them for one event only). */
const REFERENCING = {
  insert: 'new table as new_rows',
  update: 'old table as old_rows new table as new_rows',
  delete: 'old table as old_rows',
} as const;

/** The summary's triggers by name (the bench's seed disables them while it loads a million rows). */
export const STATISTICS_TRIGGERS = Object.keys(REFERENCING).map((event) => `requests_statistics_${event}`);

export const statements: readonly string[] = [
  'drop trigger requests_statistics on requests',
  'drop function request_statistics_track()',
  trackFunction('create', {
    insert: facts('new_rows', 1),
    delete: facts('old_rows', -1),
    update: `${facts('old_rows', -1)} union all ${facts('new_rows', 1)}`,
  }),
  ...Object.entries(REFERENCING).map(
    ([event, tables]) =>
      `create trigger requests_statistics_${event} after ${event} on requests
         referencing ${tables} for each statement execute function request_statistics_track()`,
  ),
];
