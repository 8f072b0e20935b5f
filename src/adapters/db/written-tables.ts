// Which tables a unit of work wrote (issue 16): the node's workers (outbox, batches, webhooks, mail) are woken
// after an API or UI request only when it wrote what they take — not after every request that changed something,
// each wake-up costing a claim of nothing (a transaction) and a look for work. A Kysely plugin on every
// connection of the node notes the table of each INSERT and UPDATE (built with Kysely, or written as SQL) in the
// set of the unit of work running (AsyncLocalStorage: a request's handlers and everything they await); outside
// one it does nothing.
import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

const current = new AsyncLocalStorage<Set<string>>();

/** Runs `fn` as a unit of work whose written tables are added to `tables`. */
export function recordingWrites<T>(tables: Set<string>, fn: () => T): T {
  return current.run(tables, fn);
}

/** The table a node names: a table, or an aliased one (`update outbox as o`). */
function tableName(node: OperationNode | undefined): string | null {
  if (!node) return null;
  if (node.kind === 'AliasNode') return tableName((node as unknown as { node: OperationNode }).node);
  if (node.kind === 'TableNode')
    return (node as unknown as { table: { identifier: { name: string } } }).table.identifier.name;
  return null;
}

/** Tables written by an SQL text: `insert into t`, `update t` (quoted or not, with a schema or not). */
const WRITE = /\b(?:insert\s+into|update)\s+(?:"?\w+"?\.)?"?(\w+)"?/gi;

/** An SQL template's text with the tables (`sql.table`) and nested templates in it; other values as `$`. */
function sqlText(node: OperationNode): string {
  if (node.kind !== 'RawNode') return tableName(node) ?? '$';
  const raw = node as unknown as { sqlFragments: readonly string[]; parameters: readonly OperationNode[] };
  return raw.sqlFragments.map((f, i) => f + (raw.parameters[i] ? sqlText(raw.parameters[i]) : '')).join('');
}

export function writtenBy(node: RootOperationNode): string[] {
  switch (node.kind) {
    case 'InsertQueryNode':
      return [tableName(node.into)].filter((t): t is string => t !== null);
    case 'UpdateQueryNode':
      return [tableName(node.table)].filter((t): t is string => t !== null);
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
