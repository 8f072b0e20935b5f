import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { migrate, type Database } from '../../src/adapters/db/database.js';
import { ENGINES } from '../support/db.js';
import { GIN_PENDING_LIST_KB } from '../../src/adapters/db/migrations/033-gin-pending-lists.js';

for (const e of ENGINES) {
  describe(`storage on ${e.engine}`, () => {
    let d: Database;
    before(async () => {
      d = await e.open();
    });
    after(() => d.close());

    test('migrations are forward-only and idempotent: a second run applies nothing', async () => {
      assert.deepEqual(await migrate(d.db, d.schema), []);
      const tables = await sql<{
        n: number;
      }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name in ('bodies','officers','requests','answers','outbox','inbox','audit_log')`.execute(
        d.db,
      );
      assert.equal(tables.rows[0]!.n, 7);
    });

    test('every GIN index keeps a short pending list (033): no insert merges megabytes of entries', async () => {
      const gin = await sql<{
        name: string;
        options: string[] | null;
      }>`select c.relname as name, c.reloptions as options
        from pg_class c join pg_am a on a.oid = c.relam join pg_namespace n on n.oid = c.relnamespace
        where a.amname = 'gin' and n.nspname = current_schema() order by 1`.execute(d.db);
      assert.deepEqual(
        gin.rows.map((r) => r.name),
        ['audit_by_listed_requests', 'proceedings_search', 'requests_search'],
      );
      for (const r of gin.rows)
        assert.deepEqual(r.options, [`gin_pending_list_limit=${GIN_PENDING_LIST_KB}`], `${r.name}: ${r.options}`);
    });

    test('a failed transaction leaves nothing behind; concurrent queries are serialised safely', async () => {
      await assert.rejects(
        d.db.transaction().execute(async (tx) => {
          await tx
            .insertInto('bodies')
            .values({ id: 'tx-body', party: 'RU', name: 'x', kind: 'central', parent_id: null, time_zone: null })
            .execute();
          await tx
            .insertInto('bodies')
            .values({ id: 'tx-body', party: 'RU', name: 'dup', kind: 'central', parent_id: null, time_zone: null })
            .execute();
        }),
      );
      assert.equal((await d.db.selectFrom('bodies').where('id', '=', 'tx-body').selectAll().execute()).length, 0);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          d.db.transaction().execute(async (tx) => {
            await tx
              .insertInto('bodies')
              .values({ id: `par-${i}`, party: 'RU', name: `b${i}`, kind: 'other', parent_id: null, time_zone: null })
              .execute();
            return i;
          }),
        ),
      );
      assert.equal(results.length, 20);
      const n = await d.db
        .selectFrom('bodies')
        .where('id', 'like', 'par-%')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 20);
    });

    test('R9.1: the audit log is append-only at the database level', async () => {
      await d.db
        .insertInto('audit_log')
        .values({
          seq: 1,
          at: new Date(),
          actor: 'test',
          body_id: null,
          action: 'x',
          request_id: null,
          subject: null,
          details: '{}',
          prev_hash: '0'.repeat(64),
          hash: 'h1',
        })
        .execute();
      await assert.rejects(d.db.updateTable('audit_log').set({ action: 'y' }).execute(), /append-only/);
      await assert.rejects(d.db.deleteFrom('audit_log').execute(), /append-only/);
    });

    test('constraints: an incoming request cannot hold its document in clear; answers are encrypted or purged', async () => {
      await d.db
        .insertInto('bodies')
        .values({ id: 'c-body', party: 'RU', name: 'x', kind: 'central', parent_id: null, time_zone: null })
        .execute();
      await assert.rejects(
        d.db
          .insertInto('requests')
          .values({
            direction: 'incoming',
            number: 'N1',
            body_id: 'c-body',
            counterpart_party: 'KZ',
            counterpart_body: JSON.stringify({ id: 'kz', party: 'KZ', name: 'x' }),
            state: 'received',
            document: JSON.stringify({ debtor: 'plain' }),
            proceeding_id: null,
            document_enc: null,
            key_id: null,
            shorter_term: null,
            received_at: null,
            received_on: null,
            deadline: null,
            deadline_basis: null,
            delay_until: null,
            message_id: null,
            created_by: null,
          })
          .execute(),
        /check/i,
      );
    });
  });
}
