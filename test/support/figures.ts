// Figures cited from recorded results (issue 18 item 8). A measured figure in
// docs/RELIABILITY.md is written as a Markdown link whose text is the figure
// and whose target names the results file and the JSON Pointer of the value:
//
//   [1,000](results/faults-kill-sender.json#/delivered) delivered
//
// The link leads a reader to the file; figureCitations() finds every one, and
// the test (test/docs/reliability-figures.test.ts) checks each against the
// committed file; `npm run results:doc` rewrites them after a recorded run.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));

export interface Citation {
  /** The whole link as written. */
  readonly link: string;
  /** The figure as written (the link's text). */
  readonly text: string;
  /** The results file, relative to docs/ (results/<name>.json). */
  readonly file: string;
  /** The JSON Pointer of the value in that file. */
  readonly pointer: string;
  /** 1-based line of the document. */
  readonly line: number;
}

const CITATION = /\[([^\]\n]+)\]\((results\/[\w.-]+\.json)#(\/[^)\s]*)\)/g;

export function figureCitations(markdown: string): Citation[] {
  const out: Citation[] = [];
  for (const m of markdown.matchAll(CITATION))
    out.push({
      link: m[0],
      text: m[1]!,
      file: m[2]!,
      pointer: m[3]!,
      line: markdown.slice(0, m.index).split('\n').length,
    });
  return out;
}

/** RFC 6901, with each segment also percent-decoded (a Markdown link target cannot hold spaces). */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  let at: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The value as the document writes it: numbers grouped by thousands with as many decimals as `like` has. */
export function formatFigure(value: unknown, like: string): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const decimals = /\.(\d+)$/.exec(like)?.[1]?.length ?? 0;
    return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  return undefined;
}

export async function loadResults(): Promise<Map<string, unknown>> {
  const dir = path.join(DOCS, 'results');
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));
  const out = new Map<string, unknown>();
  for (const f of files.sort()) out.set(`results/${f}`, JSON.parse(await readFile(path.join(dir, f), 'utf8')));
  return out;
}

export interface CitationProblem {
  readonly citation: Citation;
  readonly problem: string;
}

/** Every citation whose file, value or written figure does not match the recorded results. */
export function checkCitations(citations: readonly Citation[], results: Map<string, unknown>): CitationProblem[] {
  const problems: CitationProblem[] = [];
  for (const c of citations) {
    if (!results.has(c.file)) {
      problems.push({ citation: c, problem: `no recorded results file docs/${c.file}` });
      continue;
    }
    const value = resolvePointer(results.get(c.file), c.pointer);
    const expected = formatFigure(value, c.text);
    if (expected === undefined)
      problems.push({
        citation: c,
        problem: `docs/${c.file} has no figure at ${c.pointer} (${JSON.stringify(value)})`,
      });
    else if (expected !== c.text)
      problems.push({ citation: c, problem: `written ${c.text}, docs/${c.file} says ${expected}` });
  }
  return problems;
}

/**
 * Figures written without a citation in the cells of a table column headed «measured result»: the digits left
 * after removing citations, code spans, links to documents and names that carry digits.
 */
export function uncitedMeasurements(markdown: string): { line: number; cell: string }[] {
  const out: { line: number; cell: string }[] = [];
  const lines = markdown.split('\n');
  let column = -1;
  lines.forEach((text, i) => {
    if (!text.startsWith('|')) {
      column = -1;
      return;
    }
    const cells = text.split('|').slice(1, -1);
    const header = cells.findIndex((c) => /measured result/i.test(c));
    if (header >= 0) {
      column = header;
      return;
    }
    if (column < 0 || /^\|[-| ]+\|$/.test(text)) return;
    const cell = cells[column] ?? '';
    const bare = cell
      .replace(CITATION, '')
      .replace(/`[^`]*`/g, '')
      .replace(/\([^()]*\.md[^()]*\)/g, '')
      // names that carry digits (p50, R9.4, SHA-256, x5c, base64, 5xx) are words, not figures
      .replace(/[A-Za-zА-Яа-яЁё]+-?\d[\w.]*|\b\d+xx\b/g, '');
    if (/\d/.test(bare)) out.push({ line: i + 1, cell: cell.trim() });
  });
  return out;
}
