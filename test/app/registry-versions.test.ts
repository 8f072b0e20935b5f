// Issue 17.4 (migration 026): every trust registry version a node accepts is kept with its signed JWS, so an
// evidence pack can carry the registry a message was verified against after newer ones replaced it; the
// registry recorded before the migration becomes its first row. On both engines.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createDepositaryCa, type CertAndKey } from '../../src/adapters/crypto/pki.js';
import { registrySha256, signRegistry } from '../../src/adapters/crypto/registry-jws.js';
import type { Database } from '../../src/adapters/db/database.js';
import { statements as m026 } from '../../src/adapters/db/migrations/026-registry-versions.js';
import { installRegistry } from '../../src/app/install-registry.js';
import type { Registry } from '../../src/domain/registry.js';
import { ENGINES } from '../support/db.js';

for (const e of ENGINES) {
  describe(`registry versions kept (migration 026) on ${e.engine}`, () => {
    let database: Database;
    let dep: CertAndKey;
    const base = (version: number): Registry => ({
      format: 'eix-registry/1',
      version,
      issuedAt: new Date(Date.UTC(2026, 0, version)).toISOString(),
      depositary: { name: 'Депозитарий (тест)' },
      treaty: { events: [] },
      parties: {},
      revocations: [],
    });
    before(async () => {
      database = await e.open();
      dep = await createDepositaryCa({ name: 'Депозитарий (тест)' });
    });
    after(async () => {
      await database?.close();
    });

    test('each accepted version is kept once with its JWS; the one in force stays the newest', async () => {
      const v1 = await signRegistry(base(1), dep);
      const v2 = await signRegistry(base(2), dep);
      for (const jws of [v1, v1, v2])
        await installRegistry({ db: database.db }, { jws, depositaryPem: dep.certPem, origin: 'operator' });
      const rows = await database.db.selectFrom('registry_versions').selectAll().orderBy('version').execute();
      assert.deepEqual(
        rows.map((r) => [r.version, r.jws, r.sha256, r.issued_at.toISOString()]),
        [
          [1, v1, registrySha256(base(1)), base(1).issuedAt],
          [2, v2, registrySha256(base(2)), base(2).issuedAt],
        ],
      );
      assert.ok(rows[0]!.accepted_at <= rows[1]!.accepted_at);
    });

    test('the migration takes the registry node_settings recorded before it as its first row', async () => {
      await database.db.deleteFrom('registry_versions').execute();
      await sql.raw(m026[1]!).execute(database.db);
      const rows = await database.db.selectFrom('registry_versions').select(['version', 'jws']).execute();
      const recorded = (
        await database.db
          .selectFrom('node_settings')
          .select('value')
          .where('key', '=', 'registry')
          .executeTakeFirstOrThrow()
      ).value as { version: number; jws: string };
      assert.deepEqual(rows, [{ version: 2, jws: recorded.jws }]);
    });
  });
}
