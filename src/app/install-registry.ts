// Puts a newer trust registry in force on a running node, from the operator
// (`eix registry install`), from the node's registry.jws changed on disk, or
// from the database when another process of the same node installed it first.
// The registry is verified with the pinned depositary certificate whatever its
// origin (the database copy is a convenience, not a source of trust), never
// older than the one in force or recorded (no rollback), written to the node's
// registry.jws atomically and recorded in node_settings in one transaction;
// each version is also kept in registry_versions (evidence packs, issue 17.4).
import { readTextIfExists } from '../adapters/fs/read-if-exists.js';
import { acceptRegistry, registrySha256, verifyRegistry } from '../adapters/crypto/registry-jws.js';
import { writeFileAtomic } from '../adapters/fs/atomic-file.js';
import type { Registry } from '../domain/registry.js';
import type { TrustRegistry } from '../ports/registry.js';
import type { Store } from '../ports/store.js';

/** What node_settings 'registry' holds: the accepted version and, to let other processes converge, its JWS. */
export interface RecordedRegistry {
  readonly version: number;
  readonly sha256: string;
  readonly issuedAt: string;
  readonly jws?: string;
}

export interface InstallRegistryContext {
  /** Null when the embedded database is held by the running node: the file is the hand-over, the node records it. */
  readonly db: Store | null;
  readonly registry?: TrustRegistry | undefined;
}

export interface InstallRegistryOptions {
  readonly jws: string;
  readonly depositaryPem: string;
  /** The node's registry.jws; written unless the registry was read from it. Absent: nothing is written. */
  readonly file?: string;
  readonly origin: 'operator' | 'file' | 'database';
}

export interface InstallRegistryResult {
  readonly registry: Registry;
  readonly sha256: string;
  /** The version in force (or recorded) before, if any. */
  readonly previousVersion: number | null;
  /** Whether this registry is newer than the one in force and now replaces it. */
  readonly replaced: boolean;
  /** Whether node_settings now records it (false when the database was not available). */
  readonly recorded: boolean;
}

export async function installRegistry(
  ctx: InstallRegistryContext,
  opts: InstallRegistryOptions,
): Promise<InstallRegistryResult> {
  const jws = opts.jws.trim();
  const registry = await verifyRegistry(jws, opts.depositaryPem);
  const sha256 = registrySha256(registry);
  const inForce = ctx.registry?.current() ?? null;
  if (inForce) acceptRegistry({ version: inForce.version, sha256: registrySha256(inForce) }, registry, sha256);
  let previousVersion = inForce?.version ?? null;
  let recorded = false;
  if (ctx.db) {
    await ctx.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('node_settings')
        .select('value')
        .where('key', '=', 'registry')
        .forUpdate()
        .executeTakeFirst();
      const current = (row?.value as RecordedRegistry | undefined) ?? null;
      acceptRegistry(current, registry, sha256);
      previousVersion ??= current?.version ?? null;
      // The file first: if it cannot be written, nothing is recorded.
      if (opts.file && opts.origin !== 'file') await writeIfChanged(opts.file, jws);
      if (current?.version !== registry.version || !current.jws) {
        const value = JSON.stringify({
          version: registry.version,
          sha256,
          issuedAt: registry.issuedAt,
          jws,
        } satisfies RecordedRegistry);
        await tx
          .insertInto('node_settings')
          .values({ key: 'registry', value })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: new Date() }))
          .execute();
      }
      // Every version is kept (migration 026): an evidence pack shows the registry a message was checked against.
      await tx
        .insertInto('registry_versions')
        .values({ version: registry.version, sha256, issued_at: registry.issuedAt, jws })
        .onConflict((oc) => oc.column('version').doNothing())
        .execute();
      recorded = true;
    });
  } else if (opts.file) {
    // No database at hand: the registry installed in the file is the one to beat.
    const installed = await readVerified(opts.file, opts.depositaryPem);
    if (installed) {
      acceptRegistry({ version: installed.version, sha256: registrySha256(installed) }, registry, sha256);
      previousVersion ??= installed.version;
    }
    if (opts.origin !== 'file') await writeIfChanged(opts.file, jws);
  }
  const replaced = ctx.registry?.replace(registry) ?? false;
  return { registry, sha256, previousVersion, replaced, recorded };
}

/** The registry in a node's file, or null when there is none or it does not verify (it then protects nothing). */
async function readVerified(file: string, depositaryPem: string): Promise<Registry | null> {
  const text = await readTextIfExists(file);
  return text === null ? null : verifyRegistry(text, depositaryPem).catch(() => null);
}

async function writeIfChanged(file: string, jws: string): Promise<void> {
  if ((await readTextIfExists(file))?.trim() === jws) return;
  await writeFileAtomic(file, `${jws}\n`);
}
