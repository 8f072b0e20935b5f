// 010: paper originals both ways (R10.a). A row is now one movement of one
// document's paper original: the request, the answer or the refusal, its
// dispatch (recorded by the side that made the document) or its arrival
// (recorded by the other side). Existing rows are dispatches of requests.
// (008 is taken by another change in progress.)
export const statements: readonly string[] = [
  `alter table paper_originals add column document text not null default 'request'
    check (document in ('request', 'answer', 'refusal'))`,
  `alter table paper_originals add column movement text not null default 'dispatch'
    check (movement in ('dispatch', 'arrival'))`,
  'alter table paper_originals rename column dispatched_on to dated_on',
  'alter table paper_originals drop constraint paper_originals_pkey',
  'alter table paper_originals add primary key (request_id, document, movement)',
];
