import { strict as assert } from 'node:assert';
import { DEFAULT_PRICES } from '../../../src/core/shared/priceTable';
import type { DayAggregate, SpendRecord } from '../../../src/core/cost/spendRecord';
import { summarize } from '../../../src/core/cost/spendSummary';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// 2026-05-20 10:00 UTC, a Wednesday.
const NOW = Date.UTC(2026, 4, 20, 10, 0, 0);
const utc = { utcOffsetMinutes: () => 0 };
const mini = DEFAULT_PRICES[0];

let seq = 0;
function rec(time: number, overrides: Partial<SpendRecord> = {}): SpendRecord {
  return {
    id: `r${seq++}`,
    time,
    workspace: 'ws',
    route: 'cloud',
    command: 'refactor',
    model: 'gpt-5.4-mini',
    inputTokens: 100,
    cachedInputTokens: 10,
    outputTokens: 20,
    reasoningTokens: 5,
    costMicros: 1000,
    source: 'reported',
    ...overrides,
  };
}

describe('summarize', () => {
  it('splits today, this month and all time', () => {
    const records = [
      rec(NOW - 1 * HOUR),
      rec(NOW - 2 * DAY, { costMicros: 500 }),
      rec(Date.UTC(2026, 3, 30, 23, 0), { costMicros: 7 }), // April
    ];
    const s = summarize(records, NOW, utc);
    assert.deepEqual([s.day, s.month], ['2026-05-20', '2026-05']);
    assert.deepEqual([s.today.requests, s.today.costMicros], [1, 1000]);
    assert.deepEqual([s.thisMonth.requests, s.thisMonth.costMicros], [2, 1500]);
    assert.deepEqual([s.allTime.requests, s.allTime.costMicros], [3, 1507]);
    assert.deepEqual(
      [s.thisMonth.inputTokens, s.thisMonth.cachedInputTokens, s.thisMonth.outputTokens, s.thisMonth.reasoningTokens],
      [200, 20, 40, 10],
    );
  });

  it('uses the user\'s calendar day: 23:30 UTC is already tomorrow at UTC+2', () => {
    const late = Date.UTC(2026, 4, 19, 23, 30);
    const records = [rec(late)];
    assert.equal(summarize(records, NOW, { utcOffsetMinutes: () => 120 }).today.requests, 1);
    assert.equal(summarize(records, NOW, utc).today.requests, 0);
  });

  it('flags unknown-price and estimated requests instead of counting them as free', () => {
    const records = [rec(NOW, { costMicros: null, model: 'mystery' }), rec(NOW, { source: 'estimated' })];
    const s = summarize(records, NOW, utc);
    assert.deepEqual([s.today.requests, s.today.costMicros, s.today.unknownPriceRequests, s.today.estimatedRequests], [2, 1000, 1, 1]);
    assert.deepEqual(s.byModel.map((m) => [m.model, m.unknownPriceRequests]), [['gpt-5.4-mini', 0], ['mystery', 1]]);
  });

  it('prices earlier unknown-price requests once a price is set', () => {
    const records = [rec(NOW, { costMicros: null, model: 'mystery', inputTokens: 1000, cachedInputTokens: 0, outputTokens: 1000 })];
    const s = summarize(records, NOW, { ...utc, priceOf: (m) => (m === 'mystery' ? { ...mini, model: 'mystery' } : undefined) });
    assert.deepEqual([s.today.costMicros, s.today.unknownPriceRequests], [750 + 4500, 0]);
  });

  it('groups this month by model and by command, most expensive first', () => {
    const records = [
      rec(NOW, { model: 'gpt-5.4-nano', costMicros: 10 }),
      rec(NOW, { model: 'gpt-5.4-mini', costMicros: 300, command: 'explain' }),
      rec(NOW, { model: 'gpt-5.4-mini', costMicros: 200 }),
      rec(Date.UTC(2026, 3, 1), { model: 'old-model', costMicros: 99_999 }),
    ];
    const s = summarize(records, NOW, utc);
    assert.deepEqual(s.byModel.map((m) => [m.model, m.requests, m.costMicros]), [['gpt-5.4-mini', 2, 500], ['gpt-5.4-nano', 1, 10]]);
    assert.deepEqual(s.byCommand.map((c) => [c.command, c.costMicros]), [['explain', 300], ['refactor', 210]]);
  });

  it('gives a 30-day daily series ending today, with empty days as zeros', () => {
    const records = [rec(NOW), rec(NOW - 29 * DAY, { costMicros: 5 }), rec(NOW - 30 * DAY, { costMicros: 6 })];
    const s = summarize(records, NOW, utc);
    assert.equal(s.daily.length, 30);
    assert.deepEqual([s.daily[0].day, s.daily[0].costMicros], ['2026-04-21', 5]);
    assert.deepEqual([s.daily[29].day, s.daily[29].costMicros], ['2026-05-20', 1000]);
    assert.equal(s.daily.slice(1, 29).every((d) => d.requests === 0), true);
  });

  it('steps the series by calendar day across a daylight-saving change', () => {
    // Europe-style spring forward on 2026-03-29: +60 before, +120 after.
    const springNow = Date.UTC(2026, 2, 30, 22, 30); // 00:30 local on 03-31
    const offset = (ms: number) => (ms >= Date.UTC(2026, 2, 29, 1) ? 120 : 60);
    const days = summarize([], springNow, { utcOffsetMinutes: offset, days: 4 }).daily.map((d) => d.day);
    assert.deepEqual(days, ['2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31']);
  });

  it('reports the latest cloud request and ignores local records', () => {
    const last = rec(NOW - 1000, { requestId: 'req_last' });
    const records = [rec(NOW - 5000), last, rec(NOW, { route: 'local', command: 'inline', costMicros: 0, localEvent: 'shown' })];
    const s = summarize(records, NOW, utc);
    assert.equal(s.lastRequest?.requestId, 'req_last');
    assert.equal(s.today.requests, 2);
  });

  it('adds rolled-up days to the totals they belong to', () => {
    const rollup: DayAggregate = {
      day: '2026-02-01', workspace: 'ws', route: 'cloud', command: 'refactor', model: 'gpt-5.4-mini',
      count: 4, inputTokens: 400, cachedInputTokens: 0, outputTokens: 80, reasoningTokens: 0,
      costMicros: 4000, unknownCostCount: 1, estimatedCount: 2,
    };
    const local: DayAggregate = { ...rollup, route: 'local', localEvent: 'shown', costMicros: 0 };
    const s = summarize([rec(NOW)], NOW, { ...utc, rollups: [rollup, local] });
    assert.deepEqual(
      [s.allTime.requests, s.allTime.costMicros, s.allTime.unknownPriceRequests, s.allTime.estimatedRequests],
      [5, 5000, 1, 2],
    );
    assert.equal(s.thisMonth.requests, 1);
  });
});
