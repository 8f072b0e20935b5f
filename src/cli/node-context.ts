// Console commands that act on the node's own data open its context for the
// duration of the command (the node must not be running on an embedded database).
import { buildContext, type Wired } from '../main.js';
import type { CommandKit } from './program.js';

export async function withNode<T>(kit: CommandKit, fn: (w: Wired) => Promise<T>): Promise<T> {
  const wired = await buildContext(kit.ctx.config, { clock: kit.ctx.clock });
  try {
    return await fn(wired);
  } finally {
    await wired.close();
  }
}
