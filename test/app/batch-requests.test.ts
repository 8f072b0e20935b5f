// Batch requests (issue 16.1) on real storage: every row checked with the single path's rules (R11, national
// ids), a per-row report with the column and a Russian message, the valid rows created, signed and queued with
// the same rows and audit entries as draftRequest + signRequest (R9.1), nothing half-created when a chunk fails,
// and each row created exactly once across a crash and a resume.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { readBatchFile } from '../../src/adapters/batch/batch-file.js';
import { startBatchRunner } from '../../src/adapters/jobs/batch-runner.js';
import { getBatch, runBatch, submitBatch, type SubmittedRow } from '../../src/app/batch-requests.js';
import { verifyAuditLog } from '../../src/app/audit.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import type { Officer } from '../../src/app/context.js';
import { BATCH_COLUMNS, exampleCells } from '../../src/domain/batch.js';
import { aRequest } from '../support/requests.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';
import { nodeOn, seedBody, seedOfficer, uniq, TEST_AUDIT_KEY, type TestNode } from '../support/app.js';

const TO = { party: 'KZ' };

/** A CSV file of the template's columns: the example row changed per row. */
function csv(rows: readonly Record<string, string>[]): Buffer {
  const ex = exampleCells();
  return Buffer.from(
    stringify(
      [BATCH_COLUMNS.map((c) => c.header), ...rows.map((r) => BATCH_COLUMNS.map((c) => r[c.key] ?? ex[c.key] ?? ''))],
      { delimiter: ';' },
    ),
  );
}

const good = (i: number, prefix: string): Record<string, string> => ({
  proceedingNumber: `${prefix}-${i}`,
  debtorSurname: `Иванов${'а'.repeat(i % 3)}`,
});

async function count(
  node: TestNode,
  table: 'requests' | 'outbox' | 'request_events' | 'proceedings',
  batchId?: string,
) {
  let q = node.ctx.db.selectFrom(table as 'requests').select((eb) => eb.fn.countAll<string>().as('n'));
  if (batchId && table === 'requests') q = q.where('batch_id', '=', batchId);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

for (const e of ENGINES) {
  describe(`batch requests on ${e.engine}`, () => {
    let ru: TestNode;
    let officer: Officer;

    before(async () => {
      ru = nodeOn(await e.open(), 'RU');
      const body = await seedBody(ru.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
      officer = await seedOfficer(ru.ctx, body);
    });
    after(async () => {
      await ru.database.close();
    });

    const submitFile = async (file: Buffer, name = 'пакет.csv') => {
      const { format, rows } = await readBatchFile(name, file);
      return submitBatch(ru.ctx, officer, { source: format, fileName: name, requestedBody: TO, rows });
    };

    test('R11, R11.1.c: bad rows are listed by row, column and Russian message; the others are created, signed and queued', async () => {
      const p = uniq('Б');
      const file = csv([
        good(1, p),
        { ...good(2, p), debtorIdValue: '500100732250' }, // wrong check digit (ИНН)
        { ...good(3, p), grounds: '' }, // R11.1.e
        { ...good(4, p), debtorKind: 'гражданин' }, // not a kind of person
        { ...good(5, p), docDate: '31.02.2026' }, // no such date
        good(6, p),
        { ...good(7, p), items: 'имущество; звёзды' },
        good(8, p),
      ]);
      const { id, total } = await submitFile(file);
      assert.equal(total, 8);
      const end = await runBatch(ru.ctx, id, { runner: 'test', chunkSize: 2 });
      assert.deepEqual(
        { state: end.state, created: end.created, failed: end.failed },
        { state: 'done', created: 3, failed: 5 },
      );
      const v = await getBatch(ru.ctx, officer, id);
      const byRow = (n: number) => v.problems.filter((x) => x.row === n);
      // Rows are the file's lines (the header is line 1).
      assert.deepEqual([...new Set(v.problems.map((x) => x.row))], [3, 4, 5, 6, 8]);
      assert.equal(byRow(3)[0]!.field, 'Должник: номер');
      assert.match(byRow(3)[0]!.message, /контрольное число/);
      assert.equal(byRow(4)[0]!.field, 'Содержание запроса и обстоятельства');
      assert.match(byRow(4)[0]!.message, /Не заполнено обязательное поле/);
      assert.equal(byRow(5)[0]!.field, 'Должник: вид лица');
      assert.match(byRow(5)[0]!.message, /«гражданин» — неизвестный вид лица/);
      // An unreadable date is told once, by its column (not again as «not filled in»).
      assert.equal(byRow(6).length, 1, JSON.stringify(byRow(6)));
      assert.equal(byRow(6)[0]!.field, 'Исполнительный документ: дата');
      assert.match(byRow(8)[0]!.message, /«звёзды»/);
      for (const x of v.problems) assert.match(x.message, /[а-я]/);
      // Each created request is its own signed request with its own queued message.
      const made = await ru.ctx.db.selectFrom('requests').selectAll().where('batch_id', '=', id).execute();
      assert.deepEqual(made.map((r) => r.batch_row).sort(), [2, 7, 9]);
      assert.ok(made.every((r) => r.state === 'signed' && r.message_id && /^ru-fssp-77\/\d{4}\/\d{6}$/.test(r.number)));
      assert.equal(new Set(made.map((r) => r.number)).size, 3);
      const queued = await ru.ctx.db
        .selectFrom('outbox')
        .select(['message_id', 'to_party', 'to_body', 'status'])
        .where(
          'request_id',
          'in',
          made.map((r) => r.id),
        )
        .execute();
      assert.deepEqual(new Set(queued.map((q) => q.message_id)), new Set(made.map((r) => r.message_id)));
      assert.ok(queued.every((q) => q.to_party === 'KZ' && q.to_body === 'kz-central' && q.status === 'pending'));
      assert.equal((await verifyAuditLog(ru.ctx.db, { key: TEST_AUDIT_KEY.key })).ok, true);
    });

    test('R9.1: a batch row is stored and audited exactly as draftRequest + signRequest store and audit one request', async () => {
      const number = uniq('ИП');
      const ex = aRequest();
      // The single path.
      const { id: proceedingId } = await createProceeding(ru.ctx, officer, {
        number,
        openedOn: '2026-03-02',
        debtor: ex.debtor,
        creditor: ex.creditor,
        executiveDocuments: [ex.executiveDocument],
      });
      const content = {
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Министерство юстиции Республики Казахстан' },
        items: ex.items,
        grounds: ex.grounds,
      };
      const d = await draftRequest(ru.ctx, officer, { proceedingId, ...content });
      await signRequest(ru.ctx, officer, { requestId: d.id });
      // The batch: a JSON row of another proceeding with the same content.
      const row = {
        proceeding: { number: `${number}-Б`, openedOn: '2026-03-02' },
        debtor: ex.debtor,
        creditor: ex.creditor,
        executiveDocument: ex.executiveDocument,
        items: ex.items,
        grounds: ex.grounds,
      };
      const b = await submitBatch(ru.ctx, officer, { source: 'json', requestedBody: TO, rows: [{ n: 1, row }] });
      await runBatch(ru.ctx, b.id, { runner: 'test' });
      const single = await ru.ctx.db
        .selectFrom('requests')
        .selectAll()
        .where('id', '=', d.id)
        .executeTakeFirstOrThrow();
      const batch = await ru.ctx.db
        .selectFrom('requests')
        .selectAll()
        .where('batch_id', '=', b.id)
        .executeTakeFirstOrThrow();
      const shape = async (r: typeof single) => {
        const { number: n, date, proceeding, requestedBody, ...doc } = r.document as Record<string, unknown>;
        const audit = await ru.ctx.db
          .selectFrom('audit_log')
          .select(['action', 'subject', 'details', 'actor', 'body_id'])
          .where('request_id', '=', r.id)
          .orderBy('seq')
          .execute();
        const events = await ru.ctx.db
          .selectFrom('request_events')
          .select(['event', 'side', 'officer_id', 'data'])
          .where('request_id', '=', r.id)
          .execute();
        const items = await ru.ctx.db
          .selectFrom('request_items')
          .select(['item_no', 'kind', 'provisions'])
          .where('request_id', '=', r.id)
          .orderBy('item_no')
          .execute();
        const outbox = await ru.ctx.db
          .selectFrom('outbox')
          .select(['type', 'to_party', 'to_body', 'status', 'attempts'])
          .where('request_id', '=', r.id)
          .execute();
        const proceedingAudit = await ru.ctx.db
          .selectFrom('audit_log')
          .select(['action', 'actor'])
          .where('action', '=', 'proceeding.create')
          .where('subject', '=', (proceeding as { number: string }).number)
          .execute();
        return {
          row: {
            state: r.state,
            version: r.version,
            direction: r.direction,
            confidential: r.confidential,
            counterpart_party: r.counterpart_party,
            keys: r.search_keys.length,
            numberInDoc: n === r.number,
            dated: typeof date === 'string',
            requestedBody: (requestedBody as { id: string }).id,
          },
          doc,
          audit: audit.map((a) => ({
            ...a,
            details: Object.fromEntries(
              Object.entries(a.details as Record<string, unknown>).filter(
                ([k]) => !['proceedingId', 'batchId', 'row'].includes(k),
              ),
            ),
          })),
          events: events.map((x) => ({ ...x, data: { ...(x.data as object), number: '…' } })),
          items,
          outbox,
          proceedingAudit,
        };
      };
      assert.deepEqual(await shape(batch), await shape(single));
      // The batch adds where the row came from to the draft's entry.
      const draftEntry = await ru.ctx.db
        .selectFrom('audit_log')
        .select('details')
        .where('request_id', '=', batch.id)
        .where('action', '=', 'request.draft')
        .executeTakeFirstOrThrow();
      assert.deepEqual((draftEntry.details as { batchId: string; row: number }).row, 1);
    });

    test('R10.b: a registered proceeding with the same data is reused; one with other data is a row error', async () => {
      const number = uniq('ИП');
      const ex = aRequest();
      await createProceeding(ru.ctx, officer, {
        number,
        openedOn: '2026-03-02',
        debtor: ex.debtor,
        creditor: ex.creditor,
        executiveDocuments: [ex.executiveDocument],
      });
      const row = (change: Record<string, unknown> = {}) => ({
        proceeding: { number, openedOn: '2026-03-02' },
        debtor: ex.debtor,
        creditor: ex.creditor,
        executiveDocument: ex.executiveDocument,
        items: [{ kind: 'location', target: 'debtor' }],
        grounds: ex.grounds,
        ...change,
      });
      const other = uniq('ИП');
      const rows: SubmittedRow[] = [
        { n: 1, row: row() },
        { n: 2, row: row({ debtor: { ...ex.debtor, surname: 'Петров' } }) },
        { n: 3, row: row({ proceeding: { number: other, openedOn: '2026-03-03' } }) },
        { n: 4, row: row({ proceeding: { number: other, openedOn: '2026-03-04' } }) },
        { n: 5, row: row({ proceeding: { number: other, openedOn: '2026-03-03' } }) },
      ];
      const before = await count(ru, 'proceedings');
      const b = await submitBatch(ru.ctx, officer, { source: 'json', requestedBody: TO, rows });
      await runBatch(ru.ctx, b.id, { runner: 'test', chunkSize: 2 });
      const v = await getBatch(ru.ctx, officer, b.id);
      assert.deepEqual(
        v.problems.map((p) => [p.row, p.field]),
        [
          [2, 'Номер исполнительного производства'],
          [4, 'Номер исполнительного производства'],
        ],
      );
      assert.match(v.problems[0]!.message, /уже зарегистрировано в органе с другими сведениями \(должник\)/);
      assert.match(v.problems[1]!.message, /указано в строке 3 с другими сведениями \(дата возбуждения\)/);
      assert.equal(v.created, 3);
      // One new proceeding (rows 3 and 5 share it, in two chunks); the registered one reused.
      assert.equal((await count(ru, 'proceedings')) - before, 1);
      const ps = await ru.ctx.db
        .selectFrom('requests')
        .select(['proceeding_id', 'batch_row'])
        .where('batch_id', '=', b.id)
        .orderBy('batch_row')
        .execute();
      assert.equal(ps[1]!.proceeding_id, ps[2]!.proceeding_id);
      assert.notEqual(ps[0]!.proceeding_id, ps[1]!.proceeding_id);
    });

    test('nothing half-created: a chunk that fails midway leaves no request, message, history or audit entry of it', async () => {
      const p = uniq('Ч');
      const { id } = await submitFile(csv(Array.from({ length: 7 }, (_, i) => good(i, p))));
      const before = {
        requests: await count(ru, 'requests'),
        outbox: await count(ru, 'outbox'),
        events: await count(ru, 'request_events'),
        proceedings: await count(ru, 'proceedings'),
      };
      await assert.rejects(
        runBatch(ru.ctx, id, {
          runner: 'one',
          chunkSize: 3,
          faults: {
            inChunk: (chunk) => {
              if (chunk === 1) throw new Error('power cut');
            },
          },
        }),
        /power cut/,
      );
      // Chunk 0 (3 rows) committed; chunk 1 was written inside its transaction, then rolled back whole.
      assert.deepEqual(
        {
          requests: (await count(ru, 'requests')) - before.requests,
          outbox: (await count(ru, 'outbox')) - before.outbox,
          events: (await count(ru, 'request_events')) - before.events,
          proceedings: (await count(ru, 'proceedings')) - before.proceedings,
        },
        { requests: 3, outbox: 3, events: 3, proceedings: 3 },
      );
      const audit = await ru.ctx.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where(sql<boolean>`details @> ${JSON.stringify({ batchId: id })}::jsonb`)
        .where('action', '=', 'request.draft')
        .executeTakeFirstOrThrow();
      assert.equal(Number(audit.n), 3);
      assert.equal((await verifyAuditLog(ru.ctx.db, { key: TEST_AUDIT_KEY.key })).ok, true);
      const v = await getBatch(ru.ctx, officer, id);
      assert.deepEqual([v.state, v.created], ['creating', 3]);
    });

    test('exactly once: a runner that dies after a chunk commits is resumed by another; each row is created once', async () => {
      const p = uniq('Р');
      const rows = Array.from({ length: 10 }, (_, i) => (i === 4 ? { ...good(i, p), grounds: '' } : good(i, p)));
      const { id } = await submitFile(csv(rows));
      for (const chunk of [0, 2]) {
        await assert.rejects(
          runBatch(ru.ctx, id, {
            runner: `dies-after-${chunk}`,
            chunkSize: 2,
            leaseMs: 0,
            faults: {
              afterChunk: (c) => {
                if (c === chunk) throw new Error('killed');
              },
            },
          }),
          /killed/,
        );
      }
      // A live lease of another runner is respected…
      const held = await runBatch(ru.ctx, id, { runner: 'late', chunkSize: 2 });
      assert.equal(held.state, 'creating');
      // …an expired one is taken over.
      const end = await runBatch(ru.ctx, id, { runner: 'resumes', chunkSize: 2, leaseMs: 0 });
      assert.deepEqual([end.state, end.created, end.failed], ['done', 9, 1]);
      // Counted by the rows themselves (no constraint ties a row to one request): each valid row once.
      const made = await ru.ctx.db
        .selectFrom('requests')
        .select(['batch_row', 'number'])
        .where('batch_id', '=', id)
        .execute();
      const rowsMade = made.map((r) => r.batch_row!).sort((a, b) => a - b);
      assert.deepEqual(rowsMade, [2, 3, 4, 5, 7, 8, 9, 10, 11]);
      const queued = await ru.ctx.db
        .selectFrom('outbox')
        .innerJoin('requests', 'requests.id', 'outbox.request_id')
        .select('requests.batch_row')
        .where('requests.batch_id', '=', id)
        .execute();
      assert.equal(queued.length, 9);
      const v = await getBatch(ru.ctx, officer, id);
      assert.deepEqual(
        v.problems.map((x) => x.row),
        [6],
      );
      // The submitted rows (personal data) are dropped when the batch ends.
      const stored = await ru.ctx.db
        .selectFrom('batches')
        .select('rows_enc')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.rows_enc, null);
      assert.equal((await verifyAuditLog(ru.ctx.db, { key: TEST_AUDIT_KEY.key })).ok, true);
    });

    test('the outbox worker is woken after each chunk that queued messages, not at validation, an empty chunk or the end', async () => {
      // A node of its own: no batch of the other tests is open on it.
      const node = nodeOn(await e.open(), 'RU');
      try {
        const body = await seedBody(node.ctx, { id: 'ru-fssp-77', name: 'ГУФССП России по г. Москве' });
        const by = await seedOfficer(node.ctx, body);
        const p = uniq('О');
        // Chunks of two: rows 1–2 good, 3–4 refused (no grounds), 5 good.
        const rows = Array.from({ length: 5 }, (_, i) =>
          i === 2 || i === 3 ? { ...good(i, p), grounds: '' } : good(i, p),
        );
        const { format, rows: parsed } = await readBatchFile('пакет.csv', csv(rows));
        const { id } = await submitBatch(node.ctx, by, {
          source: format,
          fileName: 'пакет.csv',
          requestedBody: TO,
          rows: parsed,
        });
        let woken = 0;
        const runner = startBatchRunner(node.ctx, {
          exclusive: true,
          chunkSize: 2,
          onQueued: () => {
            woken += 1;
          },
        });
        try {
          await runner.drain();
        } finally {
          await runner.stop();
        }
        const end = await getBatch(node.ctx, by, id);
        assert.deepEqual([end.state, end.created, end.failed], ['done', 3, 2]);
        assert.equal(woken, 2, 'two chunks queued messages');
      } finally {
        await node.database.close();
      }
    });

    test('a lost database connection during a run leaves the batch open; the runner resumes it and creates each row once (found by the chaos soak)', async () => {
      const p = uniq('Д');
      const { id } = await submitFile(csv(Array.from({ length: 5 }, (_, i) => good(i, p))));
      // The first progress report meets the database gone, as a pg_terminate_backend between two statements does.
      const lost = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      let cut = false;
      const errors: unknown[] = [];
      const runner = startBatchRunner(ru.ctx, {
        exclusive: true,
        chunkSize: 2,
        onQueued: () => {
          if (cut) return;
          cut = true;
          throw lost;
        },
        onError: (e) => errors.push(e),
      });
      try {
        await runner.drain();
        assert.deepEqual(errors, [lost], 'the run stopped at the lost connection');
        const open = await getBatch(ru.ctx, officer, id);
        assert.notEqual(open.state, 'failed', 'not failed: the batch is open');
        await runner.drain();
      } finally {
        await runner.stop();
      }
      const end = await getBatch(ru.ctx, officer, id);
      assert.deepEqual([end.state, end.created, end.failed], ['done', 5, 0]);
      const made = await ru.ctx.db.selectFrom('requests').select('batch_row').where('batch_id', '=', id).execute();
      assert.deepEqual(
        made.map((r) => r.batch_row).sort((a, b) => a! - b!),
        [2, 3, 4, 5, 6],
      );
    });

    test('a batch is refused whole before anything is stored: no rows, a Party not requestable, a role that does not sign', async () => {
      await rejects(
        submitBatch(ru.ctx, officer, { source: 'json', requestedBody: TO, rows: [] }),
        'batch.empty',
        'rows',
      );
      await rejects(
        submitBatch(ru.ctx, officer, { source: 'json', requestedBody: { party: 'RU' }, rows: [{ n: 1, row: {} }] }),
        'input.invalid',
        'requestedBody.party',
      );
      await rejects(
        submitBatch(ru.ctx, officer, {
          source: 'json',
          requestedBody: { party: 'KZ', id: 'kz-nowhere' },
          rows: [{ n: 1, row: {} }],
        }),
        'input.invalid',
        'requestedBody.id',
      );
      const central = await seedOfficer(ru.ctx, 'ru-fssp-77', ['central']);
      await rejects(
        submitBatch(ru.ctx, central, { source: 'json', requestedBody: TO, rows: [{ n: 1, row: {} }] }),
        'access.denied',
      );
      const other = await seedOfficer(ru.ctx, await seedBody(ru.ctx, { id: uniq('ru-body') }));
      const { id } = await submitBatch(ru.ctx, officer, {
        source: 'json',
        requestedBody: TO,
        rows: [{ n: 1, row: {} }],
      });
      await rejects(getBatch(ru.ctx, other, id), 'batch.not_found');
    });
  });
}
