// Which tables a unit of work wrote (issue 16): the node's workers (outbox, batches, webhooks, mail) are woken
// after an API or UI request only when it wrote what they take — not after every request that changed something,
// each wake-up costing a claim of nothing (a transaction) and a look for work. A Kysely plugin on every
// connection of the node notes the table of each INSERT and UPDATE (built with Kysely, or written as SQL) in the
// set of the unit of work running (AsyncLocalStorage: a request's handlers and everything they await); outside
// one it does nothing.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  AliasNode,
  RawNode,
  TableNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

const current = new AsyncLocalStorage<Set<string>>();

/** Runs `fn` as a unit of work whose written tables are added to `tables`. */
export function recordingWrites<T>(tables: Set<string>, fn: () => T): T {
  return current.run(tables, fn);
}

/** The table a node names: a table, or an aliased one (`update outbox as o`). */
function tableName(node: OperationNode | undefined): string | null {
  if (node && AliasNode.is(node)) return tableName(node.node);
  return node && TableNode.is(node) ? node.table.identifier.name : null;
}

/** Tables written by an SQL text: `insert into t`, `update t` (quoted or not, with a schema or not). */
const WRITE = /\b(?:insert\s+into|update)\s+(?:"?\w+"?\.)?"?(\w+)"?/gi;

/** An SQL template's text with the tables (`sql.table`) and nested templates in it; other values as `$`. */
function sqlText(node: OperationNode): string {
  if (!RawNode.is(node)) return tableName(node) ?? '$';
  return node.sqlFragments.map((f, i) => f + (node.parameters[i] ? sqlText(node.parameters[i]) : '')).join('');
}

function writtenBy(node: RootOperationNode): string[] {
  switch (node.kind) {
    case 'InsertQueryNode':
    case 'UpdateQueryNode': {
      const table = tableName(node.kind === 'InsertQueryNode' ? node.into : node.table);
      return table ? [table] : [];
    }
    case 'RawNode':
      return [...sqlText(node).matchAll(WRITE)].map((m) => m[1]!.toLowerCase());
    default:
      return [];
  }
}

export class WrittenTablesPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const tables = current.getStore();
    if (tables) for (const t of writtenBy(args.node)) tables.add(t);
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
