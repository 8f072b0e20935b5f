// 020: statistics for central bodies and supervisors (issue 15, item 6) read one
// row per request, never its history: what the figures need from the history is
// kept on the request when the event is applied (applyEvent), and filled here
// from the history for the requests already stored.
// - responded_on: the requested Party's local day of the first final answer or
//   refusal (the end of the R12 turnaround; incoming: the body's time zone,
//   else the node's Party's; outgoing: the requested Party's).
// - refusal_ground: the Article 13 ground of a refusal (a code, no personal
//   data); a refusal received before this version kept it only inside the
//   sealed step text, so it stays null («основание не записано»).
// - additional_info_asked: the requested body asked for additional
//   information (R14) — the request came back incomplete.
// - receipt_problems: how many Article 11 problems the check on receipt found
//   (generated from receipt_check; 0 once the purge removed it, R9.6).
// - requests_statistics: the period scan of the statistics (receipt day) reads
//   only the index (covering), both directions in one range.
import { PARTIES } from '../../../domain/parties.js';

const ZONES = Object.entries(PARTIES)
  .map(([cc, p]) => `('${cc}', '${p.timeZone}')`)
  .join(', ');

export const statements: readonly string[] = [
  'alter table requests add column responded_on date',
  'alter table requests add column refusal_ground text',
  'alter table requests add column additional_info_asked boolean not null default false',
  `alter table requests add column receipt_problems integer generated always as
     (coalesce(jsonb_array_length(receipt_check -> 'problems'), 0)) stored`,
  `update requests r set responded_on = (e.at at time zone coalesce(
       case when r.direction = 'incoming' then b.time_zone end,
       (select z.zone from (values ${ZONES}) z(party, zone)
         where z.party = case when r.direction = 'incoming' then b.party else r.counterpart_party end),
       'UTC'))::date
   from (select request_id, min(at) as at from request_events
         where event in ('answer_final', 'refuse') group by request_id) e, bodies b
   where e.request_id = r.id and b.id = r.body_id`,
  `update requests r set refusal_ground = e.ground
   from (select distinct on (request_id) request_id, data->>'ground' as ground from request_events
         where event = 'refuse' and data->>'ground' is not null order by request_id, id) e
   where e.request_id = r.id`,
  `update requests r set additional_info_asked = true
   where exists (select 1 from request_events e where e.request_id = r.id and e.event = 'request_additional_info')`,
  `create index requests_statistics on requests (received_on)
   include (direction, body_id, counterpart_party, state, deadline, delay_until, responded_on, refusal_ground,
            additional_info_asked, addressed_to, counterpart_forwarded_to, receipt_problems)
   where received_on is not null`,
];
