// The shared-server capacity model, step by step on virtual time: batching slows every token a
// little, prompts cost their uncached tokens at the prefill rate, the prefix cache is shared and
// LRU, and the running cap queues or refuses.
import * as assert from 'node:assert/strict';
import { CapacityModel, hashBlocks, ONE_GPU, type CapacityConfig, type Sequence } from '../../doubles/vllmCapacity';

const toks = (n: number, tag = 'a'): string[] => Array.from({ length: n }, (_, i) => `${tag}${i} `);

/** Runs steps until `seq` finished; returns virtual ms elapsed and the time of its first token. */
function runUntilDone(m: CapacityModel, seqs: Sequence[]): { totalMs: number; firstTokenMs: Map<Sequence, number>; doneMs: Map<Sequence, number> } {
  let t = 0;
  const firstTokenMs = new Map<Sequence, number>();
  const doneMs = new Map<Sequence, number>();
  for (let guard = 0; guard < 100_000 && !seqs.every((s) => doneMs.has(s)); guard++) {
    const r = m.step();
    if (r.batchSize === 0) break;
    t += r.durationMs;
    for (const s of r.emitted) if (!firstTokenMs.has(s)) firstTokenMs.set(s, t);
    for (const s of r.finished) doneMs.set(s, t);
  }
  return { totalMs: t, firstTokenMs, doneMs };
}

const cfg = (over: Partial<CapacityConfig> = {}): CapacityConfig => ({ ...ONE_GPU, ...over });

describe('vLLM capacity model', () => {
  it('batch of 1: prompt at 8,000 tokens/s, then 10 ms per token', () => {
    const m = new CapacityModel(cfg());
    const a = m.admit(toks(800), 20);
    assert.equal(a.kind, 'running');
    const r = runUntilDone(m, [(a as { seq: Sequence }).seq]);
    // 800 tokens of prefill = 100 ms in the first step (which also samples token 1), then 19 × 10 ms.
    assert.equal(Math.round(r.totalMs), 100 + 20 * 10);
  });

  it('each extra sequence makes every token 3% slower', () => {
    for (const n of [1, 2, 5, 10, 40]) {
      const m = new CapacityModel(cfg());
      const seqs = Array.from({ length: n }, (_, i) => (m.admit(toks(16, `p${i}-`), 50) as { seq: Sequence }).seq);
      m.step(); // prefill step
      const r = m.step();
      assert.equal(r.batchSize, n);
      assert.ok(Math.abs(r.durationMs - 10 * (1 + 0.03 * (n - 1))) < 1e-9, `n=${n}: ${r.durationMs}`);
      assert.equal(r.emitted.length, n);
      void seqs;
    }
  });

  it('a prompt whose leading blocks another user already sent is cheaper (shared prefix cache)', () => {
    const m = new CapacityModel(cfg());
    const shared = toks(1600, 'file');
    const first = (m.admit([...shared, ...toks(10, 'x')], 1) as { seq: Sequence }).seq;
    const r1 = runUntilDone(m, [first]);
    const second = (m.admit([...shared, ...toks(10, 'y')], 1) as { seq: Sequence }).seq;
    assert.equal(second.cachedTokens, 1600);
    const r2 = runUntilDone(m, [second]);
    assert.ok(r2.totalMs < r1.totalMs / 10, `${r2.totalMs} vs ${r1.totalMs}`);
    assert.equal(m.cacheHitShare, 1600 / (1610 * 2));
  });

  it('a changed first block invalidates every block after it (hash chain)', () => {
    const a = hashBlocks(toks(64), 16);
    const b = hashBlocks(['changed ', ...toks(64).slice(1)], 16);
    assert.equal(a.length, 4);
    assert.ok(a.every((h, i) => h !== b[i]));
    // Same content later in the prompt, but after a different start: no reuse.
    const c = hashBlocks([...toks(16, 'z'), ...toks(48)], 16);
    assert.notEqual(c[1], a[1]);
  });

  it('the cache keeps the least recently used blocks out when full', () => {
    const m = new CapacityModel(cfg({ cacheBlocks: 4 }));
    const A = toks(32, 'A');
    const B = toks(32, 'B');
    const C = toks(32, 'C');
    for (const p of [A, B]) runUntilDone(m, [(m.admit(p, 1) as { seq: Sequence }).seq]);
    // Touch A, so B is the oldest; C then evicts B, not A.
    runUntilDone(m, [(m.admit(A, 1) as { seq: Sequence }).seq]);
    runUntilDone(m, [(m.admit(C, 1) as { seq: Sequence }).seq]);
    assert.equal(m.cachedBlocks, 4);
    const a = (m.admit(A, 1) as { seq: Sequence }).seq;
    assert.equal(a.cachedTokens, 31, 'A still cached (all but the last token, which is always computed)');
    runUntilDone(m, [a]);
    const b = (m.admit(B, 1) as { seq: Sequence }).seq;
    assert.equal(b.cachedTokens, 0, 'B was evicted');
  });

  it('beyond max running: queue (vLLM), refuse when the queue is full; reject mode answers at once', () => {
    const q = new CapacityModel(cfg({ maxRunning: 2, maxQueued: 1 }));
    assert.equal(q.admit(toks(16), 5).kind, 'running');
    assert.equal(q.admit(toks(16), 5).kind, 'running');
    const third = q.admit(toks(16), 5);
    assert.equal(third.kind, 'queued');
    assert.deepEqual(q.admit(toks(16), 5), { kind: 'refused', reason: 'queueFull' });
    const r = runUntilDone(q, [(third as { seq: Sequence }).seq]);
    assert.ok(r.doneMs.has((third as { seq: Sequence }).seq), 'the queued request ran once a slot freed');
    assert.equal(q.stats.refused, 1);

    const rej = new CapacityModel(cfg({ maxRunning: 1, overload: 'reject' }));
    assert.equal(rej.admit(toks(16), 5).kind, 'running');
    assert.deepEqual(rej.admit(toks(16), 5), { kind: 'refused', reason: 'busy' });
  });

  it('chunked prefill: a long prompt does not stall the batch for its whole length', () => {
    const m = new CapacityModel(cfg({ maxBatchedPrefillTokens: 512 }));
    const decoding = (m.admit(toks(16, 'd'), 100) as { seq: Sequence }).seq;
    m.step();
    m.admit(toks(4096, 'long'), 10);
    const r = m.step();
    assert.equal(r.prefillTokens, 512);
    assert.ok(r.emitted.includes(decoding), 'the running sequence still got its token');
    assert.ok(Math.abs(r.durationMs - (10 * 1.03 + 512 / 8)) < 1e-9);
  });

  it('an aborted sequence leaves the batch and frees its slot', () => {
    const m = new CapacityModel(cfg({ maxRunning: 1 }));
    const a = (m.admit(toks(16), 100) as { seq: Sequence }).seq;
    const b = m.admit(toks(16), 1);
    assert.equal(b.kind, 'queued');
    m.abort(a);
    const r = m.step();
    assert.deepEqual(r.started.map((s) => s.id), [(b as { seq: Sequence }).seq.id]);
    assert.equal(m.stats.aborted, 1);
  });
});
