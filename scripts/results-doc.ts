// `npm run results:doc`: after a recorded run (EIX_RECORD_RESULTS=1 npm run test:faults, …) rewrites every
// figure cited in docs/RELIABILITY.md from docs/results/*.json, and lists citations that no longer resolve.
// The check of the same citations is test/docs/reliability-figures.test.ts.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DOCS, figureCitations, formatFigure, loadResults, resolvePointer } from '../test/support/figures.js';

const file = path.join(DOCS, 'RELIABILITY.md');
const results = await loadResults();
let text = await readFile(file, 'utf8');
let changed = 0;
const broken: string[] = [];
for (const c of figureCitations(text)) {
  const value = results.has(c.file) ? resolvePointer(results.get(c.file), c.pointer) : undefined;
  const figure = formatFigure(value, c.text);
  if (figure === undefined) {
    broken.push(`line ${c.line}: ${c.link}`);
    continue;
  }
  if (figure === c.text) continue;
  text = text.replace(c.link, `[${figure}](${c.file}#${c.pointer})`);
  changed++;
}
await writeFile(file, text);
process.stdout.write(`docs/RELIABILITY.md: ${changed} figure(s) rewritten from docs/results/\n`);
if (broken.length) {
  process.stdout.write(`citations without a recorded value:\n${broken.join('\n')}\n`);
  process.exitCode = 1;
}
