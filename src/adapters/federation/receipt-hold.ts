// EIX_TEST_HOLD_RECEIPT: a hook for the fault tests (docs/RELIABILITY.md), inert unless the variable is set and
// never set in production. The node holds its first receipt(s) of an incoming message or bundle at one point
//   `transaction` — inside the receipt's database transaction, the effect written, before the commit;
//   `answer`      — after the commit, before the signed receipt is sent back;
// for `ms` milliseconds (or until the process ends), and says so on stderr with the message ids. A test then
// kills the node, or terminates its database connection, at exactly that moment instead of hoping a kill
// falls there. Form: `<point>[:<ms>[:<times>]]`, e.g. `answer` (the first receipt, held until killed) or
// `transaction:4000:2` (the first two, 4 s each).
import type { HoldPoint, ReceiptHold } from '../../config/config.js';

/** The line a held receipt writes to stderr (the tests wait for it). */
export const HOLD_LINE = 'EIX_TEST_HOLD_RECEIPT holding';

/** Called at both points with the ids of the messages being received; resolves when the receipt may go on. */
export type HoldHook = (point: HoldPoint, messageIds: readonly string[]) => Promise<void>;

export function receiptHook(
  hold: ReceiptHold | null,
  say: (line: string) => void = (line) => process.stderr.write(line),
): HoldHook | undefined {
  if (!hold) return undefined;
  let left = hold.times;
  return async (point, messageIds) => {
    if (point !== hold.point || left <= 0) return;
    left -= 1;
    say(`${HOLD_LINE} ${point} ${messageIds.join(',')}\n`);
    // Without ms the receipt waits until the process is killed (a promise that never settles).
    await new Promise<void>((resolve) => {
      if (hold.ms !== null) setTimeout(resolve, hold.ms);
    });
  };
}
