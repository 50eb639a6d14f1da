import { strict as assert } from 'node:assert';
import { type BilledTokens, costBreakdown, costMicros, formatUsd, usdToMicros } from '../../../src/core/cost/costMath';
import { DEFAULT_PRICES, type PriceRow } from '../../../src/core/shared/priceTable';

const mini = DEFAULT_PRICES.find((r) => r.model === 'gpt-5.4-mini')!;
const nano = DEFAULT_PRICES.find((r) => r.model === 'gpt-5.4-nano')!;
const noCachedRate: PriceRow = { model: 'x', inputPerMTok: 2, outputPerMTok: 8, cachedVerified: false, source: 't', asOf: '2026-01-01' };

function t(inputTokens: number, cachedInputTokens: number, outputTokens: number, reasoningTokens = 0): BilledTokens {
  return { inputTokens, cachedInputTokens, outputTokens, reasoningTokens };
}

describe('costMath', () => {
  // Expected values worked by hand: tokens × USD per 1M tokens = micro-dollars.
  const cases: Array<[string, BilledTokens, PriceRow, number]> = [
    ['nothing', t(0, 0, 0), mini, 0],
    ['1000 in + 500 out on mini: 750 + 2250', t(1000, 0, 500), mini, 3000],
    ['one output token rounds 4.5 up to 5', t(0, 0, 1), mini, 5],
    ['1M input tokens on mini is exactly $0.75', t(1_000_000, 0, 0), mini, 750_000],
    ['1M in + 1M out on nano: 200000 + 1250000', t(1_000_000, 0, 1_000_000), nano, 1_450_000],
    ['cached part at the cached rate: 2000×0.75 + 8000×0.075', t(10_000, 8_000, 0), mini, 2100],
    ['nano cached: 5000×0.2 + 5000×0.02', t(10_000, 5_000, 0), nano, 1100],
    ['reasoning is inside output, not added: 100×0.75 + 1000×4.5', t(100, 0, 1000, 800), mini, 4575],
    ['cached above input is clamped to input: 100×0.075 = 7.5 -> 8', t(100, 500, 0), mini, 8],
    ['no cached rate: cached tokens at the input rate', t(1000, 1000, 0), noCachedRate, 2000],
    ['a billion output tokens stays exact', t(0, 0, 1_000_000_000), mini, 4_500_000_000],
    ['negative and fractional counts are not billed as more', t(-5, 0, 2.9), mini, 9],
  ];
  for (const [name, tokens, price, expected] of cases) {
    it(`costMicros: ${name}`, () => assert.equal(costMicros(tokens, price), expected));
  }

  it('breaks the cost down by kind, parts summing to the total', () => {
    assert.deepEqual(costBreakdown(t(10_000, 8_000, 100, 40), mini), {
      uncachedInputMicros: 1500,
      cachedInputMicros: 600,
      outputMicros: 450,
      totalMicros: 2550,
      usedUnverifiedCachedRate: true,
    });
  });

  it('flags the unverified cached rate only when cached tokens were billed with it', () => {
    assert.equal(costBreakdown(t(1000, 0, 10), mini).usedUnverifiedCachedRate, false);
    assert.equal(costBreakdown(t(1000, 10, 10), { ...mini, cachedVerified: true }).usedUnverifiedCachedRate, false);
    assert.equal(costBreakdown(t(1000, 10, 10), noCachedRate).usedUnverifiedCachedRate, false);
  });

  const usd: Array<[number, string]> = [
    [0, '$0.00'],
    [1, '$0.000001'],
    [750, '$0.00075'],
    [10_000, '$0.01'],
    [1_500_000, '$1.50'],
    [123_456_789, '$123.456789'],
    [5_000_000_000, '$5000.00'],
    [-2_500, '-$0.0025'],
  ];
  for (const [micros, text] of usd) {
    it(`formatUsd(${micros}) = ${text}`, () => assert.equal(formatUsd(micros), text));
  }

  it('converts settings dollars to micro-dollars without float residue', () => {
    assert.equal(usdToMicros(0.1 + 0.2), 300_000);
    assert.equal(usdToMicros(5), 5_000_000);
  });
});
