// `eix node init && eix node start` with no configuration: a running node on
// the embedded database, an API token from the console, a clean stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startAnswer } from '../support/processes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin/eix.js');

test('eix node init, token create and node start give a working node; SIGTERM stops it cleanly', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'eix-start-'));
  const env = { ...process.env, EIX_HOME: home, EIX_PORT: '0', EIX_LOG_LEVEL: 'warn', EIX_DATABASE_URL: '' };
  delete (env as Record<string, string | undefined>).EIX_DATABASE_URL;
  try {
    const run = promisify(execFile);
    const init = JSON.parse(
      (await run(process.execPath, [BIN, 'node', 'init', '--json'], { env, cwd: ROOT })).stdout,
    ) as { party: string; admin: { password: string } };
    assert.equal(init.party, 'RU');
    assert.ok(init.admin.password.length >= 12);
    const token = (
      JSON.parse(
        (
          await run(process.execPath, [BIN, 'token', 'create', '--login', 'admin', '--name', 'test', '--json'], {
            env,
            cwd: ROOT,
          })
        ).stdout,
      ) as { token: string }
    ).token;
    const child = spawn(process.execPath, [BIN, 'node', 'start', '--json'], {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const started = await new Promise<{ address: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node did not start: ${out}`)), 60_000);
      child.stdout.on('data', () => {
        const answer = startAnswer(out);
        if (answer) {
          clearTimeout(timer);
          resolve(answer);
        }
      });
    });
    const health = (await (await fetch(`${started.address}/api/v1/health`)).json()) as { status: string };
    assert.equal(health.status, 'ok');
    const me = await fetch(`${started.address}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal((await fetch(`${started.address}/api/v1/me`)).status, 401);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
