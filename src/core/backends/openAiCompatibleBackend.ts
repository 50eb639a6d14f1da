// Local completions from an OpenAI-compatible server (llama.cpp server, vLLM, LM Studio) through
// /v1/completions: how a team shares one inference server. These servers take a plain prompt, so
// the FIM prompt is built here with the model family's template.
import { fimTemplateForModel } from '../shared/fimTemplates';
import {
  BackendError, type CompletionBackend, type FimRequest, type FimResult, type ModelHealth,
} from '../shared/modelBackend';
import { toBackendError } from './backendErrors';
import { healthFromError } from './ollamaBackend';
import { elapsedMs, systemClock } from '../shared/clock';

export interface OpenAiCompatibleBackendOptions {
  /** Base URL up to and including /v1, e.g. http://gpu-box:8000/v1. A bare host gets /v1 appended. */
  endpoint: string;
  model: string;
  /** Most shared servers need none; sent as a bearer token when set. */
  apiKey?: string;
  fetch?: typeof fetch;
}

export class OpenAiCompatibleBackend implements CompletionBackend {
  constructor(private readonly opts: OpenAiCompatibleBackendOptions) {}

  private get baseURL(): string {
    const e = this.opts.endpoint.replace(/\/+$/, '');
    return /\/v1$/.test(e) ? e : `${e}/v1`;
  }

  async checkHealth(signal?: AbortSignal): Promise<ModelHealth> {
    let ids: string[];
    try {
      const client = await this.client();
      ids = (await client.models.list({ signal })).data.map((m) => m.id);
    } catch (e) {
      return healthFromError(toBackendError(e, this.opts.model), this.opts.model);
    }
    // Without a template no prompt can be built, whatever the server holds: say that first.
    if (!fimTemplateForModel(this.opts.model)) {
      return { kind: 'noFim', model: this.opts.model, detail: `No fill-in-the-middle template is known for ${this.opts.model}.` };
    }
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
    if (!template) throw new BackendError('noFim', `No fill-in-the-middle template is known for ${this.opts.model}.`);
    if (signal.aborted) throw new BackendError('aborted', 'Request was cancelled.');
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
      }, { signal: own.signal });
      let finish: FimResult['finish'] = 'stop';
      for await (const chunk of stream) {
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
      return { text, finish, firstTokenMs: firstTokenMs < 0 ? elapsedMs(started) : firstTokenMs, totalMs: elapsedMs(started), server: {} };
    } catch (e) {
      if (signal.aborted) throw new BackendError('aborted', 'Request was cancelled.', e);
      throw toBackendError(e, this.opts.model);
    } finally {
      signal.removeEventListener('abort', onAbort);
      own.abort('finished');
    }
  }

  private async client() {
    // require, not import(): one copy of the SDK everywhere (see openAiChatBackend.ts).
    const OpenAI = (require('openai') as typeof import('openai')).default;
    return new OpenAI({
      baseURL: this.baseURL,
      // The SDK insists on a key; local servers ignore it.
      apiKey: this.opts.apiKey || 'not-needed',
      // A stale completion is worthless: never retry, the next keystroke asks again.
      maxRetries: 0,
      timeout: 30_000,
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
    });
  }
}
