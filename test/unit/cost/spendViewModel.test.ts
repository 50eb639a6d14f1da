import { strict as assert } from 'node:assert';
import { DEFAULT_BUDGET } from '../../../src/core/shared/budgetPolicy';
import { localStats } from '../../../src/core/cost/localStats';
import { DEFAULT_PRICES } from '../../../src/core/shared/priceTable';
import type { SpendRecord } from '../../../src/core/cost/spendRecord';
import { summarize } from '../../../src/core/cost/spendSummary';
import { spendViewModel } from '../../../src/core/cost/spendViewModel';

const NOW = Date.UTC(2026, 4, 20, 12, 0, 0);
const DAY = 86_400_000;
let seq = 0;
function rec(time: number, costMicros: number | null, overrides: Partial<SpendRecord> = {}): SpendRecord {
  return {
    id: `r${seq++}`, time, workspace: 'ws', route: 'cloud', command: 'refactor', model: 'gpt-5.4-mini',
    inputTokens: 1200, cachedInputTokens: 200, outputTokens: 300, reasoningTokens: 0, costMicros, source: 'reported', ...overrides,
  };
}

describe('spendViewModel', () => {
  const records = [
    rec(NOW - 1000, 2115),
    rec(NOW - 2 * DAY, 1_500_000, { model: 'gpt-5.4-nano', command: 'explain' }),
    rec(NOW - 3 * DAY, null, { model: 'mystery', source: 'estimated' }),
  ];
  const summary = summarize(records, NOW, { utcOffsetMinutes: () => 0 });

  it('gives a 30-day series ending today, exact text beside the plotted dollars', () => {
    const m = spendViewModel({ summary, budget: DEFAULT_BUDGET, cloudModel: 'gpt-5.4-mini', cloudModelPriced: true });
    assert.equal(m.daily.labels.length, 30);
    assert.equal(m.daily.labels.at(-1), '2026-05-20');
    assert.equal(m.daily.text.at(-1), '$0.002115');
    assert.equal(m.daily.usd.at(-1), 0.002115);
    assert.equal(m.daily.text.at(-3), '$1.50');
    assert.equal(m.daily.unpriced.at(-4), 1);
    assert.deepEqual([m.today.cost, m.today.requests, m.thisMonth.cost, m.thisMonth.requests], ['$0.002115', 1, '$1.502115', 3]);
  });

  it('tables spend by model and by command, most expensive first', () => {
    const m = spendViewModel({ summary, budget: DEFAULT_BUDGET, cloudModel: 'gpt-5.4-mini', cloudModelPriced: true });
    assert.deepEqual(m.byModel.map((r) => [r.name, r.cost, r.unpriced]), [['gpt-5.4-nano', '$1.50', 0], ['gpt-5.4-mini', '$0.002115', 0], ['mystery', '$0.00', 1]]);
    assert.deepEqual(m.byCommand.map((r) => [r.name, r.cost]), [['explain', '$1.50'], ['refactor', '$0.002115']]);
    assert.equal(m.lastRequest?.cost, '$0.002115');
  });

  it('draws budget lines with how much of each cap is used', () => {
    const m = spendViewModel({ summary, budget: { ...DEFAULT_BUDGET, dailyUsd: 0.002, monthlyUsd: 2 }, cloudModel: 'gpt-5.4-mini', cloudModelPriced: true });
    assert.deepEqual(m.budgets.map((b) => [b.period, b.cap, b.capUsd, b.spent, b.percent, b.level]), [
      ['daily', '$0.002', 0.002, '$0.002115', 105, 'error'],
      ['monthly', '$2.00', 2, '$1.502115', 75, 'normal'],
    ]);
    assert.equal(m.warnAtPercent, 80);
  });

  it('explains unpriced and estimated requests, and an unpriced configured model', () => {
    const m = spendViewModel({ summary, budget: DEFAULT_BUDGET, cloudModel: 'gpt-9', cloudModelPriced: false, skippedLines: 2 });
    assert.equal(m.notes.length, 4);
    assert.match(m.notes[0], /gpt-9 has no known price/);
    assert.match(m.notes[1], /1 request\(s\) this month had no known price/);
    assert.match(m.notes[2], /estimate/);
    assert.match(m.notes[3], /2 damaged ledger line/);
  });

  it('adds local panels for today and the month', () => {
    const local: SpendRecord[] = [rec(NOW, 0, { route: 'local', command: 'inline', model: 'qwen', inputTokens: 1000, cachedInputTokens: 0, outputTokens: 20, localEvent: 'shown', latencyMs: 120 })];
    const s = localStats(local, DEFAULT_PRICES[0]);
    const m = spendViewModel({ summary, budget: DEFAULT_BUDGET, cloudModel: 'gpt-5.4-mini', cloudModelPriced: true, localToday: s, localMonth: s });
    assert.deepEqual(m.local.map((p) => [p.label, p.shown, p.acceptance, p.latencyP50, p.cloudEquivalent]), [
      ['Today', 1, '0%', '120 ms', '$0.00084'], ['This month', 1, '0%', '120 ms', '$0.00084'],
    ]);
  });
});
