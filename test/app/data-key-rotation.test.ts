// ASVS 4.0.3 V1.6.3 (issue 13, key management): the data key is replaceable
// and re-encryption is a defined process. On both engines: every sealed column
// (sealed-columns.ts) filled with values under the first key; rotate, reseal,
// retire. Values are read back with the AADs the use cases write (spelled out
// here, independently of the registry), so a wrong AAD in the registry shows
// as an unreadable value.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createKeyFile, dataKeyFile, loadKeyRing, type KeyRing } from '../../src/adapters/crypto/data-key.js';
import type { Database } from '../../src/adapters/db/database.js';
import type { Actor, AppContext, Officer } from '../../src/app/context.js';
import { listRequests } from '../../src/app/list-requests.js';
import { consentDetailsAad } from '../../src/app/record-consent-request.js';
import { resealData } from '../../src/app/reseal-data.js';
import { retireDataKey } from '../../src/app/retire-data-key.js';
import { rotateDataKey } from '../../src/app/rotate-data-key.js';
import { countSealedByKey, SEALED_COLUMNS, sealedColumnName } from '../../src/app/sealed-columns.js';
import { personTerms } from '../../src/domain/search.js';
import { nodeOn, seedBody, seedOfficer } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { aRequest } from '../support/requests.js';

const CONSOLE: Actor = { kind: 'system', name: 'cli' };
const PER_TABLE = 5;

/** A sealed value as the test expects it: where it is, its AAD, its plain bytes. */
interface Expected {
  readonly table: string;
  readonly pk: string;
  readonly aad: string;
  readonly plain: string;
}

/** Reads the sealed bytes and the plain key id column (if any) of one row. */
async function readSealed(db: AppContext['db'], e: Expected): Promise<{ bytes: Buffer; keyId: string | null }> {
  const q = {
    requests: sql`select document_enc as b, key_id as k from requests where id = ${e.pk}`,
    answers: sql`select data_enc as b, key_id as k from answers where id = ${e.pk}`,
    attachments: sql`select content_enc as b, key_id as k from attachments where sha256 = ${e.pk}`,
    inbox: sql`select payload_enc as b, key_id as k from inbox where message_id = ${e.pk}`,
    outbox: sql`select signed_enc as b, signed_key_id as k from outbox where message_id = ${e.pk}`,
    received_consents: sql`select details_enc as b, key_id as k from received_consents where id = ${e.pk}`,
    request_events: sql`select decode(data->>'sealed', 'base64') as b, null as k from request_events where id = ${e.pk}`,
    officers: sql`select totp_secret_enc as b, null as k from officers where id = ${e.pk}`,
    batches: sql`select rows_enc as b, key_id as k from batches where id = ${e.pk}::uuid`,
    webhook_subscriptions: sql`select secret_enc as b, secret_key_id as k from webhook_subscriptions where id = ${e.pk}::uuid`,
    answer_drafts: sql`select draft_enc as b, key_id as k from answer_drafts where request_id = ${e.pk}::uuid`,
  }[e.table]!;
  const row = (await q.execute(db)).rows[0] as { b: Uint8Array; k: string | null };
  return { bytes: Buffer.from(row.b), keyId: row.k };
}

const headerKeyId = (b: Buffer): string => b.subarray(2, 2 + b[1]!).toString('ascii');

/** Fills every sealed column with PER_TABLE values under the ring's active key. */
async function seed(ctx: AppContext, bodyId: string): Promise<{ expected: Expected[]; debtorRequestId: string }> {
  const s = ctx.sealer;
  const k = s.activeKeyId;
  const expected: Expected[] = [];
  const doc = aRequest();
  let debtorRequestId = '';
  for (let i = 0; i < PER_TABLE; i++) {
    const id = randomUUID();
    const plainDoc = JSON.stringify({ ...doc, n: i });
    await sql`insert into requests (id, direction, number, body_id, counterpart_party, counterpart_body, state,
        document_enc, key_id, search_keys, message_id)
      values (${id}, 'incoming', ${`KZ-${i}-${id.slice(0, 6)}`}, ${bodyId}, 'KZ', '{}'::jsonb, 'received',
        ${s.encrypt(Buffer.from(plainDoc), `request:${id}`)}, ${k},
        ${personTerms(doc.debtor).map((t) => s.blindIndex(t))}::text[], ${`m-req-${id}`})`.execute(ctx.db);
    expected.push({ table: 'requests', pk: id, aad: `request:${id}`, plain: plainDoc });
    if (i === 0) debtorRequestId = id;

    const answerId = randomUUID();
    const answer = JSON.stringify({ found: i });
    await sql`insert into answers (id, request_id, item_no, outcome, final, data_enc, key_id)
      values (${answerId}, ${id}, 1, 'found', true, ${s.encrypt(Buffer.from(answer), `answer:${answerId}`)}, ${k})`.execute(
      ctx.db,
    );
    expected.push({ table: 'answers', pk: answerId, aad: `answer:${answerId}`, plain: answer });

    const content = `attachment ${i} ${id}`;
    const sha = createHash('sha256').update(content).digest('hex');
    await sql`insert into attachments (sha256, size, media_type, content_enc, key_id)
      values (${sha}, ${content.length}, 'text/plain', ${s.encrypt(Buffer.from(content), `attachment:${sha}`)}, ${k})`.execute(
      ctx.db,
    );
    expected.push({ table: 'attachments', pk: sha, aad: `attachment:${sha}`, plain: content });

    const inId = `m-in-${id}`;
    await sql`insert into inbox (message_id, from_party, from_body, type, payload_enc, key_id)
      values (${inId}, 'KZ', 'kz-central', 'request', ${s.encrypt(Buffer.from(`jws-in-${i}`), `inbox:${inId}`)}, ${k})`.execute(
      ctx.db,
    );
    expected.push({ table: 'inbox', pk: inId, aad: `inbox:${inId}`, plain: `jws-in-${i}` });

    const outId = `m-out-${id}`;
    await sql`insert into outbox (message_id, request_id, type, to_party, to_body, payload, signed_enc, signed_key_id)
      values (${outId}, ${id}, 'answer', 'KZ', 'kz-central', '{}'::jsonb,
        ${s.encrypt(Buffer.from(`jws-out-${i}`), `outbox:${outId}`)}, ${k})`.execute(ctx.db);
    expected.push({ table: 'outbox', pk: outId, aad: `outbox:${outId}`, plain: `jws-out-${i}` });

    const consentId = randomUUID();
    const details = JSON.stringify({ thirdParty: `Банк ${i}` });
    await sql`insert into received_consents (id, request_id, consent_id, message_id, details_enc, key_id, received_at)
      values (${consentId}, ${id}, ${randomUUID()}, ${`m-consent-${id}`},
        ${s.encrypt(Buffer.from(details), consentDetailsAad(consentId))}, ${k}, now())`.execute(ctx.db);
    expected.push({ table: 'received_consents', pk: consentId, aad: `received_consent:${consentId}`, plain: details });

    const stepMessage = `m-step-${id}`;
    const step = JSON.stringify({ text: `Отложено ${i}` });
    const data = {
      messageId: stepMessage,
      sealed: s.encrypt(Buffer.from(step), `event:${id}:${stepMessage}`).toString('base64'),
    };
    const ev = await sql<{ id: string }>`insert into request_events (request_id, event, side, data)
      values (${id}, 'notify_delay', 'requesting', ${JSON.stringify(data)}::jsonb) returning id::text as id`.execute(
      ctx.db,
    );
    expected.push({ table: 'request_events', pk: ev.rows[0]!.id, aad: `event:${id}:${stepMessage}`, plain: step });
    // An event without sealed data is not a sealed value.
    await sql`insert into request_events (request_id, event, side, data) values (${id}, 'receive', 'requested', '{}'::jsonb)`.execute(
      ctx.db,
    );

    // An officer's TOTP secret (issue 13.3).
    const secret = `SECRET${i}JBSWY3DPEHPK3PXP`;
    const totpOfficer = await sql<{
      id: string;
    }>`insert into officers (body_id, login, full_name, position, roles, password_hash)
      values (${bodyId}, ${`totp-${i}-${id.slice(0, 8)}`}, 'Иванов', 'пристав', ${['officer']}, 'scrypt$unusable')
      returning id::text as id`.execute(ctx.db);
    const officerId = totpOfficer.rows[0]!.id;
    await sql`update officers set totp_secret_enc = ${s.encrypt(Buffer.from(secret), `totp:${officerId}`)} where id = ${officerId}`.execute(
      ctx.db,
    );
    expected.push({ table: 'officers', pk: officerId, aad: `totp:${officerId}`, plain: secret });

    // A batch's rows as submitted (issue 16.1) and a webhook's signing secret (issue 17.1).
    const rows = JSON.stringify([{ row: i, debtor: 'Сидоров' }]);
    const batch = await sql<{ id: string }>`insert into batches (body_id, created_by, source, requested_body, total)
      values (${bodyId}, ${officerId}::uuid, 'json', ${JSON.stringify({ id: 'kz-central', party: 'KZ' })}::jsonb, 1)
      returning id::text as id`.execute(ctx.db);
    const batchId = batch.rows[0]!.id;
    await sql`update batches set rows_enc = ${s.encrypt(Buffer.from(rows), `batch:${batchId}`)}, key_id = ${s.activeKeyId} where id = ${batchId}::uuid`.execute(
      ctx.db,
    );
    expected.push({ table: 'batches', pk: batchId, aad: `batch:${batchId}`, plain: rows });
    const hookSecret = `whsec_${i}_${id.slice(0, 8)}`;
    const hookId = randomUUID();
    await sql`insert into webhook_subscriptions (id, body_id, url, secret_enc, secret_key_id, cursor, created_at)
      values (${hookId}::uuid, ${bodyId}, 'https://national.example/hook', ${s.encrypt(Buffer.from(hookSecret), `webhook:${hookId}`)},
        ${s.activeKeyId}, 0, now())`.execute(ctx.db);
    expected.push({ table: 'webhook_subscriptions', pk: hookId, aad: `webhook:${hookId}`, plain: hookSecret });
    // The draft answer from the domestic registries (issue 17.2).
    const draft = JSON.stringify({ items: [{ itemNo: 1, accounts: i }] });
    await sql`insert into answer_drafts (request_id, status, draft_enc, key_id, created_at, updated_at)
      values (${id}::uuid, 'ready', ${s.encrypt(Buffer.from(draft), `answer_draft:${id}`)}, ${k}, now(), now())`.execute(
      ctx.db,
    );
    expected.push({ table: 'answer_drafts', pk: id, aad: `answer_draft:${id}`, plain: draft });
  }
  return { expected, debtorRequestId };
}

for (const engine of ENGINES) {
  describe(`data key rotation on ${engine.engine}`, () => {
    let database: Database;
    let tmp: string;
    let file: string;
    let ctx: AppContext;
    let officer: Officer;
    let expected: Expected[];
    let debtorRequestId: string;
    let firstKey: string;
    const total = PER_TABLE * SEALED_COLUMNS.length;
    const withRing = (ring: KeyRing): AppContext => ({ ...ctx, sealer: ring });
    const underKey = async (keyId: string): Promise<number> =>
      (await countSealedByKey(ctx.db)).reduce((n, c) => n + (c.byKey[keyId] ?? 0), 0);

    before(async () => {
      tmp = await mkdtemp(path.join(tmpdir(), 'eix-rekey-'));
      file = path.join(tmp, 'keys', 'data.key');
      await createKeyFile(file);
      database = await engine.open();
      ctx = { ...nodeOn(database, 'RU').ctx, sealer: await loadKeyRing(file) };
      firstKey = ctx.sealer.activeKeyId;
      const bodyId = await seedBody(ctx);
      officer = await seedOfficer(ctx, bodyId, ['officer']);
      ({ expected, debtorRequestId } = await seed(ctx, bodyId));
    });
    after(async () => {
      await database.close();
      await rm(tmp, { recursive: true, force: true });
    });

    // One scenario: each step of the key's life works on the key file and the values the step before left.
    test('V1.6.3, V7.1.3: rotate, reseal (interrupted, then completed) and retire: the old key is kept while values use it, every value stays readable and ends under the new key, the blind index still finds the debtor, each step is audited', async () => {
      // Step 1: rotation adds an active key and keeps the old one; retire refuses while values use the key
      // (counted per column), the active key and an unknown id.
      assert.equal(await underKey(firstKey), total);
      const rotated = await rotateDataKey(ctx, CONSOLE, { keys: dataKeyFile(file) });
      const secondKey = rotated.keyId;
      assert.equal(rotated.previousKeyId, firstKey);
      assert.deepEqual(rotated.keys, [firstKey, secondKey]);
      const ring = await loadKeyRing(file);
      assert.equal(ring.activeKeyId, secondKey);
      assert.deepEqual(ring.keyIds, [firstKey, secondKey]);
      const both = withRing(ring);

      const inUse = await rejects(
        retireDataKey(both, CONSOLE, { keyId: firstKey, keys: dataKeyFile(file) }),
        'data_key.in_use',
      );
      assert.equal(inUse.data.count, total);
      assert.equal((inUse.data.columns as Record<string, number>)['answers.data_enc'], PER_TABLE);
      assert.match(inUse.message, /ещё зашифровано значений: \d+/);
      await rejects(retireDataKey(both, CONSOLE, { keyId: secondKey, keys: dataKeyFile(file) }), 'data_key.active');
      const unknown = await rejects(
        retireDataKey(both, CONSOLE, { keyId: 'k00000000', keys: dataKeyFile(file) }),
        'data_key.unknown',
      );
      assert.equal(unknown.data.field, 'keyId');
      await rejects(retireDataKey(both, officer, { keyId: firstKey, keys: dataKeyFile(file) }), 'access.denied');
      await rejects(resealData(both, officer), 'access.denied');
      assert.deepEqual((await loadKeyRing(file)).keyIds, [firstKey, secondKey], 'nothing retired');

      // Step 2: a reseal interrupted after its first batch leaves every value readable and a second run completes it.
      let sealed = 0;
      const failing = {
        ...ring,
        encrypt: (plain: Uint8Array, aad: string) => {
          sealed += 1;
          if (sealed > 2) throw new Error('injected failure after the first batch');
          return ring.encrypt(plain, aad);
        },
      };
      await assert.rejects(resealData({ ...both, sealer: failing }, CONSOLE, { batchSize: 2 }), /injected failure/);
      assert.equal(await underKey(secondKey), 2, 'the first batch committed, the second rolled back');
      assert.equal(await underKey(firstKey), total - 2);
      for (const e of expected)
        assert.equal(ring.decrypt((await readSealed(ctx.db, e)).bytes, e.aad).toString(), e.plain);

      const resealed = await resealData(both, CONSOLE, { batchSize: 2 });
      assert.equal(resealed.resealed, total - 2);
      assert.equal(resealed.unreadable, 0);
      assert.deepEqual(resealed.byKey, { [secondKey]: total });
      for (const c of resealed.columns)
        assert.ok(c.resealed === PER_TABLE || c.column === 'requests.document_enc', c.column);

      // Step 3: after rotate + reseal every sealed value opens under the new key with its AAD and none is under
      // the old key.
      const onlyNew = await loadKeyRing(file);
      for (const e of expected) {
        const { bytes, keyId } = await readSealed(ctx.db, e);
        assert.equal(headerKeyId(bytes), secondKey, `${e.table} ${e.pk}`);
        // Step texts and TOTP secrets have no key-id column of their own.
        if (!['request_events', 'officers'].includes(e.table))
          assert.equal(keyId, secondKey, `${e.table}.key_id kept in step`);
        assert.equal(onlyNew.decrypt(bytes, e.aad).toString(), e.plain, `${e.table} ${e.pk}`);
      }
      assert.equal(await underKey(firstKey), 0);
      const again = await resealData(both, CONSOLE);
      assert.equal(again.resealed, 0, 'idempotent: nothing left to reseal');

      // Step 4: retire succeeds once no value uses the key; the blind index still finds the debtor after the first
      // key is gone.
      const retired = await retireDataKey(both, CONSOLE, { keyId: firstKey, keys: dataKeyFile(file) });
      assert.deepEqual(retired.keys, [secondKey]);
      const remaining = await loadKeyRing(file);
      assert.deepEqual(remaining.keyIds, [secondKey]);
      assert.ok(!(await readFile(file, 'utf8')).includes(`"${firstKey}"`), 'the old key is gone from the file');
      assert.equal((await readdir(path.dirname(file))).length, 1, 'no temporary file left');
      const second = withRing(remaining);
      for (const e of expected)
        assert.equal(remaining.decrypt((await readSealed(ctx.db, e)).bytes, e.aad).toString(), e.plain);

      const debtor = aRequest().debtor as { surname?: string; name?: string };
      const surname = debtor.surname ?? debtor.name ?? '';
      assert.ok(surname);
      const central: Officer = { ...officer, roles: ['central'] };
      const found = await listRequests(second, central, { direction: 'incoming', query: surname });
      assert.ok(
        found.items.some((i) => i.id === debtorRequestId),
        `blind-index search for ${surname} finds the request after rotation`,
      );
      assert.equal(found.total, PER_TABLE);

      // Step 5 (V7.1.3): rotate, reseal and retire are in the audit log.
      const rows = await ctx.db
        .selectFrom('audit_log')
        .select(['action', 'subject', 'actor'])
        .where('action', 'like', 'data_key.%')
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        rows.map((r) => r.action),
        ['data_key.rotate', 'data_key.reseal', 'data_key.reseal', 'data_key.retire'],
      );
      assert.equal(rows[0]!.subject, secondKey);
      assert.equal(rows[3]!.subject, firstKey);
      assert.ok(rows.every((r) => r.actor === 'system:cli'));
    });

    test('V1.6.3: a value that does not open is reported by row and left as it was, never overwritten; its key cannot be retired', async () => {
      // Whatever key is active now (the first, or the one the scenario above rotated to) holds every value.
      const old = (await loadKeyRing(file)).activeKeyId;
      assert.equal(await underKey(old), total);
      const third = await rotateDataKey(ctx, CONSOLE, { keys: dataKeyFile(file) });
      const rotated = withRing(await loadKeyRing(file));
      const victim = expected.find((e) => e.table === 'answers')!;
      const damaged = Buffer.from((await readSealed(ctx.db, victim)).bytes);
      damaged[damaged.length - 1]! ^= 0xff;
      await sql`update answers set data_enc = ${damaged} where id = ${victim.pk}`.execute(ctx.db);
      const r = await resealData(rotated, CONSOLE);
      assert.equal(r.unreadable, 1);
      assert.deepEqual(r.columns.find((c) => c.column === 'answers.data_enc')?.unreadable, [victim.pk]);
      assert.equal(r.resealed, total - 1);
      assert.deepEqual((await readSealed(ctx.db, victim)).bytes, damaged, 'left byte for byte');
      const inUse = await rejects(
        retireDataKey(rotated, CONSOLE, { keyId: old, keys: dataKeyFile(file) }),
        'data_key.in_use',
      );
      assert.equal(inUse.data.count, 1);
      assert.deepEqual((await loadKeyRing(file)).keyIds, [old, third.keyId]);
    });
  });
}

test('V1.6.3: every sealed column of the migrations (`*_enc`) is in SEALED_COLUMNS, and every entry exists', async () => {
  const dir = new URL('../../src/adapters/db/migrations/', import.meta.url);
  const found = new Set<string>();
  for (const f of (await readdir(dir)).filter((x) => x.endsWith('.ts'))) {
    const text = await readFile(new URL(f, dir), 'utf8');
    for (const m of text.matchAll(/create table (\w+) \(([\s\S]*?)\n\s*\)`/g)) {
      for (const c of m[2]!.matchAll(/^\s*(\w+_enc)\s+bytea/gm)) found.add(`${m[1]}.${c[1]}`);
    }
    for (const m of text.matchAll(/alter table (\w+) add column (\w+_enc)\b/g)) found.add(`${m[1]}.${m[2]}`);
  }
  const listed = new Set(SEALED_COLUMNS.filter((c) => !c.jsonField).map((c) => `${c.table}.${c.column}`));
  assert.deepEqual([...found].sort(), [...listed].sort(), 'a sealed column missing from src/app/sealed-columns.ts');
  assert.ok(SEALED_COLUMNS.some((c) => sealedColumnName(c) === 'request_events.data.sealed'));
});
