// The one local request that may be running, and everyone waiting on it. Several keystrokes can
// share it: when the user types what the model is producing, the newer request waits for this one
// instead of starting another, and as soon as the streamed text and the typed text disagree the
// waiters know, so the engine can abort it at once rather than when it ends.
import { backendFailure, CANCELLED } from '../shared/backendFailure';
import { BackendError, type CompletionBackend, type FimRequest, type FimResult } from '../shared/modelBackend';
import type { Clock } from '../shared/clock';
import type { CompletionAnchor } from './completionCache';

export type AbortCause = 'superseded' | 'orphaned' | 'disposed';

export type InflightEnd =
  | { kind: 'text'; raw: string; result: FimResult }
  | { kind: 'failed'; error: BackendError; abortedAs?: AbortCause };

export type WaitResult =
  | { kind: 'text'; raw: string }
  /** The request is still streaming, but the waiter's budget ran out with something worth showing. */
  | { kind: 'partial'; raw: string }
  | { kind: 'diverged' }
  | { kind: 'failed'; error: BackendError; abortedAs?: AbortCause }
  | { kind: 'cancelled' };

export interface InflightInit {
  id: number;
  /** The engine call that started it (0 for a speculative request), to tell own answers from joined ones. */
  startedBy: number;
  documentKey: string;
  languageId: string;
  prefixStart: number;
  offset: number;
  prefix: string;
  suffix: string;
  /** Set when this is a speculative request: the suggestion whose acceptance it prepares. */
  speculativeParent?: CompletionAnchor;
}

export class InflightRequest {
  readonly id: number;
  readonly startedBy: number;
  readonly documentKey: string;
  readonly languageId: string;
  readonly prefixStart: number;
  readonly offset: number;
  readonly prefix: string;
  readonly suffix: string;
  readonly speculativeParent: CompletionAnchor | undefined;

  readonly sentAt: number;
  firstTokenAt: number | undefined;
  /** When the backend's answer (or failure) arrived. */
  endAt: number | undefined;
  textSoFar = '';
  end: InflightEnd | undefined;
  abortedAs: AbortCause | undefined;
  /** Waiters currently attached (callers of waitFor that have not returned yet). */
  waiters = 0;
  /** Part of its answer went to a waiter before it ended: the rest is what that suggestion continues with. */
  servedPartial = false;
  /** Resolves once the backend call has returned or thrown: only then is the model free. */
  readonly settled: Promise<void>;

  private readonly controller = new AbortController();
  private readonly listeners = new Set<() => void>();

  constructor(init: InflightInit, backend: CompletionBackend, req: Omit<FimRequest, 'shouldStop'>,
    stopRule: (textSoFar: string) => boolean, private readonly clock: Clock) {
    this.id = init.id;
    this.startedBy = init.startedBy;
    this.documentKey = init.documentKey;
    this.languageId = init.languageId;
    this.prefixStart = init.prefixStart;
    this.offset = init.offset;
    this.prefix = init.prefix;
    this.suffix = init.suffix;
    this.speculativeParent = init.speculativeParent;
    this.sentAt = clock.now();
    const shouldStop = (textSoFar: string): boolean => {
      if (this.firstTokenAt === undefined && textSoFar.length > 0) this.firstTokenAt = this.clock.now();
      this.textSoFar = textSoFar;
      this.notify();
      return stopRule(textSoFar);
    };
    let call: Promise<FimResult>;
    try {
      call = backend.complete({ ...req, shouldStop }, this.controller.signal);
    } catch (e) {
      call = Promise.reject(e);
    }
    this.settled = call.then(
      (result) => this.finish({ kind: 'text', raw: result.text, result }),
      (e: unknown) => this.finish({
        kind: 'failed',
        error: e instanceof BackendError ? e : new BackendError(backendFailure('unknown', String((e as Error)?.message ?? e)), e),
        abortedAs: this.abortedAs,
      }),
    );
  }

  get running(): boolean {
    return this.end === undefined;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Closes the connection now (the backend passes the signal to fetch, so the server sees it). */
  abort(cause: AbortCause): void {
    if (this.abortedAs || this.end) return;
    this.abortedAs = cause;
    this.controller.abort(cause);
    this.notify();
  }

  /**
   * Waits until this request's text is known to continue `typed`: resolves with what follows it,
   * or 'diverged' as soon as the streamed text and `typed` disagree (no point waiting for the rest).
   * With `partial`, a chunk arriving at or after `partial.at` whose text so far is `usable` resolves
   * with that text while the request goes on streaming.
   */
  waitFor(typed: string, cancel: AbortSignal, partial?: { at: number; usable: (raw: string) => boolean }): Promise<WaitResult> {
    return new Promise<WaitResult>((resolve) => {
      const check = (): WaitResult | undefined => {
        if (cancel.aborted) return { kind: 'cancelled' };
        if (this.abortedAs && !this.end) return { kind: 'failed', error: new BackendError(CANCELLED), abortedAs: this.abortedAs };
        const end = this.end;
        if (end) {
          if (end.kind === 'failed') return end;
          return end.raw.startsWith(typed) ? { kind: 'text', raw: end.raw.slice(typed.length) } : { kind: 'diverged' };
        }
        if (!agrees(this.textSoFar, typed)) return { kind: 'diverged' };
        if (partial && this.textSoFar.length > typed.length && this.clock.now() >= partial.at) {
          const raw = this.textSoFar.slice(typed.length);
          if (partial.usable(raw)) {
            this.servedPartial = true;
            return { kind: 'partial', raw };
          }
        }
        return undefined;
      };
      const now = check();
      if (now) return resolve(now);
      this.waiters++;
      const done = (r: WaitResult) => {
        this.listeners.delete(onChange);
        cancel.removeEventListener('abort', onChange);
        this.waiters--;
        resolve(r);
      };
      const onChange = () => {
        const r = check();
        if (r) done(r);
      };
      this.listeners.add(onChange);
      cancel.addEventListener('abort', onChange, { once: true });
    });
  }

  private finish(end: InflightEnd): void {
    this.endAt = this.clock.now();
    this.end = end;
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** Streamed text and typed text are consistent while one is a prefix of the other. */
export function agrees(generated: string, typed: string): boolean {
  return generated.length >= typed.length ? generated.startsWith(typed) : typed.startsWith(generated);
}
