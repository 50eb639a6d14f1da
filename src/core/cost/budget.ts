// Budget decisions before a cloud request is sent. The check compares what has been spent plus
// the MOST the request can cost (the pre-flight ceiling) against each cap, so with a hard stop no
// request can take spending past a cap, and one that ends exactly at the cap is still allowed.

import { DEFAULT_BUDGET, type BudgetSettings } from '../shared/budgetPolicy';
import type { SpendSummary } from './spendSummary';
import { usdToMicros } from './costMath';

export interface CapCheck {
  period: 'daily' | 'monthly';
  capMicros: number;
  spentMicros: number;
  maxCostMicros: number;
  /** spent + the request's ceiling. */
  projectedMicros: number;
  /** What is left before the cap (0 when already at or over it). */
  remainingMicros: number;
}

export type BudgetWarning =
  | 'nearDailyCap'
  | 'nearMonthlyCap'
  | 'overDailyCap'
  | 'overMonthlyCap'
  | 'unknownPrice'
  /** Earlier requests this month had no price, so the spent figures are a lower bound. */
  | 'unknownPastSpend';

export type BudgetDecision =
  | { kind: 'ok'; caps: CapCheck[] }
  | { kind: 'warn'; reasons: BudgetWarning[]; caps: CapCheck[] }
  | { kind: 'refuse'; reason: 'overDailyCap' | 'overMonthlyCap' | 'unknownPrice'; cap?: CapCheck; caps: CapCheck[] };

/**
 * @param maxCostMicros the request's pre-flight ceiling; ignored when `priceKnown` is false.
 * @param priceKnown false when the model has no price: a request that cannot be costed is refused
 *   whenever a cap is set with a hard stop, and flagged otherwise; it is never treated as free.
 */
export function checkBudget(
  summary: Pick<SpendSummary, 'today' | 'thisMonth'>,
  maxCostMicros: number,
  priceKnown: boolean,
  settings: BudgetSettings,
): BudgetDecision {
  const ceiling = priceKnown ? Math.max(0, Math.ceil(maxCostMicros)) : 0;
  const caps: CapCheck[] = [];
  // Monthly first: when both are crossed, "wait until tomorrow" would be the wrong advice.
  if (isCap(settings.monthlyUsd)) caps.push(capCheck('monthly', settings.monthlyUsd, summary.thisMonth.costMicros, ceiling));
  if (isCap(settings.dailyUsd)) caps.push(capCheck('daily', settings.dailyUsd, summary.today.costMicros, ceiling));

  const reasons: BudgetWarning[] = [];
  if (!priceKnown) {
    if (caps.length > 0 && settings.hardStop) return { kind: 'refuse', reason: 'unknownPrice', caps };
    reasons.push('unknownPrice');
  }
  const warnAt = clampFraction(settings.warnAtFraction);
  for (const cap of caps) {
    if (priceKnown && cap.projectedMicros > cap.capMicros) {
      const reason = cap.period === 'daily' ? 'overDailyCap' : 'overMonthlyCap';
      if (settings.hardStop) return { kind: 'refuse', reason, cap, caps };
      reasons.push(reason);
    } else if (cap.projectedMicros >= cap.capMicros * warnAt) {
      reasons.push(cap.period === 'daily' ? 'nearDailyCap' : 'nearMonthlyCap');
    }
  }
  if (summary.thisMonth.unknownPriceRequests > 0 && caps.length > 0) reasons.push('unknownPastSpend');
  return reasons.length > 0 ? { kind: 'warn', reasons, caps } : { kind: 'ok', caps };
}

function capCheck(period: CapCheck['period'], usd: number, spentMicros: number, maxCostMicros: number): CapCheck {
  const capMicros = usdToMicros(usd);
  return {
    period,
    capMicros,
    spentMicros,
    maxCostMicros,
    projectedMicros: spentMicros + maxCostMicros,
    remainingMicros: Math.max(0, capMicros - spentMicros),
  };
}

function isCap(v: number | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function clampFraction(f: number): number {
  return Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : DEFAULT_BUDGET.warnAtFraction;
}
