// The node as production runs it: compiled JavaScript (`npm run build`), not the TypeScript loader the tests
// use (tsx keeps its transformed sources and source maps: about 85 MB more RSS for an idle node). The load suite
// builds the sources once per run into `.bench-build/` (beside `dist/`, at the same depth, so the data files
// resolve alike) and starts its node processes from there; `dist/` itself is left alone (bin/eix.js would
// otherwise run a stale build in the tests).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUILD_DIR = path.join(ROOT, '.bench-build');

/**
 * docs/OPERATIONS.md «Memory of a node process»: the environment a node runs with in production, per database
 * engine (test/docs/operations-memory.test.ts holds the document to them). Both: a heap ceiling. On PostgreSQL
 * 32 MB semi-spaces (fewer objects promoted: less CPU per request); on the embedded engine, whose database lives in
 * the process, 8 MB semi-spaces and two malloc arenas (less memory: docs/PERFORMANCE.md «Memory»).
 */
export const RECOMMENDED_ENV: Readonly<Record<'postgres' | 'pglite', Readonly<Record<string, string>>>> = {
  postgres: { NODE_OPTIONS: '--max-old-space-size=1024 --max-semi-space-size=32' },
  pglite: { NODE_OPTIONS: '--max-old-space-size=1024 --max-semi-space-size=8', MALLOC_ARENA_MAX: '2' },
};

/** Compiles src/ into .bench-build/ and returns the CLI's entry file. */
export function buildNode(): string {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', BUILD_DIR], {
    stdio: 'inherit',
  });
  for (const dir of ['templates', 'assets']) {
    rmSync(path.join(BUILD_DIR, 'web', dir), { recursive: true, force: true });
    cpSync(path.join(ROOT, 'src', 'web', dir), path.join(BUILD_DIR, 'web', dir), { recursive: true });
  }
  return path.join(BUILD_DIR, 'cli', 'main.js');
}
