// Nodes as real child processes (`eix node start --json`), for fault tests
// that kill, stop and restart them, and a small REST client for their API.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/eix.js', import.meta.url));

export interface NodePorts {
  readonly api: number;
  readonly federation: number;
}

export interface NodeProcess {
  readonly proc: ChildProcess;
  readonly apiUrl: string;
  /** Resolves when the node printed its JSON start-up line (API and federation listening). */
  readonly ready: Promise<void>;
  /** Resolves with the exit code (or signal name) when the process is gone. */
  readonly exited: Promise<number | string>;
  /** Sends a signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<number | string>;
  /** What the process wrote to stderr so far (for failure messages). */
  stderr(): string;
}

export function spawnNode(
  home: string,
  ports: NodePorts,
  env: Record<string, string> = {},
  // bin: another entry of the CLI (the load suite's compiled build, bench/built-node.ts).
  opts: { readyTimeoutMs?: number; bin?: string } = {},
): NodeProcess {
  const proc = spawn(process.execPath, [opts.bin ?? BIN, 'node', 'start', '--json'], {
    env: {
      ...process.env,
      EIX_HOME: home,
      EIX_PORT: String(ports.api),
      EIX_FEDERATION_PORT: String(ports.federation),
      EIX_LOG_LEVEL: 'warn',
      EIX_API_RATE_LIMIT: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`node in ${home} not ready in ${opts.readyTimeoutMs ?? 90_000} ms; stderr: ${err.slice(-2000)}`),
        ),
      opts.readyTimeoutMs ?? 90_000,
    );
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (startAnswer(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((how) => {
      clearTimeout(timer);
      reject(
        new Error(
          `node in ${home} exited (${how}) before ready; stderr: ${err.slice(-2000)}; stdout: ${out.slice(-2000)}`,
        ),
      );
    });
  });
  ready.catch(() => undefined); // observed by the caller; never an unhandled rejection
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => {
    err += c;
  });
  return {
    proc,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    ready,
    exited,
    kill: async (signal) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    stderr: () => err,
  };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }
}

/** One REST call with a bearer token; throws ApiError on a non-2xx answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function api<T = any>(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<T> {
  const res = await fetch(url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* keep text */
  }
  if (!res.ok) throw new ApiError(res.status, parsed, `${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return parsed as T;
}

/** Polls `probe` until it returns true or `capMs` passes; returns the time waited. */
export async function waitFor(
  probe: () => Promise<boolean>,
  capMs: number,
  everyMs = 500,
): Promise<{ ok: boolean; waitedMs: number }> {
  const t0 = Date.now();
  for (;;) {
    try {
      if (await probe()) return { ok: true, waitedMs: Date.now() - t0 };
    } catch {
      /* node not up yet */
    }
    if (Date.now() - t0 > capMs) return { ok: false, waitedMs: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * The answer `eix node start --json` prints (one JSON document naming the address, possibly
 * pretty-printed) among the node's log lines (pino: one JSON object per line, with a "level"), once whole.
 */
export function startAnswer(out: string): { address: string } | null {
  const rest = out
    .split('\n')
    .filter((l) => !/^\{"level":/.test(l.trim()))
    .join('\n');
  const start = rest.indexOf('{');
  if (start < 0 || !/"address"\s*:/.test(rest)) return null;
  try {
    return JSON.parse(rest.slice(start)) as { address: string };
  } catch {
    return null; // not whole yet
  }
}
