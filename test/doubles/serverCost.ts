// What a llama.cpp-based server (Ollama included) charges for a completion, for the Ollama double:
// one slot (requests run one at a time, a second waits), a one-slot KV cache that is reused only
// for the longest common start of consecutive prompts (after the model's template is applied), and
// prompt processing of every other token before the first output token:
//   time to first token = base + uncached prompt tokens / prompt rate
// A request aborted during prompt processing still costs what was processed: the runner notices a
// closed connection only between batches, so the slot stays busy to the end of the batch in hand,
// and the cache then holds the processed part of that prompt.

export type ServerProfileName = 'fixed' | 'gpu' | 'laptop' | 'cpu';

export interface ServerProfile {
  name: ServerProfileName | string;
  /** Fixed latency before the first token (scheduling, sampling setup). */
  baseMs: number;
  /** Prompt tokens processed per second; Infinity means prompt processing is free. */
  promptTokensPerSec: number;
  /** Delay between output tokens. */
  perTokenMs: number;
}

/** The profiles: `fixed` is the double before prompt cost existed. */
export const SERVER_PROFILES: Readonly<Record<ServerProfileName, ServerProfile>> = Object.freeze({
  fixed: { name: 'fixed', baseMs: 150, promptTokensPerSec: Infinity, perTokenMs: 20 },
  gpu: { name: 'gpu', baseMs: 40, promptTokensPerSec: 8000, perTokenMs: 10 },
  laptop: { name: 'laptop', baseMs: 60, promptTokensPerSec: 1500, perTokenMs: 20 },
  cpu: { name: 'cpu', baseMs: 100, promptTokensPerSec: 200, perTokenMs: 45 },
});

export function isServerProfileName(s: string): s is ServerProfileName {
  return Object.prototype.hasOwnProperty.call(SERVER_PROFILES, s);
}

/** Code tokenises at about 3.5 characters a token with coder BPE vocabularies. */
export const CHARS_PER_TOKEN = 3.5;
/** llama.cpp's default n_batch: prompt tokens go through the model in batches of this many. */
export const PROMPT_BATCH_TOKENS = 512;

export function tokensIn(chars: number): number {
  return Math.ceil(Math.max(0, chars) / CHARS_PER_TOKEN);
}

export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/**
 * The prompt the model sees, as Ollama renders it: raw prompts as they are; otherwise the model's
 * template with `.Prompt` and `.Suffix`, taking the `if .Suffix` branch when a suffix is given.
 * Only the constructs the library's FIM templates use are understood.
 */
export function renderPrompt(template: string, prompt: string, suffix: string, raw: boolean): string {
  if (raw) return prompt;
  let t = template;
  const branch = /\{\{-?\s*if \.Suffix\s*-?\}\}([\s\S]*?)\{\{-?\s*else\s*-?\}\}([\s\S]*?)\{\{-?\s*end\s*-?\}\}/.exec(t);
  if (branch) t = t.slice(0, branch.index) + (suffix !== '' ? branch[1] : branch[2]) + t.slice(branch.index + branch[0].length);
  return t.replace(/\{\{-?\s*\.Prompt\s*-?\}\}/g, () => prompt).replace(/\{\{-?\s*\.Suffix\s*-?\}\}/g, () => suffix);
}

export interface PromptPlan {
  promptTokens: number;
  /** Tokens reused from the KV cache (the common start with the previous prompt). */
  cachedTokens: number;
  uncachedTokens: number;
  /** base + uncached / rate: when the first token is due after the slot was granted. */
  firstTokenMs: number;
}

/**
 * The slot of a one-slot server: its KV cache and its queue. Pure bookkeeping over times passed in,
 * so the cost model is testable without timers; the double drives it with the real clock.
 */
export class ServerSlot {
  private cachedPrompt = '';
  private busy = false;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly profile: ServerProfile) {}

  /** What running `prompt` now would cost, given the cache. */
  plan(prompt: string): PromptPlan {
    const promptTokens = Math.max(1, tokensIn(prompt.length));
    const cachedTokens = Math.min(promptTokens, Math.floor(commonPrefixLength(prompt, this.cachedPrompt) / CHARS_PER_TOKEN));
    const uncachedTokens = promptTokens - cachedTokens;
    return { promptTokens, cachedTokens, uncachedTokens, firstTokenMs: this.profile.baseMs + this.promptMs(uncachedTokens) };
  }

  promptMs(tokens: number): number {
    return Number.isFinite(this.profile.promptTokensPerSec) ? (tokens * 1000) / this.profile.promptTokensPerSec : 0;
  }

  /**
   * An abort `elapsedMs` after the slot was granted, while the prompt was still processing: how
   * many uncached tokens were processed (the batch in hand included) and how much longer the slot
   * stays busy. The cache keeps the processed part of the prompt.
   */
  abortDuringPrompt(prompt: string, plan: PromptPlan, elapsedMs: number): { processedTokens: number; busyForMs: number } {
    const inPrompt = elapsedMs - this.profile.baseMs;
    if (inPrompt < 0) {
      // Not started yet: the cache already lost whatever followed the common start.
      this.keep(prompt, plan.cachedTokens);
      return { processedTokens: 0, busyForMs: 0 };
    }
    if (!Number.isFinite(this.profile.promptTokensPerSec)) {
      this.promptDone(prompt);
      return { processedTokens: plan.uncachedTokens, busyForMs: 0 };
    }
    const started = Math.min(plan.uncachedTokens, Math.floor((inPrompt * this.profile.promptTokensPerSec) / 1000) + 1);
    const processedTokens = Math.min(plan.uncachedTokens, Math.ceil(started / PROMPT_BATCH_TOKENS) * PROMPT_BATCH_TOKENS);
    const busyForMs = Math.max(0, this.profile.baseMs + this.promptMs(processedTokens) - elapsedMs);
    this.keep(prompt, plan.cachedTokens + processedTokens);
    return { processedTokens, busyForMs };
  }

  /** The whole prompt went through: the cache holds it. */
  promptDone(prompt: string): void {
    this.cachedPrompt = prompt;
  }

  /** Runs `start` when the slot is free (now, or after the requests ahead). */
  acquire(start: () => void): { cancel(): void } {
    let cancelled = false;
    const run = (): void => {
      if (cancelled) return this.release();
      start();
    };
    if (!this.busy) {
      this.busy = true;
      run();
    } else {
      this.waiting.push(run);
    }
    return {
      cancel: () => {
        cancelled = true;
        const i = this.waiting.indexOf(run);
        if (i >= 0) this.waiting.splice(i, 1);
      },
    };
  }

  /** The running request let go of the slot: the next one in line starts. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }

  get queued(): number {
    return this.waiting.length;
  }

  get cached(): string {
    return this.cachedPrompt;
  }

  private keep(prompt: string, tokens: number): void {
    this.cachedPrompt = prompt.slice(0, Math.floor(tokens * CHARS_PER_TOKEN));
  }
}
