/**
 * Watches this thread's event loop (issue #15's "the extension host never blocks for more than
 * 50 ms"): the longest gap between 1 ms ticks, perf_hooks' event-loop delay maximum and, on Linux,
 * the most CPU time the thread spent within one gap (a loaded machine stretches gaps with time the
 * thread only waited for a core). A figure for benches and logs, never a timed assertion.
 */
import * as fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopStall {
  /** Longest gap between two 1 ms ticks (ms, wall clock: on a loaded machine it includes time the thread waited for a core). */
  stallMs: number;
  /** monitorEventLoopDelay's maximum (ms). */
  histMaxMs: number;
  /**
   * The most time this thread spent on a CPU within one gap between ticks (ms): the work that
   * blocked it, without the time it waited for a core. From Linux's per-thread schedstat; NaN
   * where that is not available.
   */
  busyMs: number;
}

/** This thread's time on a CPU so far (ns), from /proc/self/task/TID/schedstat; undefined where there is none. */
function onCpuReader(): { read(): number; close(): void } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(`/proc/self/task/${process.pid}/schedstat`, 'r'); // the main thread's id is the pid
  } catch {
    return undefined;
  }
  const buf = Buffer.alloc(96);
  const read = (): number => {
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return Number(buf.toString('latin1', 0, n).split(' ')[0]);
  };
  try {
    if (!Number.isFinite(read())) throw new Error('unreadable');
  } catch {
    fs.closeSync(fd);
    return undefined;
  }
  return { read, close: () => fs.closeSync(fd) };
}

/** Starts watching; the returned function stops and reports (called again, it reports the same). */
export function watchEventLoop(): () => LoopStall {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const cpu = onCpuReader();
  let last = performance.now();
  let lastCpu = cpu?.read() ?? 0;
  let worst = 0;
  let busiest = 0;
  const gap = (): void => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    if (!cpu) return;
    const c = cpu.read();
    busiest = Math.max(busiest, (c - lastCpu) / 1e6);
    lastCpu = c;
  };
  const t = setInterval(gap, 1);
  let result: LoopStall | undefined;
  return () => {
    if (result) return result; // stopped already (a `finally` may stop it again)
    clearInterval(t);
    h.disable();
    gap();
    cpu?.close();
    return (result = { stallMs: worst, histMaxMs: h.max / 1e6, busyMs: cpu ? busiest : NaN });
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
