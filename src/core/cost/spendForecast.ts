// Month-end cloud spend projected from this month's daily spend. The method is simple on purpose,
// so a user can redo it by hand from the chart:
//
//   basis     = the last (up to) 7 days of this month with any priced cloud spend, today included
//   rate      = mean of the basis days' spend; low / high = the smallest / largest basis day
//   days left = days in the month after today
//   forecast  = spent this month + rate × days left   (low and high the same way)
//
// It assumes every remaining day is a day you use the cloud, so on months with idle days it reads
// high rather than low. Days are the summary's days (the user's calendar days, as budgets count
// them), so "today" and "this month" mean the same here as on the meter.

import { addDays, type SpendSummary } from './spendSummary';

/** How many recent active days the rate is taken from. */
export const FORECAST_BASIS_DAYS = 7;

export interface MonthForecast {
  /** 'YYYY-MM' and 'YYYY-MM-DD' of the summary. */
  month: string;
  today: string;
  /** The month's last day, 'YYYY-MM-DD'. */
  monthEnd: string;
  daysInMonth: number;
  /** Days after today until the month ends (0 on its last day). */
  daysLeft: number;
  spentMicros: number;
  /** The days the rate comes from, oldest first. */
  basis: Array<{ day: string; costMicros: number }>;
  /** Mean, smallest and largest basis day (micro-dollars, mean rounded to the nearest one). */
  rateMicros: number;
  lowRateMicros: number;
  highRateMicros: number;
  forecastMicros: number;
  lowMicros: number;
  highMicros: number;
  /** Requests this month with no known price: the true spend, and forecast, are higher by an unknown amount. */
  unpricedRequests: number;
}

/** The forecast for the summary's month, or undefined before any priced cloud spend this month. */
export function monthForecast(summary: SpendSummary, basisDays = FORECAST_BASIS_DAYS): MonthForecast | undefined {
  const active = summary.monthDaily.filter((d) => d.costMicros > 0);
  if (active.length === 0) return undefined;
  const basis = active.slice(-Math.max(1, basisDays)).map((d) => ({ day: d.day, costMicros: d.costMicros }));
  const costs = basis.map((d) => d.costMicros);
  const sum = costs.reduce((a, b) => a + b, 0);
  const daysInMonth = daysInMonthOf(summary.month);
  const daysLeft = daysInMonth - Number(summary.day.slice(8, 10));
  const spent = summary.thisMonth.costMicros;
  const low = Math.min(...costs);
  const high = Math.max(...costs);
  return {
    month: summary.month,
    today: summary.day,
    monthEnd: `${summary.month}-${String(daysInMonth).padStart(2, '0')}`,
    daysInMonth,
    daysLeft,
    spentMicros: spent,
    basis,
    rateMicros: Math.round(sum / basis.length),
    lowRateMicros: low,
    highRateMicros: high,
    // sum × daysLeft / n in one rounding, so the figure does not depend on how the mean was rounded.
    forecastMicros: spent + Math.round((sum * daysLeft) / basis.length),
    lowMicros: spent + low * daysLeft,
    highMicros: spent + high * daysLeft,
    unpricedRequests: summary.thisMonth.unknownPriceRequests,
  };
}

export type ForecastBudgetLevel = 'within' | 'mayExceed' | 'over';

/** 'over' when the forecast crosses the monthly cap, 'mayExceed' when only the high end does. */
export function forecastBudgetLevel(f: MonthForecast, monthlyCapMicros: number): ForecastBudgetLevel {
  if (f.forecastMicros > monthlyCapMicros) return 'over';
  if (f.highMicros > monthlyCapMicros) return 'mayExceed';
  return 'within';
}

/**
 * The projected month-to-date line from today to the month's end (today's point is what is spent),
 * for the chart's dashed line.
 */
export function forecastLine(f: MonthForecast): Array<{ day: string; micros: number }> {
  const line: Array<{ day: string; micros: number }> = [];
  for (let i = 0; i <= f.daysLeft; i++) {
    const micros = f.daysLeft === 0 ? f.spentMicros : f.spentMicros + Math.round(((f.forecastMicros - f.spentMicros) * i) / f.daysLeft);
    line.push({ day: addDays(f.today, i), micros });
  }
  return line;
}

export function daysInMonthOf(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
