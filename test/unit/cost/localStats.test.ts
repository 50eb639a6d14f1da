import { strict as assert } from 'node:assert';
import { localStats, percentile } from '../../../src/core/cost/localStats';
import { DEFAULT_PRICES } from '../../../src/core/shared/priceTable';
import type { SpendRecord } from '../../../src/core/cost/spendRecord';

const mini = DEFAULT_PRICES.find((r) => r.model === 'gpt-5.4-mini')!;
let seq = 0;
function local(event: 'shown' | 'accepted', time: number, latencyMs?: number, overrides: Partial<SpendRecord> = {}): SpendRecord {
  const r: SpendRecord = {
    id: `l${seq++}`, time, workspace: 'ws', route: 'local', command: 'inline', model: 'qwen2.5-coder:1.5b',
    inputTokens: event === 'shown' ? 1000 : 0, cachedInputTokens: 0, outputTokens: event === 'shown' ? 20 : 0, reasoningTokens: 0,
    costMicros: 0, source: 'reported', localEvent: event, ...overrides,
  };
  if (latencyMs !== undefined) r.latencyMs = latencyMs;
  return r;
}

describe('localStats', () => {
  it('counts shown and accepted completions with latency percentiles', () => {
    const records = [
      local('shown', 1, 100), local('shown', 2, 300), local('shown', 3, 200), local('shown', 4, 900),
      local('accepted', 5),
    ];
    const s = localStats(records, mini);
    assert.deepEqual(
      [s.shown, s.accepted, s.acceptanceRate, s.latencyP50Ms, s.latencyP95Ms],
      [4, 1, 0.25, 200, 900],
    );
  });

  it('prices the shown completions as cloud requests at the given price', () => {
    // 4 × (1000 × 0.75 + 20 × 4.5) = 4 × 840 micro-dollars; accepted records add nothing.
    const records = [local('shown', 1), local('shown', 2), local('shown', 3), local('shown', 4), local('accepted', 5)];
    const s = localStats(records, mini);
    assert.deepEqual([s.inputTokens, s.outputTokens, s.cloudEquivalentMicros, s.cloudModel], [4000, 80, 3360, 'gpt-5.4-mini']);
  });

  it('ignores cloud records and honours the time window', () => {
    const cloud = { ...local('shown', 5, 10), route: 'cloud' as const, costMicros: 123 };
    const s = localStats([local('shown', 1, 50), local('shown', 10, 60), cloud], mini, { sinceMs: 5, untilMs: 11 });
    assert.deepEqual([s.shown, s.latencyP50Ms], [1, 60]);
  });

  it('leaves rates and percentiles undefined when nothing was shown', () => {
    const s = localStats([], mini);
    assert.deepEqual([s.shown, s.acceptanceRate, s.latencyP50Ms, s.cloudEquivalentMicros], [0, undefined, undefined, 0]);
  });

  const pct: Array<[number[], number, number]> = [
    [[5], 0.5, 5],
    [[1, 2], 0.5, 1],
    [[1, 2, 3], 0.5, 2],
    [[1, 2, 3, 4], 0.95, 4],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.95, 100],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9, 90],
  ];
  for (const [values, p, expected] of pct) {
    it(`nearest-rank p${p * 100} of [${values.join(',')}] is ${expected}`, () => assert.equal(percentile(values, p), expected));
  }
});
