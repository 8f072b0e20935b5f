// A file that may be absent (the node's trust registry or TLS key, a Party's region table): its text, or null
// when there is no such file. Any other failure (permissions, a directory) is thrown.
import { readFile } from 'node:fs/promises';

export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
