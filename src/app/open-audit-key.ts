// The audit key at start (issue 13): read keys/audit.key, or create it on a
// node made before audit keys existed. Its entries so far stay hash-chained
// (a legacy prefix) and the first keyed entry anchors them. The key's id is
// recorded in node_settings, so a process started with another key (another
// host's home, a restored backup without the right key) refuses to start
// instead of keying the log with a key the other processes do not have.
import { createAuditKeyFile, readAuditKeyFile, type AuditKey } from '../adapters/crypto/audit-key.js';
import { EixError } from '../domain/errors.js';
import type { Store } from '../ports/store.js';

export interface OpenedAuditKey {
  readonly key: AuditKey;
  /** The key was made now (an existing node upgraded, or a new one). */
  readonly created: boolean;
}

export async function openAuditKey(db: Store, opts: { file: string; now: Date }): Promise<OpenedAuditKey> {
  let key = await readAuditKeyFile(opts.file);
  let created = false;
  if (!key) {
    const keyed = await db
      .selectFrom('audit_log')
      .select('seq')
      .where('mac', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    if (keyed)
      throw new EixError(
        'audit.key_missing',
        { field: 'EIX_HOME', path: opts.file },
        `Ключ журнала аудита ${opts.file} отсутствует, а журнал уже содержит записи с ключом (с № ${keyed.seq}): восстановите этот файл из резервной копии или скопируйте его с другого процесса узла; новый ключ не создаётся`,
      );
    try {
      key = await createAuditKeyFile(opts.file, opts.now);
      created = true;
    } catch (e) {
      // Another process of this node (one home, several processes) made it a moment ago: use that one.
      const made = e instanceof EixError && e.data.errno === 'EEXIST' ? await readAuditKeyFile(opts.file) : null;
      if (!made) throw e;
      key = made;
    }
  }
  await db
    .insertInto('node_settings')
    .values({ key: 'audit_key', value: JSON.stringify({ id: key.id, created: key.created }) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('node_settings').select('value').where('key', '=', 'audit_key').executeTakeFirst();
  const recorded = (row?.value ?? {}) as { id?: unknown };
  if (recorded.id !== key.id)
    throw new EixError(
      'audit.key_mismatch',
      { field: 'EIX_HOME', path: opts.file, expected: recorded.id ?? null, found: key.id },
      `Ключ журнала аудита ${opts.file} (${key.id}) не тот, которым подписывается журнал этого узла (${String(recorded.id)}): скопируйте keys/audit.key с того процесса узла, который его создал`,
    );
  return { key, created };
}
