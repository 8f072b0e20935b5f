#!/usr/bin/env node
// Entry of the `eix` command: runs the built CLI when dist/ exists and is not older than the sources, otherwise
// the TypeScript sources through tsx (development checkouts; an update not yet built — said on stderr — so that
// what runs is never older than what is checked out).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}dist/cli/main.js`;
const sources = `${root}src`;
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (t, e) => Math.max(t, e.isDirectory() ? newest(`${dir}/${e.name}`) : statSync(`${dir}/${e.name}`).mtimeMs),
    0,
  );
const stale = existsSync(built) && existsSync(sources) && statSync(built).mtimeMs < newest(sources);
if (stale)
  process.stderr.write(
    'eix: сборка dist/ старше исходных текстов src/ — запущены исходные тексты; выполните npm run build\n',
  );
if (existsSync(built) && !stale) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(`${root}src/cli/main.ts`).href);
}
