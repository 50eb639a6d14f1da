// Forecast, local savings, break-even and the scenario calculator, computed from the fixed ledger in
// fixtures/handLedger.ts. Every expected number is worked out by hand here:
//
// | Figure | By hand | Value |
// | --- | --- | --- |
// | spent in May | 0.40 + 1.00 + 0.20 + 0.60 + 0.80 + 0.30 + 0.50 + (0.30 + 0.50) | $4.60 (+ 1 unpriced) |
// | basis: last 7 days with spend | 05-05 1.00, 05-08 0.20, 05-11 0.60, 05-13 0.80, 05-15 0.30, 05-18 0.50, 05-20 0.80 | sum $4.20 |
// | rate | 4.20 / 7 | $0.60 a day |
// | days left | 31 − 20 | 11 |
// | forecast | 4.60 + 0.60 × 11 | $11.20 |
// | low / high | 4.60 + 0.20 × 11 / 4.60 + 1.00 × 11 | $6.80 / $15.60 |
// | budget $10 / $12 / $20 | 11.20 > 10 / 15.60 > 12 ≥ 11.20 / 20 ≥ 15.60 | over / may exceed / within |
// | savings, May, shown | (1000 × 0.75 + 20 × 4.5) + (2000 × 0.75 + 40 × 4.5) µ$ = 840 + 1680 | $0.00252 (2) |
// | savings, May, accepted | 2000 × 0.75 + 40 × 4.5 | $0.00168 (1) |
// | May, left out | the estimated show and the accept without tokens of 05-10 | 2 |
// | savings, all time, shown | 2520 + 04-25 (4000 × 0.75 + 100 × 4.5 = 3450) + 03-01 roll-up (10000 × 0.75 + 500 × 4.5 = 9750) | $0.01572 (13) |
// | savings, all time, accepted | 1680 + 3450 | $0.00513 (2) |
// | all time, left out | 2 + 2 accepts without tokens (03-01) + 5 shows of 03-02 (3 estimated) | 9 |
// | rate window | 04-25 (first local record) .. 05-20 | 26 days, $0.00597 shown |
// | saved a month | 5970 / 26 × 30.4375 µ$ | $0.006989 |
// | break-even, $1 machine | 1 000 000 / 6988.918 | 143.1 months (11.9 years) |
// | scenario 20 × 22 × (2000 in, 500 out) | 880 000 in, 220 000 out; mini 0.66 + 0.99; nano 0.176 + 0.275 | $1.65, $0.451 |
import { strict as assert } from 'node:assert';
import { breakEven, formatMonths } from '../../../src/core/cost/breakEven';
import { costMeterView } from '../../../src/core/cost/costMeter';
import { DEFAULT_BUDGET } from '../../../src/core/shared/budgetPolicy';
import { hasServerCounts, localSavings } from '../../../src/core/cost/localSavings';
import { DEFAULT_PRICES, type PriceRow } from '../../../src/core/shared/priceTable';
import { normalizeScenario, scenarioCosts } from '../../../src/core/cost/scenarioCost';
import { spendCsv, spendFigures } from '../../../src/core/cost/spendCsv';
import { forecastBudgetLevel, forecastLine, monthForecast } from '../../../src/core/cost/spendForecast';
import { summarize } from '../../../src/core/cost/spendSummary';
import { spendViewModel } from '../../../src/core/cost/spendViewModel';
import { readSettingsSnapshot } from '../../../src/core/settings';
import { CLOUD, LOCAL, LOCAL_ROLLUPS, NOW, utc } from './fixtures/handLedger';

const mini = DEFAULT_PRICES.find((r) => r.model === 'gpt-5.4-mini')!;

describe('spend outlook from a fixed ledger (figures checked by hand)', () => {
  const summary = summarize(CLOUD, NOW, utc);
  const forecast = monthForecast(summary)!;
  const savings = localSavings(LOCAL, mini, NOW, { ...utc, rollups: LOCAL_ROLLUPS });

  describe('month-end forecast', () => {
    it('spent + mean of the last 7 days with spend × days left, with a min/max range', () => {
      assert.deepEqual(forecast.basis.map((d) => d.day), ['2026-05-05', '2026-05-08', '2026-05-11', '2026-05-13', '2026-05-15', '2026-05-18', '2026-05-20']);
      assert.deepEqual(
        { spent: forecast.spentMicros, rate: forecast.rateMicros, daysLeft: forecast.daysLeft, forecast: forecast.forecastMicros, low: forecast.lowMicros, high: forecast.highMicros },
        { spent: 4_600_000, rate: 600_000, daysLeft: 11, forecast: 11_200_000, low: 6_800_000, high: 15_600_000 },
      );
      assert.equal(forecast.unpricedRequests, 1);
      assert.equal(forecast.monthEnd, '2026-05-31');
    });

    const budgetCases: Array<[number, string]> = [[10, 'over'], [12, 'mayExceed'], [15.6, 'within'], [20, 'within']];
    for (const [capUsd, level] of budgetCases) {
      it(`against a $${capUsd} monthly budget: ${level}`, () => {
        assert.equal(forecastBudgetLevel(forecast, capUsd * 1_000_000), level);
      });
    }

    it('the dashed line runs from what is spent today to the forecast at the month\'s end', () => {
      const line = forecastLine(forecast);
      assert.equal(line.length, 12);
      assert.deepEqual(line[0], { day: '2026-05-20', micros: 4_600_000 });
      assert.deepEqual(line[1], { day: '2026-05-21', micros: 5_200_000 });
      assert.deepEqual(line[11], { day: '2026-05-31', micros: 11_200_000 });
    });

    it('nothing to project before any priced spend this month', () => {
      assert.equal(monthForecast(summarize(CLOUD.filter((r) => r.time < Date.UTC(2026, 4, 1)), NOW, utc)), undefined);
    });

    it('fewer than 7 days with spend: the mean of those there are', () => {
      const f = monthForecast(summarize(CLOUD.slice(0, 3), NOW, utc))!; // 05-02 0.40, 05-05 1.00
      assert.equal(f.rateMicros, 700_000);
      assert.equal(f.forecastMicros, 1_400_000 + 700_000 * 11);
    });

    it('on the 31st the 1st still counts (the chart\'s 30 days do not reach it), and no days are left', () => {
      const now = Date.UTC(2026, 4, 31, 12);
      const f = monthForecast(summarize([CLOUD[1]], now, utc))!; // 05-02 only
      assert.deepEqual([f.basis.length, f.daysLeft, f.forecastMicros], [1, 0, 400_000]);
    });

    it('uses the user\'s calendar days, as the budget does: 00:10 on June 1st in UTC+2 is June', () => {
      const plus2 = { utcOffsetMinutes: () => 120 };
      const now = Date.UTC(2026, 4, 31, 22, 30); // 00:30 June 1st local
      const records = [
        { ...CLOUD[1], id: 'may', time: Date.UTC(2026, 4, 31, 21, 0) }, // 23:00 May 31st local
        { ...CLOUD[2], id: 'june', time: Date.UTC(2026, 4, 31, 22, 10) }, // 00:10 June 1st local
      ];
      const f = monthForecast(summarize(records, now, plus2))!;
      assert.deepEqual([f.month, f.spentMicros, f.daysLeft, f.forecastMicros], ['2026-06', 1_000_000, 29, 30_000_000]);
    });
  });

  describe('local savings', () => {
    it('this month: shown and accepted priced from server counts, records without them left out', () => {
      assert.deepEqual(savings.month, {
        shown: 2, shownMicros: 2520, inputTokens: 3000, outputTokens: 60,
        accepted: 1, acceptedMicros: 1680, shownWithoutCounts: 1, acceptedWithoutCounts: 1,
      });
    });

    it('all time, rolled-up days included (a day with any estimate is left out whole)', () => {
      assert.deepEqual(savings.allTime, {
        shown: 13, shownMicros: 15_720, inputTokens: 17_000, outputTokens: 660,
        accepted: 2, acceptedMicros: 5130, shownWithoutCounts: 6, acceptedWithoutCounts: 3,
      });
    });

    it('the rate window starts at the first local record within the last 30 days', () => {
      assert.deepEqual([savings.recent.firstDay, savings.recent.days, savings.recent.shownMicros], ['2026-04-25', 26, 5970]);
    });

    it('records written before server counts were kept are recognised', () => {
      const table: Array<[string, Parameters<typeof hasServerCounts>[0], boolean]> = [
        ['shown, reported', { source: 'reported', inputTokens: 10, outputTokens: 1, localEvent: 'shown' }, true],
        ['shown, estimated (no server counts)', { source: 'estimated', inputTokens: 10, outputTokens: 1, localEvent: 'shown' }, false],
        ['accepted, old: no tokens', { source: 'reported', inputTokens: 0, outputTokens: 0, localEvent: 'accepted' }, false],
        ['accepted, with its show\'s counts', { source: 'reported', inputTokens: 10, outputTokens: 1, localEvent: 'accepted' }, true],
        ['accepted, show not found', { source: 'estimated', inputTokens: 0, outputTokens: 0, localEvent: 'accepted' }, false],
      ];
      for (const [name, r, expected] of table) assert.equal(hasServerCounts(r), expected, name);
    });
  });

  describe('break-even', () => {
    it('nothing without a hardware cost', () => {
      assert.equal(breakEven(0, savings), undefined);
    });

    it('hardware ÷ (window savings ÷ days × 30.4375), with the assumptions in words', () => {
      const b = breakEven(1, savings)!;
      assert.equal(b.monthlyMicros, 6989);
      assert.ok(Math.abs(b.months! - 1_000_000 / (5970 / 26 * 30.4375)) < 1e-9);
      assert.equal(formatMonths(b.months), '143.1 months (11.9 years)');
      assert.match(b.assumptions, /gpt-5\.4-mini price of 3 shown local completion\(s\) over the last 26 day\(s\) \(\$0\.00597\)/);
      assert.match(b.assumptions, /1 shown completion\(s\) without server token counts left out/);
    });

    it('the hardware cost is the user\'s own: a workspace value is ignored', () => {
      const user: Record<string, unknown> = { 'local.hardwareCostUsd': 2500 };
      const ws: Record<string, unknown> = { 'local.hardwareCostUsd': 1 };
      const s = readSettingsSnapshot({ user: (k) => user[k], workspace: (k) => ws[k], trusted: true });
      assert.equal(s.local.hardwareCostUsd, 2500);
      assert.equal(readSettingsSnapshot({ user: () => undefined, workspace: (k) => ws[k], trusted: true }).local.hardwareCostUsd, 0);
    });

    it('no savings: never at the current rate', () => {
      const none = localSavings([], mini, NOW, utc);
      assert.equal(formatMonths(breakEven(3000, none)!.months), 'never at the current rate');
      assert.equal(formatMonths(7.46), '7.5 months');
    });
  });

  describe('scenario calculator', () => {
    const gateway: PriceRow = { model: 'my-gateway-model', inputPerMTok: 1, outputPerMTok: 2, cachedVerified: true, source: 'user', asOf: '2026-05-01' };

    it('sessions × days × tokens on mini, nano and the user\'s rows; an unpriced model is unknown, not free', () => {
      const r = scenarioCosts({ sessionsPerDay: 20, inputTokensPerSession: 2000, outputTokensPerSession: 500, daysPerMonth: 22 }, [gateway], ['gpt-unpriced']);
      assert.deepEqual([r.inputTokensPerMonth, r.outputTokensPerMonth], [880_000, 220_000]);
      assert.deepEqual(r.rows.map((x) => [x.model, x.cost, x.costMicros]), [
        ['gpt-5.4-mini', '$1.65', 1_650_000],
        ['gpt-5.4-nano', '$0.451', 451_000],
        ['my-gateway-model', '$1.32', 1_320_000],
        ['gpt-unpriced', 'no known price', null],
      ]);
    });

    it('a user row for mini overrides the built-in price, and is not listed twice', () => {
      const r = scenarioCosts({ sessionsPerDay: 1, inputTokensPerSession: 1_000_000, outputTokensPerSession: 0, daysPerMonth: 1 }, [{ ...gateway, model: 'gpt-5.4-mini' }], ['gpt-5.4-mini']);
      assert.deepEqual(r.rows.map((x) => [x.model, x.cost]), [['gpt-5.4-mini', '$1.00'], ['gpt-5.4-nano', '$0.20']]);
      assert.match(r.rows[0].priceSource, /your tandem\.cloud\.prices/);
    });

    it('inputs from the page are made whole and bounded', () => {
      assert.deepEqual(normalizeScenario({ sessionsPerDay: '12.7', inputTokensPerSession: '', outputTokensPerSession: -5, daysPerMonth: 99 }),
        { sessionsPerDay: 12, inputTokensPerSession: 0, outputTokensPerSession: 0, daysPerMonth: 31 });
    });
  });

  describe('where the figures are shown', () => {
    const budget = { ...DEFAULT_BUDGET, monthlyUsd: 10 };

    it('the spend view model: forecast with a budget warning, savings rows, break-even only with a hardware cost', () => {
      const base = { summary, budget, cloudModel: 'gpt-5.4-mini', cloudModelPriced: true, forecast, savings };
      const vm = spendViewModel({ ...base, breakEven: breakEven(1, savings)! });
      assert.deepEqual([vm.forecast?.value, vm.forecast?.low, vm.forecast?.high, vm.forecast?.rate], ['$11.20', '$6.80', '$15.60', '$0.60']);
      assert.equal(vm.forecast?.budget?.level, 'over');
      assert.equal(vm.forecast?.budget?.status, 'Over the $10.00 monthly budget');
      assert.equal(vm.forecast?.budget?.message, 'At this rate this month\'s cloud spend reaches $11.20 by 2026-05-31, over the $10.00 monthly budget.');
      assert.deepEqual(vm.savings?.rows.map((r) => [r.label, r.shown, r.shownSaved, r.accepted, r.acceptedSaved, r.withoutCounts]), [
        ['This month', 2, '$0.00252', 1, '$0.00168', 2],
        ['All time', 13, '$0.01572', 2, '$0.00513', 9],
      ]);
      assert.deepEqual([vm.breakEven?.months, vm.breakEven?.hardware, vm.breakEven?.monthly], ['143.1 months (11.9 years)', '$1.00', '$0.006989']);
      assert.equal(vm.forecast?.line.labels.at(-1), '2026-05-31');
      assert.equal(spendViewModel(base).breakEven, undefined);
    });

    it('the cost meter\'s tooltip carries the forecast and says it crosses the budget', () => {
      const view = costMeterView({ summary, period: 'today', budget, cloudModel: 'gpt-5.4-mini', cloudModelPriced: true, forecast });
      assert.match(view.tooltip, /Month-end forecast: \$11\.20 \(range \$6\.80–\$15\.60; \$0\.60 a day over the last 7 day\(s\) with spend, 11 day\(s\) left\), plus 1 unpriced \$\(warning\) over the \$10\.00 monthly budget/);
    });

    it('the CSV export ends with the figures table', () => {
      const figures = spendFigures({ forecast, savings, breakEven: breakEven(1, savings)! });
      const lines = spendCsv(CLOUD.slice(0, 1), figures).split('\r\n');
      assert.equal(lines[2], '');
      assert.equal(lines[3], 'figure,value,detail');
      const byName = new Map(lines.slice(4, -1).map((l) => [l.split(',')[0], l.split(',')[1]]));
      assert.equal(byName.get('forecastMonthEndUsd'), '11.200000');
      assert.equal(byName.get('forecastLowUsd'), '6.800000');
      assert.equal(byName.get('forecastHighUsd'), '15.600000');
      assert.equal(byName.get('localSavedShownThisMonthUsd'), '0.002520');
      assert.equal(byName.get('localSavedAcceptedAllTimeUsd'), '0.005130');
      assert.equal(byName.get('localWithoutServerCountsAllTime'), '9');
      assert.equal(byName.get('breakEvenMonths'), '143.1');
      assert.equal(lines.at(-1), '', 'ends with CRLF');
    });
  });
});
