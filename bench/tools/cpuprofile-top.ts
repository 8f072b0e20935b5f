// Summarises a V8 .cpuprofile (`node --cpu-prof`): the functions with the most
// self time and the most total (inclusive) time, by function name and place.
// Usage: node --import tsx bench/tools/cpuprofile-top.ts <file.cpuprofile> [count] [filter]
// `filter` keeps only the total-time rows whose place contains it (e.g. "src/").
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, countArg, filter] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: cpuprofile-top.ts <file.cpuprofile> [count] [filter]\n');
  process.exit(2);
}
const count = Number(countArg ?? 25);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
// Self time per node: the sum of the time deltas of its samples.
const selfUs = new Map<number, number>();
for (let i = 0; i < p.samples.length; i++) {
  const id = p.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
}
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const short = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'npm:')
    .replace(/^.*\/wt-[^/]+\//, '');
const keyOf = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
// A native frame (no script) is named with its caller: "run ← (anonymous) npm:…".
const selfKeyOf = (id: number) => {
  const n = byId.get(id)!;
  const up = parent.get(id);
  return n.callFrame.url || up === undefined || n.callFrame.functionName.startsWith('(')
    ? keyOf(n)
    : `${keyOf(n)}← ${keyOf(byId.get(up)!)}`;
};
// Self time by where the code comes from: a package, Node's own modules, this project, V8/native.
const area = (id: number): string => {
  const u = byId.get(id)!.callFrame.url;
  if (!u) {
    const up = parent.get(id);
    return up !== undefined && byId.get(up)!.callFrame.url ? `${area(up)} (native)` : '(native/V8)';
  }
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return `npm:${m[1]}`;
  if (u.startsWith('node:')) return 'node:*';
  if (u.startsWith('wasm:')) return 'wasm';
  return 'project';
};
const areas = new Map<string, number>();
const self = new Map<string, number>();
const total = new Map<string, number>();
for (const [id, us] of selfUs) {
  const sk = selfKeyOf(id);
  self.set(sk, (self.get(sk) ?? 0) + us);
  const a = area(id);
  areas.set(a, (areas.get(a) ?? 0) + us);
  // Inclusive: every distinct function on the stack (recursion counted once).
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = keyOf(byId.get(cur)!);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + us);
  }
}
const all = [...selfUs.values()].reduce((a, b) => a + b, 0);
const print = (title: string, m: Map<string, number>, keep: (k: string) => boolean) => {
  process.stdout.write(`\n${title} (of ${(all / 1000).toFixed(0)} ms sampled)\n`);
  const rows = [...m]
    .filter(([k]) => keep(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count);
  for (const [k, us] of rows)
    process.stdout.write(
      `${(us / 1000).toFixed(0).padStart(8)} ms ${((us / all) * 100).toFixed(1).padStart(5)} %  ${k}\n`,
    );
};
print('self time by area', areas, () => true);
print('self time', self, () => true);
print('total time', total, (k) => !filter || k.includes(filter));
