// Issue 13, item 7: an audit log you can trust, on both engines. Someone who
// controls the database (not the node home) rewrites entries and recomputes
// the later hashes, strips the macs, or cuts the tail; the keyed chain and a
// signed checkpoint held off the machine catch each of these. ASVS 4.0.3
// V7.3.3 (integrity of the log), V7.3.4 (time: the checkpoint's time is signed).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { entryHash, type AuditEntry } from '../../src/adapters/crypto/audit-chain.js';
import {
  checkpointSigner,
  verifyCheckpoint,
  type CheckpointSigner,
} from '../../src/adapters/crypto/audit-checkpoint.js';
import { readAuditKeyFile } from '../../src/adapters/crypto/audit-key.js';
import { createDepositaryCa, createPartyCa, issueNodeCertificate } from '../../src/adapters/crypto/pki.js';
import { appendAudit, rowToEntry, verifyAuditLog, type AuditVerdict } from '../../src/app/audit.js';
import type { Actor, AppContext } from '../../src/app/context.js';
import { createAuditCheckpoint } from '../../src/app/create-audit-checkpoint.js';
import { openAuditKey } from '../../src/app/open-audit-key.js';
import { EixError } from '../../src/domain/errors.js';
import { ENGINES } from '../support/db.js';
import { nodeOn, type TestNode } from '../support/app.js';

const ACTOR: Actor = { kind: 'system', name: 'audit-test' };

async function node(party: string, id: string): Promise<{ signer: CheckpointSigner; certPem: string }> {
  const depositary = await createDepositaryCa({ name: 'Депозитарий (тест)' });
  const ca = await createPartyCa({ party, name: `УЦ ${party}`, issuer: depositary });
  const tls = await issueNodeCertificate({ party, nodeId: id, hosts: ['localhost'], issuer: ca });
  const signer = await checkpointSigner(tls.keyPem, tls.certPem + ca.certPem);
  return { signer, certPem: tls.certPem };
}

async function rejects(p: Promise<unknown>, code: string): Promise<EixError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof EixError, `expected EixError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, /[а-яё]/i, 'Russian message');
  return caught;
}

const ours = await node('RU', 'ru-node');
const stranger = await node('RU', 'ru-node');

for (const engine of ENGINES) {
  describe(`issue 13 audit log you can trust (${engine.engine})`, () => {
    let n: TestNode;
    let ctx: AppContext;
    before(async () => {
      n = nodeOn(await engine.open(), 'RU');
      ctx = n.ctx;
    });
    after(() => n.database.close());

    const append = (c: AppContext, i: number) =>
      c.db
        .transaction()
        .execute((tx) => appendAudit(tx, c, ACTOR, { action: 'retention.set', subject: `entry ${i}`, details: { i } }));
    const entries = async (): Promise<AuditEntry[]> =>
      (await ctx.db.selectFrom('audit_log').selectAll().orderBy('seq').execute()).map(rowToEntry);
    const verify = (o: Parameters<typeof verifyAuditLog>[1] = {}) =>
      verifyAuditLog(ctx.db, { key: ctx.auditKey?.key, ...o });
    const broken = (v: AuditVerdict) => (v.ok ? null : { brokenAt: v.brokenAt, reason: v.reason });

    /** Runs `tamper` as an intruder in the database (trigger off), checks, then puts every row back. */
    async function asIntruder(tamper: (rows: AuditEntry[]) => Promise<void>, check: () => Promise<void>) {
      const saved = await entries();
      await sql`alter table audit_log disable trigger audit_log_no_update`.execute(ctx.db);
      try {
        await tamper(saved.map((e) => ({ ...e, details: { ...e.details } })));
        await check();
      } finally {
        await sql`delete from audit_log`.execute(ctx.db);
        for (const e of saved)
          await ctx.db
            .insertInto('audit_log')
            .values({
              seq: e.seq,
              at: e.at,
              actor: e.actor,
              body_id: e.bodyId,
              action: e.action,
              request_id: e.requestId,
              subject: e.subject,
              details: JSON.stringify(e.details),
              prev_hash: e.prevHash,
              hash: e.hash,
              mac: e.mac,
            })
            .execute();
        await sql`alter table audit_log enable trigger audit_log_no_update`.execute(ctx.db);
      }
      assert.equal((await verify()).ok, true, 'the log is restored');
    }

    /** Rewrites entry `seq` and recomputes every later hash, as one without the key can; `strip` drops the macs too. */
    async function rewrite(rows: AuditEntry[], seq: number, strip: boolean): Promise<void> {
      let prev: AuditEntry | undefined;
      for (const e of rows) {
        if (e.seq === seq) e.actor = 'officer:intruder';
        if (e.seq >= seq) {
          e.prevHash = prev ? prev.hash : e.prevHash;
          const { hash: _h, mac: _m, ...body } = e;
          e.hash = entryHash(body);
          if (strip) e.mac = null;
          await sql`update audit_log set actor = ${e.actor}, prev_hash = ${e.prevHash}, hash = ${e.hash}, mac = ${e.mac}
            where seq = ${e.seq}`.execute(ctx.db);
        }
        prev = e;
      }
    }

    test('issue 13 migration: entries written before the key stay hash-chained; the first keyed entry anchors them', async () => {
      const { auditKey: _k, ...withoutKey } = ctx;
      for (let i = 1; i <= 3; i++) await append(withoutKey, i);
      for (let i = 4; i <= 10; i++) await append(ctx, i);
      const rows = await entries();
      assert.deepEqual(
        rows.map((e) => e.mac !== null),
        [false, false, false, true, true, true, true, true, true, true],
      );
      const v = await verify();
      assert.equal(v.ok, true);
      assert.deepEqual(v.ok && [v.count, v.legacy, v.keyed], [10, 3, true]);
      // A legacy entry rewritten with every later hash recomputed: the first keyed entry's mac no longer matches.
      await asIntruder(
        (r) => rewrite(r, 2, false),
        async () => assert.deepEqual(broken(await verify()), { brokenAt: 4, reason: 'mac' }),
      );
    });

    test('issue 13 / V7.3.3: a rewritten entry with recomputed hashes (no HMAC key) is detected', async () => {
      await asIntruder(
        (r) => rewrite(r, 7, false),
        async () => {
          // The hash chain alone is fooled: that is why entries are keyed.
          assert.equal((await verifyAuditLog(ctx.db)).ok, true, 'without the key only hashes are checked');
          assert.deepEqual(broken(await verify()), { brokenAt: 7, reason: 'mac' });
        },
      );
      // Stripping the macs from the rewritten tail does not pass for a legacy log either.
      await asIntruder(
        (r) => rewrite(r, 7, true),
        async () => assert.deepEqual(broken(await verify()), { brokenAt: 7, reason: 'mac' }),
      );
      // An entry appended by someone without the key (unkeyed, or with a made-up mac).
      await asIntruder(
        async (r) => {
          const last = r.at(-1)!;
          const body = { ...last, seq: last.seq + 1, prevHash: last.hash, actor: 'officer:intruder' };
          const { hash: _h, mac: _m, ...rest } = body;
          await ctx.db
            .insertInto('audit_log')
            .values({
              seq: body.seq,
              at: body.at,
              actor: body.actor,
              body_id: body.bodyId,
              action: body.action,
              request_id: body.requestId,
              subject: body.subject,
              details: JSON.stringify(body.details),
              prev_hash: body.prevHash,
              hash: entryHash(rest),
              mac: 'f'.repeat(64),
            })
            .execute();
        },
        async () => assert.deepEqual(broken(await verify()), { brokenAt: 11, reason: 'mac' }),
      );
    });

    test('issue 13 / V7.3.3: a correct log verifies against its signed checkpoint, stored in the database', async () => {
      const cp = await createAuditCheckpoint(ctx, { signer: ours.signer, nodeId: 'ru-node' });
      assert.deepEqual(
        [cp.payload.seq, cp.payload.count, cp.payload.legacy, cp.payload.keyId, cp.payload.nodeId],
        [10, 10, 3, ctx.auditKey?.id, 'ru-node'],
      );
      const claim = await verifyCheckpoint(cp.jws, ours.certPem);
      assert.deepEqual(claim, cp.payload);
      assert.equal(claim.at, n.clock.now().toISOString(), 'the signed time is the node clock (V7.3.4)');
      const stored = await ctx.db.selectFrom('audit_checkpoints').select(['seq', 'jws']).execute();
      assert.deepEqual(
        stored.map((r) => [Number(r.seq), r.jws]),
        [[10, cp.jws]],
      );
      const v = await verify({ checkpoint: claim });
      assert.equal(v.ok, true, JSON.stringify(v));
      // The log grows after the checkpoint: still fine.
      await append(ctx, 11);
      assert.equal((await verify({ checkpoint: claim })).ok, true);
    });

    test('issue 13 / V7.3.3: a truncated tail is detected against a checkpoint, and the node refuses to sign it', async () => {
      const cp = await createAuditCheckpoint(ctx, { signer: ours.signer, nodeId: 'ru-node' });
      assert.equal(cp.payload.seq, 11);
      await asIntruder(
        async () => {
          await sql`delete from audit_log where seq > 8`.execute(ctx.db);
        },
        async () => {
          assert.equal((await verify()).ok, true, 'a cut tail leaves a valid chain');
          assert.deepEqual(broken(await verify({ checkpoint: cp.payload })), { brokenAt: 9, reason: 'truncated' });
          assert.deepEqual(broken(await verify({ checkpoint: cp.payload, pageSize: 3 })), {
            brokenAt: 9,
            reason: 'truncated',
          });
          await rejects(createAuditCheckpoint(ctx, { signer: ours.signer, nodeId: 'ru-node' }), 'audit.broken');
        },
      );
      // Everything rewritten from the start, macs stripped: looks like a legacy log, but not to the checkpoint.
      await asIntruder(
        (r) => rewrite(r, 1, true),
        async () => {
          assert.equal((await verify()).ok, true);
          assert.deepEqual(broken(await verify({ checkpoint: cp.payload })), { brokenAt: 11, reason: 'checkpoint' });
          assert.deepEqual(broken(await verify({ checkpoint: cp.payload, pageSize: 4 })), {
            brokenAt: 11,
            reason: 'checkpoint',
          });
        },
      );
    });

    test('issue 13: a forged checkpoint (another key, an edited payload, garbage) is refused', async () => {
      const good = await createAuditCheckpoint(ctx, { signer: ours.signer, nodeId: 'ru-node' });
      // Signed by another node's key with the same node id.
      const forged = await stranger.signer.sign({ ...good.payload, seq: 2 });
      await rejects(verifyCheckpoint(forged, ours.certPem), 'audit.checkpoint_signature');
      // The payload edited, the signature kept.
      const [h, , s] = good.jws.split('.');
      const edited = Buffer.from(JSON.stringify({ ...good.payload, seq: 2 })).toString('base64url');
      await rejects(verifyCheckpoint(`${h}.${edited}.${s}`, ours.certPem), 'audit.checkpoint_signature');
      for (const garbage of ['', 'not a jws', 'a.b.c', `${h}.${h}`, '\u0000\u0001'])
        await rejects(verifyCheckpoint(garbage, ours.certPem), 'audit.checkpoint_format');
      // A forged row in the database is passed over by the node (it checks its own signatures).
      await ctx.db
        .insertInto('audit_checkpoints')
        .values({ created_at: good.payload.at, seq: 2, hash: good.payload.hash, mac: null, count: 2, jws: forged })
        .execute();
      const next = await createAuditCheckpoint(ctx, { signer: ours.signer, nodeId: 'ru-node' });
      assert.equal(next.payload.seq, good.payload.seq);
    });

    test('issue 13: checkpoints are append-only like the log; without a TLS key none is signed', async () => {
      await assert.rejects(sql`delete from audit_checkpoints`.execute(ctx.db), /append-only/);
      await rejects(createAuditCheckpoint(ctx, { signer: null, nodeId: null }), 'audit.no_signing_key');
    });

    test('issue 13: the audit key lives in the node home (0600), is made for an old node, never replaced', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'eix-audit-key-'));
      try {
        const file = path.join(dir, 'keys', 'audit.key');
        const fresh = nodeOn(await engine.open(), 'RU');
        try {
          // A node whose log was written before audit keys: the key is made at start.
          const { auditKey: _k, ...old } = fresh.ctx;
          await append(old, 1);
          const opened = await openAuditKey(fresh.ctx.db, { file, now: new Date('2026-11-27T00:00:00Z') });
          assert.equal(opened.created, true);
          assert.equal((await stat(file)).mode & 0o777, 0o600);
          assert.equal((await readAuditKeyFile(file))?.id, opened.key.id);
          const again = await openAuditKey(fresh.ctx.db, { file, now: new Date() });
          assert.deepEqual([again.created, again.key.id], [false, opened.key.id]);
          await append({ ...old, auditKey: opened.key }, 2);
          // The key lost while the log holds keyed entries: refuse rather than key with a new one.
          await rm(file);
          await rejects(openAuditKey(fresh.ctx.db, { file, now: new Date() }), 'audit.key_missing');
          await assert.rejects(stat(file));
          // Another key than the one the node recorded (another process's home): refused.
          await rejects(
            openAuditKey(fresh.ctx.db, { file: path.join(dir, 'other.key'), now: new Date() }),
            'audit.key_missing',
          );
        } finally {
          await fresh.database.close();
        }
        const other = nodeOn(await engine.open(), 'RU');
        try {
          await openAuditKey(other.ctx.db, { file: path.join(dir, 'a.key'), now: new Date() });
          await rejects(
            openAuditKey(other.ctx.db, { file: path.join(dir, 'b.key'), now: new Date() }),
            'audit.key_mismatch',
          );
        } finally {
          await other.database.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

test('issue 13: two processes of one node (one home) starting together make one audit key between them', async () => {
  for (const engine of ENGINES) {
    const dir = await mkdtemp(path.join(tmpdir(), 'eix-audit-key-race-'));
    const a = await engine.open();
    try {
      const file = path.join(dir, 'keys', 'audit.key');
      const now = new Date('2026-11-27T10:00:00Z');
      for (let round = 0; round < 5; round++) {
        const f = `${file}.${round}`;
        await a.db.deleteFrom('node_settings').where('key', '=', 'audit_key').execute();
        const [x, y] = await Promise.all([
          openAuditKey(a.db, { file: f, now }),
          openAuditKey(a.db, { file: f, now }), // one database, as the node's processes share it
        ]);
        assert.equal(x.key.id, y.key.id, `${engine.engine} round ${round}: one key`);
        assert.equal([x.created, y.created].filter(Boolean).length, 1, 'exactly one of them made it');
        assert.equal((await readAuditKeyFile(f))!.id, x.key.id);
      }
    } finally {
      await a.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
});
