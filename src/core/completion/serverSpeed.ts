// How fast the local server processes prompts, learned from what it reports (Ollama's
// prompt_eval_count / prompt_eval_duration), and the suffix window that speed affords.
//
// A llama.cpp-based server reuses its KV cache only for the common start of consecutive prompts.
// In prefix-suffix-middle order (the only order Qwen2.5-Coder and most FIM models were trained on)
// each keystroke changes the end of the prefix, so the whole suffix after it is processed again on
// every request: at 1,500 prompt tokens/s (a laptop GPU) 300 suffix tokens cost 200 ms, at 200/s
// (CPU only) 1.5 s, more than a natural pause. The suffix is therefore sized so that its
// reprocessing fits a fixed time budget on the server at hand; a fast server keeps the full window.
import type { ServerTimings } from '../shared/modelBackend';
import { CHARS_PER_TOKEN } from './promptWindow';

/** Reprocessing the suffix on each request should cost at most this much server time. */
export const SUFFIX_BUDGET_MS = 60;
/** Never less than this much suffix: the next line or two say most about what the middle must fit. */
export const MIN_SUFFIX_CHARS = 160;
const SUFFIX_STEP_CHARS = 80;
/** Samples with fewer prompt tokens are dominated by fixed costs and say little about the rate. */
const MIN_SAMPLE_TOKENS = 16;
/** Weight of the newest sample. */
const ALPHA = 0.3;

export class ServerSpeed {
  private tokensPerSec: number | undefined;

  /** A finished request's server-reported timings (absent when the stream was closed early). */
  note(server: ServerTimings | undefined): void {
    const tokens = server?.promptTokens;
    const ms = server?.promptEvalMs;
    if (tokens === undefined || ms === undefined || !(tokens >= MIN_SAMPLE_TOKENS) || !(ms > 0)) return;
    const rate = (tokens * 1000) / ms;
    if (!Number.isFinite(rate)) return;
    this.tokensPerSec = this.tokensPerSec === undefined ? rate : this.tokensPerSec + ALPHA * (rate - this.tokensPerSec);
  }

  /** Prompt tokens per second, once a request has reported it. */
  promptTokensPerSec(): number | undefined {
    return this.tokensPerSec;
  }

  /** The suffix window for this server: `maxChars` until its speed is known, then what fits the budget. */
  suffixChars(maxChars: number): number {
    if (this.tokensPerSec === undefined) return maxChars;
    // In steps, so the window (and the prompts' cache keys) do not change with every new sample.
    const affordable = Math.floor((this.tokensPerSec * SUFFIX_BUDGET_MS * CHARS_PER_TOKEN) / 1000 / SUFFIX_STEP_CHARS) * SUFFIX_STEP_CHARS;
    return Math.min(maxChars, Math.max(Math.min(MIN_SUFFIX_CHARS, maxChars), affordable));
  }

  reset(): void {
    this.tokensPerSec = undefined;
  }
}
