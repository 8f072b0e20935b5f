// A soak of two nodes (RU → KZ, in one process, real mutual TLS): first at a
// fixed rate, then at the maximum sustainable rate; throughput, delivery
// latency percentiles (sign → signed receipt recorded), errors, RSS and
// database growth; then a check that every request sent was received exactly
// once. The maximum phase is a closed loop: eight senders sign as fast as they
// can while fewer than EIX_LOAD_WINDOW requests (default 128) await their
// receipt — an open loop only measures how fast the backlog grows (signing
// runs several times faster than one receiver stores and receipts).
// EIX_LOAD_SECONDS sets the length of each phase (default 150 s: 5 minutes in all).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createProceeding } from '../src/app/create-proceeding.js';
import { draftRequest } from '../src/app/draft-request.js';
import { signRequest } from '../src/app/sign-request.js';
import { aRequest } from '../test/support/requests.js';
import { officer, startTestFederation } from '../test/support/federation.js';
import type { BenchRow, Suite } from './run.js';

const PHASE_SECONDS = Number(process.env.EIX_LOAD_SECONDS ?? 150);
const FIXED_RATE = Number(process.env.EIX_LOAD_RATE ?? 5);
const WINDOW = Number(process.env.EIX_LOAD_WINDOW ?? 128);
let summary: Record<string, number | string> = {};

const du = (dir: string): number => Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]) * 1024;
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : 0;

export const suite: Suite = {
  name: 'load',
  description: `two nodes exchanging for 2 × ${PHASE_SECONDS} s: ${FIXED_RATE}/s fixed, then maximum rate`,
  async measure() {
    const fed = await startTestFederation();
    try {
      const ru = fed.nodes.RU.wired.ctx;
      const kz = fed.nodes.KZ.wired.ctx;
      const o = await officer(fed.nodes.RU, 'ru.officer');
      const ex = aRequest();
      const { id: proceedingId } = await createProceeding(ru, o, {
        number: 'LOAD-1',
        openedOn: '2026-03-02',
        debtor: ex.debtor,
        creditor: ex.creditor,
        executiveDocuments: [ex.executiveDocument],
      });
      const ruDir = path.join(fed.dir, 'ru', 'db');
      const kzDir = path.join(fed.dir, 'kz', 'db');
      const sizeBefore = du(ruDir) + du(kzDir);
      const rss: number[] = [];
      const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 1000);
      const sent: string[] = [];
      let errors = 0;
      const sendOne = async () => {
        try {
          const d = await draftRequest(ru, o, {
            proceedingId,
            requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
            items: [{ kind: 'location', target: 'debtor' }],
            grounds: 'Должник проживает в Республике Казахстан.',
          });
          await signRequest(ru, o, { requestId: d.id });
          sent.push(d.id);
          fed.nodes.RU.worker!.kick();
        } catch {
          errors += 1;
        }
      };
      const phases: { name: string; from: Date; to: Date; count: number }[] = [];
      // Phase 1: fixed rate.
      let from = new Date();
      let t0 = Date.now();
      for (let i = 0; Date.now() - t0 < PHASE_SECONDS * 1000; i++) {
        await sendOne();
        const wait = t0 + ((i + 1) * 1000) / FIXED_RATE - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      phases.push({ name: `fixed ${FIXED_RATE}/s`, from, to: new Date(), count: sent.length });
      // Phase 2: maximum sustainable rate (8 senders, at most WINDOW awaiting a receipt).
      const deliveredCount = async () =>
        Number(
          (
            await ru.db
              .selectFrom('outbox')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('status', '=', 'delivered')
              .executeTakeFirstOrThrow()
          ).n,
        );
      let delivered = await deliveredCount();
      let polling = true;
      const poller = (async () => {
        while (polling) {
          delivered = await deliveredCount();
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      from = new Date();
      t0 = Date.now();
      const before2 = sent.length;
      let maxInFlight = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (Date.now() - t0 < PHASE_SECONDS * 1000) {
            if (sent.length - delivered >= WINDOW) {
              await new Promise((r) => setTimeout(r, 20));
              continue;
            }
            await sendOne();
            maxInFlight = Math.max(maxInFlight, sent.length - delivered);
          }
        }),
      );
      polling = false;
      await poller;
      phases.push({ name: 'maximum', from, to: new Date(), count: sent.length - before2 });
      summary['maximum: window (awaiting receipt)'] = `${WINDOW} (max seen ${maxInFlight})`;
      // Let the worker finish the backlog (bounded: it keeps running by itself).
      const tDrain = Date.now();
      const deadline = tDrain + 120_000;
      for (;;) {
        fed.nodes.RU.worker!.kick();
        const pending = await ru.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '!=', 'delivered')
          .executeTakeFirstOrThrow();
        if (Number(pending.n) === 0 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      summary['backlog drained in (s)'] = Math.round((Date.now() - tDrain) / 100) / 10;
      clearInterval(sampler);
      const rows: BenchRow[] = [];
      for (const ph of phases) {
        const msgs = await ru.db
          .selectFrom('outbox')
          .select(['created_at', 'delivered_at'])
          .where('type', '=', 'request')
          .where('created_at', '>=', ph.from)
          .where('created_at', '<=', ph.to)
          .execute();
        const lat = msgs.filter((m) => m.delivered_at).map((m) => m.delivered_at!.getTime() - m.created_at.getTime());
        const seconds = (ph.to.getTime() - ph.from.getTime()) / 1000;
        summary[`${ph.name}: receipts recorded within the phase (/s)`] =
          Math.round((msgs.filter((m) => m.delivered_at && m.delivered_at <= ph.to).length / seconds) * 10) / 10;
        rows.push({
          task: `${ph.name}: requests signed → receipt recorded`,
          opsPerSec: Math.round((ph.count / seconds) * 10) / 10,
          meanMicros: Math.round((lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length)) * 1000),
          p50Micros: pct(lat, 50) * 1000,
          p99Micros: pct(lat, 99) * 1000,
          samples: msgs.length,
        });
        summary[`${ph.name} p95 (ms)`] = pct(lat, 95);
      }
      const incoming = await kz.db
        .selectFrom('requests')
        .select(['message_id'])
        .where('direction', '=', 'incoming')
        .execute();
      const unique = new Set(incoming.map((r) => r.message_id)).size;
      const undelivered = Number(
        (
          await ru.db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('status', '!=', 'delivered')
            .executeTakeFirstOrThrow()
        ).n,
      );
      const outgoing = await ru.db
        .selectFrom('requests')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('direction', '=', 'outgoing')
        .where('state', '=', 'received')
        .executeTakeFirstOrThrow();
      summary = {
        ...summary,
        sent: sent.length,
        'received by KZ': incoming.length,
        'duplicates at KZ': incoming.length - unique,
        'still queued at the end': undelivered,
        lost: sent.length - unique - undelivered,
        'RU requests with receipt': Number(outgoing.n),
        errors,
        'RSS min / max (MB)': `${Math.round(Math.min(...rss) / 1e6)} / ${Math.round(Math.max(...rss) / 1e6)}`,
        'database growth (MB, both nodes)': Math.round((du(ruDir) + du(kzDir) - sizeBefore) / 1e5) / 10,
      };
      return rows;
    } finally {
      await fed.close();
    }
  },
  summarize: () => summary,
};
