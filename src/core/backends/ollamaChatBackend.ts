// The refactor command on the local model, for privacy mode `localOnly`: Ollama's /api/chat,
// streamed. ollama-js has no per-request AbortSignal (`ollama.abort()` kills every stream of a
// client, and `break` leaves the server generating), so each run gets its own client whose fetch is
// tied to the run's signal: aborting closes the socket, and Ollama stops when its client goes away.

import type { Ollama } from 'ollama';
import { backendFailure, type BackendFailure } from '../shared/backendFailure';
import { failureFromError } from './failureFromError';
import type { ChatMessage, RefactorBackend, RefactorRunResult } from '../shared/refactorBackend';
import { estimatedChatUsage, type EstimateTokens } from './refactorUsage';
import type { UsageRecord } from '../shared/usageRecord';
import { IdleTimeout } from './idleTimeout';

type OllamaSdk = typeof import('ollama');

export interface OllamaChatBackendOptions {
  host: string;
  model: string;
  maxOutputTokens: number;
  /** No byte from Ollama for this long ends the run. Loading a model counts, so be generous. */
  timeoutMs: number;
  /** Ollama's keep_alive (e.g. '30m'). */
  keepAlive?: string;
  temperature?: number;
  /** Upper bound for num_ctx; the window is sized to the prompt so long selections are not cut. */
  maxContextTokens?: number;
  estimateTokens: EstimateTokens;
  /** For tests: the fetch the client uses underneath. */
  fetch?: typeof fetch;
}

// Ollama's default context (2048 tokens before 0.6, 4096 after) silently drops the start of a
// longer prompt, which for a refactor is the instruction itself. So num_ctx is always sent.
const MIN_CONTEXT_TOKENS = 4096;
const DEFAULT_MAX_CONTEXT_TOKENS = 32768;
const CONTEXT_MARGIN_TOKENS = 256;

let loadedSdk: OllamaSdk | undefined;
/** Loaded on first use; require (not `import()`) so the CommonJS copy is the one everyone shares. */
function loadSdk(): OllamaSdk {
  loadedSdk ??= require('ollama') as OllamaSdk;
  return loadedSdk;
}

export class OllamaChatBackend implements RefactorBackend {
  readonly route = 'local';
  readonly model: string;

  constructor(private readonly opts: OllamaChatBackendOptions) {
    this.model = opts.model;
  }

  async run(messages: readonly ChatMessage[], signal: AbortSignal, onProgress?: (chars: number) => void): Promise<RefactorRunResult> {
    if (signal.aborted) return { kind: 'cancelled', partialText: '' };
    const idle = new IdleTimeout(this.opts.timeoutMs);
    const client = this.client(AbortSignal.any([signal, idle.signal]));

    let text = '';
    let streaming = false;
    let final: { done_reason?: string; prompt_eval_count?: number; eval_count?: number } | undefined;
    const estimate = () => estimatedChatUsage(messages, text, this.model, this.opts.estimateTokens);

    idle.arm();
    try {
      const stream = await client.chat({
        model: this.model,
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        stream: true,
        ...(this.opts.keepAlive ? { keep_alive: this.opts.keepAlive } : {}),
        options: {
          num_predict: this.opts.maxOutputTokens,
          num_ctx: this.contextTokens(messages),
          ...(this.opts.temperature !== undefined ? { temperature: this.opts.temperature } : {}),
        },
      });
      streaming = true;
      idle.arm();
      for await (const chunk of stream) {
        idle.arm();
        const delta = chunk.message?.content;
        if (delta) {
          text += delta;
          onProgress?.(text.length);
        }
        if (chunk.done) final = chunk;
      }
    } catch (err) {
      idle.clear();
      if (signal.aborted) return { kind: 'cancelled', partialText: text, ...(streaming ? { usage: estimate() } : {}) };
      if (idle.timedOut) return { kind: 'error', partialText: text, usage: estimate(), error: this.timeoutFailure() };
      const failure = failureFromError(err, { side: 'local', client: 'ollama', server: 'Ollama', baseURL: this.opts.host, model: this.model, chat: true });
      return { kind: 'error', partialText: text, error: failure, ...(streaming ? { usage: estimate() } : {}) };
    }
    idle.clear();
    if (signal.aborted) return { kind: 'cancelled', partialText: text, usage: estimate() };

    // ollama-js throws when the stream ends without `done`, so `final` is set here.
    const usage: UsageRecord = final && typeof final.prompt_eval_count === 'number'
      ? {
          model: this.model,
          inputTokens: final.prompt_eval_count,
          cachedInputTokens: 0,
          outputTokens: final.eval_count ?? 0,
          reasoningTokens: 0,
          source: 'reported',
        }
      : estimate();
    if (final?.done_reason === 'length') {
      return {
        kind: 'error',
        partialText: text,
        usage,
        error: backendFailure('truncated', `The local model hit the ${this.opts.maxOutputTokens}-token limit before the code was complete; select less or raise the limit.`, { action: 'openSettings' }),
      };
    }
    return { kind: 'ok', text, usage };
  }

  /** A client per run whose every request carries the run's signal (see the file comment). */
  private client(signal: AbortSignal): Ollama {
    const base = this.opts.fetch ?? fetch;
    const tied: typeof fetch = (input, init) =>
      base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    return new (loadSdk().Ollama)({ host: this.opts.host, fetch: tied });
  }

  private contextTokens(messages: readonly ChatMessage[]): number {
    const max = this.opts.maxContextTokens ?? DEFAULT_MAX_CONTEXT_TOKENS;
    const input = estimatedChatUsage(messages, '', this.model, this.opts.estimateTokens).inputTokens;
    const wanted = input + this.opts.maxOutputTokens + CONTEXT_MARGIN_TOKENS;
    return Math.min(max, Math.max(MIN_CONTEXT_TOKENS, wanted));
  }

  private timeoutFailure(): BackendFailure {
    return backendFailure('timeout', `Ollama did not answer for ${Math.round(this.opts.timeoutMs / 1000)} s; nothing was applied.`, { action: 'retry' });
  }
}
