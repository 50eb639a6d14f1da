import { strict as assert } from 'node:assert';
import { checkBudget } from '../../../src/core/cost/budget';
import { type BudgetSettings, DEFAULT_BUDGET, effectiveBudget } from '../../../src/core/shared/budgetPolicy';
import { emptyTotals, type SpendTotals } from '../../../src/core/cost/spendSummary';

function spent(todayMicros: number, monthMicros: number, unknownThisMonth = 0): { today: SpendTotals; thisMonth: SpendTotals } {
  return {
    today: { ...emptyTotals(), costMicros: todayMicros },
    thisMonth: { ...emptyTotals(), costMicros: monthMicros, unknownPriceRequests: unknownThisMonth },
  };
}

const hard: BudgetSettings = { dailyUsd: 1, monthlyUsd: 10, warnAtFraction: 0.8, hardStop: true };
const soft: BudgetSettings = { ...hard, hardStop: false };

describe('checkBudget', () => {
  // [name, today, month, maxCost, priceKnown, settings, expected kind, reason(s)]
  const cases: Array<[string, number, number, number, boolean, BudgetSettings, 'ok' | 'warn' | 'refuse', string]> = [
    ['well under both caps', 100_000, 1_000_000, 1_000, true, hard, 'ok', ''],
    ['exactly at the daily cap is allowed', 900_000, 2_000_000, 100_000, true, hard, 'warn', 'nearDailyCap'],
    ['one micro-dollar over the daily cap is refused', 900_001, 2_000_000, 100_000, true, hard, 'refuse', 'overDailyCap'],
    ['exactly at the monthly cap is allowed', 0, 9_990_000, 10_000, true, hard, 'warn', 'nearMonthlyCap'],
    ['a request that COULD cross the monthly cap is refused', 0, 9_990_000, 10_001, true, hard, 'refuse', 'overMonthlyCap'],
    ['both crossed: monthly is the reason', 1_000_000, 10_000_000, 1, true, hard, 'refuse', 'overMonthlyCap'],
    ['already over the cap: even a zero-cost request is refused', 1_000_001, 0, 0, true, hard, 'refuse', 'overDailyCap'],
    ['warning starts at the threshold', 799_000, 0, 1_000, true, hard, 'warn', 'nearDailyCap'],
    ['one below the threshold is ok', 798_999, 0, 1_000, true, hard, 'ok', ''],
    ['without a hard stop, crossing only warns', 900_001, 2_000_000, 100_000, true, soft, 'warn', 'overDailyCap'],
    ['unknown price with a cap and a hard stop is refused', 0, 0, 0, false, hard, 'refuse', 'unknownPrice'],
    ['unknown price without a hard stop is flagged', 0, 0, 0, false, soft, 'warn', 'unknownPrice'],
    ['unknown price without any cap is still flagged, never free', 0, 0, 0, false, { warnAtFraction: 0.8, hardStop: true }, 'warn', 'unknownPrice'],
    ['no caps and a known price is ok', 5e9, 5e9, 5e9, true, { warnAtFraction: 0.8, hardStop: true }, 'ok', ''],
    ['a zero cap refuses anything that costs', 0, 0, 1, true, { dailyUsd: 0, warnAtFraction: 0.8, hardStop: true }, 'refuse', 'overDailyCap'],
  ];
  for (const [name, today, month, maxCost, priceKnown, settings, kind, reason] of cases) {
    it(name, () => {
      const d = checkBudget(spent(today, month), maxCost, priceKnown, settings);
      assert.equal(d.kind, kind);
      if (d.kind === 'refuse') assert.equal(d.reason, reason);
      if (d.kind === 'warn') assert.deepEqual(d.reasons, reason.split(','));
    });
  }

  it('gives the numbers a refusal message needs', () => {
    const d = checkBudget(spent(900_001, 2_000_000), 100_000, true, hard);
    assert.equal(d.kind, 'refuse');
    if (d.kind !== 'refuse') return;
    assert.deepEqual(d.cap, {
      period: 'daily',
      capMicros: 1_000_000,
      spentMicros: 900_001,
      maxCostMicros: 100_000,
      projectedMicros: 1_000_001,
      remainingMicros: 99_999,
    });
    assert.deepEqual(d.caps.map((c) => c.period), ['monthly', 'daily']);
  });

  it('says when this month already holds requests of unknown cost', () => {
    const d = checkBudget(spent(0, 0, 2), 10, true, hard);
    assert.deepEqual(d.kind === 'warn' && d.reasons, ['unknownPastSpend']);
  });

  it('warns on both caps at once when both are near', () => {
    const d = checkBudget(spent(850_000, 8_500_000), 0, true, hard);
    assert.deepEqual(d.kind === 'warn' && d.reasons, ['nearMonthlyCap', 'nearDailyCap']);
  });
});

describe('effectiveBudget', () => {
  it('uses the defaults when nothing is set', () => {
    assert.deepEqual(effectiveBudget({}), { warnAtFraction: DEFAULT_BUDGET.warnAtFraction, hardStop: DEFAULT_BUDGET.hardStop });
  });

  it('lets a workspace lower caps but never raise them', () => {
    const user = { dailyUsd: 2, monthlyUsd: 20, warnAtFraction: 0.9, hardStop: false };
    assert.deepEqual(effectiveBudget(user, { dailyUsd: 50, monthlyUsd: 5 }), { dailyUsd: 2, monthlyUsd: 5, warnAtFraction: 0.9, hardStop: false });
    assert.deepEqual(effectiveBudget(user, { warnAtFraction: 0.95 }).warnAtFraction, 0.9);
    assert.deepEqual(effectiveBudget(user, { warnAtFraction: 0.5 }).warnAtFraction, 0.5);
  });

  it('lets a workspace add a cap the user did not set, or turn a hard stop on but not off', () => {
    assert.equal(effectiveBudget({}, { dailyUsd: 3 }).dailyUsd, 3);
    assert.equal(effectiveBudget({ hardStop: false }, { hardStop: true }).hardStop, true);
    assert.equal(effectiveBudget({ hardStop: true }, { hardStop: false }).hardStop, true);
  });

  it('ignores invalid numbers', () => {
    const b = effectiveBudget({ dailyUsd: Number.NaN, monthlyUsd: -1, warnAtFraction: 7 }, { dailyUsd: Number.POSITIVE_INFINITY });
    assert.deepEqual(b, { warnAtFraction: 0.8, hardStop: true });
  });
});
