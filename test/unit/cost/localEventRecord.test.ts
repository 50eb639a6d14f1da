import { strict as assert } from 'node:assert';
import type { CompletionOutcome } from '../../../src/core/completion/completionOutcome';
import { isCountedShow, localAcceptedRecord, localShownRecord } from '../../../src/core/completion/localEventRecord';
import { isSpendRecord } from '../../../src/core/cost/spendRecord';

const ctx = { model: 'qwen2.5-coder:1.5b-base', workspace: 'ws', contextTokens: 1536, documentChars: 400 };

function shown(source: 'model' | 'cache' | 'typingThrough' | 'inflight' | 'speculative', server?: { promptTokens?: number; outputTokens?: number }): CompletionOutcome {
  return { kind: 'shown', text: 'return a + b;', source, timings: { totalMs: 182.6, queuedMs: 40, overheadMs: 3, ...(server ? { server } : {}) } };
}

describe('local completion records', () => {
  it('records a model answer with the token counts the server reported and the user-visible latency', () => {
    const r = localShownRecord(shown('model', { promptTokens: 812, outputTokens: 9 }), ctx)!;
    assert.deepEqual(
      [r.route, r.command, r.model, r.localEvent, r.inputTokens, r.outputTokens, r.costMicros, r.source, r.latencyMs],
      ['local', 'inline', 'qwen2.5-coder:1.5b-base', 'shown', 812, 9, 0, 'reported', 183],
    );
    assert.ok(isSpendRecord({ ...r, id: 'x', time: 1 }), 'a valid ledger record');
  });

  it('estimates tokens, and says so, when the server reported none', () => {
    const r = localShownRecord(shown('model'), ctx)!;
    assert.deepEqual([r.inputTokens, r.outputTokens, r.source], [100, 4, 'estimated']);
    const big = localShownRecord(shown('inflight'), { ...ctx, documentChars: 1_000_000 })!;
    assert.equal(big.inputTokens, 1536, 'never more than the prompt window');
  });

  it('counts one record per model answer: cache hits and typing-through are the same suggestion again', () => {
    assert.equal(localShownRecord(shown('cache'), ctx), undefined);
    assert.equal(localShownRecord(shown('typingThrough'), ctx), undefined);
    assert.ok(localShownRecord(shown('speculative'), ctx));
    assert.equal(isCountedShow(shown('cache')), false);
    assert.equal(isCountedShow(shown('model')), true);
    assert.equal(localShownRecord({ kind: 'skipped', reason: 'cancelled' }, ctx), undefined);
  });

  it('records an acceptance with no tokens (they were counted when shown)', () => {
    const r = localAcceptedRecord(ctx);
    assert.deepEqual([r.localEvent, r.inputTokens, r.outputTokens, r.costMicros], ['accepted', 0, 0, 0]);
    assert.ok(isSpendRecord({ ...r, id: 'y', time: 2 }));
  });
});
