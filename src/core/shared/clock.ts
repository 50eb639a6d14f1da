// Time as a dependency, in one place: the engine's debounce, grace periods and latency
// measurements read the monotonic Clock (tests and the benchmark replay a keystroke trace on
// virtual time); records dated for humans and budgets read the WallClock (epoch time). Waiting that
// a cancel must cut short goes through `sleep` here and nowhere else.

export type TimerHandle = unknown;

export interface Clock {
  /** Monotonic milliseconds (wall-clock jumps would corrupt latencies). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Milliseconds elapsed on the system's monotonic clock since `since` (a `systemClock.now()`). */
export function elapsedMs(since: number): number {
  return systemClock.now() - since;
}

/** Epoch time, for records dated for humans and for budgets ("today", "this month"). */
export interface WallClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemWallClock: WallClock = { now: () => Date.now() };

/** Resolves true after `ms`, or false as soon as `signal` aborts; leaves no timer behind either way. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A wait a cancel cuts short (a 429 back-off must not keep a cancelled request alive). */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** `sleep` on the system clock, for callers that only need to know to check `signal.aborted` after. */
export const abortableSleep: Sleep = async (ms, signal) => {
  await sleep(systemClock, ms, signal);
};
