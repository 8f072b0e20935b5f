// Issue 18 item 8: the figures of docs/RELIABILITY.md come from recorded results only. Each measured figure is a
// citation of a committed results file (docs/results/*.json, written by the test or bench run with
// EIX_RECORD_RESULTS=1) and must equal the value there; no results file goes uncited; the «measured result» column
// of the scenario tables holds no figure without its citation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DOCS,
  checkCitations,
  figureCitations,
  formatFigure,
  loadResults,
  uncitedMeasurements,
} from '../support/figures.js';

const doc = async () => readFile(path.join(DOCS, 'RELIABILITY.md'), 'utf8');

test('every figure cited in RELIABILITY.md equals the value in its committed results file', async () => {
  const citations = figureCitations(await doc());
  const results = await loadResults();
  assert.ok(citations.length >= 20, `only ${citations.length} cited figures`);
  const problems = checkCitations(citations, results);
  assert.deepEqual(
    problems.map((p) => `line ${p.citation.line}: ${p.citation.link}: ${p.problem}`),
    [],
    'run `npm run results:doc` after recording a run, or correct the citation',
  );
});

test('every committed results file is cited, and the «measured result» columns cite every figure', async () => {
  const text = await doc();
  const cited = new Set(figureCitations(text).map((c) => c.file));
  const results = await loadResults();
  assert.ok(results.size > 0, 'no recorded results in docs/results/');
  assert.deepEqual(
    [...results.keys()].filter((f) => !cited.has(f)),
    [],
    'a recorded results file no figure comes from',
  );
  assert.deepEqual(uncitedMeasurements(text), [], 'figures in a «measured result» column without their results file');
});

test('the check itself: a changed value, a missing file or pointer, and an uncited figure are each found', () => {
  const results = new Map<string, unknown>([
    ['results/x.json', { sent: 1000, p50: 2.01, ok: 'да', nested: { 'a b': 7 } }],
  ]);
  const md = [
    '| scenario | measured result |',
    '|---|---|',
    '| one | [1,000](results/x.json#/sent) sent, p50 [2.0](results/x.json#/p50) s |',
    '| two | [7](results/x.json#/nested/a%20b) and 5 lost |',
    '',
    'Text [999](results/x.json#/sent), [1](results/y.json#/sent), [1](results/x.json#/none).',
  ].join('\n');
  const problems = checkCitations(figureCitations(md), results).map((p) => `${p.citation.text}: ${p.problem}`);
  assert.deepEqual(problems, [
    '999: written 999, docs/results/x.json says 1,000',
    '1: no recorded results file docs/results/y.json',
    '1: docs/results/x.json has no figure at /none (undefined)',
  ]);
  assert.deepEqual(uncitedMeasurements(md), [{ line: 4, cell: '[7](results/x.json#/nested/a%20b) and 5 lost' }]);
  assert.equal(formatFigure(56.64, '56.6'), '56.6');
  assert.equal(formatFigure(9248, '9,248'), '9,248');
});
