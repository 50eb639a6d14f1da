// Virtual time for tests and the benchmark: a 2,000-keystroke trace at human speed is minutes of
// real time but replays in milliseconds here, and timer counts show that nothing is left running.
import type { Clock, TimerHandle } from '../../src/core/shared/clock';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  private t = 0;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Timers scheduled and not yet fired or cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order. Promise callbacks queued by each timer
   * run before the next one fires, as they would on a real event loop.
   */
  async advance(ms: number): Promise<void> {
    const target = this.t + Math.max(0, ms);
    await flushMicrotasks();
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers.values()) {
        if (timer.at <= target && (!next || timer.at < next.at || (timer.at === next.at && timer.id < next.id))) next = timer;
      }
      if (!next) break;
      this.timers.delete(next.id);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await flushMicrotasks();
    }
    this.t = target;
    await flushMicrotasks();
  }
}

/** Lets already-settled promise chains run; a macrotask hop drains every microtask queued so far. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
