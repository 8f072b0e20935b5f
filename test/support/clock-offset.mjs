// Preloaded into a node process (NODE_OPTIONS=--import <this file>) by the chaos soak: the process's wall
// clock is moved by the number of milliseconds written in EIX_CLOCK_OFFSET_FILE, as if the machine's clock had
// been set — Date.now(), new Date() and Date() move; dates built from a value do not; performance.now() and
// timers (monotonic) do not. The file is read at start and again whenever it changes (polled every 200 ms), so
// a running node sees its clock jump. PGlite inside the process reads the same clock; a PostgreSQL server does
// not (its own clock is the database host's, as in a deployment where the node's host clock is off).
import { readFileSync, watchFile } from 'node:fs';
import process from 'node:process';

const file = process.env.EIX_CLOCK_OFFSET_FILE;
if (file) {
  const RealDate = globalThis.Date;
  let offset = 0;
  const read = () => {
    try {
      const v = Number(readFileSync(file, 'utf8').trim());
      offset = Number.isFinite(v) ? v : 0;
    } catch {
      offset = 0;
    }
  };
  read();
  watchFile(file, { interval: 200, persistent: false }, read);
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) =>
      args.length === 0
        ? Reflect.construct(target, [RealDate.now() + offset], newTarget)
        : Reflect.construct(target, args, newTarget),
    apply: () => new RealDate(RealDate.now() + offset).toString(),
    get: (target, key, receiver) =>
      key === 'now' ? () => RealDate.now() + offset : Reflect.get(target, key, receiver),
  });
}
