// 032: the statistics summary's trigger (030) asks for the facts only of the rows that can have any (issue 16,
// item 3). It called request_statistics_facts for every row a statement wrote, twice for an update: under the load
// bench that is 40 calls for the 20 requests whose receipt the sender records, and 20 for the 20 requests a batch
// creates, where most return nothing: a request not yet received by the requested Party (received_on null) has no
// facts (the function's three parts each need received_on), and an update that changes no column the facts read
// (a version, an updated_at, a message id, the document) changes no fact. Now the trigger skips both: a row
// without received_on, and an updated row whose columns the facts read are the same before and after (matched by
// id with its other version; a row whose id changed is counted in full, as before). The sums appended are the
// same: test/app/statistics-summary.test.ts compares them with a recount of every request after changes of every
// kind, holds FACT_COLUMNS to the columns the function reads, and counts the function's calls.
import { trackFunction } from './030-statistics-per-statement.js';

/** The columns of `requests` that request_statistics_facts reads (024); a change to any other changes no fact. */
export const FACT_COLUMNS = [
  'received_on',
  'direction',
  'counterpart_party',
  'body_id',
  'state',
  'responded_on',
  'deadline',
  'delay_until',
  'refusal_ground',
  'addressed_to',
  'counterpart_forwarded_to',
  'additional_info_asked',
  'receipt_problems',
  'receipt_check',
] as const;

const tuple = (alias: string) => `(${FACT_COLUMNS.map((c) => `${alias}.${c}`).join(', ')})`;

/**
 * The facts of a transition table's rows, each counted `sign` times: only rows received by the requested Party,
 * and (`other` given: an update) only rows not found unchanged, by id and the fact columns, in `other`.
 */
const facts = (rows: string, sign: number, other?: string) =>
  `select f.*, ${sign} as n from ${rows} r cross join lateral request_statistics_facts(r::requests) f
     where r.received_on is not null${
       other
         ? ` and not exists (select 1 from ${other} s where s.id = r.id and ${tuple('s')} is not distinct from ${tuple('r')})`
         : ''
     }`;

export const statements: readonly string[] = [
  trackFunction('create or replace', {
    insert: facts('new_rows', 1),
    delete: facts('old_rows', -1),
    update: `${facts('old_rows', -1, 'new_rows')} union all ${facts('new_rows', 1, 'old_rows')}`,
  }),
];
