// 015: the officer's work queue and archive (issue 14, item 1) stay fast at
// 100k requests (bench: ui). Lists page by keyset over (sort key…, id), a
// missing date sorting as «infinity» (after every date ascending, before them
// descending), so each sort has an index whose order is the list's order —
// per body (an officer) and across bodies (a central body's officer).
// - requests.received_at / received_on of an OUTGOING request: when the other
//   Party's node received it (the signed receipt), filled at delivery from now
//   on; here from the receipt in the history (the day in UTC for old rows).
// - The list indexes of 002 are replaced by the ones below.
const SORTS: Readonly<Record<string, string>> = {
  deadline: `coalesce(deadline, 'infinity'::date), coalesce(shorter_term, 'infinity'::date), id`,
  received: `coalesce(received_on, 'infinity'::date), id`,
  updated: 'updated_at, id',
  number: 'number, id',
};

export const statements: readonly string[] = [
  `update requests r set received_at = e.at, received_on = (e.at at time zone 'UTC')::date
   from (select distinct on (request_id) request_id,
           coalesce((data->>'receiptAt')::timestamptz, at) as at
         from request_events where event = 'receipt' order by request_id, id) e
   where e.request_id = r.id and r.direction = 'outgoing' and r.received_at is null`,
  'drop index if exists requests_by_deadline',
  'drop index if exists requests_by_update',
  ...Object.entries(SORTS).flatMap(([name, keys]) => [
    `create index requests_list_${name} on requests (body_id, direction, ${keys})`,
    `create index requests_all_${name} on requests (direction, ${keys})`,
  ]),
];
