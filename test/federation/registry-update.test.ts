// Issue 11 (6): a running node puts a newer signed registry in force without a
// restart (its registry.jws changed, `eix registry install`, or another process
// of the node on the same database), never an older one, and holds outgoing
// messages while its registry is older than the configured maximum age.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { systemClock, fixedClock } from '../../src/adapters/clock/system-clock.js';
import { canonicalBytes } from '../../src/adapters/crypto/jws.js';
import { certificateInfo } from '../../src/adapters/crypto/pki.js';
import { signRegistry } from '../../src/adapters/crypto/registry-jws.js';
import { MESSAGE_JWS_TYPE, type Federation } from '../../src/adapters/federation/context.js';
import { acceptMessage } from '../../src/adapters/federation/inbound.js';
import { deliver } from '../../src/adapters/federation/outbound.js';
import { composeMessage } from '../../src/app/compose-message.js';
import { watchRegistry } from '../../src/adapters/federation/registry-watcher.js';
import { memoryTrustRegistry } from '../../src/adapters/federation/trust-registry.js';
import { installRegistry } from '../../src/app/install-registry.js';
import { runCli } from '../../src/cli/program.js';
import { readConfig } from '../../src/config/config.js';
import { EixError } from '../../src/domain/errors.js';
import type { Registry } from '../../src/domain/registry.js';
import { ENGINES } from '../support/db.js';
import { startTestFederation, claimedQuery, outboxRow as outboxRowOf } from '../support/federation.js';

const DAY_MS = 86_400_000;

describe('trust registry updates on a running node', () => {
  let fed: Awaited<ReturnType<typeof startTestFederation>>;
  let ru: Federation;
  let kz: Federation;
  let depositary: { certPem: string; keyPem: string };
  let v1: string;
  let kzFile: string;

  before(async () => {
    fed = await startTestFederation({ env: { EIX_REGISTRY_CHECK_SECONDS: '0.1' } });
    await fed.nodes.RU.worker!.stop();
    ru = fed.nodes.RU.wired.federation!;
    kz = fed.nodes.KZ.wired.federation!;
    depositary = {
      certPem: await readFile(path.join(fed.dir, 'pki', 'depositary.crt'), 'utf8'),
      keyPem: await readFile(path.join(fed.dir, 'pki', 'depositary.key'), 'utf8'),
    };
    v1 = await readFile(path.join(fed.dir, 'registry.jws'), 'utf8');
    kzFile = path.join(fed.dir, 'kz', 'registry.jws');
  });
  after(async () => {
    await fed.close();
  });

  const waitFor = async (what: string, cond: () => Promise<boolean> | boolean, ms = 10_000) => {
    const until = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const queue = () => claimedQuery(ru);
  const outboxRow = (messageId: string) => outboxRowOf(ru, messageId);
  const recordedVersion = async (f: Federation) =>
    (
      (
        await f.app.db
          .selectFrom('node_settings')
          .select('value')
          .where('key', '=', 'registry')
          .executeTakeFirstOrThrow()
      ).value as { version: number }
    ).version;
  /** The signing certificate of RU's central body (the sender of node-level messages). */
  const ruCentralCert = async () => {
    const body = await ru.app.db
      .selectFrom('bodies')
      .select('id')
      .where('party', '=', 'RU')
      .where('kind', '=', 'central')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    return readFile(path.join(fed.dir, 'ru', 'keys', 'bodies', `${body.id}.crt`), 'utf8');
  };

  test('a registry past its maximum age holds outgoing messages (pending, not failed); receiving goes on', async () => {
    const old = new Date(Date.now() - 40 * DAY_MS).toISOString();
    const stale: Federation = { ...ru, registry: () => ({ ...ru.registry(), issuedAt: old }) };
    const row = await queue();
    assert.equal(await deliver(stale, row), false);
    const held = await outboxRow(row.message_id);
    assert.equal(held.status, 'pending');
    assert.equal(held.attempts, 0, 'holding is not a delivery attempt');
    assert.match(held.last_error ?? '', /^registry\.stale: Реестр доверия версии 1 .*eix registry install/);
    assert.ok(held.next_attempt_at > new Date(), 'looked at again later');
    assert.equal(held.signed_enc, null, 'nothing was even signed');
    // Past 80 % of the maximum age the administrator sees it getting old; the node still sends.
    const aging: Federation = {
      ...ru,
      registry: () => ({ ...ru.registry(), issuedAt: new Date(Date.now() - 25 * DAY_MS).toISOString() }),
    };
    assert.equal(await deliver(aging, held), true);

    const stalePeer: Federation = { ...kz, registry: () => ({ ...kz.registry(), issuedAt: old }) };
    const second = await queue();
    const m = await composeMessage(ru.app, second);
    const jws = await ru.signer.sign(m.envelope.from.body, canonicalBytes(m), MESSAGE_JWS_TYPE);
    const ruNode = (await readFile(path.join(fed.dir, 'ru', 'keys', 'tls', 'node-chain.crt'), 'utf8')).split(
      /(?<=-----END CERTIFICATE-----\n)/,
    )[0]!;
    const accepted = await acceptMessage(stalePeer, jws, { certPem: ruNode });
    assert.equal(accepted.duplicate, false, 'a stale registry on the receiving side does not refuse messages');
  });

  test('the admin sees the registry in force and its age on /api/v1/health', async () => {
    const health = (await (await fetch(`${fed.nodes.KZ.apiUrl}/api/v1/health`)).json()) as {
      registry: { version: number; issuedAt: string; ageDays: number; maxAgeDays: number; state: string };
    };
    assert.deepEqual(
      { ...health.registry, issuedAt: undefined },
      { version: 1, issuedAt: undefined, ageDays: 0, maxAgeDays: 30, state: 'fresh' },
    );
  });

  test('a newer registry written to the node’s file is picked up while running; its revocation applies to the next message', async () => {
    const control = await queue();
    assert.equal(await deliver(ru, control), true, 'before: KZ accepts RU’s central body');
    const serialNumber = certificateInfo(await ruCentralCert()).serialNumber;
    const v2 = await signRegistry(
      {
        ...kz.registry(),
        version: 2,
        issuedAt: new Date().toISOString(),
        revocations: [{ serialNumber, party: 'RU', revokedAt: new Date(Date.now() - 60_000).toISOString() }],
      },
      depositary,
    );
    // As an operator would: a new file renamed over the old one.
    await writeFile(`${kzFile}.new`, v2);
    await rename(`${kzFile}.new`, kzFile);
    await waitFor('KZ to put version 2 in force', () => kz.registry().version === 2);
    assert.equal(fed.nodes.KZ.wired.ctx.registry!.current()!.version, 2, 'the app context reads the same registry');
    assert.equal(await recordedVersion(kz), 2, 'recorded in node_settings');
    const row = await queue();
    assert.equal(await deliver(ru, row), false);
    const after = await outboxRow(row.message_id);
    assert.equal(after.status, 'failed');
    assert.match(after.last_error ?? '', /^message\.certificate: .*отозван/);
  });

  test('an older registry in the file is refused; the one in force stays', async () => {
    await writeFile(kzFile, v1);
    await fed.nodes.KZ.registryWatcher!.check();
    await fed.nodes.KZ.registryWatcher!.check();
    assert.equal(kz.registry().version, 2);
    assert.equal(await recordedVersion(kz), 2);
    assert.notEqual((await readFile(kzFile, 'utf8')).trim(), v1.trim(), 'the file is back to the registry in force');
    await assert.rejects(
      installRegistry(
        { db: kz.app.db, registry: fed.nodes.KZ.wired.trust },
        { jws: v1, depositaryPem: depositary.certPem, origin: 'file' },
      ),
      (e: unknown) => e instanceof EixError && e.code === 'registry.rollback',
    );
  });

  test('eix registry install: a bad file gets a coded Russian error naming it and a non-zero exit; a good one takes effect', async () => {
    const eix = async (...argv: string[]) => {
      let out = '';
      const code = await runCli([...argv, '--json'], {
        io: { out: (t) => void (out += t), err: () => undefined },
        clock: fixedClock(new Date()),
        config: readConfig({ EIX_HOME: path.join(fed.dir, 'kz') }),
      });
      return { code, json: JSON.parse(out) as { error?: { code: string; message: string }; version?: number } };
    };
    const bad = path.join(fed.dir, 'bad-registry.jws');
    await writeFile(bad, 'это не реестр');
    for (const [file, code] of [
      [bad, 'registry.format'],
      [path.join(fed.dir, 'missing.jws'), 'input.file'],
      [path.join(fed.dir, 'registry.jws'), 'registry.rollback'],
    ] as const) {
      const r = await eix('registry', 'install', file);
      assert.notEqual(r.code, 0, `${file}: exit code`);
      assert.equal(r.json.error?.code, code, r.json.error?.message);
      assert.ok(r.json.error!.message.includes(file), `the message names ${file}: ${r.json.error!.message}`);
      assert.match(r.json.error!.message, /[а-яё]/i);
    }
    assert.equal(kz.registry().version, 2);
    const v3 = path.join(fed.dir, 'v3.jws');
    await writeFile(
      v3,
      await signRegistry({ ...kz.registry(), version: 3, issuedAt: new Date().toISOString() }, depositary),
    );
    const ok = await eix('registry', 'install', v3);
    assert.deepEqual([ok.code, ok.json.version], [0, 3]);
    await waitFor('KZ to put version 3 in force', () => kz.registry().version === 3);
  });
});

for (const e of ENGINES) {
  test(`${e.engine}: processes of one node on one database converge on the newest registry, never an older one`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eix-registry-'));
    const database = await e.open();
    const warnings: string[] = [];
    const log = {
      info: () => undefined,
      warn: (o: object) => warnings.push((o as { code: string }).code),
      error: () => undefined,
    };
    try {
      const { createDepositaryCa } = await import('../../src/adapters/crypto/pki.js');
      const dep = await createDepositaryCa({ name: 'Депозитарий (тест)' });
      const base: Registry = {
        format: 'eix-registry/1',
        version: 1,
        issuedAt: new Date().toISOString(),
        depositary: { name: 'Депозитарий (тест)' },
        treaty: { events: [] },
        parties: {},
        revocations: [],
      };
      const v1 = await signRegistry(base, dep);
      const v2 = await signRegistry({ ...base, version: 2 }, dep);
      const fileA = path.join(dir, 'a.jws');
      const fileB = path.join(dir, 'b.jws');
      const trust = () =>
        memoryTrustRegistry({ initial: null, fallbackTreaty: () => assert.fail('no treaty'), maxAgeMs: 30 * DAY_MS });
      const a = trust();
      const b = trust();
      for (const [t, f] of [
        [a, fileA],
        [b, fileB],
      ] as const) {
        await writeFile(f, v1);
        await installRegistry(
          { db: database.db, registry: t },
          { jws: v1, depositaryPem: dep.certPem, file: f, origin: 'file' },
        );
      }
      const watcher = watchRegistry({
        db: database.db,
        registry: b,
        clock: systemClock,
        file: fileB,
        depositaryPem: dep.certPem,
        intervalMs: 50,
        log,
      });
      try {
        // Process A installs version 2; process B sees it in the database, verifies it and writes its own file.
        await installRegistry(
          { db: database.db, registry: a },
          { jws: v2, depositaryPem: dep.certPem, file: fileA, origin: 'operator' },
        );
        const until = Date.now() + 10_000;
        while (b.current()!.version !== 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        assert.equal(b.current()!.version, 2);
        assert.equal((await readFile(fileB, 'utf8')).trim(), v2);
        // An older registry in B's file: refused with a warning, version 2 stays.
        await writeFile(fileB, v1);
        await watcher.check();
        assert.equal(b.current()!.version, 2);
        assert.ok(warnings.includes('registry.rollback'), `warnings: ${warnings.join(', ')}`);
      } finally {
        await watcher.stop();
      }
    } finally {
      await database.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
