// The routes a Fastify instance serves, read from its router (printRoutes), so a
// test that must cover every route learns of a new one without being told.
import type { FastifyInstance } from 'fastify';

/**
 * Every route as `METHOD /path` (Fastify's own form: `:id` parameters), from
 * the router's tree. HEAD routes are left out: Fastify adds one to each GET
 * route, served by the GET route's handler.
 */
export function servedRoutes(app: FastifyInstance): string[] {
  const out: string[] = [];
  // Each line: the tree's indentation (4 characters a level), the branch, the node's part of the path,
  // its methods in parentheses when routes end there.
  const line = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/;
  const prefixes: string[] = [];
  for (const text of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = line.exec(text);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (prefixes[depth - 1] ?? '') + m[2]!;
    prefixes.length = depth;
    prefixes.push(path);
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD') out.push(`${method} ${path}`);
  }
  if (out.length === 0) throw new Error('no routes read from printRoutes: has its format changed?');
  return out;
}
