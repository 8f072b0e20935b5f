// A running node picks up a newer trust registry without a restart. Every few
// seconds it looks at its registry.jws (a stat: cheap, and unlike fs.watch it
// survives the file being replaced by a rename) and at the registry recorded
// in the database (another process of the same node, on the same PostgreSQL,
// may have installed one first). A newer registry goes through installRegistry
// (verified, no rollback); an older one is refused with a warning and the
// registry in force stays (and is written back to the file). It also warns
// when the registry grows old.
import { readFile, stat } from 'node:fs/promises';
import { installRegistry, type RecordedRegistry } from '../../app/install-registry.js';
import { EixError } from '../../domain/errors.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { registryFreshness } from '../../domain/registry.js';
import type { Clock } from '../../ports/clock.js';
import type { TrustRegistry } from '../../ports/registry.js';
import type { Store } from '../../ports/store.js';

export interface RegistryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RegistryWatcher {
  /** Looks once now (tests, and the first look at start). */
  check(): Promise<void>;
  stop(): Promise<void>;
}

export function watchRegistry(opts: {
  readonly db: Store;
  readonly registry: TrustRegistry;
  readonly clock: Clock;
  readonly file: string;
  readonly depositaryPem: string;
  readonly intervalMs: number;
  readonly log: RegistryLog;
  /** Called after a newer registry was put in force (the outbox may send what it held). */
  readonly onReplaced?: () => void;
}): RegistryWatcher {
  let lastFile: string | null = null;
  let lastRefusedRecord: string | null = null;
  let lastAgeWarning: string | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const adopt = async (jws: string, origin: 'file' | 'database'): Promise<boolean> => {
    try {
      const r = await installRegistry(
        { db: opts.db, registry: opts.registry },
        { jws, depositaryPem: opts.depositaryPem, file: opts.file, origin },
      );
      if (r.replaced) {
        opts.log.info(
          { version: r.registry.version, previous: r.previousVersion, origin },
          'trust registry updated without restart',
        );
        opts.onReplaced?.();
      }
      return true;
    } catch (e) {
      const inForce = opts.registry.current()?.version ?? null;
      if (e instanceof EixError)
        opts.log.warn(
          { code: e.code, origin, file: opts.file, inForce },
          `trust registry refused, version ${inForce} stays in force: ${e.message}`,
        );
      else opts.log.error({ err: e, origin, file: opts.file }, 'trust registry check failed');
      return false;
    }
  };

  const look = async (): Promise<void> => {
    const s = await stat(opts.file).catch(() => null);
    const key = s ? `${s.ino}:${s.size}:${s.mtimeMs}` : null;
    const recordedNow = async () =>
      (await opts.db.selectFrom('node_settings').select('value').where('key', '=', 'registry').executeTakeFirst())
        ?.value as RecordedRegistry | undefined;
    if (s && key !== lastFile) {
      lastFile = key;
      if (!(await adopt(await readFile(opts.file, 'utf8'), 'file'))) {
        // The file goes back to the registry in force: what is on disk is what the node (and a restart,
        // and `eix registry install` beside a running embedded node) compares against.
        const inForce = await recordedNow();
        if (inForce?.jws && inForce.version === opts.registry.current()?.version) {
          await writeFileAtomic(opts.file, `${inForce.jws}\n`);
          const restored = await stat(opts.file);
          lastFile = `${restored.ino}:${restored.size}:${restored.mtimeMs}`;
        }
      }
    }
    const recorded = await recordedNow();
    const inForce = opts.registry.current();
    if (recorded?.jws && recorded.version > (inForce?.version ?? 0) && recorded.sha256 !== lastRefusedRecord) {
      if (!(await adopt(recorded.jws, 'database'))) lastRefusedRecord = recorded.sha256;
      // The file now holds it too; its new stat is not news.
      const after = await stat(opts.file).catch(() => null);
      if (after) lastFile = `${after.ino}:${after.size}:${after.mtimeMs}`;
    }
    const current = opts.registry.current();
    if (!current) return;
    const f = registryFreshness(current, opts.clock.now(), opts.registry.maxAgeMs);
    const warning = `${current.version}:${f.state}`;
    if (f.state !== 'fresh' && warning !== lastAgeWarning) {
      const details = {
        version: current.version,
        issuedAt: current.issuedAt,
        ageDays: Math.floor(f.ageMs / 86_400_000),
        maxAgeDays: opts.registry.maxAgeMs / 86_400_000,
      };
      if (f.state === 'stale')
        opts.log.error(details, 'trust registry older than its maximum age: outgoing messages are held');
      else opts.log.warn(details, 'trust registry is getting old: install a newer one from the depositary');
    }
    lastAgeWarning = warning;
  };

  const check = async (): Promise<void> => {
    while (running) await running;
    running = look()
      .catch((e: unknown) => opts.log.error({ err: e }, 'trust registry check failed'))
      .finally(() => {
        running = null;
      });
    await running;
  };
  const loop = () => {
    if (stopped) return;
    void check().finally(() => {
      if (!stopped) {
        timer = setTimeout(loop, opts.intervalMs);
        timer.unref();
      }
    });
  };
  loop();
  return {
    check,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      while (running) await running;
    },
  };
}
