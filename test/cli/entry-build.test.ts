// bin/eix.js runs the compiled build (dist/) only when it is not older than the sources: an update checked out but
// not built (or a developer's old build) runs the sources, and says so, rather than yesterday's code — the tests
// that start nodes through bin/eix.js would otherwise test a stale build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

test('eix runs dist/ when it is as new as src/, the sources (with a warning) when dist/ is older', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'eix-entry-'));
  try {
    await mkdir(path.join(dir, 'bin'));
    await cp(path.join(ROOT, 'bin/eix.js'), path.join(dir, 'bin/eix.js'));
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    await writeFile(path.join(dir, 'package.json'), '{"type":"module"}');
    await mkdir(path.join(dir, 'dist/cli'), { recursive: true });
    await mkdir(path.join(dir, 'src/cli/deep'), { recursive: true });
    await writeFile(path.join(dir, 'dist/cli/main.js'), "console.log('built');\n");
    await writeFile(path.join(dir, 'src/cli/main.ts'), "const from: string = 'sources';\nconsole.log(from);\n");
    await writeFile(path.join(dir, 'src/cli/deep/other.ts'), 'export {};\n');
    const at = (file: string, seconds: number) => utimes(path.join(dir, file), seconds, seconds);
    const eix = () => run(process.execPath, [path.join(dir, 'bin/eix.js')], { cwd: dir });
    await at('src/cli/main.ts', 1_000);
    await at('src/cli/deep/other.ts', 1_000);
    await at('dist/cli/main.js', 2_000);
    const fresh = await eix();
    assert.equal(fresh.stdout.trim(), 'built');
    assert.equal(fresh.stderr, '');
    // One source file, however deep, changed after the build.
    await at('src/cli/deep/other.ts', 3_000);
    const stale = await eix();
    assert.equal(stale.stdout.trim(), 'sources');
    assert.match(stale.stderr, /сборка dist\/ старше исходных текстов src\/.*npm run build/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
