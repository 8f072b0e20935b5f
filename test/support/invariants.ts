// Consistency of a sending node's tables after faults: nothing half written.
// Each count must be 0. `itemsPerRequest` is the number of items every request
// of the test was drafted with.
export interface Queryable {
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>;
}

export async function halfWritten(db: Queryable, itemsPerRequest: number): Promise<Record<string, number>> {
  const count = async (q: string) => Number((await db.query(q)).rows[0]!.n);
  return {
    requestsWithWrongItems: await count(
      `select count(*)::int as n from requests r where (select count(*) from request_items i where i.request_id = r.id) <> ${Number(itemsPerRequest)}`,
    ),
    orphanItems: await count(
      'select count(*)::int as n from request_items i where not exists (select 1 from requests r where r.id = i.request_id)',
    ),
    requestsWithoutDraftAudit: await count(
      "select count(*)::int as n from requests r where not exists (select 1 from audit_log a where a.request_id = r.id and a.action = 'request.draft')",
    ),
    signedWithoutNumberOrOutbox: await count(
      "select count(*)::int as n from requests r where r.state <> 'draft' and (r.number = '' or r.message_id is null or not exists (select 1 from outbox o where o.message_id = r.message_id))",
    ),
    outboxOrphans: await count(
      'select count(*)::int as n from outbox o where not exists (select 1 from requests r where r.message_id = o.message_id)',
    ),
  };
}
