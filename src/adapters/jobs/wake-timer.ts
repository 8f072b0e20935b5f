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

export interface WorkerLoop {
  /** Runs a pass now, or once more (after the kick delay) when the pass under way ends. */
  run(): void;
  /** Something was queued: a pass after the kick delay, never later than one already due. */
  kick(): void;
  /**
   * Something was queued that nothing else will join (a batch's committed chunk): a pass now, without the kick
   * delay; when a pass is under way, once more as soon as it ends (as a kick does).
   */
  flush(): void;
  /** Resolves when no pass is under way. */
  idle(): Promise<void>;
  /** No pass starts any more; resolves when the one under way has ended. */
  stop(): Promise<void>;
}

/**
 * A worker's passes: `pass` runs until it finds nothing to do (it is told when the worker stops), then the
 * worker waits `intervalMs`, or less when kicked. A kick that comes while a pass runs makes the worker look
 * again when it ends: what was queued after the pass's last look is not left for the interval.
 */
export function workerLoop(
  pass: (stopped: () => boolean) => Promise<void>,
  options: { readonly intervalMs: number; readonly kickDelayMs: number; readonly onError?: (e: unknown) => void },
): WorkerLoop {
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const timer = wakeTimer(() => run());
  const isStopped = () => stopped;
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    again = false;
    running = (async () => {
      try {
        await pass(isStopped);
      } catch (e) {
        options.onError?.(e);
      } finally {
        running = null;
        if (!stopped) timer.after(again ? options.kickDelayMs : options.intervalMs);
      }
    })();
  };
  const idle = async () => {
    while (running) await running;
  };
  return {
    run,
    kick: () => {
      if (!stopped) timer.after(options.kickDelayMs);
    },
    flush: () => {
      if (stopped) return;
      timer.clear();
      run();
    },
    idle,
    stop: async () => {
      stopped = true;
      timer.clear();
      await idle();
    },
  };
}
