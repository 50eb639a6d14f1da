// Usage records for the cost ledger from what a chat reply reports, or an estimate when it reported
// nothing (a stream cut before its final usage chunk, a gateway that ignores include_usage, a cancel).

import type { UsageRecord } from '../shared/usageRecord';
import type { ChatMessage } from '../shared/refactorBackend';

/** The Chat Completions `usage` object, as far as we read it. */
export interface ChatUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export type EstimateTokens = (text: string) => number;

// OpenAI's cookbook ("How to count tokens with tiktoken") counts 3 tokens of framing per chat
// message plus 3 to prime the reply; close enough for an estimate that is labelled as one.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_REPLY_PRIMING = 3;

export function reportedChatUsage(usage: ChatUsage, model: string, requestId?: string): UsageRecord {
  return {
    model,
    inputTokens: count(usage.prompt_tokens),
    cachedInputTokens: count(usage.prompt_tokens_details?.cached_tokens),
    outputTokens: count(usage.completion_tokens),
    reasoningTokens: count(usage.completion_tokens_details?.reasoning_tokens),
    ...(requestId ? { requestId } : {}),
    source: 'reported',
  };
}

/**
 * An estimate from the text itself. Reasoning tokens cannot be seen in a chat stream, so an
 * estimate undercounts reasoning models; it is labelled 'estimated' so the ledger can say so.
 */
export function estimatedChatUsage(
  messages: readonly ChatMessage[],
  outputText: string,
  model: string,
  estimateTokens: EstimateTokens,
  requestId?: string,
): UsageRecord {
  let input = TOKENS_REPLY_PRIMING;
  for (const m of messages) input += TOKENS_PER_MESSAGE + estimateTokens(m.content);
  return {
    model,
    inputTokens: input,
    cachedInputTokens: 0,
    outputTokens: outputText === '' ? 0 : estimateTokens(outputText),
    reasoningTokens: 0,
    ...(requestId ? { requestId } : {}),
    source: 'estimated',
  };
}

function count(n: number | null | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}
