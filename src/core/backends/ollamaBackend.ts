// Local completions through Ollama's native API, streamed, with one abortable connection per
// request. ollama-js has no per-request AbortSignal (`ollama.abort()` kills every stream of a
// client, and `break` out of the iterator leaves the server generating), so each request gets a
// client whose fetch is tied to the request's own signal: aborting closes that socket, and Ollama
// stops generating when its client disconnects.
import { fimTemplateForModel, fimTemplateFromOllamaTemplate, type FimTemplate } from '../shared/fimTemplates';
import {
  BackendError, type CompletionBackend, type FimRequest, type FimResult, type ModelHealth, type ServerTimings, type WarmUpResult,
} from '../shared/modelBackend';
import { backendFailure, CANCELLED } from '../shared/backendFailure';
import { failureFromError, healthFromFailure, toBackendError, type FailureContext } from './failureFromError';
import { elapsedMs, systemClock } from '../shared/clock';

export interface OllamaBackendOptions {
  host: string;
  model: string;
  /** Ollama's keep_alive: how long the model stays loaded after a request (e.g. '30m'). */
  keepAlive: string;
  /** For tests: the fetch the client uses underneath. */
  fetch?: typeof fetch;
  /**
   * Bearer token for an Ollama behind an auth proxy (a team server). The caller decides whether
   * this endpoint may receive it (only the user-level endpoint does; see localTokenFor).
   */
  token?: string;
}

/** How this model takes a fill-in-the-middle prompt. */
type FimMode =
  | { kind: 'native'; template?: FimTemplate } // Ollama's `suffix`: the model's template has .Suffix
  | { kind: 'template'; template: FimTemplate } // raw prompt with the family's FIM tokens
  | { kind: 'none'; detail: string };

const NS_PER_MS = 1e6;

export class OllamaBackend implements CompletionBackend {
  /** FIM support is a property of the model, so it is asked once per model, not per keystroke. */
  private fimMode: Promise<FimMode> | undefined;
  /** Set while a stream ended by shouldStop is being closed (see closeSoon). */
  private closing: Promise<void> | undefined;
  private readonly baseFetch: typeof fetch;

  constructor(private readonly opts: OllamaBackendOptions) {
    this.baseFetch = opts.fetch ?? fetch;
  }

  /** How this backend's failures are worded: Ollama, on this machine's side, never quoting the token. */
  private get failures(): FailureContext {
    const { host, model, token } = this.opts;
    return { side: 'local', client: 'ollama', server: 'Ollama', baseURL: host, model, tokenSent: Boolean(token), secrets: token ? [token] : [] };
  }

  async checkHealth(signal?: AbortSignal): Promise<ModelHealth> {
    const client = await this.client(signal);
    let version: string | undefined;
    try {
      version = (await client.version()).version;
    } catch (e) {
      return healthFromFailure(failureFromError(e, this.failures), this.opts.model);
    }
    this.fimMode = undefined; // a health check is also how a freshly pulled model gets noticed
    try {
      const mode = await this.getFimMode(signal);
      if (mode.kind === 'none') return { kind: 'noFim', model: this.opts.model, detail: mode.detail };
      return { kind: 'ready', model: this.opts.model, fim: mode.kind, version };
    } catch (e) {
      return healthFromFailure(failureFromError(e, this.failures), this.opts.model);
    }
  }

  /**
   * Loads the model into memory ahead of the first keystroke and measures the server on the way:
   * a raw prompt of about 300 tokens and 8 generated tokens report the prompt and token rates
   * (about 0.2 s on a laptop GPU, 1.5 s on a CPU, once). The prompt starts with the time, so the
   * server's KV cache cannot already hold it and the count is of tokens really processed.
   */
  async warmUp(signal?: AbortSignal): Promise<WarmUpResult> {
    const client = await this.client(signal);
    const started = systemClock.now();
    try {
      const r = await client.generate({
        model: this.opts.model, prompt: `// ${Date.now()}\n${PROBE_TEXT}`, raw: true, keep_alive: this.opts.keepAlive, stream: false,
        options: { num_predict: PROBE_OUTPUT_TOKENS, temperature: 0 },
      });
      return { loadMs: r.load_duration ? r.load_duration / NS_PER_MS : elapsedMs(started), probe: serverTimings(r) };
    } catch (e) {
      throw toBackendError(e, this.failures);
    }
  }

  async complete(req: FimRequest, signal: AbortSignal): Promise<FimResult> {
    const mode = await this.getFimMode(signal).catch((e) => { throw toBackendError(e, this.failures); });
    if (mode.kind === 'none') throw new BackendError(backendFailure('noFim', mode.detail, { action: 'openSettings' }));
    const template = mode.template;
    const stop = [...(template?.stop ?? []), ...req.stop];

    // Our own controller, so that shouldStop can close the connection without touching the caller's signal.
    const own = new AbortController();
    const onAbort = () => own.abort(signal.reason);
    if (signal.aborted) throw new BackendError(CANCELLED);
    signal.addEventListener('abort', onAbort, { once: true });

    // A stream just cut by shouldStop is still being closed: one request at a time means the
    // next one (typically a speculative prefetch started the moment the answer came) waits for it.
    if (this.closing) await this.closing;
    const started = systemClock.now();
    let firstTokenMs = -1;
    let text = '';
    let closeAfterReturn: (() => void) | undefined;
    try {
      const client = await this.client(own.signal);
      const stream = await client.generate({
        model: this.opts.model,
        ...(mode.kind === 'native'
          ? { prompt: req.prefix, suffix: req.suffix }
          // Ollama ignores `suffix` in raw mode, so raw prompts carry the FIM tokens themselves.
          : { prompt: mode.template.build(req.prefix, req.suffix), raw: true }),
        stream: true,
        keep_alive: this.opts.keepAlive,
        options: { num_predict: req.maxTokens, temperature: req.temperature, ...(stop.length ? { stop } : {}) },
      });
      // Iterated by hand, so that a stream ended by shouldStop is closed AFTER the answer is
      // handed back: aborting the fetch (undici tears the socket down) and unwinding ollama-js's
      // generators cost ~0.7 ms at the median and 10-20 ms at p99 (measured by `npm run bench`),
      // all of it between the last needed token and the ghost text. setImmediate still closes the
      // connection within the same event-loop turn, before any timer could start another request.
      const chunks = stream[Symbol.asyncIterator]();
      for (;;) {
        const step = await chunks.next();
        if (step.done) break;
        const chunk = step.value;
        if (chunk.response) {
          if (firstTokenMs < 0) firstTokenMs = elapsedMs(started);
          text += chunk.response;
          if (req.shouldStop?.(text)) {
            closeAfterReturn = () => {
              own.abort('enough');
              void chunks.return?.(undefined).catch(() => undefined);
            };
            return { text, finish: 'client', firstTokenMs, totalMs: elapsedMs(started), server: {} };
          }
        }
        if (chunk.done) {
          return {
            text,
            finish: chunk.done_reason === 'length' ? 'length' : 'stop',
            firstTokenMs: firstTokenMs < 0 ? elapsedMs(started) : firstTokenMs,
            totalMs: elapsedMs(started),
            server: serverTimings(chunk),
          };
        }
      }
      throw new BackendError(backendFailure('malformed', 'The Ollama stream ended without a final message.', { action: 'retry' }));
    } catch (e) {
      if (signal.aborted) throw new BackendError(CANCELLED, e);
      const err = toBackendError(e, this.failures);
      // The model lost `insert` (e.g. re-pulled as another variant): ask again next time.
      if (err.kind === 'noFim' || err.kind === 'notFound') this.fimMode = undefined;
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      // Whatever happened, this request's connection is closed now (no-op when it already ended).
      if (closeAfterReturn) this.closeSoon(closeAfterReturn);
      else own.abort('finished');
    }
  }

  /** Runs `close` after the current event-loop turn's callbacks, i.e. after the answer was delivered. */
  private closeSoon(close: () => void): void {
    const closing: Promise<void> = new Promise((resolve) => setImmediate(() => {
      close();
      if (this.closing === closing) this.closing = undefined;
      resolve();
    }));
    this.closing = closing;
  }

  private getFimMode(signal?: AbortSignal): Promise<FimMode> {
    if (!this.fimMode) {
      const pending = this.detectFimMode(signal);
      this.fimMode = pending;
      pending.catch(() => { if (this.fimMode === pending) this.fimMode = undefined; });
    }
    return this.fimMode;
  }

  /** Asks /api/show: `insert` in capabilities means the model's template uses `.Suffix`. */
  private async detectFimMode(signal?: AbortSignal): Promise<FimMode> {
    const client = await this.client(signal);
    const show = await client.show({ model: this.opts.model });
    const capabilities: string[] = (show as { capabilities?: string[] }).capabilities ?? [];
    const byTemplate = fimTemplateFromOllamaTemplate(show.template ?? '');
    const byName = fimTemplateForModel(this.opts.model);
    // A bare <|fim_prefix|> template is shared by qwen and codegemma ('pipe-fim'): the name is more specific.
    const template = byTemplate && byTemplate.family !== 'pipe-fim' ? byTemplate : byName ?? byTemplate;
    // Ollama's own templates put the prefix first; a family trained on suffix-first prompts is sent
    // raw in that order instead, so the server's KV cache survives typing (see fimTemplates.ts).
    if (capabilities.includes('insert') && template?.order !== 'suffix-first') return { kind: 'native', template };
    // Instruct/chat variants of a FIM family still know the tokens when sent raw.
    if (template) return { kind: 'template', template };
    return {
      kind: 'none',
      detail: `${this.opts.model} does not support fill-in-the-middle (no "insert" capability and no known FIM template). ` +
        'Use a FIM model such as qwen2.5-coder:1.5b-base.',
    };
  }

  /** A client whose every request is tied to `signal` (see the file comment). */
  private async client(signal?: AbortSignal) {
    const { Ollama } = await import('ollama');
    const base = this.baseFetch;
    const tied: typeof fetch = signal
      ? (input, init) => base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal })
      : base;
    return new Ollama({ host: this.opts.host, fetch: tied, ...(this.opts.token ? { headers: { Authorization: `Bearer ${this.opts.token}` } } : {}) });
  }
}

/** Ollama's final message reports durations in nanoseconds. */
function serverTimings(done: { total_duration: number; load_duration: number; prompt_eval_duration: number; eval_duration: number;
  prompt_eval_count: number; eval_count: number }): ServerTimings {
  return {
    totalMs: done.total_duration / NS_PER_MS,
    loadMs: done.load_duration / NS_PER_MS,
    promptEvalMs: done.prompt_eval_duration / NS_PER_MS,
    evalMs: done.eval_duration / NS_PER_MS,
    promptTokens: done.prompt_eval_count,
    outputTokens: done.eval_count,
  };
}

const PROBE_OUTPUT_TOKENS = 8;
/** Ordinary code, about 1,050 characters (~300 tokens): what a completion prompt is made of. */
const PROBE_TEXT = `${[
  'export function mergeIntervals(intervals: Array<[number, number]>): Array<[number, number]> {',
  '  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);',
  '  const merged: Array<[number, number]> = [];',
  '  for (const [start, end] of sorted) {',
  '    const last = merged[merged.length - 1];',
  '    if (last && start <= last[1]) {',
  '      last[1] = Math.max(last[1], end);',
  '    } else {',
  '      merged.push([start, end]);',
  '    }',
  '  }',
  '  return merged;',
  '}',
  '',
  'export function groupBy<T, K extends string>(items: readonly T[], key: (item: T) => K): Record<K, T[]> {',
  '  const out = {} as Record<K, T[]>;',
  '  for (const item of items) {',
  '    const k = key(item);',
  '    (out[k] ??= []).push(item);',
  '  }',
  '  return out;',
  '}',
  '',
  'export function chunk<T>(items: readonly T[], size: number): T[][] {',
  '  if (size <= 0) throw new RangeError(`size must be positive, got ${size}`);',
  '  const chunks: T[][] = [];',
  '  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));',
  '  return chunks;',
  '}',
].join('\n')}\n`;
