// What one cloud request consumed, in the API's own terms. The refactor command builds these from
// the reply's `usage` (or an estimate when the stream lost it); cost math and the ledger read them.

export interface UsageRecord {
  model: string;
  /** All prompt tokens, cached ones included (OpenAI's prompt_tokens / input_tokens). */
  inputTokens: number;
  /** The part of inputTokens served from the prompt cache (billed at the cached rate). */
  cachedInputTokens: number;
  /** All generated tokens, reasoning included (OpenAI's completion_tokens / output_tokens). */
  outputTokens: number;
  /** The part of outputTokens spent on reasoning: shown to the user, never billed twice. */
  reasoningTokens: number;
  requestId?: string;
  /** 'estimated' when the API reported nothing (e.g. a stream cut before its usage chunk). */
  source: 'reported' | 'estimated';
}
