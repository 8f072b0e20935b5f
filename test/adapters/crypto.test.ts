// Crypto adapters: encryption at rest (R9.4), passwords and API tokens,
// hash-chained audit log (R9.1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSecretKey } from 'node:crypto';
import { EixError } from '../../src/domain/errors.js';
import { createKeyFile, loadKeyRing, rotateKey, type KeyFile } from '../../src/adapters/crypto/data-key.js';
import {
  generateApiToken,
  generatePassword,
  hashApiToken,
  hashPassword,
  parseApiTokenId,
  PASSWORD_ALPHABET,
  passwordNeedsRehash,
  verifyApiToken,
  verifyPassword,
} from '../../src/adapters/crypto/passwords.js';
import {
  canonicalJson,
  chainEntry,
  entryHash,
  entryMac,
  GENESIS_HASH,
  prepareEntry,
  verifyChain,
  type AuditEntry,
  type AuditFields,
} from '../../src/adapters/crypto/audit-chain.js';

const POSIX = process.platform !== 'win32';
let tmp = '';
let n = 0;
const keyPath = (): string => path.join(tmp, `keys-${++n}`, 'data-key.json');

before(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'eix-crypto-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function eixReason(reason: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof EixError, `expected EixError, got ${String(e)}`);
    assert.equal(e.code, reason);
    return true;
  };
}

describe('data key (R9.4)', () => {
  test('R9.4: createKeyFile writes a valid key file with mode 0600', async () => {
    const file = keyPath();
    await createKeyFile(file);
    const json = JSON.parse(await readFile(file, 'utf8')) as KeyFile;
    assert.equal(json.version, 1);
    assert.equal(json.keys.length, 1);
    assert.match(json.active, /^k[0-9a-f]{8}$/);
    assert.equal(json.keys[0]?.id, json.active);
    assert.equal(Buffer.from(json.keys[0]?.key ?? '', 'base64').length, 32);
    assert.ok(!Number.isNaN(Date.parse(json.keys[0]?.created ?? '')));
    if (POSIX) assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  test('R9.4: createKeyFile refuses to overwrite an existing key file', async () => {
    const file = keyPath();
    await createKeyFile(file);
    const before = await readFile(file, 'utf8');
    await assert.rejects(createKeyFile(file), eixReason('crypto.key_exists'));
    assert.equal(await readFile(file, 'utf8'), before);
  });

  test('R9.4: encrypt/decrypt round trip (bytes and JSON)', async () => {
    const file = keyPath();
    await createKeyFile(file);
    const ring = await loadKeyRing(file);
    const plain = Buffer.from('Иванов Иван Иванович, ИИН 900101300123', 'utf8');
    const sealed = ring.encrypt(plain, 'answer:1');
    assert.equal(sealed[0], 1);
    assert.equal(sealed[1], ring.activeKeyId.length);
    assert.equal(sealed.subarray(2, 2 + ring.activeKeyId.length).toString('ascii'), ring.activeKeyId);
    assert.equal(sealed.length, 2 + ring.activeKeyId.length + 12 + plain.length + 16);
    assert.ok(!sealed.includes(plain), 'ciphertext must not contain the plaintext');
    assert.deepEqual(ring.decrypt(sealed, 'answer:1'), plain);
    // fresh IV every time
    assert.notDeepEqual(ring.encrypt(plain, 'answer:1'), sealed);
    // empty plaintext
    assert.equal(ring.decrypt(ring.encrypt(new Uint8Array(0), 'x'), 'x').length, 0);

    const value = { name: 'Назарбаева Алия', debts: [{ amount: 1200.5, currency: 'KZT' }], none: null };
    const sj = ring.encryptJson(value, 'answer:2');
    assert.deepEqual(ring.decryptJson<typeof value>(sj, 'answer:2'), value);
    // a Uint8Array view (not a Buffer) at an offset is accepted
    const padded = new Uint8Array(sj.length + 5);
    padded.set(sj, 5);
    assert.deepEqual(ring.decryptJson(padded.subarray(5), 'answer:2'), value);
  });

  test('R9.4: ciphertext bound to its row: aad mismatch fails', async () => {
    const file = keyPath();
    await createKeyFile(file);
    const ring = await loadKeyRing(file);
    const a = ring.encryptJson({ who: 'A' }, 'answer:aaaa');
    const b = ring.encryptJson({ who: 'B' }, 'answer:bbbb');
    assert.throws(() => ring.decrypt(a, 'answer:bbbb'), eixReason('crypto.decrypt'));
    assert.throws(() => ring.decryptJson(b, 'answer:aaaa'), eixReason('crypto.decrypt'));
  });

  test('R9.4: any tampered byte fails (IV, ciphertext, tag, version, truncation)', async () => {
    const file = keyPath();
    await createKeyFile(file);
    const ring = await loadKeyRing(file);
    const sealed = ring.encrypt(Buffer.from('secret personal data'), 'row:1');
    for (let i = 2 + ring.activeKeyId.length; i < sealed.length; i++) {
      const t = Buffer.from(sealed);
      t[i] = (t[i] ?? 0) ^ 0x01;
      assert.throws(() => ring.decrypt(t, 'row:1'), eixReason('crypto.decrypt'), `byte ${i}`);
    }
    const v = Buffer.from(sealed);
    v[0] = 2;
    assert.throws(() => ring.decrypt(v, 'row:1'), eixReason('crypto.decrypt'));
    assert.throws(() => ring.decrypt(sealed.subarray(0, sealed.length - 1), 'row:1'), EixError);
    assert.throws(() => ring.decrypt(sealed.subarray(0, 10), 'row:1'), EixError);
    assert.throws(() => ring.decrypt(new Uint8Array(0), 'row:1'), EixError);
  });

  test('R9.4: unknown key id fails without leaking key material', async () => {
    const f1 = keyPath();
    const f2 = keyPath();
    await createKeyFile(f1);
    await createKeyFile(f2);
    const r1 = await loadKeyRing(f1);
    const r2 = await loadKeyRing(f2);
    const sealed = r1.encrypt(Buffer.from('x'), 'row');
    assert.throws(
      () => r2.decrypt(sealed, 'row'),
      (e: unknown) => {
        assert.ok(e instanceof EixError);
        assert.equal(e.code, 'crypto.unknown_key');
        assert.equal(e.data['keyId'], r1.activeKeyId);
        return true;
      },
    );
    // a header naming r2's key id over r1's ciphertext fails on the tag
    const forged = Buffer.from(sealed);
    forged.write(r2.activeKeyId, 2, 'ascii');
    assert.throws(() => r2.decrypt(forged, 'row'), eixReason('crypto.decrypt'));
  });

  test('R9.4: key rotation: new data uses the new key, old ciphertext still decrypts', async () => {
    const file = keyPath();
    await createKeyFile(file);
    const r1 = await loadKeyRing(file);
    const old = r1.encryptJson({ v: 'old' }, 'answer:1');
    const newId = await rotateKey(file);
    assert.match(newId, /^k[0-9a-f]{8}$/);
    assert.notEqual(newId, r1.activeKeyId);
    if (POSIX) assert.equal((await stat(file)).mode & 0o777, 0o600);
    const json = JSON.parse(await readFile(file, 'utf8')) as KeyFile;
    assert.equal(json.active, newId);
    assert.deepEqual(
      json.keys.map((k) => k.id),
      [r1.activeKeyId, newId],
    );
    // no temp file left behind
    assert.deepEqual(await readdir(path.dirname(file)), ['data-key.json']);

    const r2 = await loadKeyRing(file);
    assert.equal(r2.activeKeyId, newId);
    assert.deepEqual(r2.decryptJson(old, 'answer:1'), { v: 'old' });
    const fresh = r2.encryptJson({ v: 'new' }, 'answer:2');
    assert.equal(fresh.subarray(2, 2 + fresh[1]!).toString('ascii'), newId);
    assert.throws(() => r1.decrypt(fresh, 'answer:2'), eixReason('crypto.unknown_key'));

    const third = await rotateKey(file);
    const r3 = await loadKeyRing(file);
    assert.deepEqual(r3.keyIds, [r1.activeKeyId, newId, third]);
    assert.deepEqual(r3.decryptJson(old, 'answer:1'), { v: 'old' });
    assert.deepEqual(r3.decryptJson(fresh, 'answer:2'), { v: 'new' });
  });

  test('R9.4: loadKeyRing refuses a key file readable by group/others', { skip: !POSIX }, async () => {
    const file = keyPath();
    await createKeyFile(file);
    await chmod(file, 0o644);
    await assert.rejects(loadKeyRing(file), (e: unknown) => {
      assert.ok(e instanceof EixError);
      assert.equal(e.code, 'crypto.key_permissions');
      assert.match(e.message, /chmod 600/);
      return true;
    });
    await assert.rejects(rotateKey(file), eixReason('crypto.key_permissions'));
    await chmod(file, 0o640);
    await assert.rejects(loadKeyRing(file), eixReason('crypto.key_permissions'));
    await chmod(file, 0o600);
    await loadKeyRing(file);
  });

  test('R9.4: loadKeyRing validates the shape and never echoes key material', async () => {
    const file = keyPath();
    await createKeyFile(file);
    const good = JSON.parse(await readFile(file, 'utf8')) as KeyFile;
    const secret = good.keys[0]?.key ?? '';
    const cases: unknown[] = [
      [],
      { ...good, version: 2 },
      { ...good, keys: [] },
      { ...good, active: 'k00000000' },
      { ...good, keys: [{ ...good.keys[0], id: 'K1' }] },
      { ...good, keys: [{ ...good.keys[0], key: Buffer.alloc(16).toString('base64') }] },
      { ...good, keys: [{ ...good.keys[0], key: `${secret}!` }] },
      { ...good, keys: [{ ...good.keys[0], created: 'yesterday' }] },
      { ...good, keys: [good.keys[0], good.keys[0]] },
    ];
    for (const c of cases) {
      await writeFile(file, JSON.stringify(c), { mode: 0o600 });
      await assert.rejects(
        loadKeyRing(file),
        (e: unknown) => {
          assert.ok(e instanceof EixError);
          assert.equal(e.code, 'crypto.key_file');
          assert.ok(!e.message.includes(secret) && !JSON.stringify(e.data).includes(secret));
          return true;
        },
        JSON.stringify(c).slice(0, 80),
      );
    }
    await writeFile(file, `{"version":1,"key":"${secret}"`, { mode: 0o600 });
    await assert.rejects(loadKeyRing(file), (e: unknown) => {
      assert.ok(e instanceof EixError && !e.message.includes(secret));
      return true;
    });
    await assert.rejects(loadKeyRing(path.join(tmp, 'missing.json')), eixReason('crypto.key_file'));
  });
});

describe('passwords and API tokens', () => {
  test('hashPassword / verifyPassword', async () => {
    const encoded = await hashPassword('correct horse battery staple');
    const parts = encoded.split('$');
    assert.equal(parts.length, 6);
    assert.deepEqual(parts.slice(0, 4), ['scrypt', '32768', '8', '1']);
    assert.equal(Buffer.from(parts[4] ?? '', 'base64').length, 16);
    assert.equal(Buffer.from(parts[5] ?? '', 'base64').length, 32);
    assert.equal(await verifyPassword('correct horse battery staple', encoded), true);
    assert.equal(await verifyPassword('correct horse battery stapl', encoded), false);
    assert.equal(await verifyPassword('', encoded), false);
    assert.notEqual(await hashPassword('correct horse battery staple'), encoded, 'salted');
    assert.equal(passwordNeedsRehash(encoded), false);
  });

  test('verifyPassword rejects malformed or abusive encodings', async () => {
    for (const bad of [
      '',
      'scrypt',
      'bcrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      `scrypt$${2 ** 24}$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`,
      'scrypt$32768$8$1$!!$AAAA',
    ]) {
      assert.equal(await verifyPassword('x', bad), false, bad);
    }
  });

  test('generatePassword: 16 chars from the unambiguous alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pw = generatePassword();
      assert.equal(pw.length, 16);
      for (const ch of pw) assert.ok(PASSWORD_ALPHABET.includes(ch), ch);
      assert.doesNotMatch(pw, /[0O1lI]/);
      seen.add(pw);
    }
    assert.equal(seen.size, 50);
  });

  test('API tokens: format, hash, id parsing', () => {
    const t = generateApiToken();
    assert.match(t.id, /^[0-9a-f]{8}$/);
    assert.match(t.token, /^eix_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    assert.ok(t.token.startsWith(`eix_${t.id}_`));
    assert.match(t.hash, /^[0-9a-f]{64}$/);
    assert.equal(hashApiToken(t.token), t.hash);
    assert.notEqual(hashApiToken(`${t.token}x`), t.hash);
    assert.equal(parseApiTokenId(t.token), t.id);
    assert.equal(verifyApiToken(t.token, t.hash), true);
    assert.equal(verifyApiToken(generateApiToken().token, t.hash), false);
    assert.equal(verifyApiToken(t.token, 'nothex'), false);
    for (const bad of [
      '',
      'eix_',
      `eix_${t.id}`,
      `eix_ABCDEF12_${t.token.slice(13)}`,
      `xix_${t.token.slice(4)}`,
      `${t.token}A`,
      t.token.slice(0, -1),
      `Bearer ${t.token}`,
    ]) {
      assert.equal(parseApiTokenId(bad), null, bad);
    }
    assert.notEqual(generateApiToken().token, t.token);
  });
});

describe('audit chain (R9.1)', () => {
  // Entries made without an audit key (the legacy, hash-only chain); keyed chains: test/security/audit-trust.test.ts.
  const unkeyed = { ok: true, lastMac: null, keyed: false } as const;
  function buildChain(count: number): AuditEntry[] {
    const out: AuditEntry[] = [];
    let prev: AuditEntry | null = null;
    for (let i = 1; i <= count; i++) {
      prev = chainEntry(prev, {
        at: new Date(Date.UTC(2026, 10, 26, 9, 0, i)).toISOString(),
        actor: i % 3 === 0 ? 'system' : `user:${i % 5}`,
        bodyId: i % 4 === 0 ? null : 'RU-FSSP',
        action: i % 2 ? 'request.send' : 'answer.read',
        requestId: `req-${Math.ceil(i / 3)}`,
        subject: i % 7 === 0 ? null : `debtor:${i}`,
        details: { n: i, nested: { z: 1, a: [i, 'б', null] } },
      });
      out.push(prev);
    }
    return out;
  }

  test('R9.1: an entry prepared before the lock (prepareEntry) hashes the canonical JSON that verification recomputes', () => {
    const key = createSecretKey(Buffer.alloc(32, 7));
    const variants: AuditFields[] = [
      {
        at: '2026-11-29T04:00:00.000Z',
        actor: 'officer:u1',
        bodyId: null,
        action: 'a',
        requestId: null,
        subject: null,
        details: {},
      },
      {
        at: '2026-11-29T04:00:00.001Z',
        actor: 'система "\\ \u2028',
        bodyId: 'RU-FSSP',
        action: 'request.send',
        requestId: 'req-1',
        subject: 'должник «Иванов»',
        details: { z: [1, { y: null, b: 'б' }], a: new Date(0), u: undefined, '"k"': -0 },
      },
      // A member left undefined by a caller is omitted, as canonicalJson omits it.
      {
        at: '2026-11-29T04:00:01Z',
        actor: 'x',
        bodyId: 'b',
        action: 'c',
        requestId: 'r',
        subject: undefined as never,
        details: { n: 1 },
      },
    ];
    let prev = null as AuditEntry | null;
    for (const f of variants)
      for (const k of [undefined, key]) {
        const { at, ...content } = f;
        const e = prepareEntry(content).link(prev, at, k);
        const { hash, mac, ...body } = e;
        assert.equal(hash, entryHash(body), JSON.stringify(f));
        assert.equal(mac, k ? entryMac(k, prev?.mac ?? null, hash) : null);
        assert.equal(e.seq, (prev?.seq ?? 0) + 1);
        assert.equal(e.prevHash, prev?.hash ?? GENESIS_HASH);
        prev = e;
      }
  });

  test('R9.1: canonical JSON sorts keys recursively, no whitespace', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'т' }, u: undefined }),
      '{"a":{"c":"т","d":[3,{"x":2,"y":1}]},"b":1}',
    );
    assert.equal(canonicalJson([undefined, -0, 1e21, 0.1, true, null]), '[null,0,1e+21,0.1,true,null]');
    assert.equal(canonicalJson({ '\u20ac': 1, '\r': 2, ö: 3, '1': 4 }), '{"\\r":2,"1":4,"ö":3,"€":1}');
    assert.equal(canonicalJson(new Date('2026-01-02T03:04:05Z')), '"2026-01-02T03:04:05.000Z"');
    assert.throws(() => canonicalJson({ x: Number.NaN }), TypeError);
    assert.throws(() => canonicalJson({ x: 1n }), TypeError);
    const cyc: Record<string, unknown> = {};
    cyc['self'] = cyc;
    assert.throws(() => canonicalJson(cyc), TypeError);
  });

  test('R9.1: entries link to the previous one; hash does not depend on key order', () => {
    const [first, second] = buildChain(2);
    assert.ok(first && second);
    assert.equal(first.seq, 1);
    assert.equal(first.prevHash, GENESIS_HASH);
    assert.equal(second.seq, 2);
    assert.equal(second.prevHash, first.hash);
    assert.match(first.hash, /^[0-9a-f]{64}$/);
    const { hash: _h, ...rest } = first;
    const reordered = Object.fromEntries(Object.entries(rest).reverse()) as Omit<AuditEntry, 'hash' | 'mac'>;
    assert.equal(entryHash(reordered), first.hash);
  });

  test('R9.1: a valid chain of 50 entries verifies', () => {
    const chain = buildChain(50);
    const last = chain[49];
    assert.deepEqual(verifyChain(chain), { ...unkeyed, count: 50, legacy: 50, lastHash: last?.hash });
    assert.deepEqual(verifyChain([]), { ...unkeyed, count: 0, legacy: 0, lastHash: GENESIS_HASH });
    // a generator works, and so does a continuation from an anchor
    assert.deepEqual(
      verifyChain(
        (function* () {
          yield* chain;
        })(),
      ),
      { ...unkeyed, count: 50, legacy: 50, lastHash: last?.hash },
    );
    const anchor = chain[29];
    assert.ok(anchor);
    assert.deepEqual(verifyChain(chain.slice(30), { seq: anchor.seq, hash: anchor.hash }), {
      ...unkeyed,
      count: 20,
      legacy: 20,
      lastHash: last?.hash,
    });
    assert.equal(verifyChain(chain.slice(30)).ok, false);
  });

  test('R9.1: editing the details of entry 20 → brokenAt 20, reason hash', () => {
    const chain = buildChain(50);
    const e = chain[19];
    assert.ok(e);
    chain[19] = { ...e, details: { ...e.details, n: 999 } };
    assert.deepEqual(verifyChain(chain), { ok: false, count: 19, brokenAt: 20, reason: 'hash' });
  });

  test('R9.1: editing an entry and re-hashing it → brokenAt at the next entry, reason link', () => {
    const chain = buildChain(50);
    const e = chain[19];
    assert.ok(e);
    const { hash: _h, ...rest } = e;
    const forged = { ...rest, actor: 'intruder' };
    chain[19] = { ...forged, hash: entryHash(forged) };
    assert.deepEqual(verifyChain(chain), { ok: false, count: 20, brokenAt: 21, reason: 'link' });
  });

  test('R9.1: deleting entry 20 → brokenAt 21', () => {
    const chain = buildChain(50);
    chain.splice(19, 1);
    assert.deepEqual(verifyChain(chain), { ok: false, count: 19, brokenAt: 21, reason: 'sequence' });
    // deleting the first entry, or the tail-but-one
    assert.deepEqual(verifyChain(buildChain(5).slice(1)), { ok: false, count: 0, brokenAt: 2, reason: 'sequence' });
  });

  test('R9.1: swapping entries 20 and 21 → brokenAt 20', () => {
    const chain = buildChain(50);
    const [a, b] = [chain[19], chain[20]];
    assert.ok(a && b);
    chain[19] = b;
    chain[20] = a;
    assert.deepEqual(verifyChain(chain), { ok: false, count: 19, brokenAt: 20, reason: 'sequence' });
  });

  test('R9.1: a duplicated entry is a sequence break', () => {
    const chain = buildChain(10);
    const e = chain[4];
    assert.ok(e);
    chain.splice(5, 0, e);
    assert.deepEqual(verifyChain(chain), { ok: false, count: 5, brokenAt: 5, reason: 'sequence' });
  });
});

test('R9.4: the blind index is keyed, deterministic and stable across key rotation', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'eix-bi-'));
  try {
    const file = path.join(dir, 'data.key');
    await createKeyFile(file);
    const r1 = await loadKeyRing(file);
    const h = r1.blindIndex('iin:900101300126');
    assert.equal(h, r1.blindIndex('iin:900101300126'));
    assert.notEqual(h, r1.blindIndex('iin:900101300127'));
    assert.ok(!h.includes('900101'));
    await rotateKey(file);
    assert.equal((await loadKeyRing(file)).blindIndex('iin:900101300126'), h);
    const other = path.join(dir, 'other.key');
    await createKeyFile(other);
    assert.notEqual((await loadKeyRing(other)).blindIndex('iin:900101300126'), h);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
