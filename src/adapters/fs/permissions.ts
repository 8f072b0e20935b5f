// The node's files are the node's alone: directories 0700, files without any
// group or other bits (0600 for secrets). PGlite creates its files 0666 and a
// directory made under a loose umask is 0755, so the node tightens its home at
// start (and the embedded database directory whenever it opens or closes it).
import { chmod, lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface Tightened {
  /** Entries whose group/other bits were removed. */
  readonly changed: readonly string[];
  /** Entries the node could not change (another owner): left as they are, for a warning. */
  readonly failed: readonly string[];
}

const LOOSE = 0o077;

async function tighten(entry: string, changed: string[], failed: string[]): Promise<void> {
  const st = await lstat(entry).catch(() => null);
  if (!st || st.isSymbolicLink() || (st.mode & LOOSE) === 0) return;
  const mode = st.isDirectory() ? 0o700 : st.mode & 0o700;
  try {
    await chmod(entry, mode);
    changed.push(entry);
  } catch {
    failed.push(entry);
  }
}

/** Removes group/other permissions from `dir` and everything under it (symbolic links are not followed). */
export async function tightenTree(dir: string): Promise<Tightened> {
  const changed: string[] = [];
  const failed: string[] = [];
  if (process.platform === 'win32') return { changed, failed };
  await tighten(dir, changed, failed);
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const e of entries) await tighten(path.join(dir, e), changed, failed);
  return { changed, failed };
}

/** True when a file can be read by the group or others (a private key that should be 0600). */
export async function readableByOthers(file: string): Promise<boolean> {
  if (process.platform === 'win32') return false;
  const st = await lstat(file).catch(() => null);
  return st !== null && (st.mode & LOOSE) !== 0;
}
