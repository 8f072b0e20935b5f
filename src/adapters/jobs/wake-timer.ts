// When a worker's loop runs next: after a pause when it found nothing to do, soon after something was queued
// (a kick). A kick never postpones a run already due sooner: under a steady stream of kicks (every API write
// kicks the workers) a timer reset at each kick would never fire, and the worker would starve while the node is
// busiest. The first kick of a burst starts the short delay; the kicks after it join that run.
export interface WakeTimer {
  /** Runs the loop in `ms`, unless it is already due no later than that. */
  after(ms: number): void;
  clear(): void;
}

export function wakeTimer(run: () => void): WakeTimer {
  let timer: NodeJS.Timeout | null = null;
  let dueAt = Number.POSITIVE_INFINITY;
  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    dueAt = Number.POSITIVE_INFINITY;
  };
  return {
    after(ms) {
      const at = Date.now() + ms;
      if (timer && dueAt <= at) return;
      clear();
      dueAt = at;
      timer = setTimeout(() => {
        timer = null;
        dueAt = Number.POSITIVE_INFINITY;
        run();
      }, ms);
    },
    clear,
  };
}
