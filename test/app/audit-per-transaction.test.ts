// Issue 16 item 3: the audit append takes its lock once per transaction, not
// per entry, and remembers the entry it appended last under it. The chain
// (R9.1) must still verify with many entries in one transaction and with
// transactions appending concurrently, on both engines.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import {
  appendAudit,
  appendLast,
  appendPutOff,
  deferAppends,
  verifyAuditLog,
  withSavepoint,
} from '../../src/app/audit.js';
import type { Actor, AppContext } from '../../src/app/context.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, type TestNode } from '../support/app.js';

const ACTOR: Actor = { kind: 'system', name: 'audit-test' };

/**
 * Counts the statements that take the audit lock (a plugin sees every query a Kysely instance runs): the lock
 * alone (the events), or with the log's last entry (audit_append_head, migration 035).
 */
function lockCounter(): { plugin: KyselyPlugin; count: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }: { node: RootOperationNode }) => {
      if (/pg_advisory_xact_lock|audit_append_head/.test(JSON.stringify(node))) n++;
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { plugin, count: () => n };
}

for (const engine of ENGINES) {
  describe(`R9.1 audit appends, one lock per transaction (${engine.engine})`, () => {
    let n: TestNode;
    let ctx: AppContext;
    before(async () => {
      n = nodeOn(await engine.open(), 'RU');
      ctx = n.ctx;
    });
    after(() => n.database.close());

    const seqs = async () =>
      (await ctx.db.selectFrom('audit_log').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));

    test('R9.1: an entry rolled back with its savepoint (a refused message of a bundle) leaves the chain whole', async () => {
      const before = (await seqs()).length;
      await ctx.db.transaction().execute(async (tx) => {
        await appendAudit(tx, ctx, ACTOR, { action: 'retention.set', subject: 'kept before' });
        await assert.rejects(
          withSavepoint(tx, 'sp_test', async () => {
            await appendAudit(tx, ctx, ACTOR, { action: 'retention.set', subject: 'rolled back' });
            throw new Error('refused');
          }),
          /refused/,
        );
        await appendAudit(tx, ctx, ACTOR, { action: 'retention.set', subject: 'kept after' });
      });
      const subjects = (
        await ctx.db.selectFrom('audit_log').select('subject').orderBy('seq').offset(before).execute()
      ).map((r) => r.subject);
      assert.deepEqual(subjects, ['kept before', 'kept after']);
      const v = await verifyAuditLog(ctx.db, { key: ctx.auditKey?.key });
      assert.ok(v.ok, JSON.stringify(v));
    });

    test('R9.1: appends put off to the end of the transaction (a bundle) run last, in order; those of a savepoint rolled back go with it', async () => {
      const before = (await seqs()).length;
      const locks = lockCounter();
      const db = ctx.db.withPlugin(locks.plugin);
      await db.transaction().execute(async (tx) => {
        deferAppends(tx);
        const put = (subject: string) =>
          appendLast(tx, () => appendAudit(tx, ctx, ACTOR, { action: 'retention.set', subject }));
        await put('first');
        await assert.rejects(
          withSavepoint(tx, 'sp_put_off', async () => {
            await put('rolled back');
            throw new Error('refused');
          }),
          /refused/,
        );
        await put('second');
        assert.equal(locks.count(), 0, 'nothing appended, the lock not taken, until the end');
        await appendPutOff(tx);
      });
      const subjects = (
        await ctx.db.selectFrom('audit_log').select('subject').orderBy('seq').offset(before).execute()
      ).map((r) => r.subject);
      assert.deepEqual(subjects, ['first', 'second']);
      assert.equal(locks.count(), 1, 'the lock taken once, at the end');
      const v = await verifyAuditLog(ctx.db, { key: ctx.auditKey?.key });
      assert.ok(v.ok, JSON.stringify(v));
    });

    test('R9.1: 200 entries in one transaction take the lock once and the keyed chain verifies', async () => {
      const locks = lockCounter();
      const db = ctx.db.withPlugin(locks.plugin);
      const before = (await seqs()).length;
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < 200; i++)
          await appendAudit(tx, ctx, ACTOR, { action: 'retention.set', subject: `entry ${i}`, details: { i } });
      });
      assert.equal(locks.count(), 1, 'one advisory lock for the whole transaction');
      const all = await seqs();
      assert.equal(all.length, before + 200);
      assert.deepEqual(
        all,
        all.map((_, i) => i + 1),
        'contiguous sequence',
      );
      const v = await verifyAuditLog(ctx.db, { key: ctx.auditKey?.key });
      assert.ok(v.ok && v.keyed, JSON.stringify(v));
      assert.equal(v.count, all.length);
    });

    test('R9.1: concurrent transactions appending many entries each never fork the chain', async () => {
      await Promise.all(
        Array.from({ length: 6 }, (_, t) =>
          ctx.db.transaction().execute(async (tx) => {
            for (let i = 0; i < 25; i++)
              await appendAudit(tx, ctx, ACTOR, { action: 'retention.set', subject: `t${t} e${i}`, details: { t, i } });
          }),
        ),
      );
      const v = await verifyAuditLog(ctx.db, { key: ctx.auditKey?.key });
      assert.ok(v.ok, JSON.stringify(v));
      assert.equal(v.count, (await seqs()).length);
    });

    test('R9.1: a transaction rolled back leaves no entry and the next one continues the chain', async () => {
      const before = await seqs();
      await assert.rejects(
        ctx.db.transaction().execute(async (tx) => {
          for (let i = 0; i < 5; i++)
            await appendAudit(tx, ctx, ACTOR, { action: 'retention.set', subject: `rb ${i}` });
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      assert.deepEqual(await seqs(), before);
      await ctx.db.transaction().execute(async (tx) => {
        for (let i = 0; i < 3; i++)
          await appendAudit(tx, ctx, ACTOR, { action: 'retention.set', subject: `after ${i}` });
      });
      const v = await verifyAuditLog(ctx.db, { key: ctx.auditKey?.key });
      assert.ok(v.ok, JSON.stringify(v));
      assert.equal(v.count, before.length + 3);
    });
  });
}
