// Every test runnable alone (issue 18 item 7). `node --test --test-name-pattern`
// runs one test of a file with its describe blocks' hooks and nothing else, so a
// test that reads an id, a row or a counter an earlier sibling left in a
// variable fails when run alone. findSharedState() finds that statically: a
// test's callback (at any depth inside describe) that assigns a variable
// declared outside that callback but in the same file (`x = …`, `x += …`,
// `x++`), or mutates such a variable's collection or object (`arr.push(…)`,
// `map.set(…)`, `delete obj.k`, `obj.k = …`). Hooks (before, beforeEach, after,
// afterEach) are the place for set-up and are not checked; neither is anything a
// test declares itself. The test test/docs/tests-run-alone.test.ts runs it over
// the test files.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SharedStateUse {
  /** The file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the assignment or mutation. */
  readonly line: number;
  /** The test's name as written. */
  readonly test: string;
  /** The outer variable assigned or mutated. */
  readonly variable: string;
  /** 1-based line of the variable's declaration. */
  readonly declaredAt: number;
  /** `assigns` for `=`, `+=`, `++`…; `mutates` for a method or property of it. */
  readonly how: 'assigns' | 'mutates';
  /** For `mutates`: what was done (`push`, `.k =`, `delete`). */
  readonly detail?: string;
  /** When the test does it through a function of the file: that function and the line of the test's call. */
  readonly through?: { readonly helper: string; readonly calledAt: number };
}

/** The line a report prints for one use. */
export function describeUse(u: SharedStateUse): string {
  const what = u.how === 'mutates' ? `mutates «${u.variable}» (${u.detail})` : `assigns «${u.variable}»`;
  const via = u.through ? ` (through ${u.through.helper}() called at line ${u.through.calledAt})` : '';
  return `${u.file}:${u.line}: test «${u.test}» ${what} declared at line ${u.declaredAt}${via}`;
}

const TEST_NAMES = new Set(['test', 'it']);
const TEST_MODIFIERS = new Set(['only', 'skip', 'todo']);
/** Methods that change an Array, a Map or a Set in place. */
const MUTATORS = new Set([
  'push',
  'pop',
  'shift',
  'unshift',
  'splice',
  'sort',
  'reverse',
  'fill',
  'copyWithin',
  'set',
  'add',
  'delete',
  'clear',
]);
const COLLECTION_TYPES = new Set(['Array', 'ReadonlyArray', 'Map', 'Set', 'WeakMap', 'WeakSet']);

/** `test(…)` or `it(…)`, with or without a modifier (only, skip, todo): a test declared by node:test. */
function isTestCall(node: ts.CallExpression): boolean {
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return TEST_NAMES.has(callee.text);
  return (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    TEST_NAMES.has(callee.expression.text) &&
    TEST_MODIFIERS.has(callee.name.text)
  );
}

function testCallback(node: ts.CallExpression): ts.FunctionLikeDeclaration | undefined {
  for (let i = node.arguments.length - 1; i >= 0; i--) {
    const a = node.arguments[i]!;
    if (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) return a;
  }
  return undefined;
}

function testName(node: ts.CallExpression, sf: ts.SourceFile): string {
  const first = node.arguments[0];
  if (!first) return '(unnamed)';
  if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) return first.text;
  return first.getText(sf);
}

/** The identifier a member chain starts from: `a` of `a.b[c].d`. */
function rootIdentifier(e: ts.Expression): ts.Identifier | undefined {
  let cur: ts.Expression = e;
  for (;;) {
    if (ts.isParenthesizedExpression(cur) || ts.isNonNullExpression(cur) || ts.isAsExpression(cur)) {
      cur = cur.expression;
    } else if (ts.isPropertyAccessExpression(cur) || ts.isElementAccessExpression(cur)) {
      cur = cur.expression;
    } else {
      return ts.isIdentifier(cur) ? cur : undefined;
    }
  }
}

/** What an assignment target writes: `x`, `o.k`, or each of them in a destructuring (`[a, o.k]`, `{ a, b: c }`). */
function assignedTargets(target: ts.Expression): ts.Expression[] {
  if (ts.isParenthesizedExpression(target) || ts.isNonNullExpression(target)) return assignedTargets(target.expression);
  if (ts.isArrayLiteralExpression(target)) {
    return target.elements.flatMap((e) => assignedTargets(ts.isSpreadElement(e) ? e.expression : e));
  }
  if (ts.isObjectLiteralExpression(target)) {
    return target.properties.flatMap((p) => {
      if (ts.isShorthandPropertyAssignment(p)) return [p.name];
      if (ts.isPropertyAssignment(p)) return assignedTargets(p.initializer);
      if (ts.isSpreadAssignment(p)) return assignedTargets(p.expression);
      return [];
    });
  }
  if (ts.isBinaryExpression(target) && target.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return assignedTargets(target.left); // a default: `[a = 1] = …`
  }
  return [target];
}

function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** A variable holding an Array, a Map or a Set by its declaration (initializer or annotation). */
function isCollection(decl: ts.Declaration): boolean {
  if (!ts.isVariableDeclaration(decl)) return false;
  const type = decl.type;
  if (type) {
    if (ts.isArrayTypeNode(type) || ts.isTupleTypeNode(type)) return true;
    if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && COLLECTION_TYPES.has(type.typeName.text)) {
      return true;
    }
  }
  let init = decl.initializer;
  while (init && (ts.isAsExpression(init) || ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init))) {
    init = init.expression;
  }
  if (!init) return false;
  if (ts.isArrayLiteralExpression(init)) return true;
  return ts.isNewExpression(init) && ts.isIdentifier(init.expression) && COLLECTION_TYPES.has(init.expression.text);
}

interface Source {
  readonly file: string;
  readonly text: string;
}

/** A write found while scanning one test, before deciding whether it is reported. */
interface Write {
  readonly use: SharedStateUse;
  readonly decl: ts.Declaration;
  /** `x = …` or a destructuring: the binding itself is replaced. */
  readonly plain: boolean;
}

/**
 * The uses of shared state by tests in the given sources (file names are only reported). In a test's own
 * callback every write to an outer variable counts. In a function of the file the test calls (followed
 * through further calls), a plain assignment (`x = …`) counts; a counter (`n++`, `n += 1`) or a collection or
 * object it fills (`sockets.add(s)`, `tally.cases += 1`) counts only when another test reads that variable
 * in its own callback: a unique-name counter or a list closed in after() passes nothing between tests.
 */
export function findSharedState(sources: readonly Source[]): SharedStateUse[] {
  const byName = new Map(sources.map((s) => [s.file, s.text]));
  const options: ts.CompilerOptions = { noLib: true, noResolve: true, types: [], noEmit: true };
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (name, lang) => {
    const text = byName.get(name);
    return text === undefined ? undefined : ts.createSourceFile(name, text, lang, true, ts.ScriptKind.TS);
  };
  host.fileExists = (name) => byName.has(name);
  host.readFile = (name) => byName.get(name);
  const program = ts.createProgram({ rootNames: [...byName.keys()], options, host });
  const checker = program.getTypeChecker();
  const uses: SharedStateUse[] = [];

  for (const { file } of sources) {
    const sf = program.getSourceFile(file);
    if (!sf) continue;
    const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
    const declOf = (id: ts.Identifier): ts.Declaration | undefined => {
      const decl = checker.getSymbolAtLocation(id)?.declarations?.[0];
      return decl && decl.getSourceFile() === sf ? decl : undefined;
    };

    /** The function of this file a call names (`helper(…)` for `function helper` or `const helper = () => …`). */
    const calledFunction = (call: ts.CallExpression): ts.FunctionLikeDeclaration | undefined => {
      const decl = ts.isIdentifier(call.expression) ? declOf(call.expression) : undefined;
      if (!decl) return undefined;
      if (ts.isFunctionDeclaration(decl)) return decl;
      if (ts.isVariableDeclaration(decl) && decl.initializer) {
        const init = decl.initializer;
        if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
      }
      return undefined;
    };

    /** Per test: its writes (own and through the file's functions) and the outer variables its callback reads. */
    const tests: { writes: Write[]; reads: Set<ts.Declaration> }[] = [];

    const checkTest = (call: ts.CallExpression, callback: ts.FunctionLikeDeclaration) => {
      const name = testName(call, sf);
      const writes: Write[] = [];
      const reads = new Set<ts.Declaration>();
      const seen = new Set<ts.Node>([callback]);
      /**
       * Scans a function the test runs: the callback itself, or a function of the file it calls (`through`).
       * A variable is outer when declared outside that function, in this file.
       */
      const scan = (fn: ts.FunctionLikeDeclaration, through?: SharedStateUse['through']) => {
        const outer = (id: ts.Identifier): ts.Declaration | undefined => {
          const decl = declOf(id);
          if (!decl) return undefined;
          const start = decl.getStart(sf);
          return start >= fn.pos && start < fn.end ? undefined : decl;
        };
        const written = new Set<ts.Identifier>();
        const write = (
          at: ts.Node,
          id: ts.Identifier,
          decl: ts.Declaration,
          how: SharedStateUse['how'],
          detail?: string,
          plain = false,
        ) => {
          written.add(id);
          writes.push({
            decl,
            plain,
            use: {
              file,
              line: lineOf(at.getStart(sf)),
              test: name,
              variable: id.text,
              declaredAt: lineOf(decl.getStart(sf)),
              how,
              ...(detail === undefined ? {} : { detail }),
              ...(through ? { through } : {}),
            },
          });
        };
        const assignTarget = (at: ts.Node, target: ts.Expression, plain: boolean) => {
          for (const t of assignedTargets(target)) {
            if (ts.isIdentifier(t)) {
              const decl = outer(t);
              if (decl) write(at, t, decl, 'assigns', undefined, plain);
            } else if (ts.isPropertyAccessExpression(t) || ts.isElementAccessExpression(t)) {
              const root = rootIdentifier(t);
              const decl = root && outer(root);
              const key = ts.isPropertyAccessExpression(t) ? `.${t.name.text}` : '[…]';
              if (root && decl) write(at, root, decl, 'mutates', `${key} =`);
            }
          }
        };
        const visit = (node: ts.Node): void => {
          if (ts.isBinaryExpression(node) && isAssignmentOperator(node.operatorToken.kind)) {
            assignTarget(node, node.left, node.operatorToken.kind === ts.SyntaxKind.EqualsToken);
          } else if (
            (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
            (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
          ) {
            assignTarget(node, node.operand, false);
          } else if (
            (ts.isForOfStatement(node) || ts.isForInStatement(node)) &&
            !ts.isVariableDeclarationList(node.initializer)
          ) {
            assignTarget(node, node.initializer, true);
          } else if (ts.isDeleteExpression(node)) {
            const root = rootIdentifier(node.expression);
            const decl = root && outer(root);
            if (root && decl) write(node, root, decl, 'mutates', 'delete');
          } else if (ts.isCallExpression(node)) {
            const callee = node.expression;
            if (ts.isPropertyAccessExpression(callee) && MUTATORS.has(callee.name.text)) {
              const id = ts.isIdentifier(callee.expression) ? callee.expression : undefined;
              const decl = id && outer(id);
              if (id && decl && isCollection(decl)) write(node, id, decl, 'mutates', callee.name.text);
            }
            const helper = calledFunction(node);
            if (helper?.body && !seen.has(helper) && outer(node.expression as ts.Identifier)) {
              seen.add(helper);
              const helperName = (node.expression as ts.Identifier).text;
              scan(helper, through ?? { helper: helperName, calledAt: lineOf(node.getStart(sf)) });
            }
          } else if (ts.isIdentifier(node) && !through && !written.has(node)) {
            // Writes are found at their expression, before its identifiers are visited.
            const decl = outer(node);
            if (decl && ts.isVariableDeclaration(decl) && decl.name !== node) reads.add(decl);
          }
          ts.forEachChild(node, visit);
        };
        visit(fn.body!);
      };
      scan(callback);
      tests.push({ writes, reads });
    };

    const walk = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && isTestCall(node)) {
        const callback = testCallback(node);
        if (callback?.body) {
          checkTest(node, callback);
          return; // a test's subtests belong to it
        }
      }
      ts.forEachChild(node, walk);
    };
    walk(sf);

    tests.forEach(({ writes }, i) => {
      const readElsewhere = (decl: ts.Declaration) => tests.some((t, j) => j !== i && t.reads.has(decl));
      for (const w of writes) {
        if (!w.use.through || w.plain || readElsewhere(w.decl)) uses.push(w.use);
      }
    });
  }
  return uses;
}

async function filesUnder(dir: string, suffixes: readonly string[]): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && suffixes.some((s) => e.name.endsWith(s)))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .sort();
}

/** Every test file of the repository: test/**\/*.test.ts and test/faults/*.fault.ts. */
export async function testFiles(): Promise<Source[]> {
  const names = await filesUnder(path.join(ROOT, 'test'), ['.test.ts', '.fault.ts']);
  return Promise.all(names.map(async (file) => ({ file, text: await readFile(path.join(ROOT, file), 'utf8') })));
}
