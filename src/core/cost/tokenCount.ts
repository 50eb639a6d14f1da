// Token counts with the tokenizer GPT-5-family models use (o200k_base). The encoding tables are
// ~2.4 MB of JavaScript, so they load on the first count, not when the extension activates.

type O200k = typeof import('gpt-tokenizer/encoding/o200k_base');

let tokenizer: O200k | undefined;

// User code may legitimately contain text such as "<|endoftext|>"; gpt-tokenizer throws on special
// tokens by default, so count them as the plain text the API will also see.
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

function load(): O200k {
  // A require inside the function (not a top-level import) is what keeps the load lazy, both under
  // plain Node and in the esbuild bundle, which wraps CommonJS modules in on-demand initialisers.
  tokenizer ??= require('gpt-tokenizer/encoding/o200k_base') as O200k;
  return tokenizer;
}

export function countTokens(text: string): number {
  if (text === '') return 0;
  return load().countTokens(text, AS_PLAIN_TEXT);
}

/** Whether the encoding tables are in memory yet (activation should leave this false). */
export function isTokenizerLoaded(): boolean {
  return tokenizer !== undefined;
}

export interface ChatMessageText {
  role: string;
  content: string;
}

// OpenAI's cookbook ("How to count tokens with tiktoken") counts 3 framing tokens per chat message
// plus 3 that prime the reply. Newer models may differ by a few tokens; estimates are labelled so.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_REPLY_PRIMING = 3;

export function countChatTokens(messages: readonly ChatMessageText[]): number {
  let total = TOKENS_REPLY_PRIMING;
  for (const m of messages) total += TOKENS_PER_MESSAGE + countTokens(m.content);
  return total;
}
