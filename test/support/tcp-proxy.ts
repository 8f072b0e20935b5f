// A small TCP proxy for fault tests: listens on a port and forwards each
// connection to a target port, with faults that can be switched at run time.
// It works below TLS (the bytes are opaque), so mutual TLS between nodes is
// unchanged; only the transport misbehaves.
//
//  - delayMs: every chunk, in both directions, is forwarded after this delay
//    (order is kept: equal timeouts fire in the order they were set);
//  - dropRate: this fraction of NEW connections is closed at once, before a
//    byte is forwarded (the client sees ECONNRESET / "socket hang up");
//  - resetRate + resetAfterBytes: this fraction of NEW connections is reset
//    (TCP RST on both sides, socket.resetAndDestroy()) once that many bytes
//    went through in either direction; a [min, max] range draws K per
//    connection, so resets fall in the TLS handshake, in the request or in
//    the response (after the receiver committed: the "receipt lost" case);
//  - blackHole: connections are accepted and read, nothing is forwarded and
//    nothing comes back (also stalls connections opened before it was set).
import { createServer, connect, type Socket } from 'node:net';

export interface ProxyFaults {
  readonly delayMs?: number;
  readonly dropRate?: number;
  readonly resetRate?: number;
  readonly resetAfterBytes?: number | readonly [number, number];
  readonly blackHole?: boolean;
}

export interface ProxyStats {
  connections: number;
  dropped: number;
  /** Connections chosen for a reset when they were opened. */
  armed: number;
  /** Connections actually reset (an armed one may end before K bytes). */
  reset: number;
  blackHoled: number;
  bytesUp: number;
  bytesDown: number;
}

export interface TcpProxy {
  readonly port: number;
  set(faults: ProxyFaults): void;
  faults(): ProxyFaults;
  stats(): ProxyStats;
  /** Ends every open connection at once (both sides see a reset), as a server restart does; returns how many sockets. */
  cut(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(opts: {
  targetPort: number;
  targetHost?: string;
  listenPort?: number;
  host?: string;
  faults?: ProxyFaults;
  random?: () => number;
}): Promise<TcpProxy> {
  const host = opts.host ?? '127.0.0.1';
  const random = opts.random ?? Math.random;
  let faults: ProxyFaults = opts.faults ?? {};
  const stats: ProxyStats = { connections: 0, dropped: 0, armed: 0, reset: 0, blackHoled: 0, bytesUp: 0, bytesDown: 0 };
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };

  const server = createServer((client) => {
    stats.connections++;
    track(client);
    if (faults.blackHole) {
      stats.blackHoled++;
      client.on('data', () => undefined); // read and forget
      return;
    }
    if ((faults.dropRate ?? 0) > 0 && random() < faults.dropRate!) {
      stats.dropped++;
      client.destroy();
      return;
    }
    let resetAt = Infinity;
    if ((faults.resetRate ?? 0) > 0 && random() < faults.resetRate!) {
      const k = faults.resetAfterBytes ?? 0;
      resetAt = typeof k === 'number' ? k : Math.floor(k[0] + random() * (k[1] - k[0] + 1));
      stats.armed++;
    }
    const upstream = connect({ host: opts.targetHost ?? '127.0.0.1', port: opts.targetPort });
    track(upstream);
    let passed = 0;
    let dead = false;
    let resetting = false;
    const kill = (how: 'reset' | 'close') => {
      if (dead) return;
      dead = true;
      if (how === 'reset') {
        stats.reset++;
        for (const s of [client, upstream]) {
          if (!s.destroyed) s.resetAndDestroy();
        }
      } else {
        client.destroy();
        upstream.destroy();
      }
    };
    const pipe = (from: Socket, to: Socket, up: boolean) => {
      from.on('data', (chunk: Buffer) => {
        const send = () => {
          if (dead || resetting || faults.blackHole) return;
          let out = chunk;
          if (passed + out.length >= resetAt) {
            out = out.subarray(0, Math.max(0, resetAt - passed));
            if (out.length > 0 && !to.destroyed) to.write(out);
            passed = resetAt;
            resetting = true;
            // Let the partial write leave before the RST.
            setImmediate(() => kill('reset'));
            return;
          }
          passed += out.length;
          if (up) stats.bytesUp += out.length;
          else stats.bytesDown += out.length;
          if (!to.destroyed) to.write(out);
        };
        const d = faults.delayMs ?? 0;
        if (d > 0) setTimeout(send, d);
        else send();
      });
      from.on('end', () => {
        const d = faults.delayMs ?? 0;
        const end = () => {
          if (!dead && !to.destroyed) to.end();
        };
        if (d > 0) setTimeout(end, d);
        else end();
      });
      from.on('close', () => {
        const d = faults.delayMs ?? 0;
        const close = () => {
          if (!resetting) kill('close');
        };
        if (d > 0) setTimeout(close, d + 1);
        else setImmediate(close);
      });
    };
    pipe(client, upstream, true);
    pipe(upstream, client, false);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listenPort ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    set: (f) => {
      faults = { ...f };
    },
    faults: () => faults,
    stats: () => ({ ...stats }),
    cut: () => {
      const n = sockets.size;
      for (const s of sockets) {
        if (!s.destroyed) s.resetAndDestroy();
      }
      return n;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
