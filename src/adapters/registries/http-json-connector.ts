// The generic connector to a domestic registry that speaks JSON over HTTP
// (issue 17 item 2). One POST per lookup, its body the query of the port
// (what identifies the debtor, the period, the purpose — docs/OPERATIONS.md),
// the registry's credentials in a header, a timeout per attempt
// (withDeadline), retries with exponential backoff for what another
// attempt may cure (no answer in time, no connection, 429, 5xx), and a circuit
// breaker so a registry that is down is not asked again and again. The answer
// is mapped to the answer's rows by the mapping in registries.json
// (json-mapping.ts). Never throws: every failure is an answer with its code.
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { HttpJsonLookup } from '../../config/registries.js';
import type { LookupFailure } from '../../domain/registry-lookups.js';
import type { Clock } from '../../ports/clock.js';
import type { RegistryAnswer, RegistryLookup, RegistryQuery } from '../../ports/registry-lookup.js';
import { withDeadline } from '../http/deadline.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { mapRecords } from './json-mapping.js';

export interface HttpJsonDeps {
  readonly clock: Clock;
  /** Waits between attempts (tests pass one that does not wait). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Answers above this size are refused as garbage (a registry's answer about one debtor is small). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

type Attempt =
  | { readonly kind: 'answer'; readonly answer: RegistryAnswer }
  | { readonly kind: 'retry'; readonly failure: LookupFailure; readonly detail: string };

function networkFailure(e: unknown): { failure: LookupFailure; detail: string } {
  const err = e as { name?: string; message?: string; cause?: { code?: string; name?: string } };
  if (err.name === 'TimeoutError' || err.cause?.name === 'TimeoutError')
    return { failure: 'timeout', detail: 'timeout' };
  return { failure: 'unavailable', detail: err.cause?.code ?? err.message ?? 'network error' };
}

/** The body, at most MAX_BODY_BYTES, as text; null when larger. */
async function readBody(res: Response): Promise<string | null> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    return null;
  }
  const buf = Buffer.from(await res.arrayBuffer());
  return buf.length > MAX_BODY_BYTES ? null : buf.toString('utf8');
}

export function httpJsonConnector(
  settings: HttpJsonLookup,
  deps: HttpJsonDeps,
): RegistryLookup & {
  readonly breaker: CircuitBreaker;
} {
  const breaker = new CircuitBreaker(settings.breaker, deps.clock);
  const sleep = deps.sleep ?? ((ms, signal) => sleepFor(ms, undefined, signal ? { signal } : {}));

  const attempt = async (q: RegistryQuery, signal?: AbortSignal): Promise<Attempt> => {
    let res: Response;
    let text: string | null;
    try {
      // The timeout covers the body too: a registry that sends headers and then stalls is as late as a silent one.
      [res, text] = await withDeadline(settings.timeoutMs, signal, async (s) => {
        const r = await fetch(settings.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            ...(settings.auth ? { [settings.auth.header]: settings.auth.value } : {}),
          },
          body: JSON.stringify(q),
          redirect: 'error',
          signal: s,
        });
        return [r, await readBody(r)] as const;
      });
    } catch (e) {
      return { kind: 'retry', ...networkFailure(e) };
    }
    if (settings.notFoundStatus.includes(res.status)) return { kind: 'answer', answer: { status: 'not_found' } };
    if (res.status === 429 || res.status >= 500)
      return { kind: 'retry', failure: 'unavailable', detail: `status ${res.status}` };
    if (res.status === 401 || res.status === 403)
      return { kind: 'answer', answer: { status: 'failed', failure: 'refused', detail: `status ${res.status}` } };
    if (res.status < 200 || res.status >= 300)
      return { kind: 'answer', answer: { status: 'failed', failure: 'rejected', detail: `status ${res.status}` } };
    if (text === null)
      return { kind: 'answer', answer: { status: 'failed', failure: 'garbage', detail: 'answer too large' } };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { kind: 'answer', answer: { status: 'failed', failure: 'garbage', detail: 'not JSON' } };
    }
    const mapped = mapRecords(q.kind, settings.mapping, body);
    if ('problem' in mapped)
      return { kind: 'answer', answer: { status: 'failed', failure: 'garbage', detail: mapped.problem } };
    return {
      kind: 'answer',
      answer: mapped.rows.length ? { status: 'found', rows: mapped.rows } : { status: 'not_found' },
    };
  };

  return {
    title: settings.title,
    breaker,
    async lookup(q, signal) {
      if (!breaker.tryPass()) return { status: 'failed', failure: 'circuit_open', detail: 'circuit open' };
      let last: { failure: LookupFailure; detail: string } = { failure: 'unavailable', detail: 'no attempt' };
      for (let n = 0; n <= settings.retries; n++) {
        if (n > 0) {
          try {
            await sleep(settings.backoffMs * 2 ** (n - 1), signal);
          } catch {
            break; // the node is stopping
          }
        }
        if (signal?.aborted) break;
        const a = await attempt(q, signal);
        if (a.kind === 'answer') {
          const r = a.answer;
          // The registry answered: up (found, not found, a refusal of the node's credentials or query), or
          // answering garbage — which counts as a failure, so a registry that only talks nonsense is left alone.
          if (r.status === 'failed' && r.failure === 'garbage') breaker.failure();
          else if (r.status === 'failed') breaker.release();
          else breaker.success();
          return r;
        }
        last = a;
      }
      if (signal?.aborted) {
        breaker.release();
        return { status: 'failed', failure: 'interrupted', detail: 'stopped' };
      }
      breaker.failure();
      return { status: 'failed', ...last };
    },
  };
}
