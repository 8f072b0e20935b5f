// docs/OPERATIONS.md tells operators the heap settings a node runs with; the load bench measures the node with
// the same ones (bench/built-node.ts), so the figures in docs/PERFORMANCE.md are those of a node run as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RECOMMENDED_ENV } from '../../bench/built-node.js';

test('issue 16: OPERATIONS.md recommends the memory settings the load bench runs the nodes with', () => {
  const doc = readFileSync(new URL('../../docs/OPERATIONS.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('### Memory of a node process'));
  assert.ok(section.length < doc.length, 'OPERATIONS.md has a «Memory of a node process» section');
  // Each engine's settings, as the section's systemd lines give them.
  for (const [engine, env] of Object.entries(RECOMMENDED_ENV))
    for (const [name, value] of Object.entries(env))
      assert.ok(
        section.includes(`Environment="${name}=${value}"`),
        `the section gives ${name}=${value} for ${engine} as a systemd line Environment="${name}=${value}"`,
      );
});
