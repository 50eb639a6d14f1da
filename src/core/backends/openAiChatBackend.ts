// The refactor command's cloud call: one streamed Chat Completion through the openai SDK. Chat
// Completions (not the Responses API) because OpenAI-compatible gateways speak it too, and
// `stream_options.include_usage` makes the last chunk carry the token counts the cost ledger needs.
//
// The SDK's own retries are off (maxRetries 0): it would retry 429s and 5xx silently, with no
// bound we choose, no cancel during its back-off and no record of tokens spent. We retry 429 here,
// honouring Retry-After, a bounded number of times, with a sleep the user can cancel.

import type { ClientOptions, OpenAI } from 'openai';
import type { ReasoningEffort } from '../settings';
import { abortableSleep, type Sleep } from '../shared/clock';
import { backendFailure, type BackendFailure } from '../shared/backendFailure';
import { endpointLabel, failureFromError, type FailureContext } from './failureFromError';
import type { ChatMessage, RefactorBackend, RefactorRunResult } from '../shared/refactorBackend';
import { estimatedChatUsage, reportedChatUsage, type ChatUsage, type EstimateTokens } from './refactorUsage';
import { retryAfterMs } from './retryAfter';
import type { UsageRecord } from '../shared/usageRecord';
import { IdleTimeout } from './idleTimeout';

type OpenAiSdk = typeof import('openai');

export interface OpenAiChatBackendOptions {
  baseURL: string;
  apiKey: string;
  model: string;
  /** Omitted: the model's default effort (the parameter is not sent). */
  reasoningEffort?: ReasoningEffort;
  maxOutputTokens: number;
  /** No byte from the server for this long (before or during the stream) ends the request. */
  timeoutMs: number;
  /** How many times a 429 is retried before giving up. */
  maxRateLimitRetries: number;
  /** A Retry-After longer than this is not waited out: the user is told instead. Default 30 s. */
  maxRetryWaitMs?: number;
  /** Counts tokens when the server reported none (the cost piece supplies a real tokenizer). */
  estimateTokens: EstimateTokens;
  sleep?: Sleep;
  now?: () => number;
  /** Builds the SDK client; tests and gateways with odd auth can supply their own. */
  clientFactory?: (sdk: OpenAiSdk, options: ClientOptions) => OpenAI;
}

const DEFAULT_MAX_RETRY_WAIT_MS = 30_000;
// When Retry-After is missing: short, because the user is watching a progress notification.
const FALLBACK_RETRY_MS = 1_000;
const OPENAI_HOST = 'api.openai.com';

let loadedSdk: OpenAiSdk | undefined;
/**
 * Loaded on first use so activating the extension does not pay for the SDK. A require inside the
 * function (not `import()`) keeps it lazy in the esbuild bundle too, and gives the same module
 * instance a static import elsewhere would: `import()` under Node loads the ESM copy, whose error
 * classes fail `instanceof` against the CommonJS ones.
 */
function loadSdk(): OpenAiSdk {
  loadedSdk ??= require('openai') as OpenAiSdk;
  return loadedSdk;
}

/** One attempt's end: a final result, or a 429 asking to come back later. */
type Attempt = { kind: 'done'; result: RefactorRunResult } | { kind: 'rateLimited'; waitMs: number | undefined; failure: BackendFailure };

export class OpenAiChatBackend implements RefactorBackend {
  readonly route = 'cloud';
  readonly model: string;
  private client: OpenAI | undefined;

  constructor(private readonly opts: OpenAiChatBackendOptions) {
    this.model = opts.model;
  }

  async run(messages: readonly ChatMessage[], signal: AbortSignal, onProgress?: (chars: number) => void): Promise<RefactorRunResult> {
    if (signal.aborted) return { kind: 'cancelled', partialText: '' };
    if (this.opts.apiKey.trim() === '' && endpointLabel(this.opts.baseURL) === OPENAI_HOST) {
      // Without this check the SDK would fall back to the OPENAI_API_KEY environment variable.
      return { kind: 'error', partialText: '', error: backendFailure('unauthorized', 'No OpenAI API key is set; set one to use the refactor command.', { action: 'setApiKey' }) };
    }
    const sdk = loadSdk();
    let client: OpenAI;
    try {
      client = this.client ??= this.makeClient(sdk);
    } catch (err) {
      // The constructor validates its options (e.g. a malformed base URL); run() never rejects.
      return { kind: 'error', partialText: '', error: failureFromError(err, this.failures(sdk)) };
    }
    const sleep = this.opts.sleep ?? abortableSleep;
    const maxWait = this.opts.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS;

    for (let retries = 0; ; retries++) {
      const attempt = await this.attempt(sdk, client, messages, signal, onProgress);
      if (attempt.kind === 'done') return attempt.result;
      // A 429 costs no tokens; the record says the request reached the server.
      const usage = this.zeroUsage(attempt.failure.requestId);
      if (retries >= this.opts.maxRateLimitRetries) {
        return { kind: 'error', partialText: '', usage, error: attempt.failure };
      }
      const waitMs = attempt.waitMs ?? FALLBACK_RETRY_MS;
      if (waitMs > maxWait) {
        const seconds = Math.ceil(waitMs / 1000);
        return {
          kind: 'error',
          partialText: '',
          usage,
          error: { ...attempt.failure, message: `${endpointLabel(this.opts.baseURL)} is rate limiting requests (429); try again in about ${seconds} s.` },
        };
      }
      await sleep(waitMs, signal);
      if (signal.aborted) return { kind: 'cancelled', partialText: '', usage };
    }
  }

  /** How this backend's failures are worded: the cloud, a chat reply, never quoting the key. */
  private failures(sdk: OpenAiSdk): FailureContext {
    return { side: 'cloud', client: sdk, baseURL: this.opts.baseURL, model: this.model, secrets: [this.opts.apiKey], chat: true };
  }

  private makeClient(sdk: OpenAiSdk): OpenAI {
    const host = endpointLabel(this.opts.baseURL);
    const options: ClientOptions = {
      baseURL: this.opts.baseURL,
      // Local gateways (LM Studio, vLLM) take any key; the SDK refuses an empty one.
      apiKey: this.opts.apiKey.trim() === '' ? 'no-key' : this.opts.apiKey,
      timeout: this.opts.timeoutMs,
      maxRetries: 0,
      // The SDK logs unparseable chunks to the console verbatim: that is the user's code. Failures
      // come back as data instead.
      logLevel: 'off',
      // Azure OpenAI's v1 endpoint reads the key from `api-key`; other hosts never get it twice.
      ...(/\.azure\.com(:\d+)?$/i.test(host) ? { defaultHeaders: { 'api-key': this.opts.apiKey } } : {}),
    };
    return this.opts.clientFactory ? this.opts.clientFactory(sdk, options) : new sdk.OpenAI(options);
  }

  private async attempt(
    sdk: OpenAiSdk,
    client: OpenAI,
    messages: readonly ChatMessage[],
    signal: AbortSignal,
    onProgress: ((chars: number) => void) | undefined,
  ): Promise<Attempt> {
    // The SDK's `timeout` only covers the wait for response headers; a stream that stalls after
    // them would hang forever. One idle timer covers both, reset on every chunk.
    const idle = new IdleTimeout(this.opts.timeoutMs);
    const combined = AbortSignal.any([signal, idle.signal]);

    let text = '';
    let usage: ChatUsage | undefined;
    let finish: string | null = null;
    let requestId: string | undefined;
    let streaming = false;
    const estimate = () => estimatedChatUsage(messages, text, this.model, this.opts.estimateTokens, requestId);
    const timeoutFailure = () =>
      backendFailure('timeout', `${endpointLabel(this.opts.baseURL)} stopped answering for ${Math.round(this.opts.timeoutMs / 1000)} s; nothing was applied.`, {
        action: 'retry',
        ...(requestId ? { requestId } : {}),
      });

    idle.arm();
    try {
      const { data: stream, request_id } = await client.chat.completions
        .create(
          {
            model: this.model,
            messages: messages.map((m) => ({ role: m.role, content: m.content })),
            stream: true,
            stream_options: { include_usage: true },
            max_completion_tokens: this.opts.maxOutputTokens,
            ...(this.opts.reasoningEffort ? { reasoning_effort: this.opts.reasoningEffort } : {}),
          },
          { signal: combined },
        )
        .withResponse();
      streaming = true;
      requestId = request_id ?? undefined;
      idle.arm();
      for await (const chunk of stream) {
        idle.arm();
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content;
        if (delta) {
          text += delta;
          onProgress?.(text.length);
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
    } catch (err) {
      idle.clear();
      if (signal.aborted) return done({ kind: 'cancelled', partialText: text, usage: estimate() });
      if (idle.timedOut) return done({ kind: 'error', partialText: text, usage: estimate(), error: timeoutFailure() });
      const failure = failureFromError(err, this.failures(sdk));
      // A 429 worth waiting for (not out of quota) is retried; it comes before any stream.
      if (!streaming && failure.kind === 'rateLimited' && failure.action === 'retry') {
        const headers = (err as { headers?: Headers }).headers;
        return { kind: 'rateLimited', waitMs: retryAfterMs(headers, (this.opts.now ?? Date.now)()), failure };
      }
      return done({ kind: 'error', partialText: text, error: failure, ...this.failureUsage(failure, streaming, estimate) });
    }
    idle.clear();

    // The SDK ends the stream quietly (no throw) when its signal aborts mid-stream.
    if (signal.aborted) return done({ kind: 'cancelled', partialText: text, usage: estimate() });
    if (idle.timedOut) return done({ kind: 'error', partialText: text, usage: estimate(), error: timeoutFailure() });

    const record = usage ? reportedChatUsage(usage, this.model, requestId) : estimate();
    const ids = requestId ? { requestId } : {};
    if (finish === null) {
      // A clean end of the body without any finish_reason: a proxy or server cut the reply short.
      return done({
        kind: 'error',
        partialText: text,
        usage: record,
        error: backendFailure('network', `The reply from ${endpointLabel(this.opts.baseURL)} ended before it finished; nothing was applied.`, { action: 'retry', ...ids }),
      });
    }
    if (finish === 'length') {
      return done({
        kind: 'error',
        partialText: text,
        usage: record,
        error: backendFailure('truncated', `The reply hit the ${this.opts.maxOutputTokens}-token limit before the code was complete; raise tandem.cloud.maxOutputTokens or select less.`, { action: 'openSettings', ...ids }),
      });
    }
    if (finish === 'content_filter') {
      return done({ kind: 'error', partialText: text, usage: record, error: backendFailure('unknown', 'The provider\'s content filter stopped the reply; nothing was applied.', ids) });
    }
    return done({ kind: 'ok', text, usage: record, ...ids });
  }

  /** Which record a failed attempt leaves: tokens may have been spent only once the server had it. */
  private failureUsage(failure: BackendFailure, streaming: boolean, estimate: () => UsageRecord): { usage?: UsageRecord } {
    if (streaming) return { usage: estimate() };
    // An HTTP error status: the server turned the request away before generating anything.
    if (failure.status !== undefined) return { usage: this.zeroUsage(failure.requestId) };
    // Timed out waiting for headers: the server may be working on it, so count the input.
    if (failure.kind === 'timeout') return { usage: estimate() };
    return {};
  }

  private zeroUsage(requestId: string | undefined): UsageRecord {
    return {
      model: this.model,
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
      ...(requestId ? { requestId } : {}),
      source: 'reported',
    };
  }
}

function done(result: RefactorRunResult): Attempt {
  return { kind: 'done', result };
}
