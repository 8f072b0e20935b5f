// Issue 18, item 7: EIX_REQUIRE_BROWSER=1 (set by .ci/run) turns a missing browser from a skipped browser suite into
// a failed one. Checked in child processes with EIX_CHROMIUM naming a browser that does not exist: without the
// variable the suite is skipped (and says why); with it, it runs and fails at the launch, naming the missing browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const NO_BROWSER = '/nonexistent/chromium';

/** Imports test/support/browser.ts in a child with the given environment; reports browserSkip and the launch. */
async function probe(env: Record<string, string>): Promise<{ skip: string | false; launch: string }> {
  const script = `
    const b = await import('./test/support/browser.ts');
    let launch = 'launched';
    try { const br = await b.launchBrowser(); await br.close(); } catch (e) { launch = e.message; }
    console.log(JSON.stringify({ skip: b.browserSkip, launch }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, EIX_REQUIRE_BROWSER: '', EIX_CHROMIUM: NO_BROWSER, ...env },
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { skip: string | false; launch: string };
}

test('without EIX_REQUIRE_BROWSER a missing browser skips the browser suites, saying why', async () => {
  const r = await probe({});
  assert.match(String(r.skip), new RegExp(`no browser at ${NO_BROWSER}`));
});

test('with EIX_REQUIRE_BROWSER=1 a missing browser is not a skip: the launch fails naming it', async () => {
  const r = await probe({ EIX_REQUIRE_BROWSER: '1' });
  assert.equal(r.skip, false);
  assert.match(r.launch, new RegExp(`no browser at ${NO_BROWSER}`));
});

test('CI sets EIX_REQUIRE_BROWSER=1', async () => {
  const { readFile } = await import('node:fs/promises');
  assert.match(await readFile(new URL('.ci/run', `file://${ROOT}`), 'utf8'), /^export EIX_REQUIRE_BROWSER=1$/m);
});
