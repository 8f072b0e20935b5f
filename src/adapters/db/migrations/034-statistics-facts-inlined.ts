// 034: request_statistics_facts becomes a SQL function (issue 16: the cost of writing a request). As PL/pgSQL
// (024) each call ran its query on its own: 20 calls for the 20 requests a bundle stores, 20 more when the sender
// records their receipt, each a separate execution inside the trigger's statement. A SQL function of one SELECT,
// STABLE, is inlined by the planner into the statement that calls it (the trigger's, FILL_SUMMARY, the calendar
// refresh): one plan for all rows. The query is the same text (FACTS_QUERY), so the facts are the same;
// test/app/statistics-summary.test.ts compares the summary with a recount. Isolated, a 20-row insert of received
// requests took 2.8–3.6 ms instead of 4.6–5.3 (PERFORMANCE.md «The facts function inlined»).
import { FACTS_FUNCTION, FACTS_QUERY } from './024-statistics-summary.js';

export const statements: readonly string[] = [
  `${FACTS_FUNCTION('create or replace')}
   language sql stable as $$
${FACTS_QUERY}
   $$`,
];
