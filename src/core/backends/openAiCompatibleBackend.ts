// Local completions from an OpenAI-compatible server (llama.cpp server, vLLM, LM Studio) through
// /v1/completions: how a team shares one inference server. These servers take a plain prompt, so
// the FIM prompt is built here with the model family's template.
import { fimTemplateForModel } from '../shared/fimTemplates';
import {
  BackendError, type CompletionBackend, type FimRequest, type FimResult, type ModelHealth,
} from '../shared/modelBackend';
import { backendFailure, CANCELLED } from '../shared/backendFailure';
import { failureFromError, healthFromFailure, toBackendError, type FailureContext } from './failureFromError';
import { elapsedMs, systemClock } from '../shared/clock';

export interface OpenAiCompatibleBackendOptions {
  /** Base URL up to and including /v1, e.g. http://gpu-box:8000/v1. A bare host gets /v1 appended. */
  endpoint: string;
  model: string;
  /**
   * Bearer token (vLLM's --api-key, a LiteLLM key, an auth proxy); without one no Authorization
   * header is sent. The caller decides whether this endpoint may receive it (see localTokenFor).
   */
  token?: string;
  fetch?: typeof fetch;
}

export class OpenAiCompatibleBackend implements CompletionBackend {
  constructor(private readonly opts: OpenAiCompatibleBackendOptions) {}

  private get baseURL(): string {
    const e = this.opts.endpoint.replace(/\/+$/, '');
    return /\/v1$/.test(e) ? e : `${e}/v1`;
  }

  /** How this backend's failures are worded: a local server, never quoting the token. */
  private get failures(): FailureContext {
    const { model, token } = this.opts;
    return { side: 'local', client: sdk(), baseURL: this.baseURL, model, tokenSent: Boolean(token), secrets: token ? [token] : [] };
  }

  private get noTemplate(): string {
    return `No fill-in-the-middle template is known for ${this.opts.model}.`;
  }

  async checkHealth(signal?: AbortSignal): Promise<ModelHealth> {
    let ids: string[];
    try {
      const client = await this.client();
      ids = (await client.models.list({ signal })).data.map((m) => m.id);
    } catch (e) {
      return healthFromFailure(failureFromError(e, this.failures), this.opts.model);
    }
    // Without a template no prompt can be built, whatever the server holds: say that first.
    if (!fimTemplateForModel(this.opts.model)) return { kind: 'noFim', model: this.opts.model, detail: this.noTemplate };
    // llama.cpp lists the loaded file under whatever alias it was started with; accept a name
    // match either way round rather than insisting on exact ids.
    const present = ids.length === 0 || ids.some((id) => id === this.opts.model || id.includes(this.opts.model) || this.opts.model.includes(id));
    if (!present) {
      return { kind: 'modelMissing', model: this.opts.model, detail: `The server serves ${ids.join(', ')}, not ${this.opts.model}.` };
    }
    return { kind: 'ready', model: this.opts.model, fim: 'template' };
  }

  async complete(req: FimRequest, signal: AbortSignal): Promise<FimResult> {
    const template = fimTemplateForModel(this.opts.model);
    if (!template) throw new BackendError(backendFailure('noFim', this.noTemplate, { action: 'openSettings' }));
    if (signal.aborted) throw new BackendError(CANCELLED);
    const own = new AbortController();
    const onAbort = () => own.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const started = systemClock.now();
    let firstTokenMs = -1;
    let text = '';
    try {
      const client = await this.client();
      const stream = await client.completions.create({
        model: this.opts.model,
        prompt: template.build(req.prefix, req.suffix),
        max_tokens: req.maxTokens,
        temperature: req.temperature,
        stop: [...template.stop, ...req.stop],
        stream: true,
        // The server's own token counts arrive in a last chunk (llama.cpp server and vLLM send it; a
        // server that ignores the option sends none and the completion just has no counts).
        stream_options: { include_usage: true },
      }, { signal: own.signal });
      let finish: FimResult['finish'] = 'stop';
      let server: FimResult['server'] = {};
      for await (const chunk of stream) {
        if (chunk.usage) server = { promptTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        if (choice.text) {
          if (firstTokenMs < 0) firstTokenMs = elapsedMs(started);
          text += choice.text;
          if (req.shouldStop?.(text)) {
            own.abort('enough');
            return { text, finish: 'client', firstTokenMs, totalMs: elapsedMs(started), server: {} };
          }
        }
        if (choice.finish_reason === 'length') finish = 'length';
      }
      return { text, finish, firstTokenMs: firstTokenMs < 0 ? elapsedMs(started) : firstTokenMs, totalMs: elapsedMs(started), server };
    } catch (e) {
      if (signal.aborted) throw new BackendError(CANCELLED, e);
      throw toBackendError(e, this.failures);
    } finally {
      signal.removeEventListener('abort', onAbort);
      own.abort('finished');
    }
  }

  private async client() {
    return new (sdk().OpenAI)({
      baseURL: this.baseURL,
      // The SDK insists on a key; without a token the header it would carry is removed (null
      // clears a header in the SDK), so no placeholder key reaches the server or its logs.
      apiKey: this.opts.token || 'unused',
      ...(this.opts.token ? {} : { defaultHeaders: { Authorization: null } }),
      // A stale completion is worthless: never retry, the next keystroke asks again.
      maxRetries: 0,
      timeout: 30_000,
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
    });
  }
}

/** require, not import(): one copy of the SDK everywhere, so its error classes match (see openAiChatBackend.ts). */
function sdk(): typeof import('openai') {
  return require('openai') as typeof import('openai');
}
