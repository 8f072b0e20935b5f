// A file of the node home that may be absent (a node without a connector, a registry, a TLS key, a region
// table): its text, or null when there is no such file. Any other failure (permissions, a directory) is thrown.
import { readFile } from 'node:fs/promises';

export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
