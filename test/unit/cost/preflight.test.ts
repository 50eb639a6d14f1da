import { strict as assert } from 'node:assert';
import { estimateFromPartial, estimateMaxCost, preflightEstimate } from '../../../src/core/cost/preflight';
import { DEFAULT_PRICES } from '../../../src/core/shared/priceTable';
import { countTokens } from '../../../src/core/cost/tokenCount';

const mini = DEFAULT_PRICES.find((r) => r.model === 'gpt-5.4-mini')!;

describe('preflight', () => {
  it('prices every input token at the full rate plus the whole output cap', () => {
    // 2000 × 0.75 + 4000 × 4.5 = 1500 + 18000 micro-dollars, even though mini has a cached rate.
    assert.equal(estimateMaxCost({ model: 'gpt-5.4-mini', inputTokens: 2000, maxOutputTokens: 4000 }, mini), 19_500);
  });

  it('counts input text with the real tokenizer', () => {
    const text = 'function add(a, b) {\n  return a + b;\n}\n'.repeat(50);
    const est = preflightEstimate({ model: 'gpt-5.4-mini', inputText: text, maxOutputTokens: 100 }, mini);
    assert.equal(est.inputTokens, countTokens(text));
    assert.ok(est.inputTokens > 500, 'a real count, not a character heuristic of zero');
    assert.equal(est.maxCostMicros, Math.ceil(est.inputTokens * 0.75) + 450);
  });

  it('treats nonsense sizes as zero rather than negative money', () => {
    assert.deepEqual(preflightEstimate({ model: 'm', inputTokens: -10, maxOutputTokens: -1 }, mini), {
      model: 'm', inputTokens: 0, maxOutputTokens: 0, maxCostMicros: 0,
    });
  });

  it('estimates an interrupted stream from the input and the text received, marked estimated', () => {
    const usage = estimateFromPartial({ model: 'gpt-5.4-mini', inputTokens: 1234, streamedText: 'hello world', requestId: 'req_9' });
    assert.deepEqual(usage, {
      model: 'gpt-5.4-mini',
      inputTokens: 1234,
      cachedInputTokens: 0,
      outputTokens: 2,
      reasoningTokens: 0,
      requestId: 'req_9',
      source: 'estimated',
    });
  });

  it('estimates a stream cut before any text as input only', () => {
    const usage = estimateFromPartial({ model: 'gpt-5.4-nano', inputText: 'hello world', streamedText: '' });
    assert.deepEqual([usage.inputTokens, usage.outputTokens, 'requestId' in usage], [2, 0, false]);
  });
});
