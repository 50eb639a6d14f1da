// Pushes many simulated completion requests through the real CompletionEngine, typing like a
// person (bursts, pauses, accepts, jumps between files) against a scripted in-process backend that
// sometimes fails like a dead or broken server, and measures what is left behind: heap growth,
// timers, AbortSignal listeners, unhandled rejections. Virtual time (ManualClock) makes 10,000
// requests take seconds instead of hours; the engine code is the production code.
import { backendFailure } from '../../src/core/shared/backendFailure';
import { BackendError, type FimRequest } from '../../src/core/shared/modelBackend';
import { CompletionEngine } from '../../src/core/completion/completionEngine';
import type { CompletionContext, CompletionOutcome } from '../../src/core/completion/completionOutcome';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../src/core/completion/engineSettings';
import { ManualClock } from '../support/manualClock';
import { ScriptedBackend, type Script } from '../unit/engine/scriptedBackend';
import { mulberry32 } from '../support/mulberry32';

export interface SoakOptions {
  requests: number;
  /** Deterministic pseudo-random seed. */
  seed?: number;
  /** Log a progress line every this many requests (0: never). */
  progressEvery?: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  requests: number;
  backendRequests: number;
  outcomes: Record<string, number>;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  heapGrowthBytes: number;
  /** Heap right after a warm-up of the first tenth (caches filled), the fairer baseline. */
  heapAfterWarmupBytes: number;
  heapGrowthAfterWarmupBytes: number;
  gcAvailable: boolean;
  /** Engine timers still scheduled on the clock after dispose. */
  pendingClockTimers: number;
  /** Abort listeners still attached to live, un-aborted signals created during the run. */
  danglingAbortListeners: number;
  /** process.getActiveResourcesInfo() before and after (real timers, sockets). */
  activeResourcesBefore: string[];
  activeResourcesAfter: string[];
  unhandledRejections: number;
  maxInFlight: number;
  virtualMs: number;
  wallMs: number;
}

const WORDS = ['value', 'result', 'count', 'items', 'index', 'name', 'total', 'config', 'handler', 'buffer'];
const FILES = ['file:///soak/a.ts', 'file:///soak/b.py', 'file:///soak/c.go', 'file:///soak/d.ts'];
const LANGS: Record<string, string> = { ts: 'typescript', py: 'python', go: 'go' };

/** Counts abort listeners added to AbortSignals and not removed, on signals still alive and not aborted. */
function trackAbortListeners() {
  const proto = EventTarget.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const live = new Set<WeakRef<AbortSignal>>();
  const listeners = new WeakMap<AbortSignal, Set<unknown>>();
  proto.addEventListener = function (this: EventTarget, type: string, l: unknown, o?: unknown) {
    if (type === 'abort' && this instanceof AbortSignal && l) {
      let set = listeners.get(this);
      if (!set) {
        set = new Set();
        listeners.set(this, set);
        live.add(new WeakRef(this));
      }
      set.add(l);
    }
    return add.call(this, type, l as EventListener, o as AddEventListenerOptions);
  };
  proto.removeEventListener = function (this: EventTarget, type: string, l: unknown, o?: unknown) {
    if (type === 'abort' && this instanceof AbortSignal) listeners.get(this)?.delete(l);
    return remove.call(this, type, l as EventListener, o as EventListenerOptions);
  };
  return {
    dangling(): number {
      let n = 0;
      for (const ref of live) {
        const sig = ref.deref();
        if (!sig) {
          live.delete(ref);
          continue;
        }
        // Listeners on an aborted signal have fired (once) or can never fire again: not a leak.
        if (!sig.aborted) n += listeners.get(sig)?.size ?? 0;
      }
      return n;
    },
    restore(): void {
      proto.addEventListener = add;
      proto.removeEventListener = remove;
    },
  };
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const rand = mulberry32(opts.seed ?? 42);
  const log = opts.log ?? (() => {});
  let unhandled = 0;
  const onUnhandled = (): void => { unhandled++; };
  process.on('unhandledRejection', onUnhandled);
  const tracker = trackAbortListeners();
  const wall0 = performance.now();
  const activeResourcesBefore = process.getActiveResourcesInfo();
  const heapBeforeBytes = heapUsed();

  const clock = new ManualClock(0);
  // The server: usually fine, with stretches where it is down or sends garbage.
  let serverMode: 'ok' | 'down' | 'garbage' | 'slow' = 'ok';
  const script = (req: FimRequest): Script => {
    switch (serverMode) {
      case 'down': return { tokens: [], firstTokenMs: 2, error: new BackendError(backendFailure('offline', 'Cannot reach the local model server (ECONNREFUSED).')) };
      case 'garbage': return { tokens: [], firstTokenMs: 10, error: new BackendError(backendFailure('malformed', 'The local model server sent a malformed response.')) };
      case 'slow': return { tokens: reply(req), firstTokenMs: 900, perTokenMs: 60 };
      default: return { tokens: reply(req), firstTokenMs: 40 + Math.floor(rand() * 120), perTokenMs: 8 + Math.floor(rand() * 20) };
    }
  };
  const backend = new ScriptedBackend(clock, script);
  // The backend keeps a record per call for tests; a soak must not count that as a leak.
  const trimRecords = (): void => { backend.calls.length = 0; };
  let backendRequests = 0;
  const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, speculative: 'onShow' };
  const engine = new CompletionEngine({ backend: () => backend, clock, settings: () => settings, random: rand });

  const docs = new Map<string, string>(FILES.map((f) => [f, `// ${f}\nfunction main() {\n  \n}\n`]));
  const cursor = new Map<string, number>(FILES.map((f) => [f, docs.get(f)!.indexOf('  \n') + 2]));
  const outcomes: Record<string, number> = {};
  let token: AbortController | undefined;
  const pending = new Set<Promise<void>>();
  let file = FILES[0];
  let heapAfterWarmupBytes = heapBeforeBytes;
  const warmupAt = Math.max(1, Math.floor(opts.requests / 10));

  for (let i = 0; i < opts.requests; i++) {
    if (i === warmupAt) {
      // Pending calls wait on virtual time: let it pass until they are all done.
      while (pending.size > 0) await clock.advance(1000);
      backendRequests += backend.calls.length;
      trimRecords();
      heapAfterWarmupBytes = heapUsed();
    }
    // Server stretches: every 1,000 requests, 100 of them down, then 50 garbage, some slow.
    const phase = i % 1000;
    serverMode = phase >= 200 && phase < 300 ? 'down' : phase >= 500 && phase < 550 ? 'garbage' : phase >= 700 && phase < 740 ? 'slow' : 'ok';
    if (rand() < 0.01) file = FILES[Math.floor(rand() * FILES.length)];
    let text = docs.get(file)!;
    let offset = cursor.get(file)!;
    // A keystroke: a letter of a word, a space, or a newline with indentation.
    const r = rand();
    const ch = r < 0.8 ? String.fromCharCode(97 + Math.floor(rand() * 26)) : r < 0.93 ? ' ' : r < 0.97 ? `${WORDS[Math.floor(rand() * WORDS.length)]}.` : '\n  ';
    text = text.slice(0, offset) + ch + text.slice(offset);
    offset += ch.length;
    // Keep documents bounded like a real file being edited (the prompt window is bounded anyway).
    if (text.length > 6000) {
      text = `// ${file}\nfunction main() {\n  \n}\n`;
      offset = text.indexOf('  \n') + 2;
    }
    docs.set(file, text);
    cursor.set(file, offset);
    const ext = file.split('.').pop() ?? 'ts';
    const ctx: CompletionContext = { documentKey: file, languageId: LANGS[ext] ?? 'typescript', text, offset, trigger: rand() < 0.03 ? 'invoke' : 'automatic' };
    // Like VS Code: the next call cancels the previous one's token first.
    token?.abort();
    token = new AbortController();
    const p = engine.complete(ctx, token.signal).then((o: CompletionOutcome) => {
      const k = o.kind === 'shown' ? `shown:${o.source}` : `skipped:${o.reason}`;
      outcomes[k] = (outcomes[k] ?? 0) + 1;
      // Sometimes the user accepts what was shown (Tab), which also starts speculation.
      if (o.kind === 'shown' && rand() < 0.3) {
        const cur = docs.get(ctx.documentKey)!;
        if (cur === ctx.text) {
          docs.set(ctx.documentKey, cur.slice(0, ctx.offset) + o.text + cur.slice(ctx.offset));
          cursor.set(ctx.documentKey, ctx.offset + o.text.length);
          engine.accepted(ctx, o.text);
        }
      }
    });
    const tracked = p.finally(() => pending.delete(tracked));
    pending.add(tracked);
    // Typing rhythm: mostly quick keys, sometimes a pause long enough for the model to answer.
    const gap = rand() < 0.15 ? 600 + Math.floor(rand() * 1500) : 40 + Math.floor(rand() * 160);
    await clock.advance(gap);
    backendRequests += backend.calls.length;
    trimRecords();
    if (opts.progressEvery && (i + 1) % opts.progressEvery === 0) log(`${i + 1} requests, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(1)} MB`);
  }
  token?.abort();
  await clock.advance(70_000); // let every backoff, orphan and speculation timer run out
  while (pending.size > 0) await clock.advance(1000);
  backendRequests += backend.calls.length;
  trimRecords();
  const maxInFlight = engine.stats.maxInFlight;
  engine.dispose();
  await clock.advance(5000);
  const virtualMs = clock.now();
  const pendingClockTimers = clock.pending;
  token = undefined;
  const heapAfterBytes = heapUsed();
  const danglingAbortListeners = tracker.dangling();
  tracker.restore();
  // Give a late rejection a chance to surface before counting.
  await new Promise((r) => setImmediate(r));
  process.off('unhandledRejection', onUnhandled);
  return {
    requests: opts.requests,
    backendRequests,
    outcomes,
    heapBeforeBytes,
    heapAfterBytes,
    heapGrowthBytes: heapAfterBytes - heapBeforeBytes,
    heapAfterWarmupBytes,
    heapGrowthAfterWarmupBytes: heapAfterBytes - heapAfterWarmupBytes,
    gcAvailable: typeof (globalThis as { gc?: unknown }).gc === 'function',
    pendingClockTimers,
    danglingAbortListeners,
    activeResourcesBefore,
    activeResourcesAfter: process.getActiveResourcesInfo(),
    unhandledRejections: unhandled,
    maxInFlight,
    virtualMs,
    wallMs: performance.now() - wall0,
  };
}

function reply(req: FimRequest): string[] {
  const m = req.prefix.match(/([A-Za-z_]+)\W*$/);
  const name = m ? m[1] : 'x';
  return [`${name}`, 'Value', ' = ', 'compute', '(', `${name.length}`, ');', '\n', '  next();', '\n'];
}
