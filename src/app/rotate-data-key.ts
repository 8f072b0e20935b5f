// A new data key for the node (R9.4, ASVS V1.6.3): added to the key file and
// made active; older keys stay to open what they sealed until `resealData`
// moves it and `retireDataKey` removes them. A node process that is running
// keeps sealing with the key it loaded at start until it is restarted.
import type { DataKeyFile } from '../ports/data-key-file.js';
import { appendAudit } from './audit.js';
import type { Actor, AppContext } from './context.js';
import { requireConsole } from './reseal-data.js';

export interface RotateDataKeyResult {
  readonly keyId: string;
  readonly previousKeyId: string;
  readonly keys: readonly string[];
}

export async function rotateDataKey(
  ctx: AppContext,
  actor: Actor,
  input: { readonly keys: DataKeyFile },
): Promise<RotateDataKeyResult> {
  requireConsole(actor);
  const before = await input.keys.describe();
  // The audit entry commits with the rotation: if the file cannot be written, nothing is recorded.
  return ctx.db.transaction().execute(async (tx) => {
    const keyId = await input.keys.rotate(ctx.clock.now());
    const keys = [...before.keys.map((k) => k.id), keyId];
    await appendAudit(tx, ctx, actor, {
      action: 'data_key.rotate',
      subject: keyId,
      details: { keyId, previousKeyId: before.active, keys },
    });
    return { keyId, previousKeyId: before.active, keys };
  });
}
