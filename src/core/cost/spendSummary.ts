// What the cost meter shows, computed from ledger contents: today, this month, per model, per
// command, the last request and a daily series. Cloud records only (local ones cost nothing; see
// localStats). Days are the user's calendar days, so "today" resets at local midnight.

import { costMicros } from './costMath';
import type { PriceRow } from '../shared/priceTable';
import type { DayAggregate, SpendRecord } from './spendRecord';
import { dayKey, localUtcOffsetMinutes } from './wallClock';

export interface SpendTotals {
  requests: number;
  /** Sum over requests with a known cost. */
  costMicros: number;
  /** Requests whose model had no price: the true spend is higher than costMicros by an unknown amount. */
  unknownPriceRequests: number;
  /** Requests charged from an estimate because the API reported no usage. */
  estimatedRequests: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export interface SpendSummary {
  /** The local calendar day and month the summary was made for ('YYYY-MM-DD', 'YYYY-MM'). */
  day: string;
  month: string;
  today: SpendTotals;
  thisMonth: SpendTotals;
  /** Everything in the ledger, rolled-up days included. */
  allTime: SpendTotals;
  /** This month, most expensive first. */
  byModel: Array<SpendTotals & { model: string }>;
  byCommand: Array<SpendTotals & { command: string }>;
  lastRequest?: SpendRecord;
  /** One entry per day, oldest first, ending today; days without requests are zeros. */
  daily: Array<SpendTotals & { day: string }>;
}

export interface SummaryOptions {
  /** Per-day aggregates of rolled-up records (their day is a UTC day: close enough for old days). */
  rollups?: readonly DayAggregate[];
  /** The user's UTC offset at a given time (default: this host's time zone). */
  utcOffsetMinutes?: (ms: number) => number;
  /**
   * Prices records that were stored without one (their model was unknown then) once the user has
   * set a price, so "blocked until a price is set" clears without losing those requests.
   */
  priceOf?: (model: string) => PriceRow | undefined;
  /** Length of the daily series (default 30). */
  days?: number;
}

export function summarize(records: readonly SpendRecord[], now: number, options: SummaryOptions = {}): SpendSummary {
  const offsetAt = options.utcOffsetMinutes ?? localUtcOffsetMinutes;
  const today = dayKey(now, offsetAt(now));
  const month = today.slice(0, 7);
  const dayCount = Math.max(1, options.days ?? 30);
  const dailyKeys = Array.from({ length: dayCount }, (_, i) => addDays(today, i - (dayCount - 1)));
  const daily = new Map(dailyKeys.map((d) => [d, emptyTotals()]));

  const summary: SpendSummary = {
    day: today,
    month,
    today: emptyTotals(),
    thisMonth: emptyTotals(),
    allTime: emptyTotals(),
    byModel: [],
    byCommand: [],
    daily: [],
  };
  const byModel = new Map<string, SpendTotals>();
  const byCommand = new Map<string, SpendTotals>();

  const count = (day: string, model: string, command: string, add: (t: SpendTotals) => void) => {
    add(summary.allTime);
    const inDaily = daily.get(day);
    if (inDaily) add(inDaily);
    if (day === today) add(summary.today);
    if (day.slice(0, 7) === month) {
      add(summary.thisMonth);
      add(getOrAdd(byModel, model));
      add(getOrAdd(byCommand, command));
    }
  };

  for (const r of records) {
    if (r.route !== 'cloud') continue;
    const cost = r.costMicros ?? repriced(r, options.priceOf);
    count(dayKey(r.time, offsetAt(r.time)), r.model, r.command, (t) => {
      t.requests++;
      if (cost === null) t.unknownPriceRequests++;
      else t.costMicros += cost;
      if (r.source === 'estimated') t.estimatedRequests++;
      t.inputTokens += r.inputTokens;
      t.cachedInputTokens += r.cachedInputTokens;
      t.outputTokens += r.outputTokens;
      t.reasoningTokens += r.reasoningTokens;
    });
    if (summary.lastRequest === undefined || r.time >= summary.lastRequest.time) summary.lastRequest = r;
  }
  for (const a of options.rollups ?? []) {
    if (a.route !== 'cloud') continue;
    count(a.day, a.model, a.command, (t) => {
      t.requests += a.count;
      t.costMicros += a.costMicros;
      t.unknownPriceRequests += a.unknownCostCount;
      t.estimatedRequests += a.estimatedCount;
      t.inputTokens += a.inputTokens;
      t.cachedInputTokens += a.cachedInputTokens;
      t.outputTokens += a.outputTokens;
      t.reasoningTokens += a.reasoningTokens;
    });
  }

  summary.byModel = [...byModel].map(([model, t]) => ({ model, ...t })).sort(byCostThenName((x) => x.model));
  summary.byCommand = [...byCommand].map(([command, t]) => ({ command, ...t })).sort(byCostThenName((x) => x.command));
  summary.daily = dailyKeys.map((day) => ({ day, ...daily.get(day)! }));
  return summary;
}

export function emptyTotals(): SpendTotals {
  return {
    requests: 0,
    costMicros: 0,
    unknownPriceRequests: 0,
    estimatedRequests: 0,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
  };
}

function repriced(r: SpendRecord, priceOf: SummaryOptions['priceOf']): number | null {
  const price = priceOf?.(r.model);
  return price === undefined ? null : costMicros(r, price);
}

function getOrAdd<K>(map: Map<K, SpendTotals>, key: K): SpendTotals {
  let t = map.get(key);
  if (t === undefined) map.set(key, (t = emptyTotals()));
  return t;
}

// Calendar arithmetic on the date itself: stepping back 24 h at a time from a local time near
// midnight would skip or repeat a day across a daylight-saving change.
function addDays(day: string, delta: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + delta);
  return d.toISOString().slice(0, 10);
}

function byCostThenName<T extends SpendTotals>(name: (x: T) => string): (a: T, b: T) => number {
  return (a, b) => b.costMicros - a.costMicros || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
}
