// The real chat backends, as the factories the cloud pipeline and the refactor service take: the
// adapters (extension, CLI) pass these in; tests pass their own.
import { countTokens } from '../cost/tokenCount';
import type { SettingsSnapshot, TandemSettings } from '../settings';
import type { RefactorBackend } from '../shared/refactorBackend';
import { OllamaChatBackend } from './ollamaChatBackend';
import { OpenAiChatBackend } from './openAiChatBackend';

/** How one cloud call is made, besides settings and key (the pipeline's CloudCallOptions). */
export interface ChatCallOptions {
  maxOutputTokens: number;
  timeoutMs: number;
  maxRateLimitRetries: number;
  useReasoningEffort: boolean;
}

export function openAiCloudBackend(s: SettingsSnapshot, apiKey: string, call: ChatCallOptions): RefactorBackend {
  return new OpenAiChatBackend({
    baseURL: s.cloud.baseUrl,
    apiKey,
    model: s.cloud.model,
    ...(call.useReasoningEffort && s.cloud.reasoningEffort !== 'default' ? { reasoningEffort: s.cloud.reasoningEffort } : {}),
    maxOutputTokens: call.maxOutputTokens,
    timeoutMs: call.timeoutMs,
    maxRateLimitRetries: call.maxRateLimitRetries,
    estimateTokens: countTokens,
  });
}

export function ollamaLocalChatBackend(s: TandemSettings): RefactorBackend {
  return new OllamaChatBackend({
    host: s.local.endpoint, model: s.local.model, maxOutputTokens: s.cloud.maxOutputTokens,
    timeoutMs: s.cloud.timeoutSeconds * 1000, keepAlive: s.local.keepAlive, estimateTokens: countTokens,
  });
}
