// Summarises a V8 sampling heap profile (bench/tools/profile-hook.mjs, EIX_PROFILE_HEAP_OUT): the places that
// allocated the most bytes (self), and the functions under which the most was allocated (total), by name and
// place. Usage: node --import tsx bench/tools/heapprofile-top.ts <file.heapprofile> [count] [filter]
import { readFileSync } from 'node:fs';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const [file, countArg, filter] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: heapprofile-top.ts <file.heapprofile> [count] [filter]\n');
  process.exit(2);
}
const count = Number(countArg ?? 25);
const head = (JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode }).head;
const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'npm:')
    .replace(/^.*\/(src|bench|test)\//, '$1/');
const name = (n: HeapNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
const walk = (n: HeapNode, above: Set<string>): number => {
  const key = name(n);
  self.set(key, (self.get(key) ?? 0) + n.selfSize);
  all += n.selfSize;
  const seen = new Set(above).add(key);
  let sum = n.selfSize;
  for (const c of n.children) sum += walk(c, seen);
  // A function on the stack twice counts once.
  if (!above.has(key)) total.set(key, (total.get(key) ?? 0) + sum);
  return sum;
};
walk(head, new Set());
const mb = (b: number) => (b / 1048576).toFixed(1).padStart(8);
const pc = (b: number) => ((100 * b) / all).toFixed(1).padStart(5);
process.stdout.write(`allocated (sampled): ${mb(all)} MB\n\nself:\n`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, count))
  process.stdout.write(`${mb(v)} MB ${pc(v)} %  ${k}\n`);
process.stdout.write(`\ntotal${filter ? ` (${filter})` : ''}:\n`);
for (const [k, v] of [...total]
  .filter(([k]) => !filter || k.includes(filter))
  .sort((a, b) => b[1] - a[1])
  .slice(0, count))
  process.stdout.write(`${mb(v)} MB ${pc(v)} %  ${k}\n`);
