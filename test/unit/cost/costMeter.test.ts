import { strict as assert } from 'node:assert';
import { DEFAULT_BUDGET, type BudgetSettings } from '../../../src/core/shared/budgetPolicy';
import { costMeterView, type MeterInput } from '../../../src/core/cost/costMeter';
import { localStats } from '../../../src/core/cost/localStats';
import { DEFAULT_PRICES } from '../../../src/core/shared/priceTable';
import type { SpendRecord } from '../../../src/core/cost/spendRecord';
import { summarize } from '../../../src/core/cost/spendSummary';

const NOW = Date.UTC(2026, 4, 20, 12, 0, 0);
const DAY = 86_400_000;
const UTC = { utcOffsetMinutes: () => 0 };
const mini = DEFAULT_PRICES[0];
let seq = 0;

function cloud(time: number, costMicros: number | null, overrides: Partial<SpendRecord> = {}): SpendRecord {
  return {
    id: `r${seq++}`, time, workspace: 'ws', route: 'cloud', command: 'refactor', model: 'gpt-5.4-mini',
    inputTokens: 1200, cachedInputTokens: 200, outputTokens: 300, reasoningTokens: 0,
    costMicros, source: 'reported', ...overrides,
  };
}

function view(records: SpendRecord[], extra: Partial<MeterInput> = {}, budget: Partial<BudgetSettings> = {}) {
  return costMeterView({
    summary: summarize(records, NOW, UTC),
    period: 'today',
    budget: { ...DEFAULT_BUDGET, ...budget },
    cloudModel: 'gpt-5.4-mini',
    cloudModelPriced: true,
    ...extra,
  });
}

describe('costMeterView', () => {
  it('shows today\'s exact spend with no colour when no budget is set', () => {
    const v = view([cloud(NOW - 1000, 2115), cloud(NOW - 2 * DAY, 5_000_000)]);
    assert.equal(v.text, '$(cloud) $0.002115 today');
    assert.equal(v.level, 'normal');
    assert.match(v.ariaLabel, /today: \$0\.002115/);
    assert.match(v.tooltip, /\| Today \| \$0\.002115 \| 1 \| none \|/);
    assert.match(v.tooltip, /\| This month \| \$5\.002115 \| 2 \| none \|/);
    assert.match(v.tooltip, /command:tandem\.showSpend/);
  });

  it('shows the month when the meter period says so', () => {
    const v = view([cloud(NOW - 1000, 2115), cloud(NOW - 2 * DAY, 5_000_000)], { period: 'month' });
    assert.equal(v.text, '$(cloud) $5.002115 this month');
  });

  it('turns to a warning at the warning threshold and to an error at the cap', () => {
    const below = view([cloud(NOW - 1000, 790_000)], {}, { dailyUsd: 1, warnAtFraction: 0.8 });
    const near = view([cloud(NOW - 1000, 800_000)], {}, { dailyUsd: 1, warnAtFraction: 0.8 });
    const at = view([cloud(NOW - 1000, 1_000_000)], {}, { dailyUsd: 1, warnAtFraction: 0.8 });
    assert.deepEqual([below.level, near.level, at.level], ['normal', 'warning', 'error']);
    assert.match(near.tooltip, /\| Today \| \$0\.80 \| 1 \| \$1\.00 \(80% used\) \|/);
    assert.match(at.ariaLabel, /daily \$1\.00 of \$1\.00 \(100%\)/);
  });

  it('checks the monthly cap against the month, not the day', () => {
    const v = view([cloud(NOW - 3 * DAY, 9_500_000), cloud(NOW - 1000, 100_000)], {}, { dailyUsd: 5, monthlyUsd: 10 });
    assert.equal(v.level, 'warning');
    assert.deepEqual(v.caps.map((c) => [c.period, c.level]), [['daily', 'normal'], ['monthly', 'warning']]);
  });

  it('never shows unpriced requests as free', () => {
    const v = view([cloud(NOW - 1000, 2115), cloud(NOW - 500, null, { model: 'mystery-model' })]);
    assert.equal(v.text, '$(cloud) $0.002115+ today $(warning) 1 unpriced');
    assert.equal(v.level, 'warning');
    assert.match(v.ariaLabel, /plus 1 requests with no known price/);
    assert.match(v.tooltip, /\$0\.002115 \+ 1 unpriced/);
    assert.match(v.tooltip, /mystery\\-model \(refactor\).*no known price/);
  });

  it('says so when the configured model has no price, and is an error once a budget blocks it', () => {
    const free = view([], { cloudModel: 'gpt-9', cloudModelPriced: false });
    assert.equal(free.text, '$(cloud) $0.00 today $(warning) no price for gpt-9');
    assert.equal(free.level, 'warning');
    const blocked = view([], { cloudModel: 'gpt-9', cloudModelPriced: false }, { dailyUsd: 1, hardStop: true });
    assert.equal(blocked.level, 'error');
    assert.match(blocked.ariaLabel, /gpt-9 has no price, so the budget blocks it until one is set/);
    assert.match(blocked.tooltip, /blocked until a price is set in `tandem\.cloud\.prices`/);
    const warnOnly = view([], { cloudModel: 'gpt-9', cloudModelPriced: false }, { dailyUsd: 1, hardStop: false });
    assert.equal(warnOnly.level, 'warning');
  });

  it('names the last request with its tokens and cost', () => {
    const v = view([cloud(NOW - 5000, 2115), cloud(NOW - 1000, 900, { model: 'gpt-5.4-nano', source: 'estimated' })], { formatTime: () => '11:59' });
    assert.match(v.tooltip, /Last request: gpt\\-5\\\.4\\-nano \(refactor\) at 11:59: \$0\.0009 \(estimated\), 1200 input tokens \(200 cached\), 300 output/);
  });

  it('adds today\'s local completions and what the cloud would have charged for them', () => {
    const local: SpendRecord[] = [
      { ...cloud(NOW - 100, 0), route: 'local', command: 'inline', model: 'qwen', inputTokens: 1000, cachedInputTokens: 0, outputTokens: 20, localEvent: 'shown', latencyMs: 150 },
      { ...cloud(NOW - 90, 0), route: 'local', command: 'inline', model: 'qwen', inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, localEvent: 'accepted' },
    ];
    const v = view([], { localToday: localStats(local, mini) });
    assert.match(v.tooltip, /Local completions today: 1 shown, 1 accepted \(100%\), median 150 ms; as gpt\\-5\\\.4\\-mini requests they would have cost up to \$0\.00084/);
    assert.equal(v.text, '$(cloud) $0.00 today', 'local work costs nothing on the meter');
  });

  it('keeps model names from becoming Markdown links in the tooltip', () => {
    const v = view([cloud(NOW - 1000, 1, { model: '[x](command:evil)' })]);
    assert.ok(!v.tooltip.includes('[x](command:evil)'));
  });
});
