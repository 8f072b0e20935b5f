// Which workers a request wakes, by the tables its handlers wrote (decision 55): each request runs as one unit of
// work (written-tables.ts notes the tables of its INSERTs and UPDATEs), and after the response — its transactions
// committed — `onChange` gets the set (workers-to-wake.ts names the workers). Both listeners of a node use it:
// the API and the UI (an officer's change) and the federation endpoint (a received message stores requests,
// answers and events, which the webhook and mail workers take).
import type { FastifyInstance } from 'fastify';
import { recordingWrites } from '../db/written-tables.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Tables the request's handlers wrote (written-tables.ts): which workers to wake after it. */
    written: Set<string> | null;
  }
}

export function wakeOnWrites(app: FastifyInstance, onChange?: (written: ReadonlySet<string>) => void): void {
  app.decorateRequest('written', null);
  // After the body is parsed (its stream's events run outside the request's async context), the handlers and all
  // they await run as one unit of work whose written tables are noted; onResponse (after the commit) tells them.
  app.addHook('preValidation', (req, _reply, done) => {
    req.written = new Set();
    recordingWrites(req.written, done);
  });
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'GET' && reply.statusCode < 400 && req.written && req.written.size > 0) onChange?.(req.written);
  });
}
