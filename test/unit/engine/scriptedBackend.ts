// A CompletionBackend that streams scripted tokens on a ManualClock and records what the engine
// did to each request: how far it streamed, whether shouldStop ended it, whether it was aborted.
import { CANCELLED } from '../../../src/core/shared/backendFailure';
import { BackendError, type CompletionBackend, type FimRequest, type FimResult, type ModelHealth } from '../../../src/core/shared/modelBackend';
import type { ManualClock } from '../../support/manualClock';

export interface Script {
  tokens: string[];
  /** Delay before the first token (prompt processing), then between tokens. */
  firstTokenMs?: number;
  perTokenMs?: number;
  /** Fail after firstTokenMs instead of streaming. */
  error?: unknown;
  loadMs?: number;
}

export interface CallRecord {
  req: FimRequest;
  sentAt: number;
  emitted: number;
  text: string;
  stoppedByClient: boolean;
  aborted: boolean;
  abortedAt?: number;
  endedAt?: number;
}

export class ScriptedBackend implements CompletionBackend {
  readonly calls: CallRecord[] = [];
  running = 0;
  maxRunning = 0;

  constructor(private readonly clock: ManualClock, private readonly script: (req: FimRequest, n: number) => Script) {}

  complete(req: FimRequest, signal: AbortSignal): Promise<FimResult> {
    const sc = this.script(req, this.calls.length);
    const rec: CallRecord = { req, sentAt: this.clock.now(), emitted: 0, text: '', stoppedByClient: false, aborted: false };
    this.calls.push(rec);
    if (signal.aborted) return Promise.reject(new BackendError(CANCELLED));
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const firstTokenMs = sc.firstTokenMs ?? 100;
    const perTokenMs = sc.perTokenMs ?? 20;
    return new Promise<FimResult>((resolve, reject) => {
      let timer: unknown;
      let firstAt = -1;
      const end = (fn: () => void) => {
        this.running--;
        rec.endedAt = this.clock.now();
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => {
        this.clock.clearTimeout(timer);
        rec.aborted = true;
        rec.abortedAt = this.clock.now();
        end(() => reject(new BackendError(CANCELLED)));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const result = (finish: FimResult['finish']): FimResult => ({
        text: rec.text, finish, firstTokenMs: firstAt < 0 ? this.clock.now() - rec.sentAt : firstAt - rec.sentAt,
        totalMs: this.clock.now() - rec.sentAt,
        server: finish === 'client' ? {} : { totalMs: this.clock.now() - rec.sentAt, loadMs: sc.loadMs ?? 0, outputTokens: rec.emitted },
      });
      const step = () => {
        if (sc.error !== undefined) return end(() => reject(sc.error));
        if (rec.emitted >= sc.tokens.length) return end(() => resolve(result('stop')));
        if (firstAt < 0) firstAt = this.clock.now();
        rec.text += sc.tokens[rec.emitted++];
        if (req.shouldStop?.(rec.text)) {
          rec.stoppedByClient = true;
          return end(() => resolve(result('client')));
        }
        timer = this.clock.setTimeout(step, perTokenMs);
      };
      timer = this.clock.setTimeout(step, firstTokenMs);
    });
  }

  async checkHealth(): Promise<ModelHealth> {
    return { kind: 'ready', model: 'scripted', fim: 'native' };
  }
}

/** A context from text with a `|` marking the cursor. */
export function at(marked: string, opts: { trigger?: 'automatic' | 'invoke'; documentKey?: string; languageId?: string } = {}) {
  const offset = marked.indexOf('|');
  if (offset < 0) throw new Error('no cursor marker');
  return {
    documentKey: opts.documentKey ?? 'file:///a.ts',
    languageId: opts.languageId ?? 'typescript',
    text: marked.slice(0, offset) + marked.slice(offset + 1),
    offset,
    trigger: opts.trigger ?? 'automatic',
  } as const;
}
