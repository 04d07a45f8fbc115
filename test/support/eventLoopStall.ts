/**
 * Watches this thread's event loop (issue #15's "the extension host never blocks for more than
 * 50 ms"): the longest gap between 1 ms ticks and perf_hooks' event-loop delay maximum. A figure
 * for benches and logs, never a timed assertion.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopStall {
  /** Longest gap between two 1 ms ticks (ms). */
  stallMs: number;
  /** monitorEventLoopDelay's maximum (ms). */
  histMaxMs: number;
}

/** Starts watching; the returned function stops and reports. */
export function watchEventLoop(): () => LoopStall {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let last = performance.now();
  let worst = 0;
  const t = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  return () => {
    clearInterval(t);
    h.disable();
    worst = Math.max(worst, performance.now() - last);
    return { stallMs: worst, histMaxMs: h.max / 1e6 };
  };
}

/**
 * Counts this thread's timer ticks (a 1 ms interval) until stopped. A thread that blocks counts
 * none meanwhile, so "the host kept ticking while X ran" is a count, not a time budget.
 */
export function countTicks(): { readonly count: number; stop(): number } {
  let n = 0;
  const t = setInterval(() => n++, 1);
  return {
    get count() {
      return n;
    },
    stop() {
      clearInterval(t);
      return n;
    },
  };
}
