// R9.1: the administration page's audit extract — the whole node for an admin,
// the own body for a supervisor, refused to an officer — with the chain verdict.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApiToken } from '../../src/app/create-api-token.js';
import { listAuditEntries } from '../../src/app/list-audit-entries.js';
import type { Officer } from '../../src/app/context.js';
import { nodeOn, seedBody, seedOfficer, type TestNode } from '../support/app.js';
import { ENGINES } from '../support/db.js';
import { rejects } from '../support/errors.js';

for (const e of ENGINES) {
  describe(`R9.1 audit extract on ${e.engine}`, () => {
    let node: TestNode;
    let admin: Officer;
    let supervisor: Officer;
    let officer: Officer;

    before(async () => {
      node = nodeOn(await e.open(), 'RU');
      const mine = await seedBody(node.ctx, { id: 'ru-fssp-77' });
      const other = await seedBody(node.ctx, { id: 'ru-fssp-78' });
      admin = await seedOfficer(node.ctx, mine, ['admin']);
      supervisor = await seedOfficer(node.ctx, mine, ['supervisor']);
      officer = await seedOfficer(node.ctx, mine);
      await createApiToken(node.ctx, officer, { name: 'мой' });
      await createApiToken(node.ctx, await seedOfficer(node.ctx, other), { name: 'чужой' });
    });
    after(async () => {
      await node.database.close();
    });

    test("an admin sees the node's latest entries, newest first, and an intact chain", async () => {
      const r = await listAuditEntries(node.ctx, admin);
      assert.equal(r.chainOk, true);
      assert.ok(r.entries.length >= 2);
      assert.deepEqual(
        r.entries.map((x) => Number(x.seq)),
        r.entries.map((x) => Number(x.seq)).sort((a, b) => b - a),
      );
      assert.equal((await listAuditEntries(node.ctx, admin, 1)).entries.length, 1);
    });

    test("a supervisor sees only the own body's entries; an officer is refused", async () => {
      const all = await listAuditEntries(node.ctx, admin);
      const own = await listAuditEntries(node.ctx, supervisor);
      assert.ok(own.entries.length > 0 && own.entries.every((x) => x.body_id === supervisor.bodyId));
      assert.equal(own.entries.length, all.entries.filter((x) => x.body_id === supervisor.bodyId).length);
      await rejects(listAuditEntries(node.ctx, officer), 'access.denied');
    });
  });
}
