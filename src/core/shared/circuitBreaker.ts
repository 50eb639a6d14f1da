// Keeps a dead or misconfigured local server from being asked on every keystroke. A failure opens
// the circuit for a backoff that doubles with each consecutive failure (1 s, 2 s, 4 s ... 60 s,
// jittered so that several windows of one user do not probe in lockstep); while open, automatic
// requests are skipped without touching the network. When the backoff has run out, ONE request is
// let through as a probe (half-open): its success closes the circuit, its failure opens it again
// for the next, longer backoff. A typing burst against a dead server therefore costs one request
// per backoff period, not one per keystroke.
import type { Clock } from './clock';

export type BreakerPhase = 'closed' | 'open' | 'halfOpen';

export interface BreakerOptions {
  clock: Pick<Clock, 'now'>;
  /** First backoff after a failure. Default 1000 ms. */
  baseMs?: number;
  /** Longest backoff. Default 60 000 ms. */
  maxMs?: number;
  /** Share of the backoff that is randomised (0..1): the delay is in [d*(1-j), d]. Default 0.25. */
  jitter?: number;
  /** Returns [0, 1); injected so tests are deterministic. Default Math.random. */
  random?: () => number;
}

export interface BreakerState {
  phase: BreakerPhase;
  /** Consecutive failures since the last success. */
  failures: number;
  /** While open: when the next probe may go (clock time). */
  retryAt?: number;
  /** The failure that opened it, for the status bar and the log. */
  lastFailure?: { reason: string; detail: string; at: number };
}

export type Admission =
  | { kind: 'allow'; probe: boolean }
  | { kind: 'reject'; retryInMs: number; reason: string; detail: string };

export class CircuitBreaker {
  private phase: BreakerPhase = 'closed';
  private failures = 0;
  private retryAt = 0;
  private probing = false;
  private lastFailure: BreakerState['lastFailure'];
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly opts: BreakerOptions) {
    this.baseMs = opts.baseMs ?? 1000;
    this.maxMs = opts.maxMs ?? 60_000;
    this.jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.25));
    this.random = opts.random ?? Math.random;
  }

  get state(): BreakerState {
    this.refresh();
    return {
      phase: this.phase,
      failures: this.failures,
      ...(this.phase === 'open' ? { retryAt: this.retryAt } : {}),
      ...(this.lastFailure ? { lastFailure: { ...this.lastFailure } } : {}),
    };
  }

  /**
   * May a request go now? `explicit` is a request the user asked for (a manual trigger): it always
   * goes, and counts as the probe, because the user wants to know now and one request is no storm.
   */
  admit(explicit = false): Admission {
    this.refresh();
    if (this.phase === 'closed') return { kind: 'allow', probe: false };
    if (explicit || (this.phase === 'halfOpen' && !this.probing)) {
      this.probing = true;
      return { kind: 'allow', probe: true };
    }
    const f = this.lastFailure ?? { reason: 'error', detail: '' };
    return { kind: 'reject', retryInMs: Math.max(0, this.retryAt - this.opts.clock.now()), reason: f.reason, detail: f.detail };
  }

  /** A request that went through ended well: the server answers again. */
  success(): void {
    this.phase = 'closed';
    this.failures = 0;
    this.probing = false;
    this.lastFailure = undefined;
  }

  /** A request failed in a way that says the server cannot serve now. Returns the backoff chosen. */
  failure(reason: string, detail: string): number {
    const now = this.opts.clock.now();
    this.failures++;
    this.probing = false;
    this.lastFailure = { reason, detail, at: now };
    const delay = this.backoffFor(this.failures);
    this.phase = 'open';
    this.retryAt = now + delay;
    return delay;
  }

  /** A request let through ended without telling anything (aborted by a newer keystroke). */
  inconclusive(): void {
    this.probing = false;
  }

  /** Forget everything (settings now point at another server or model). */
  reset(): void {
    this.success();
  }

  /** The backoff after `n` consecutive failures: base * 2^(n-1), capped, minus up to `jitter` of it. */
  backoffFor(n: number): number {
    const full = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(30, Math.max(0, n - 1)));
    return Math.round(full * (1 - this.jitter * this.random()));
  }

  private refresh(): void {
    if (this.phase === 'open' && this.opts.clock.now() >= this.retryAt) {
      this.phase = 'halfOpen';
      this.probing = false;
    }
  }
}
