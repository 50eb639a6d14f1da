// Local completions through Ollama's native API, streamed, with one abortable connection per
// request. ollama-js has no per-request AbortSignal (`ollama.abort()` kills every stream of a
// client, and `break` out of the iterator leaves the server generating), so each request gets a
// client whose fetch is tied to the request's own signal: aborting closes that socket, and Ollama
// stops generating when its client disconnects.
import { fimTemplateForModel, fimTemplateFromOllamaTemplate, type FimTemplate } from '../shared/fimTemplates';
import {
  BackendError, type CompletionBackend, type FimRequest, type FimResult, type ModelHealth,
} from '../shared/modelBackend';
import { toBackendError } from './backendErrors';
import { elapsedMs, systemClock } from '../shared/clock';

export interface OllamaBackendOptions {
  host: string;
  model: string;
  /** Ollama's keep_alive: how long the model stays loaded after a request (e.g. '30m'). */
  keepAlive: string;
  /** For tests: the fetch the client uses underneath. */
  fetch?: typeof fetch;
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

  async checkHealth(signal?: AbortSignal): Promise<ModelHealth> {
    const client = await this.client(signal);
    let version: string | undefined;
    try {
      version = (await client.version()).version;
    } catch (e) {
      return healthFromError(toBackendError(e, this.opts.model), this.opts.model);
    }
    this.fimMode = undefined; // a health check is also how a freshly pulled model gets noticed
    try {
      const mode = await this.getFimMode(signal);
      if (mode.kind === 'none') return { kind: 'noFim', model: this.opts.model, detail: mode.detail };
      return { kind: 'ready', model: this.opts.model, fim: mode.kind, version };
    } catch (e) {
      return healthFromError(toBackendError(e, this.opts.model), this.opts.model);
    }
  }

  /** Loads the model into memory ahead of the first keystroke (an empty prompt is Ollama's load request). */
  async warmUp(signal?: AbortSignal): Promise<{ loadMs: number }> {
    const client = await this.client(signal);
    const started = systemClock.now();
    try {
      const r = await client.generate({ model: this.opts.model, prompt: '', keep_alive: this.opts.keepAlive, stream: false });
      // Ollama's answer to a load request carries no durations, so the load is what we waited.
      return { loadMs: r.load_duration ? r.load_duration / NS_PER_MS : elapsedMs(started) };
    } catch (e) {
      throw toBackendError(e, this.opts.model);
    }
  }

  async complete(req: FimRequest, signal: AbortSignal): Promise<FimResult> {
    const mode = await this.getFimMode(signal).catch((e) => { throw toBackendError(e, this.opts.model); });
    if (mode.kind === 'none') throw new BackendError('noFim', mode.detail);
    const template = mode.template;
    const stop = [...(template?.stop ?? []), ...req.stop];

    // Our own controller, so that shouldStop can close the connection without touching the caller's signal.
    const own = new AbortController();
    const onAbort = () => own.abort(signal.reason);
    if (signal.aborted) throw new BackendError('aborted', 'Request was cancelled.');
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
            server: {
              totalMs: chunk.total_duration / NS_PER_MS,
              loadMs: chunk.load_duration / NS_PER_MS,
              promptEvalMs: chunk.prompt_eval_duration / NS_PER_MS,
              evalMs: chunk.eval_duration / NS_PER_MS,
              promptTokens: chunk.prompt_eval_count,
              outputTokens: chunk.eval_count,
            },
          };
        }
      }
      throw new BackendError('badResponse', 'The Ollama stream ended without a final message.');
    } catch (e) {
      if (signal.aborted) throw new BackendError('aborted', 'Request was cancelled.', e);
      const err = toBackendError(e, this.opts.model);
      // The model lost `insert` (e.g. re-pulled as another variant): ask again next time.
      if (err.kind === 'noFim' || err.kind === 'modelMissing') this.fimMode = undefined;
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
    if (capabilities.includes('insert')) return { kind: 'native', template };
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
    return new Ollama({ host: this.opts.host, fetch: tied });
  }
}

export function healthFromError(e: BackendError, model: string): ModelHealth {
  switch (e.kind) {
    case 'offline': return { kind: 'offline', detail: e.message };
    case 'modelMissing': return { kind: 'modelMissing', model, detail: e.message };
    case 'noFim': return { kind: 'noFim', model, detail: e.message };
    default: return { kind: 'error', detail: e.message };
  }
}
