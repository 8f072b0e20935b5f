// Issue 18 item 7: every test runnable alone. `node --test --test-name-pattern '<name>'` runs one test with its
// describe blocks' hooks, so a test must not read what a sibling left in a variable (an id, a row, a token, a
// counter): set-up goes into before()/beforeEach(), and a life told step by step is one scenario test.
// ARCHITECTURE.md, house rule 14. The check is static (test/support/tests-alone.ts): a test that assigns or fills
// a variable declared outside it is reported as `file:line: test «name» assigns «var» declared at line N`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUse, findSharedState, testFiles } from '../support/tests-alone.js';

const check = (text: string) => findSharedState([{ file: 'fixture.test.ts', text }]).map(describeUse);

test('no test assigns or fills a variable declared outside it (every test file runnable alone)', async () => {
  const files = await testFiles();
  assert.ok(files.length >= 140, `only ${files.length} test files found`);
  assert.ok(
    files.some((f) => f.file.endsWith('.fault.ts')),
    'the fault scenarios are checked too',
  );
  const uses = findSharedState(files).map(describeUse);
  for (const line of uses) console.log(line);
  assert.deepEqual(
    uses,
    [],
    'move the set-up into before()/beforeEach(), give each test its own data, or make a life told step by step one scenario test',
  );
});

test('the check itself: an id handed from one test to the next is found, at any depth inside describe', () => {
  const fixture = [
    "import { describe, test, before } from 'node:test';", // 1
    'let shared = 0;', // 2
    "describe('outer', () => {", // 3
    '  let requestId: string;', // 4
    "  describe('inner', () => {", // 5
    "    test('drafts', async () => {", // 6
    "      requestId = 'r-1';", // 7
    '      shared += 1;', // 8
    '    });', // 9
    "    it('signs', () => {", // 10
    '      assert.ok(requestId);', // 11
    '      shared++;', // 12
    '    });', // 13
    '  });', // 14
    '});', // 15
  ].join('\n');
  assert.deepEqual(check(fixture), [
    'fixture.test.ts:7: test «drafts» assigns «requestId» declared at line 4',
    'fixture.test.ts:8: test «drafts» assigns «shared» declared at line 2',
    'fixture.test.ts:12: test «signs» assigns «shared» declared at line 2',
  ]);
});

test('the check itself: a collection or an object declared outside the test and filled in it is found', () => {
  const fixture = [
    "describe('d', () => {", // 1
    '  const ids: string[] = [];', // 2
    '  const byName = new Map<string, number>();', // 3
    '  const seen = new Set();', // 4
    '  const state = { token: undefined as string | undefined, n: 0 };', // 5
    "  test('a', () => {", // 6
    "    ids.push('x');", // 7
    "    byName.set('x', 1);", // 8
    "    seen.add('x');", // 9
    "    state.token = 't';", // 10
    '    delete state.n;', // 11
    '    [state.token] = ["u"];', // 12
    '  });', // 13
    '});', // 14
  ].join('\n');
  assert.deepEqual(check(fixture), [
    'fixture.test.ts:7: test «a» mutates «ids» (push) declared at line 2',
    'fixture.test.ts:8: test «a» mutates «byName» (set) declared at line 3',
    'fixture.test.ts:9: test «a» mutates «seen» (add) declared at line 4',
    'fixture.test.ts:10: test «a» mutates «state» (.token =) declared at line 5',
    'fixture.test.ts:11: test «a» mutates «state» (delete) declared at line 5',
    'fixture.test.ts:12: test «a» mutates «state» (.token =) declared at line 5',
  ]);
});

test('the check itself: set-up in before() and data a test declares itself are not reported', () => {
  const fixture = [
    "import { describe, test, before, beforeEach, after } from 'node:test';",
    "describe('d', () => {",
    '  let requestId: string;',
    '  const ids: string[] = [];',
    '  before(async () => {',
    "    requestId = 'r-1';",
    "    ids.push('a');",
    '  });',
    '  beforeEach(() => {',
    '    ids.length = 0;',
    '  });',
    '  after(() => {',
    '    requestId = undefined as never;',
    '  });',
    "  test('reads the set-up', async (t) => {",
    '    let mine = requestId;',
    '    const list: string[] = [];',
    '    const local = { n: 0 };',
    '    function step() {',
    "      mine = 'r-2';",
    '      local.n++;',
    '    }',
    '    step();',
    "    list.push(mine, ...ids.map((i) => i + '!'));",
    "    await t.test('a subtest of the scenario', () => {",
    "      mine = 'r-3';",
    '    });',
    '  });',
    '});',
  ].join('\n');
  assert.deepEqual(check(fixture), []);
});

test('the check itself: a function of the file a test calls counts — a plain assignment always, a counter or a list only when another test reads it', () => {
  const fixture = [
    "describe('d', () => {", // 1
    '  let node = start();', // 2
    '  let n = 0;', // 3
    '  const sockets = new Set();', // 4
    '  const accepted: string[] = [];', // 5
    '  const restart = () => {', // 6
    '    node = start();', // 7
    '  };', // 8
    '  const unique = () => `p-${++n}`;', // 9
    '  function send() {', // 10
    '    sockets.add(unique());', // 11
    "    accepted.push('m');", // 12
    '  }', // 13
    "  test('restarts', () => {", // 14
    '    restart();', // 15
    '    send();', // 16
    '  });', // 17
    "  test('replays the last accepted', () => {", // 18
    '    assert.ok(node && accepted.at(-1));', // 19
    '  });', // 20
    '});', // 21
  ].join('\n');
  assert.deepEqual(check(fixture), [
    'fixture.test.ts:7: test «restarts» assigns «node» declared at line 2 (through restart() called at line 15)',
    'fixture.test.ts:12: test «restarts» mutates «accepted» (push) declared at line 5 (through send() called at line 16)',
  ]);
});
