// `npm run bench -- <suite>`: runs benchmark suites, writes JSON results to
// bench/results/<suite>-<timestamp>.json and prints a table. Benchmarks, not
// tests, measure speed (tests never assert wall-clock time).
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { Bench } from 'tinybench';
import { recording, writeRecorded } from '../test/support/results.js';

export interface Suite {
  readonly name: string;
  readonly description: string;
  /** Adds the suite's tasks; setup work happens before, outside the timed functions. */
  add?(bench: Bench): Promise<void> | void;
  /** A suite that measures on its own (a soak): returns its rows. */
  measure?(): Promise<BenchRow[]>;
  /** Releases what `add` set up (databases, directories). */
  teardown?(): Promise<void>;
  /** Figures derived from the rows (ratios), printed and stored with the results. */
  summarize?(rows: readonly BenchRow[]): Record<string, number | string>;
  /** Everything else the suite recorded (a soak's fault log and checks), stored with the results. */
  details?(): unknown;
}

export interface BenchRow {
  task: string;
  opsPerSec: number;
  meanMicros: number;
  p50Micros: number;
  /** Suites that measure on their own may report the 95th percentile too. */
  p95Micros?: number;
  p99Micros: number;
  samples: number;
}

const suites: Record<string, () => Promise<Suite>> = {
  domain: async () => (await import('./domain.js')).suite,
  node: async () => (await import('./node.js')).suite,
  exchange: async () => (await import('./exchange.js')).suite,
  ui: async () => (await import('./ui.js')).suite,
  load: async () => (await import('./load.js')).suite,
  batch: async () => (await import('./batch.js')).suite,
  chaos: async () => (await import('./chaos.js')).suite,
};

/** Run only when named: the chaos soak takes hours at its default size. */
const ON_REQUEST = new Set(['chaos']);

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const chosen = names.length ? names : Object.keys(suites).filter((n) => !ON_REQUEST.has(n));
  for (const n of chosen) {
    const load = suites[n];
    if (!load) {
      process.stderr.write(`Unknown benchmark suite "${n}". Known: ${Object.keys(suites).join(', ')}\n`);
      process.exitCode = 2;
      return;
    }
    await runSuite(await load());
  }
}

async function runSuite(suite: Suite): Promise<void> {
  const bench = new Bench({ name: suite.name, time: 1000, warmupTime: 200 });
  let measured: BenchRow[] | null = null;
  try {
    if (suite.measure) measured = await suite.measure();
    else {
      await suite.add?.(bench);
      await bench.run();
    }
  } finally {
    await suite.teardown?.();
  }
  const rows: BenchRow[] =
    measured ??
    bench.tasks.map((t) => {
      const r = t.result as
        | {
            throughput?: { mean: number };
            latency?: { mean: number; p50?: number; p99?: number; samplesCount?: number };
          }
        | undefined;
      return {
        task: t.name,
        opsPerSec: Math.round(r?.throughput?.mean ?? 0),
        meanMicros: Number(((r?.latency?.mean ?? 0) * 1000).toFixed(2)),
        p50Micros: Number(((r?.latency?.p50 ?? 0) * 1000).toFixed(2)),
        p99Micros: Number(((r?.latency?.p99 ?? 0) * 1000).toFixed(2)),
        samples: r?.latency?.samplesCount ?? 0,
      };
    });
  const result = {
    suite: suite.name,
    description: suite.description,
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
    results: rows,
    ...(suite.summarize ? { summary: suite.summarize(rows) } : {}),
    ...(suite.details ? { details: suite.details() } : {}),
  };
  const dir = new URL('./results/', import.meta.url);
  await mkdir(dir, { recursive: true });
  const file = new URL(`${suite.name}-${result.at.replace(/[:.]/g, '-')}.json`, dir);
  await writeFile(file, JSON.stringify(result, null, 2));
  // A run made to be cited (docs/RELIABILITY.md «Where the figures come from»): also docs/results/bench-<suite>.json.
  if (recording()) await writeRecorded(`bench-${suite.name}.json`, result);
  process.stdout.write(`\n${suite.name}: ${suite.description}\n`);
  console.table(rows);
  if (result.summary) for (const [k, v] of Object.entries(result.summary)) process.stdout.write(`${k}: ${v}\n`);
  process.stdout.write(`results: ${file.pathname}\n`);
}

await main();
