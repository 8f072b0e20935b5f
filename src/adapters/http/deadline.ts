// A deadline for an outgoing call, optionally joined with a caller's signal.
//
// Not AbortSignal.timeout inside AbortSignal.any: on Node 20 the timeout signal
// held only by the composite signal may be garbage-collected before it fires,
// and then the call waits for as long as the peer likes (nodejs/node#57736; a
// webhook receiver answering after 1 s was counted delivered under a 300 ms
// timeout when the suite's load made the collector run). A plain controller
// and timer, cleared when the call settles, always fire.

/** Runs `call` with a signal that aborts after `ms` or when `outer` aborts, whichever comes first. */
export async function withDeadline<T>(
  ms: number,
  outer: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ms,
  );
  const onOuter = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  try {
    return await call(controller.signal);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}
