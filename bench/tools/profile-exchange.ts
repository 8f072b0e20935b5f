// Drives exchanges between two in-process nodes and profiles only them (the
// V8 profiler through node:inspector, started after the set-up, as
// `node --cpu-prof` would record it):
//   node --import tsx bench/tools/profile-exchange.ts [exchange|bundle|app] [count] [out.cpuprofile]
// `exchange`: the bench's round trip (sign → mutual TLS → verified, stored,
// receipted → receipt verified), `app`: an officer's request drafted, signed and
// queued, then delivered by the outbox worker and its receipt recorded; `bundle`: the
// exchange's messages posted in bundles of 100 (protocol version 3), each bundle receipt verified.
// Then: node --import tsx bench/tools/cpuprofile-top.ts <out.cpuprofile>
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { DefaultQueryExecutor, type CompiledQuery } from 'kysely';
import { MESSAGE_JWS_TYPE, RECEIPT_JWS_TYPE } from '../../src/adapters/federation/context.js';
import { canonicalBytes } from '../../src/adapters/crypto/jws.js';
import { verifySigned } from '../../src/adapters/federation/inbound.js';
import { postMessage } from '../../src/adapters/federation/outbound.js';
import { createProceeding } from '../../src/app/create-proceeding.js';
import { draftRequest } from '../../src/app/draft-request.js';
import { signRequest } from '../../src/app/sign-request.js';
import { aRequest } from '../../test/support/requests.js';
import { bundleRoundTrip, requestMessage } from '../exchange.js';
import { throwawayDatabases } from '../../test/support/db.js';
import { officer, startTestFederation } from '../../test/support/federation.js';

const mode = process.argv[2] ?? 'exchange';
const count = Number(process.argv[3] ?? 500);
// `-` as the file: no profile, only the rate.
const out = process.argv[4] ?? `/tmp/eix-${mode}.cpuprofile`;
// EIX_COUNT_SQL=1: counts the SQL statements of the run (both nodes), by their first words.
const statements = new Map<string, number>();
if (process.env.EIX_COUNT_SQL === '1') {
  const proto = Object.getPrototypeOf(DefaultQueryExecutor.prototype) as {
    executeQuery: (q: CompiledQuery, ...rest: unknown[]) => Promise<unknown>;
  };
  const run = proto.executeQuery;
  proto.executeQuery = function (this: unknown, q: CompiledQuery, ...rest: unknown[]) {
    const k = q.sql.replace(/\s+/g, ' ').slice(0, 70);
    statements.set(k, (statements.get(k) ?? 0) + 1);
    return run.call(this, q, ...rest);
  };
}
const session = new Session();
session.connect();
// EIX_PROFILE_PG=<admin url>: the nodes on PostgreSQL (throwaway databases) instead of PGlite.
const pgAdmin = process.env.EIX_PROFILE_PG;
const dbs = pgAdmin ? await throwawayDatabases(pgAdmin, 'prof') : null;
const fed = await startTestFederation(dbs ? { databaseUrls: dbs.urls } : {});
try {
  const ru = fed.nodes.RU.wired.federation!;
  const kzUrl = ru.registry().parties.KZ!.nodes[0]!.url;
  if (out !== '-') {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  statements.clear();
  if (mode === 'bundle') {
    for (let i = 0; i < count; i += 100) await bundleRoundTrip(ru, kzUrl, Math.min(100, count - i));
  } else if (mode === 'exchange') {
    for (let i = 0; i < count; i++) {
      const jws = await ru.signer.sign('ru-fssp-77', canonicalBytes(requestMessage()), MESSAGE_JWS_TYPE);
      const receipt = await postMessage(ru, { party: 'KZ', url: kzUrl }, jws);
      await verifySigned(ru, receipt, RECEIPT_JWS_TYPE, {
        party: 'KZ',
        body: 'kz-central',
        at: (x) => new Date(x.envelope.createdAt),
      });
    }
  } else {
    const ctx = fed.nodes.RU.wired.ctx;
    const o = await officer(fed.nodes.RU, 'ru.officer');
    const ex = aRequest();
    const { id: proceedingId } = await createProceeding(ctx, o, {
      number: 'PROF-1',
      openedOn: '2026-03-02',
      debtor: ex.debtor,
      creditor: ex.creditor,
      executiveDocuments: [ex.executiveDocument],
    });
    for (let i = 0; i < count; i++) {
      const d = await draftRequest(ctx, o, {
        proceedingId,
        requestedBody: { id: 'kz-central', party: 'KZ', name: 'Казахстан' },
        items: [{ kind: 'location', target: 'debtor' }],
        grounds: 'Должник проживает в Республике Казахстан.',
      });
      await signRequest(ctx, o, { requestId: d.id });
      await fed.nodes.RU.worker!.drain();
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // CPU time per exchange (both nodes, this process): steadier than the rate on a shared machine.
  const cpuMs = (cpu.user + cpu.system) / 1000 / count;
  if (statements.size) {
    const rows = [...statements].sort((a, b) => b[1] - a[1]);
    for (const [k, n] of rows) process.stdout.write(`${(n / count).toFixed(2).padStart(6)}  ${k}\n`);
    process.stdout.write(`${(rows.reduce((a, r) => a + r[1], 0) / count).toFixed(1)} statements per exchange\n`);
  }
  if (out !== '-') await writeFile(out, JSON.stringify((await session.post('Profiler.stop')).profile));
  process.stdout.write(
    `${mode}: ${count} in ${ms.toFixed(0)} ms, ${((count / ms) * 1000).toFixed(1)}/s, CPU ${cpuMs.toFixed(2)} ms per exchange; profile: ${out}\n`,
  );
} finally {
  await fed.close();
  await dbs?.drop();
}
