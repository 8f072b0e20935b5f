// Results of test and bench runs: every run writes its counts to
// test-results/<name>.json (ignored by git). A run made to be cited — the
// figures of docs/RELIABILITY.md — is recorded with EIX_RECORD_RESULTS=1: the
// same file then also goes to docs/results/<name>.json, committed, with the
// run's date, machine and commit. docs/RELIABILITY.md cites figures only from
// there (test/docs/reliability-figures.test.ts checks every citation).
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RUN_RESULTS_DIR = path.join(ROOT, 'test-results');
export const RECORDED_RESULTS_DIR = path.join(ROOT, 'docs', 'results');

/** Where and on what the run happened: stored with a recorded result so a figure can be compared later. */
export function runInfo(): Record<string, unknown> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    /* not a checkout */
  }
  return {
    at: new Date().toISOString(),
    commit,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** True when this run's results are to be committed (docs/results/). */
export const recording = (): boolean => process.env.EIX_RECORD_RESULTS === '1';

/**
 * Writes `data` to test-results/<name>; when recording, also to docs/results/<name> with the run's
 * date, machine and commit under `run`. Returns the path written for this run.
 */
export async function writeResult(name: string, data: unknown): Promise<string> {
  await mkdir(RUN_RESULTS_DIR, { recursive: true });
  const file = path.join(RUN_RESULTS_DIR, name);
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  if (recording()) await writeRecorded(name, data);
  return file;
}

/** Writes docs/results/<name> with the run's date, machine and commit under `run`. */
export async function writeRecorded(name: string, data: unknown): Promise<string> {
  await mkdir(RECORDED_RESULTS_DIR, { recursive: true });
  const file = path.join(RECORDED_RESULTS_DIR, name);
  await writeFile(file, `${JSON.stringify({ run: runInfo(), ...(data as Record<string, unknown>) }, null, 2)}\n`);
  return file;
}
