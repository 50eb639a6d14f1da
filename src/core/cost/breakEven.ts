// When a local machine pays for itself: its price (tandem.local.hardwareCostUsd) divided by what the
// local completions save per month at the current rate.
//
//   daily rate   = cloud price of the shown completions with server counts over the rate window
//                  (the last 30 days, or since the first local record if that is later) ÷ its days
//   monthly rate = daily rate × 30.4375 (365.25 / 12)
//   months       = hardware cost ÷ monthly rate
//
// Shown completions, not only accepted ones: without the local model each shown completion would
// have been a cloud request. Not counted: electricity, the machine's other uses, completions
// without server counts, cloud prompt caching (input at the full rate), price changes.

import { formatUsd, usdToMicros } from './costMath';
import { DAYS_PER_MONTH, type LocalSavings } from './localSavings';

export interface BreakEven {
  hardwareMicros: number;
  /** Savings per month at the current rate (micro-dollars, rounded). */
  monthlyMicros: number;
  /** Months until the savings equal the hardware cost; undefined when nothing is being saved. */
  months?: number;
  /** What the figure rests on, in words, to show next to it. */
  assumptions: string;
}

/** Undefined when no hardware cost is set (0): then nothing is shown. */
export function breakEven(hardwareCostUsd: number, savings: LocalSavings): BreakEven | undefined {
  if (!Number.isFinite(hardwareCostUsd) || hardwareCostUsd <= 0) return undefined;
  const hardwareMicros = usdToMicros(hardwareCostUsd);
  const r = savings.recent;
  const monthlyExact = (r.shownMicros / Math.max(1, r.days)) * DAYS_PER_MONTH;
  const left = r.shownWithoutCounts > 0 ? `; ${r.shownWithoutCounts} shown completion(s) without server token counts left out` : '';
  const assumptions =
    `At ${formatUsd(Math.round(monthlyExact))} a month: the ${savings.price.model} price of ${r.shown} shown local completion(s) ` +
    `over the last ${r.days} day(s) (${formatUsd(r.shownMicros)}), ÷ ${r.days} × 30.4375 days a month; input at the full rate, ` +
    `no electricity or other uses of the machine${left}.`;
  return {
    hardwareMicros,
    monthlyMicros: Math.round(monthlyExact),
    ...(monthlyExact > 0 ? { months: hardwareMicros / monthlyExact } : {}),
    assumptions,
  };
}

/** "7.5 months", "26.3 months (2.2 years)", or "never at the current rate". */
export function formatMonths(months: number | undefined): string {
  if (months === undefined || !Number.isFinite(months)) return 'never at the current rate';
  const m = `${months.toFixed(1)} months`;
  return months >= 24 ? `${m} (${(months / 12).toFixed(1)} years)` : m;
}
