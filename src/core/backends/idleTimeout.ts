// A timeout on silence: it fires when nothing has arrived for `ms`, before or during a stream, and
// is re-armed on every chunk. SDK timeouts cover only the wait for response headers, so a stream
// that stalls after them would otherwise hang for ever.
export class IdleTimeout {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private fired = false;

  constructor(private readonly ms: number) {}

  /** Aborts when the timeout fires; merge it with the caller's signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get timedOut(): boolean {
    return this.fired;
  }

  /** (Re)starts the countdown: call when the request goes out and on every chunk. */
  arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, this.ms);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
