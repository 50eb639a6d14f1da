// Decides, for each keystroke, where inline ghost text comes from and when the local model is
// asked. What the user feels is whether ghost text appears within a natural pause (0.5-1.5 s), so
// every step aims at showing sooner without asking the model more often:
// - answers already held are served first: the exact prompt window (LRU) or typing-through (the
//   user typed the start of the suggestion, the rest is still valid), with no request;
// - the debounce follows the user's rhythm and the model's measured latency (AdaptiveDebounce);
// - at most one request runs. A keystroke that extends the running request's position, with text
//   that matches what it is generating, waits for it instead of starting another; anything else
//   aborts it at once (the backend closes the connection, so the server stops generating);
// - VS Code cancels a provider call on the very next keystroke. That alone does not abort the
//   request, because the next call usually wants the same answer; the request is aborted as soon
//   as it is known to be stale: the next call does not extend it, or no call comes within the
//   debounce window plus a grace period;
// - single-line requests end at their first newline, blocks at the line that ends them by structure
//   or at the line cap (stopRules.ts). A block still streaming when the pause budget runs out shows
//   the lines complete so far and goes on; the rest is held for typing-through and Tab;
// - after a suggestion is shown and the model is idle, the completion that would follow it is
//   prefetched, so accepting with Tab shows the next one at once; it is dropped the moment the user
//   types something other than the suggestion.
import type { CompletionBackend, ServerTimings } from '../shared/modelBackend';
import { CircuitBreaker, type BreakerState } from '../shared/circuitBreaker';
import { sleep, type Clock, type TimerHandle } from '../shared/clock';
import { CompletionCache, typedSince, type CachedCompletion, type CompletionAnchor } from './completionCache';
import {
  skipReasonFor, type CompletionContext, type CompletionOutcome, type CompletionTimings, type ShownSource,
  type SkipReason,
} from './completionOutcome';
import { decideShape } from './completionShape';
import { AdaptiveDebounce } from './debouncer';
import type { EngineSettings } from './engineSettings';
import { agrees, InflightRequest, type WaitResult } from './inflight';
import { postProcess } from './postProcess';
import { buildPromptWindow, type PromptWindow } from './promptWindow';
import { ServerSpeed } from './serverSpeed';
import { generationLimitsFor, stopRuleFor, type StreamShape } from './stopRules';

export type { CompletionContext, CompletionOutcome } from './completionOutcome';

/** What the status bar shows about the local model. */
export interface EngineState {
  /** A local request is running (speculative ones included). */
  busy: boolean;
  /** The last failure, until the next request succeeds. */
  lastError?: { reason: SkipReason; detail: string; at: number };
  /** Request sent to answer, of the last request that completed. */
  lastLatencyMs?: number;
  lastFirstTokenMs?: number;
  /** What the server reported about that request (Ollama: load/prompt/eval durations). */
  lastServer?: ServerTimings;
  /** The server's model load time on the last request: large means the user paid a cold start. */
  lastLoadMs?: number;
  /** The debounce the next automatic request would wait. */
  debounceMs: number;
  /** The local backend's circuit: open means automatic requests are skipped until retryAt. */
  circuit: BreakerState;
}

/** Counters for the log and the benchmark. */
export interface EngineStats {
  calls: number;
  requests: number;
  speculativeRequests: number;
  aborted: number;
  /** Most backend calls ever running at once; the design keeps this at 1. */
  maxInFlight: number;
  shown: Record<ShownSource, number>;
  skipped: Partial<Record<SkipReason, number>>;
}

export interface EngineDeps {
  /** The current local backend; settings may swap it, which clears what was learned from the old one. */
  backend: () => CompletionBackend;
  clock: Clock;
  settings: () => EngineSettings;
  log?: (line: string) => void;
  onStateChange?: (state: EngineState) => void;
  /** Jitter source for the circuit breaker's backoff (default Math.random). */
  random?: () => number;
  /**
   * What the current backend's server reported for the warm-up probe (prompt and token rates),
   * used to size prompts and answers until a completion reports its own.
   */
  serverProbe?: () => ServerTimings | undefined;
}

/**
 * Extra wait, beyond the debounce, for the next keystroke's call to claim a request whose caller
 * was cancelled: VS Code calls again right after cancelling, well within this.
 */
export const ORPHAN_GRACE_MS = 50;
/**
 * How long the user must rest on a shown suggestion before the step after it is prefetched. A
 * suggestion the user types straight past (a gap shorter than this) costs no prefetch; one they
 * stop to read has its next step ready before Tab (reading takes 250 ms and more). Measured with
 * `npm run bench`: 0 ms gave 0.102 requests per keystroke, 100 ms 0.097 with Tab still a cache hit
 * at the median, 200-300 ms fewer requests but Tab waiting for the model again.
 */
export const SPECULATE_AFTER_PAUSE_MS = 100;
/**
 * A block shows when it is complete, or with the lines complete so far once this long has passed
 * since the keystroke's call (the request keeps streaming the rest, which typing-through and Tab then
 * serve). VS Code asks about 60 ms after the key and shows the item about as long after it is
 * returned, so a block's first lines appear within the shortest natural pause (0.6 s). Measured with
 * `npm run bench:editor` (README, "Blocks, and how they fit in a pause").
 */
export const BLOCK_SHOW_BUDGET_MS = 400;
/** An aborted request normally settles within microseconds; a backend that does not is not waited on forever. */
const ABORT_SETTLE_LIMIT_MS = 1000;
/** Attach, diverge, debounce, settle, start, attach: a call never needs more rounds than this. */
const MAX_ROUNDS = 8;

interface Position {
  ctx: CompletionContext;
  win: PromptWindow;
  /** The document part of the prompt prefix (win.prefix may start with context snippets). */
  docPrefix: string;
  key: string;
}

/** The model ended the answer itself ('stop'), rather than the stop rule or the token cap cutting it. */
function endedByItself(req: InflightRequest): boolean {
  return req.end?.kind === 'text' && req.end.result.finish === 'stop';
}

export class CompletionEngine {
  private readonly cache = new CompletionCache();
  private readonly debounce: AdaptiveDebounce;
  /** The server's prompt and token rates: they size the suffix window (reprocessed on every request) and the token cap. */
  private readonly speed = new ServerSpeed();
  private inflight: InflightRequest | undefined;
  private orphanTimer: TimerHandle | undefined;
  private speculationTimer: TimerHandle | undefined;
  /** `ready` once the user has paused on the suggestion (or accepted it); then it waits for the model to go idle. */
  private pendingSpeculation: { ctx: CompletionContext; text: string; call: number; ready: boolean } | undefined;
  private callSeq = 0;
  private requestSeq = 0;
  private runningCalls = 0;
  /** Any failure of the local backend opens it: automatic requests then wait out a growing backoff. */
  private readonly breaker: CircuitBreaker;
  /** The request let through as the breaker's half-open probe. */
  private probe: InflightRequest | undefined;
  private lastLoggedError = '';
  private lastBackend: CompletionBackend | undefined;
  private lastConfig = '';
  private disposed = false;
  private readonly disposal = new AbortController();
  private readonly st: EngineState;
  private readonly counters: EngineStats = {
    calls: 0, requests: 0, speculativeRequests: 0, aborted: 0, maxInFlight: 0,
    shown: { model: 0, cache: 0, typingThrough: 0, inflight: 0, speculative: 0 },
    skipped: {},
  };

  constructor(private readonly deps: EngineDeps) {
    const s = deps.settings();
    this.debounce = new AdaptiveDebounce({ minMs: s.minDebounceMs, maxMs: s.maxDebounceMs });
    this.breaker = new CircuitBreaker({ clock: deps.clock, random: deps.random });
    this.st = { busy: false, debounceMs: this.debounce.delayMs(), circuit: this.breaker.state };
  }

  get state(): EngineState {
    return { ...this.st, debounceMs: this.debounce.delayMs(), circuit: this.breaker.state };
  }

  get stats(): EngineStats {
    return { ...this.counters, shown: { ...this.counters.shown }, skipped: { ...this.counters.skipped } };
  }

  /** Called by the provider for each inline completion request; `cancel` is VS Code's token. */
  async complete(ctx: CompletionContext, cancel: AbortSignal): Promise<CompletionOutcome> {
    const t0 = this.deps.clock.now();
    const call = ++this.callSeq;
    this.counters.calls++;
    // A speculation waiting for the model to go idle was for the position before this call.
    this.pendingSpeculation = undefined;
    this.clearSpeculationTimer();
    if (this.disposed || cancel.aborted) return this.skip(t0, 'cancelled');
    const s = this.deps.settings();
    if (!s.enabled) return this.skip(t0, 'disabled');
    const backend = this.deps.backend();
    this.syncConfig(s, backend);
    if (ctx.trigger === 'automatic') this.debounce.noteKeystroke(t0);

    const here = this.position(ctx, s);
    this.dropIfStale(here);

    const exact = this.cache.get(here.key);
    if (exact?.kind === 'text') return this.shown(t0, here, exact.text, exact.origin === 'speculative' ? 'speculative' : 'cache');
    const walk = this.cache.walk(ctx.documentKey, ctx.text, ctx.offset, here.win.suffix);
    if (walk) return this.shown(t0, here, walk.remainder, 'typingThrough');
    // An explicit request asks again where an automatic one remembers that nothing was worth showing.
    if (exact?.kind === 'empty' && ctx.trigger === 'automatic') return this.skip(t0, 'empty', exact.reason);

    const decided = decideShape(here.win.prefix, here.win.suffix, ctx.languageId, s.maxLines);
    if (decided.kind === 'skip') return this.skip(t0, 'midLine');
    // Open circuit: the server failed lately; automatic requests wait out the backoff without a request.
    const circuit = this.breaker.state;
    if (circuit.phase === 'open' && ctx.trigger === 'automatic' && circuit.lastFailure) {
      return this.skip(t0, circuit.lastFailure.reason as SkipReason, circuit.lastFailure.detail);
    }

    return this.fromModel(call, t0, here, decided, s, backend, cancel);
  }

  /** The user accepted `text` shown at `ctx` (reported by the item's command). */
  accepted(ctx: CompletionContext, text: string): void {
    if (this.disposed || text === '') return;
    const s = this.deps.settings();
    if (!s.enabled || s.speculative === 'off') return;
    this.pendingSpeculation = { ctx, text, call: this.callSeq, ready: true };
    this.maybeSpeculate();
  }

  /**
   * A health check found the server ready again: close the circuit now rather than at the end of
   * the backoff, so completions come back as soon as the server does.
   */
  noteServerHealthy(): void {
    if (this.breaker.state.phase === 'closed') return;
    this.breaker.reset();
    this.probe = undefined;
    this.deps.log?.('local model server reported healthy: circuit closed');
    this.emit();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pendingSpeculation = undefined;
    this.clearOrphanTimer();
    this.clearSpeculationTimer();
    this.disposal.abort();
    this.inflight?.abort('disposed');
  }

  private async fromModel(call: number, t0: number, here: Position, shape: StreamShape, s: EngineSettings,
    backend: CompletionBackend, cancel: AbortSignal): Promise<CompletionOutcome> {
    const clock = this.deps.clock;
    const stop = AbortSignal.any([cancel, this.disposal.signal]);
    let queuedMs = 0;
    let debounced = here.ctx.trigger === 'invoke';
    // A finished request whose whole answer the user has already typed has nothing left to give here.
    let exhausted: InflightRequest | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (stop.aborted) return this.skip(t0, 'cancelled');

      const cur = this.inflight;
      if (cur && !cur.abortedAs) {
        const typed = typedSince(cur, here.ctx.documentKey, here.ctx.text, here.ctx.offset, here.win.suffix);
        if (typed !== undefined && cur !== exhausted) {
          const joinedAt = clock.now();
          this.clearOrphanTimer();
          const partial = shape.kind === 'multiLine'
            ? { at: cur.servedPartial ? t0 : t0 + BLOCK_SHOW_BUDGET_MS, usable: (raw: string) => this.process(completeLines(raw), here, shape, 'model', false).kind === 'text' }
            : undefined;
          const r = await cur.waitFor(typed, stop, partial);
          this.orphanIfUnclaimed(cur);
          if (r.kind === 'text' && typed !== '' && r.raw.trim() === '') {
            exhausted = cur;
            continue;
          }
          const done = this.afterWait(r, cur, call, t0, joinedAt, queuedMs, here, shape);
          if (done) return done;
          continue; // diverged: cur is aborted now; start one that fits what was typed
        }
        this.abortInflight(cur, 'superseded', 'the position moved elsewhere');
      }

      if (!debounced) {
        debounced = true;
        const q0 = clock.now();
        const elapsed = await sleep(clock, this.debounce.delayMs(here.docPrefix) - (q0 - t0), stop);
        queuedMs += clock.now() - q0;
        if (!elapsed) return this.skip(t0, 'cancelled');
        // Only the newest call may start a request: an older one is for a position already left.
        if (call !== this.callSeq) return this.skip(t0, 'superseded', undefined, { queuedMs });
        continue; // a speculative request may have started meanwhile: look again
      }
      if (call !== this.callSeq) return this.skip(t0, 'superseded', undefined, { queuedMs });

      const prev = this.inflight;
      if (prev) {
        // Aborted but not yet closed: one request at a time means waiting for it to let go.
        const q0 = clock.now();
        await this.settleWithin(prev, stop);
        queuedMs += clock.now() - q0;
        continue;
      }
      const admission = this.breaker.admit(here.ctx.trigger === 'invoke');
      if (admission.kind === 'reject') return this.skip(t0, admission.reason as SkipReason, admission.detail, { queuedMs });
      const req = this.start(here, shape, s, backend, call, undefined);
      if (admission.probe) this.probe = req;
    }
    return this.skip(t0, 'superseded', 'no request could be kept for this position', { queuedMs });
  }

  /** The outcome after waiting on a request, or undefined to go round again (it diverged). */
  private afterWait(r: WaitResult, req: InflightRequest, call: number, t0: number, joinedAt: number,
    queuedMs: number, here: Position, shape: StreamShape): CompletionOutcome | undefined {
    switch (r.kind) {
      case 'cancelled':
        return this.skip(t0, 'cancelled');
      case 'failed': {
        if (r.abortedAs === 'superseded') return this.skip(t0, 'superseded', undefined, { queuedMs });
        if (r.abortedAs || r.error.kind === 'cancelled') return this.skip(t0, 'cancelled');
        return this.skip(t0, skipReasonFor(r.error), r.error.message, { queuedMs });
      }
      case 'diverged':
        this.abortInflight(req, 'superseded', 'the typed text left what it was generating');
        return undefined;
      case 'partial':
      case 'text': {
        // A partial answer (a block past the pause budget) shows its lines that have ended and is not
        // cached: the whole block lands in the cache (with its anchor) when the request ends.
        const partial = r.kind === 'partial';
        const origin = req.speculativeParent ? 'speculative' : 'model';
        const processed = partial
          ? this.process(completeLines(r.raw), here, shape, origin, false)
          : this.process(r.raw, here, shape, origin, endedByItself(req));
        if (partial && processed.kind === 'empty') return undefined;
        if (!partial && (req.offset !== here.ctx.offset || req.prefixStart !== here.win.prefixStart)) this.cache.set(here.key, processed);
        const now = this.deps.clock.now();
        const endAt = partial ? now : req.endAt ?? now;
        const own = req.startedBy === call;
        const timings: CompletionTimings = {
          totalMs: now - t0,
          queuedMs,
          requestMs: Math.max(0, endAt - (own ? req.sentAt : joinedAt)),
          firstTokenMs: req.firstTokenAt === undefined ? undefined : req.firstTokenAt - req.sentAt,
          ...(partial ? {} : { modelMs: endAt - req.sentAt }),
          overheadMs: Math.max(0, (own ? req.sentAt : joinedAt) - t0 - queuedMs) + Math.max(0, now - Math.max(endAt, joinedAt)),
          ...(req.end?.kind === 'text' ? { server: req.end.result.server } : {}),
        };
        if (processed.kind === 'empty') return this.skip(t0, 'empty', processed.reason, timings);
        const source: ShownSource = req.speculativeParent ? 'speculative' : own ? 'model' : 'inflight';
        return this.shown(t0, here, processed.text, source, timings);
      }
    }
  }

  private start(at: Position, shape: StreamShape, s: EngineSettings, backend: CompletionBackend, call: number,
    speculativeParent: CompletionAnchor | undefined): InflightRequest {
    const { ctx, win } = at;
    const req = new InflightRequest(
      {
        id: ++this.requestSeq, startedBy: call, documentKey: ctx.documentKey, languageId: ctx.languageId,
        prefixStart: win.prefixStart, offset: ctx.offset, prefix: at.docPrefix, suffix: win.suffix, speculativeParent,
      },
      backend,
      { prefix: win.prefix, suffix: win.suffix, languageId: ctx.languageId, temperature: s.temperature, documentKey: ctx.documentKey,
        ...generationLimitsFor(shape, ctx.languageId, this.speed.maxTokens(s.maxTokens, this.deps.serverProbe?.())) },
      stopRuleFor(shape, { prefix: win.prefix, suffix: win.suffix, languageId: ctx.languageId }),
      this.deps.clock,
    );
    this.inflight = req;
    this.runningCalls++;
    this.counters.requests++;
    if (speculativeParent) this.counters.speculativeRequests++;
    this.counters.maxInFlight = Math.max(this.counters.maxInFlight, this.runningCalls);
    this.deps.log?.(`request #${req.id}${speculativeParent ? ' (speculative)' : ''} ${shape.kind} at ${ctx.documentKey}:${ctx.offset}`);
    this.setBusy(true);
    void req.settled.then(() => this.onSettled(req, at, shape));
    return req;
  }

  private onSettled(req: InflightRequest, at: Position, shape: StreamShape): void {
    this.runningCalls--;
    if (this.inflight === req) {
      this.inflight = undefined;
      this.clearOrphanTimer();
    }
    const end = req.end;
    if (end?.kind === 'text') {
      const latency = (req.endAt ?? this.deps.clock.now()) - req.sentAt;
      this.debounce.noteModelLatency(latency);
      this.speed.note(end.result.server);
      this.st.lastLatencyMs = latency;
      this.st.lastFirstTokenMs = req.firstTokenAt === undefined ? undefined : req.firstTokenAt - req.sentAt;
      this.st.lastServer = end.result.server;
      if (end.result.server.loadMs !== undefined) this.st.lastLoadMs = end.result.server.loadMs;
      this.st.lastError = undefined;
      if (this.probe === req) this.probe = undefined;
      const wasOpen = this.breaker.state.phase !== 'closed';
      this.breaker.success();
      if (wasOpen) {
        this.deps.log?.('local model server answers again: circuit closed');
        this.emit();
      }
      this.lastLoggedError = '';
      // Kept even when nobody waits any more: the next keystroke may be served from it.
      const processed = this.process(end.raw, at, shape, req.speculativeParent ? 'speculative' : 'model', end.result.finish === 'stop');
      this.cache.set(at.key, processed);
      if (processed.kind === 'text') {
        this.cache.addAnchor({
          documentKey: req.documentKey, prefixStart: req.prefixStart, offset: req.offset, prefix: req.prefix,
          suffix: req.suffix, text: processed.text, origin: processed.origin,
        });
      }
    } else if (end?.kind === 'failed' && !end.abortedAs && end.error.kind !== 'cancelled') {
      if (this.probe === req) this.probe = undefined;
      this.noteFailure(skipReasonFor(end.error), end.error.message);
    } else if (this.probe === req) {
      // Aborted by a newer keystroke: the probe told nothing; the next request may probe again.
      this.probe = undefined;
      this.breaker.inconclusive();
    }
    this.setBusy(this.inflight !== undefined);
    this.maybeSpeculate();
  }

  /** Prefetches what follows the last shown suggestion, if the model is idle and the user has not moved on. */
  private maybeSpeculate(): void {
    const p = this.pendingSpeculation;
    if (!p || !p.ready || this.inflight || this.disposed) return;
    this.pendingSpeculation = undefined;
    if (p.call !== this.callSeq) return;
    const s = this.deps.settings();
    if (!s.enabled || s.speculative === 'off') return;
    const backend = this.deps.backend();
    this.syncConfig(s, backend);
    if (this.breaker.state.phase !== 'closed') return;

    const shownAt = this.position(p.ctx, s);
    const ctx: CompletionContext = {
      ...p.ctx,
      text: p.ctx.text.slice(0, p.ctx.offset) + p.text + p.ctx.text.slice(p.ctx.offset),
      offset: p.ctx.offset + p.text.length,
      trigger: 'automatic',
    };
    const next = this.position(ctx, s);
    if (this.cache.get(next.key)) return;
    const shape = decideShape(next.win.prefix, next.win.suffix, ctx.languageId, s.maxLines);
    if (shape.kind === 'skip') return;
    const parent: CompletionAnchor = {
      documentKey: p.ctx.documentKey, prefixStart: shownAt.win.prefixStart, offset: p.ctx.offset,
      prefix: shownAt.docPrefix, suffix: shownAt.win.suffix, text: p.text, origin: 'model',
    };
    this.start(next, shape, s, backend, 0, parent);
  }

  /**
   * Aborts the running request as soon as this position shows it is stale. It stays while the
   * position extends it with text that agrees with what it generates, and a speculative one stays
   * while the user is still typing the suggestion it follows.
   */
  private dropIfStale(here: Position): void {
    const cur = this.inflight;
    if (!cur || cur.abortedAs) return;
    const { ctx, win } = here;
    const typed = typedSince(cur, ctx.documentKey, ctx.text, ctx.offset, win.suffix);
    if (typed !== undefined) {
      const generated = cur.end?.kind === 'text' ? cur.end.raw : cur.textSoFar;
      if (agrees(generated, typed)) return;
      this.abortInflight(cur, 'superseded', 'the typed text left what it was generating');
      return;
    }
    const parent = cur.speculativeParent;
    if (parent) {
      const onTheWay = typedSince(parent, ctx.documentKey, ctx.text, ctx.offset, win.suffix);
      if (onTheWay !== undefined && parent.text.startsWith(onTheWay)) return;
    }
    this.abortInflight(cur, 'superseded', 'the position moved elsewhere');
  }

  private abortInflight(req: InflightRequest, cause: 'superseded' | 'orphaned', why: string): void {
    if (req.abortedAs || req.end) return;
    req.abort(cause);
    this.counters.aborted++;
    if (this.inflight === req) this.clearOrphanTimer();
    this.deps.log?.(`request #${req.id} aborted: ${why}`);
  }

  /**
   * When the last caller waiting on a running request was cancelled, the next keystroke's call has
   * the debounce window plus a grace period to claim it; then it is aborted as nobody's.
   */
  private orphanIfUnclaimed(req: InflightRequest): void {
    // A block shown in part goes on streaming its rest; it is dropped like a speculation, when the
    // user types something else (dropIfStale).
    if (req.waiters > 0 || !req.running || req.abortedAs || req.speculativeParent || req.servedPartial || this.inflight !== req) return;
    this.clearOrphanTimer();
    this.orphanTimer = this.deps.clock.setTimeout(() => {
      this.orphanTimer = undefined;
      if (req.waiters === 0) this.abortInflight(req, 'orphaned', 'no call claimed it');
    }, this.debounce.delayMs() + ORPHAN_GRACE_MS);
  }

  private clearOrphanTimer(): void {
    if (this.orphanTimer === undefined) return;
    this.deps.clock.clearTimeout(this.orphanTimer);
    this.orphanTimer = undefined;
  }

  private clearSpeculationTimer(): void {
    if (this.speculationTimer === undefined) return;
    this.deps.clock.clearTimeout(this.speculationTimer);
    this.speculationTimer = undefined;
  }

  private async settleWithin(req: InflightRequest, stop: AbortSignal): Promise<void> {
    const limit = new AbortController();
    const onStop = () => limit.abort();
    stop.addEventListener('abort', onStop, { once: true });
    const timedOut = sleep(this.deps.clock, ABORT_SETTLE_LIMIT_MS, limit.signal);
    const settled = await Promise.race([req.settled.then(() => true), timedOut.then(() => false)]);
    limit.abort();
    stop.removeEventListener('abort', onStop);
    if (!settled && !stop.aborted && this.inflight === req) {
      // The backend ignored its abort signal; do not let it block completions for good.
      this.deps.log?.(`request #${req.id} did not close within ${ABORT_SETTLE_LIMIT_MS} ms of its abort`);
      this.inflight = undefined;
    }
  }

  private position(ctx: CompletionContext, s: EngineSettings): Position {
    const win = buildPromptWindow({ text: ctx.text, offset: ctx.offset, languageId: ctx.languageId },
      { maxPrefixChars: s.maxPrefixChars, maxSuffixChars: this.speed.suffixChars(s.maxSuffixChars, this.deps.serverProbe?.()) }, ctx.snippets);
    const docPrefix = ctx.text.slice(win.prefixStart, ctx.offset);
    return { ctx, win, docPrefix, key: CompletionCache.key(ctx.languageId, win.prefix, win.suffix) };
  }

  /** `complete` is false when the stream was cut (stop rule, token cap): its last line may end mid-token. */
  private process(raw: string, at: Position, shape: StreamShape, origin: 'model' | 'speculative', complete: boolean): CachedCompletion {
    const r = postProcess({
      raw, prefix: at.win.prefix, suffix: at.win.suffix, languageId: at.ctx.languageId,
      multiline: shape.kind === 'multiLine', maxLines: shape.kind === 'multiLine' ? shape.maxLines : 1, complete,
    });
    return r.kind === 'ok' ? { kind: 'text', text: r.text, origin } : { kind: 'empty', reason: r.reason };
  }

  /** Answers learned from another backend or prompt budget no longer hold. */
  private syncConfig(s: EngineSettings, backend: CompletionBackend): void {
    this.debounce.setBounds({ minMs: s.minDebounceMs, maxMs: s.maxDebounceMs });
    const config = [s.maxPrefixChars, s.maxSuffixChars, s.maxTokens, s.maxLines, s.temperature].join('|');
    if (backend === this.lastBackend && config === this.lastConfig) return;
    if (this.lastBackend !== undefined) {
      this.cache.clear();
      this.speed.reset();
      this.breaker.reset();
      this.probe = undefined;
      if (this.inflight) this.abortInflight(this.inflight, 'superseded', 'settings changed');
    }
    this.lastBackend = backend;
    this.lastConfig = config;
  }

  private noteFailure(reason: SkipReason, detail: string): void {
    const at = this.deps.clock.now();
    this.st.lastError = { reason, detail, at };
    const backoff = this.breaker.failure(reason, detail);
    this.deps.log?.(`circuit open for ${backoff} ms after ${this.breaker.state.failures} consecutive failure(s)`);
    // The same failure on every keystroke is one log line, not hundreds.
    const line = `${reason}: ${detail}`;
    if (line !== this.lastLoggedError) this.deps.log?.(`completion failed: ${line}`);
    this.lastLoggedError = line;
    this.emit();
  }

  private shown(t0: number, here: Position, text: string, source: ShownSource, timings?: CompletionTimings): CompletionOutcome {
    this.counters.shown[source]++;
    const s = this.deps.settings();
    if (s.speculative === 'onShow') {
      this.pendingSpeculation = { ctx: here.ctx, text, call: this.callSeq, ready: false };
      // Only once the user pauses on the suggestion: a prefetch while they keep typing past it is
      // GPU time thrown away. accepted() still prefetches at once.
      this.clearSpeculationTimer();
      this.speculationTimer = this.deps.clock.setTimeout(() => {
        this.speculationTimer = undefined;
        if (this.pendingSpeculation) this.pendingSpeculation.ready = true;
        this.maybeSpeculate();
      }, SPECULATE_AFTER_PAUSE_MS);
    }
    const total = this.deps.clock.now() - t0;
    return { kind: 'shown', text, source, timings: timings ?? { totalMs: total, queuedMs: 0, overheadMs: total } };
  }

  private skip(t0: number, reason: SkipReason, detail?: string, partial?: Partial<CompletionTimings>): CompletionOutcome {
    this.counters.skipped[reason] = (this.counters.skipped[reason] ?? 0) + 1;
    const total = this.deps.clock.now() - t0;
    const queuedMs = partial?.queuedMs ?? 0;
    const timings: CompletionTimings = { totalMs: total, overheadMs: Math.max(0, total - queuedMs), ...partial, queuedMs };
    return { kind: 'skipped', reason, ...(detail !== undefined ? { detail } : {}), timings };
  }

  private setBusy(busy: boolean): void {
    if (this.st.busy === busy) return;
    this.st.busy = busy;
    this.emit();
  }

  private emit(): void {
    this.deps.onStateChange?.(this.state);
  }
}

/**
 * The lines of a streaming answer that have ended: what a block shows before it is complete. Not the
 * words of the line still streaming (post-processing would keep those, cut at a token boundary):
 * VS Code does not ask again while the user waits, so `const` shown for
 * `const recovered = computeAnswer(42);` would stay `const`.
 */
function completeLines(raw: string): string {
  return raw.slice(0, raw.lastIndexOf('\n') + 1);
}
