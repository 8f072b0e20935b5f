// Removes an old data key from the key file (ASVS V1.6.3) once no stored value
// is sealed under it: counted from the sealed headers of every sealed column
// (sealed-columns.ts). A key still in use is refused with the count per column,
// since a value sealed under a removed key could never be opened again.
import { Type } from 'typebox';
import { EixError } from '../domain/errors.js';
import type { DataKeyFile } from '../ports/data-key-file.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';
import { parseInput } from './input.js';
import { requireConsole } from './reseal-data.js';
import { countSealedByKey } from './sealed-columns.js';

export const RetireDataKeyInput = Type.Object({ keyId: Type.String({ minLength: 1, maxLength: 64 }) });

export interface RetireDataKeyResult {
  readonly keyId: string;
  readonly keys: readonly string[];
}

export async function retireDataKey(
  ctx: AppContext,
  actor: Actor,
  input: { readonly keyId: unknown; readonly keys: DataKeyFile },
): Promise<RetireDataKeyResult> {
  requireConsole(actor);
  const { keyId } = parseInput(RetireDataKeyInput, { keyId: input.keyId });
  const file = await input.keys.describe();
  if (!file.keys.some((k) => k.id === keyId)) {
    throw new EixError(
      'data_key.unknown',
      { field: 'keyId', keyId, known: file.keys.map((k) => k.id) },
      `Ключа ${keyId} нет в файле ключей (есть: ${file.keys.map((k) => k.id).join(', ')})`,
    );
  }
  if (file.active === keyId) {
    throw new EixError(
      'data_key.active',
      { field: 'keyId', keyId },
      `Ключ ${keyId} активен (им шифруются новые данные) и не может быть выведен из обращения; сначала выполните eix node rotate-data-key`,
    );
  }
  return ctx.db.transaction().execute(async (tx) => {
    const inUse = (await countSealedByKey(tx))
      .map((c) => ({ column: c.column, count: c.byKey[keyId] ?? 0 }))
      .filter((c) => c.count > 0);
    const total = inUse.reduce((n, c) => n + c.count, 0);
    if (total > 0) {
      throw new EixError(
        'data_key.in_use',
        { field: 'keyId', keyId, count: total, columns: Object.fromEntries(inUse.map((c) => [c.column, c.count])) },
        `Ключом ${keyId} ещё зашифровано значений: ${total} (${inUse.map((c) => `${c.column}: ${c.count}`).join(', ')}); сначала выполните eix node reseal`,
      );
    }
    await appendAudit(tx, ctx, actor, { action: 'data_key.retire', subject: keyId, details: { keyId } });
    await input.keys.retire(keyId);
    return { keyId, keys: file.keys.map((k) => k.id).filter((k) => k !== keyId) };
  });
}
