// How fast the local server works, learned from what it reports (Ollama's prompt_eval_count /
// prompt_eval_duration and eval_count / eval_duration), and the limits that speed affords.
//
// A llama.cpp-based server reuses its KV cache only for the common start of consecutive prompts.
// In prefix-suffix-middle order (the only order Qwen2.5-Coder and most FIM models were trained on)
// each keystroke changes the end of the prefix, so the whole suffix after it is processed again on
// every request: at 1,500 prompt tokens/s (a laptop GPU) 300 suffix tokens cost 200 ms, at 200/s
// (CPU only) 1.5 s, more than a natural pause. The suffix is therefore sized so that its
// reprocessing fits a fixed time budget on the server at hand; a fast server keeps the full window.
//
// Generation is bounded the same way: one request may hold the server's only slot for at most
// about GENERATION_CEILING_MS, so on a CPU a rambling answer cannot keep the next pause's request
// waiting (45 ms a token: 44 tokens, a few lines; a GPU at 10 ms keeps 200).
//
// Most requests are closed early (a single line ends at its first newline, a stale one is aborted)
// and report nothing, so the rate can also come from the warm-up probe (`measured`), which is used
// until a completion of this engine has reported its own.
import type { ServerTimings } from '../shared/modelBackend';
import { CHARS_PER_TOKEN } from './promptWindow';

/**
 * Reprocessing the suffix on each request should cost at most this much server time. At 60 ms a
 * laptop-class server (1,500 tokens/s) got 240 characters and processed about 73 prompt tokens a
 * request in the editor benchmark, 7.7-7.9 a keystroke at 0.1 requests a keystroke; at 40 ms it gets
 * the minimum window (the next two to four lines).
 */
export const SUFFIX_BUDGET_MS = 40;
/** Never less than this much suffix: the next line or two say most about what the middle must fit. */
export const MIN_SUFFIX_CHARS = 160;
/** Generation one request may cost the server, at the server's own token rate. */
export const GENERATION_CEILING_MS = 2000;
/** Never fewer tokens than this: a couple of lines, however slow the server. */
export const MIN_CEILING_TOKENS = 24;
const SUFFIX_STEP_CHARS = 80;
/** Samples with fewer prompt tokens are dominated by fixed costs and say little about the rate. */
const MIN_SAMPLE_TOKENS = 16;
/** Fewer generated tokens than this say little about the token interval. */
const MIN_SAMPLE_OUTPUT = 4;
/** Weight of the newest sample. */
const ALPHA = 0.3;

interface Rates {
  promptTokensPerSec?: number;
  msPerToken?: number;
}

function ratesOf(server: ServerTimings | undefined): Rates {
  const out: Rates = {};
  const tokens = server?.promptTokens;
  const ms = server?.promptEvalMs;
  if (tokens !== undefined && ms !== undefined && tokens >= MIN_SAMPLE_TOKENS && ms > 0) {
    const rate = (tokens * 1000) / ms;
    if (Number.isFinite(rate)) out.promptTokensPerSec = rate;
  }
  const outputTokens = server?.outputTokens;
  const evalMs = server?.evalMs;
  if (outputTokens !== undefined && evalMs !== undefined && outputTokens >= MIN_SAMPLE_OUTPUT && evalMs > 0) {
    out.msPerToken = evalMs / outputTokens;
  }
  return out;
}

const average = (old: number | undefined, sample: number | undefined): number | undefined =>
  sample === undefined ? old : old === undefined ? sample : old + ALPHA * (sample - old);

export class ServerSpeed {
  private learned: Rates = {};

  /** A finished request's server-reported timings (absent when the stream was closed early). */
  note(server: ServerTimings | undefined): void {
    const sample = ratesOf(server);
    this.learned = {
      promptTokensPerSec: average(this.learned.promptTokensPerSec, sample.promptTokensPerSec),
      msPerToken: average(this.learned.msPerToken, sample.msPerToken),
    };
  }

  /** Prompt tokens per second: learned from completions, else from `measured` (the warm-up probe). */
  promptTokensPerSec(measured?: ServerTimings): number | undefined {
    return this.learned.promptTokensPerSec ?? ratesOf(measured).promptTokensPerSec;
  }

  /** Milliseconds per generated token, learned or measured. */
  msPerToken(measured?: ServerTimings): number | undefined {
    return this.learned.msPerToken ?? ratesOf(measured).msPerToken;
  }

  /** The suffix window for this server: `maxChars` until its speed is known, then what fits the budget. */
  suffixChars(maxChars: number, measured?: ServerTimings): number {
    const rate = this.promptTokensPerSec(measured);
    if (rate === undefined) return maxChars;
    // In steps, so the window (and the prompts' cache keys) do not change with every new sample.
    const affordable = Math.floor((rate * SUFFIX_BUDGET_MS * CHARS_PER_TOKEN) / 1000 / SUFFIX_STEP_CHARS) * SUFFIX_STEP_CHARS;
    return Math.min(maxChars, Math.max(Math.min(MIN_SUFFIX_CHARS, maxChars), affordable));
  }

  /** The generation cap for this server: `configured` until its token rate is known, then the ceiling's share. */
  maxTokens(configured: number, measured?: ServerTimings): number {
    const ms = this.msPerToken(measured);
    if (ms === undefined) return configured;
    // In steps of 8 tokens, for the same reason as the suffix window.
    const affordable = Math.floor(GENERATION_CEILING_MS / ms / 8) * 8;
    return Math.min(configured, Math.max(MIN_CEILING_TOKENS, affordable));
  }

  reset(): void {
    this.learned = {};
  }
}
