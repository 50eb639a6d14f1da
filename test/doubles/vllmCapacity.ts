// The capacity model of a shared inference server (one GPU running vLLM), clock-free so it can be
// unit-tested step by step and driven on real time by the vLLM double. It follows vLLM's scheduler
// in the parts that decide what a team feels:
// - continuous batching: every engine step decodes one token for each running sequence, and a step
//   with n sequences takes perTokenMs × (1 + slowdownPerSeq × (n − 1)) — each extra concurrent
//   sequence slows every token a little;
// - prompt processing (prefill) at a fixed rate, chunked: a step also processes up to
//   maxBatchedPrefillTokens of waiting prompts (oldest first), adding tokens / prefillTokensPerSec;
//   the step that finishes a prompt also samples its first token;
// - automatic prefix caching shared by all users: prompts are cut into blocks of blockTokens; a
//   block is identified by its content and everything before it (a hash chain, as vLLM does), so
//   a request reuses the longest run of leading full blocks any earlier request left in the cache;
//   the cache holds cacheBlocks blocks and evicts the least recently used;
// - a cap on running sequences (vLLM's max_num_seqs); beyond it requests wait in a queue (vLLM) or,
//   with overload 'reject', are refused at once with 429 (a proxy's parallel-request limit, e.g.
//   LiteLLM's max_parallel_requests); a full queue also refuses.
import { createHash } from 'node:crypto';

export interface CapacityConfig {
  /** Prompt tokens processed per second (uncached only). */
  prefillTokensPerSec: number;
  /** Duration of a decode step with one sequence. */
  perTokenMs: number;
  /** Each extra sequence in the batch makes the step this fraction longer (0.03 = +3%). */
  slowdownPerSeq: number;
  /** Most sequences running at once (vLLM max_num_seqs). */
  maxRunning: number;
  /** 'queue': wait for a slot (up to maxQueued); 'reject': 429 when every slot is taken. */
  overload: 'queue' | 'reject';
  maxQueued: number;
  /** Most prompt tokens processed in one step (chunked prefill budget). */
  maxBatchedPrefillTokens: number;
  blockTokens: number;
  cacheBlocks: number;
}

/** One GPU as the team issue states it: 8,000 prompt tokens/s, 10 ms/token at batch 1, +3% per extra sequence. */
export const ONE_GPU: CapacityConfig = {
  prefillTokensPerSec: 8000,
  perTokenMs: 10,
  slowdownPerSeq: 0.03,
  maxRunning: 64,
  overload: 'queue',
  maxQueued: 256,
  maxBatchedPrefillTokens: 2048,
  blockTokens: 16,
  // 16,384 × 16 = 262,144 cached tokens: what ~10 GB of KV cache holds for a 1.5B coder model.
  cacheBlocks: 16_384,
};

export interface Sequence {
  readonly id: number;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  /** Uncached prompt tokens still to process. */
  prefillLeft: number;
  /** Output tokens the request will produce (after stop strings and max_tokens). */
  readonly outputTokens: number;
  emitted: number;
  readonly blockHashes: readonly string[];
}

export type Admission =
  | { kind: 'running'; seq: Sequence }
  | { kind: 'queued'; seq: Sequence }
  | { kind: 'refused'; reason: 'busy' | 'queueFull' };

export interface StepResult {
  /** How long this step takes on the GPU; 0 when there was nothing to do. */
  durationMs: number;
  /** Sequences that got one more token in this step (their `emitted` already counts it). */
  emitted: Sequence[];
  /** Sequences that finished (all tokens emitted) and left the batch. */
  finished: Sequence[];
  /** Sequences moved from the queue into the batch at the start of this step. */
  started: Sequence[];
  prefillTokens: number;
  batchSize: number;
}

export interface CapacityStats {
  requests: number;
  refused: number;
  promptTokens: number;
  cachedPromptTokens: number;
  outputTokens: number;
  prefillTokens: number;
  busyMs: number;
  maxRunning: number;
  maxQueued: number;
  aborted: number;
}

export class CapacityModel {
  private readonly running: Sequence[] = [];
  private readonly queue: Sequence[] = [];
  /** Block hash -> present; Map order is the LRU order (oldest first). */
  private readonly cache = new Map<string, true>();
  private nextId = 1;
  readonly stats: CapacityStats = {
    requests: 0, refused: 0, promptTokens: 0, cachedPromptTokens: 0, outputTokens: 0, prefillTokens: 0,
    busyMs: 0, maxRunning: 0, maxQueued: 0, aborted: 0,
  };

  constructor(readonly config: CapacityConfig = ONE_GPU) {}

  get runningCount(): number {
    return this.running.length;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  get cachedBlocks(): number {
    return this.cache.size;
  }

  /** A new request: its prompt (as tokens) and how many tokens it will produce. */
  admit(promptTokens: readonly string[], outputTokens: number): Admission {
    const c = this.config;
    const full = this.running.length >= c.maxRunning;
    if (full && (c.overload === 'reject' || this.queue.length >= c.maxQueued)) {
      this.stats.refused++;
      return { kind: 'refused', reason: c.overload === 'reject' ? 'busy' : 'queueFull' };
    }
    const blockHashes = hashBlocks(promptTokens, c.blockTokens);
    this.stats.requests++;
    const seq: Sequence = {
      id: this.nextId++, promptTokens: promptTokens.length, cachedTokens: 0, prefillLeft: promptTokens.length,
      outputTokens: Math.max(0, outputTokens), emitted: 0, blockHashes,
    };
    if (full) {
      this.queue.push(seq);
      this.stats.maxQueued = Math.max(this.stats.maxQueued, this.queue.length);
      return { kind: 'queued', seq };
    }
    this.start(seq);
    return { kind: 'running', seq };
  }

  /** The client went away: its sequence leaves the batch (or the queue) at once. */
  abort(seq: Sequence): void {
    const r = this.running.indexOf(seq);
    if (r >= 0) this.running.splice(r, 1);
    const q = this.queue.indexOf(seq);
    if (q >= 0) this.queue.splice(q, 1);
    if (r >= 0 || q >= 0) this.stats.aborted++;
  }

  /** One engine step. The caller waits `durationMs` and then delivers the emitted tokens. */
  step(): StepResult {
    const started: Sequence[] = [];
    while (this.running.length < this.config.maxRunning && this.queue.length > 0) {
      const seq = this.queue.shift()!;
      this.start(seq);
      started.push(seq);
    }
    const n = this.running.length;
    if (n === 0) return { durationMs: 0, emitted: [], finished: [], started, prefillTokens: 0, batchSize: 0 };

    let budget = this.config.maxBatchedPrefillTokens;
    let prefillTokens = 0;
    const emitted: Sequence[] = [];
    for (const seq of this.running) {
      if (seq.prefillLeft > 0) {
        if (budget <= 0) continue;
        const take = Math.min(budget, seq.prefillLeft);
        seq.prefillLeft -= take;
        budget -= take;
        prefillTokens += take;
        if (seq.prefillLeft > 0) continue;
        // Prompt done: its blocks are now in the cache, and this step samples the first token.
        this.remember(seq.blockHashes);
      }
      if (seq.emitted < seq.outputTokens) {
        seq.emitted++;
        emitted.push(seq);
      }
    }
    const c = this.config;
    const durationMs = c.perTokenMs * (1 + c.slowdownPerSeq * (n - 1)) + (prefillTokens / c.prefillTokensPerSec) * 1000;
    const finished = this.running.filter((s) => s.prefillLeft === 0 && s.emitted >= s.outputTokens);
    for (const f of finished) this.running.splice(this.running.indexOf(f), 1);
    this.stats.prefillTokens += prefillTokens;
    this.stats.outputTokens += emitted.length;
    this.stats.busyMs += durationMs;
    return { durationMs, emitted, finished, started, prefillTokens, batchSize: n };
  }

  /** Share of prompt tokens served from the prefix cache so far. */
  get cacheHitShare(): number {
    return this.stats.promptTokens === 0 ? 0 : this.stats.cachedPromptTokens / this.stats.promptTokens;
  }

  private start(seq: Sequence): void {
    // The longest run of leading full blocks already cached (a hit refreshes the block's LRU place).
    let hits = 0;
    for (const h of seq.blockHashes) {
      if (!this.cache.has(h)) break;
      this.cache.delete(h);
      this.cache.set(h, true);
      hits++;
    }
    // vLLM always computes at least the last prompt token, even on a full hit.
    const cached = Math.min(hits * this.config.blockTokens, Math.max(0, seq.promptTokens - 1));
    (seq as { cachedTokens: number }).cachedTokens = cached;
    seq.prefillLeft = seq.promptTokens - cached;
    this.stats.promptTokens += seq.promptTokens;
    this.stats.cachedPromptTokens += cached;
    this.running.push(seq);
    this.stats.maxRunning = Math.max(this.stats.maxRunning, this.running.length);
  }

  private remember(hashes: readonly string[]): void {
    for (const h of hashes) {
      this.cache.delete(h);
      this.cache.set(h, true);
    }
    while (this.cache.size > this.config.cacheBlocks) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }
}

/** Hash chain over full blocks: a block's id depends on its tokens and on every block before it. */
export function hashBlocks(tokens: readonly string[], blockTokens: number): string[] {
  const out: string[] = [];
  let parent = '';
  for (let i = 0; i + blockTokens <= tokens.length; i += blockTokens) {
    // 128-bit ids: a team's worth of cached blocks must not collide (a 32-bit hash would).
    parent = createHash('md5').update(parent).update('\u0001').update(tokens.slice(i, i + blockTokens).join('\u0000')).digest('base64');
    out.push(parent);
  }
  return out;
}
