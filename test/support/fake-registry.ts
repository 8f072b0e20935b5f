// A domestic registry on loopback for the connector tests (issue 17 item 2):
// a real HTTP server (node:http) whose answer per path a test sets — good
// JSON, silence (it never answers), garbage, an error status — and which logs
// every request it got (path, headers, parsed body), so a test can say which
// registry was asked, with what, and how many times.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export type RegistryBehaviour =
  | { readonly kind: 'json'; readonly body: unknown; readonly status?: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'raw'; readonly text: string; readonly status?: number }
  | { readonly kind: 'status'; readonly status: number };

export interface LoggedCall {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

export interface FakeRegistry {
  readonly url: string;
  readonly log: LoggedCall[];
  /** How each path answers (unset paths answer 404). */
  set(path: string, b: RegistryBehaviour): void;
  calls(path: string): LoggedCall[];
  close(): Promise<void>;
}

export async function startFakeRegistry(): Promise<FakeRegistry> {
  const log: LoggedCall[] = [];
  const behaviours = new Map<string, RegistryBehaviour>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* logged as text */
      }
      const path = req.url ?? '/';
      log.push({ path, headers: req.headers, body });
      const b = behaviours.get(path) ?? { kind: 'status', status: 404 };
      switch (b.kind) {
        case 'json':
          res.writeHead(b.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(b.body));
          return;
        case 'raw':
          res.writeHead(b.status ?? 200, { 'content-type': 'text/html' }).end(b.text);
          return;
        case 'status':
          res.writeHead(b.status).end();
          return;
        case 'hang':
          return; // never answers: the client's timeout must end it
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    set: (p, b) => void behaviours.set(p, b),
    calls: (p) => log.filter((c) => c.path === p),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
