// Issue 17 item 3 on a running node: `eix node start` with EIX_SMTP_URL, EIX_MAIL_FROM and EIX_PUBLIC_URL starts
// the mail worker, and a new incoming request reaches its body's officer through the local SMTP server on loopback
// with a link under the public address.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixedClock } from '../../src/adapters/clock/system-clock.js';
import { receiveRequest } from '../../src/app/receive-request.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';
import { startNode, type RunningNode } from '../../src/main.js';
import { DEMO_TREATY, TestClock, seedOfficer } from '../support/app.js';
import { aRequest } from '../support/requests.js';
import { startLocalSmtp, type LocalSmtp } from '../support/smtp.js';

describe('issue 17.3: a running node mails its officers', () => {
  let tmp: string;
  let node: RunningNode;
  let smtp: LocalSmtp;
  const clock = new TestClock(Date.parse('2026-11-26T11:00:00+05:00'));

  before(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'eix-mail-node-'));
    const home = path.join(tmp, 'node');
    const code = await runCli(['node', 'init', '--party', 'kz', '--json'], {
      io: { out: () => undefined, err: () => undefined },
      clock: fixedClock(clock.now()),
      config: readConfig({ EIX_HOME: home }),
    });
    assert.equal(code, 0);
    smtp = await startLocalSmtp();
    const config = readConfig({
      EIX_HOME: home,
      EIX_PORT: '0',
      EIX_LOG_LEVEL: 'silent',
      EIX_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      EIX_MAIL_FROM: 'ЕИС <eix@kz.example>',
      EIX_PUBLIC_URL: 'https://eix.kz.example',
    });
    node = await startNode(config, { clock, treaty: () => DEMO_TREATY });
  });
  after(async () => {
    await node?.stop();
    await smtp?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  test('a new incoming request is mailed to its body’s officer, from the configured sender', async () => {
    const ctx = node.wired.ctx;
    assert.deepEqual(ctx.mail, { server: `127.0.0.1:${smtp.port}`, digestHour: 8 });
    assert.ok(node.mail, 'the mail worker runs');
    const officer = await seedOfficer(ctx, 'kz-central', ['officer']);
    await ctx.db
      .updateTable('officers')
      .set({ email: 'petrova@kz.example' })
      .where('id', '=', officer.officerId)
      .execute();
    const r = await receiveRequest(
      ctx,
      { kind: 'system', name: 'federation' },
      {
        messageId: 'mail-node-1-000',
        fromBody: { id: 'ru-fssp-77', party: 'RU', name: 'ГУФССП России по г. Москве' },
        toBodyId: 'kz-central',
        receivedAt: clock.now().toISOString(),
        document: aRequest(),
      },
    );
    await node.mail!.drain();
    assert.equal(smtp.letters.length, 1);
    const [letter] = smtp.letters;
    assert.deepEqual(letter!.to, ['petrova@kz.example']);
    assert.equal(letter!.from, 'eix@kz.example');
    assert.match(letter!.subject, /^EIX: Новый запрос № .+ \(Россия\)$/);
    assert.ok(letter!.text.includes(`Открыть запрос: https://eix.kz.example/requests/${r.id}`), letter!.text);
    assert.equal(letter!.headers['auto-submitted'], 'auto-generated');
  });
});
