// Budgets as the user set them, and the one rule for combining them with a workspace's values: a
// workspace (whose settings arrive with a cloned repository) may tighten, never loosen.

export interface BudgetSettings {
  dailyUsd?: number;
  monthlyUsd?: number;
  /** Warn once a request could take spending to this fraction of a cap (0..1). */
  warnAtFraction: number;
  /** Refuse requests that could cross a cap (otherwise only warn). */
  hardStop: boolean;
}

export const DEFAULT_BUDGET: Readonly<BudgetSettings> = Object.freeze({ warnAtFraction: 0.8, hardStop: true });

/**
 * Budgets belong to the user: a workspace (whose settings arrive with a cloned repository) may make
 * them stricter, never looser. Caps take the lower of the two, the warning the earlier one, and a
 * hard stop set at either level holds. Invalid numbers are ignored.
 */
export function effectiveBudget(user: Partial<BudgetSettings>, workspace: Partial<BudgetSettings> = {}): BudgetSettings {
  const userWarn = isFraction(user.warnAtFraction) ? user.warnAtFraction : DEFAULT_BUDGET.warnAtFraction;
  const result: BudgetSettings = {
    warnAtFraction: isFraction(workspace.warnAtFraction) ? Math.min(userWarn, workspace.warnAtFraction) : userWarn,
    hardStop: (user.hardStop ?? DEFAULT_BUDGET.hardStop) || workspace.hardStop === true,
  };
  const daily = lowest(user.dailyUsd, workspace.dailyUsd);
  const monthly = lowest(user.monthlyUsd, workspace.monthlyUsd);
  if (daily !== undefined) result.dailyUsd = daily;
  if (monthly !== undefined) result.monthlyUsd = monthly;
  return result;
}

function lowest(a: number | undefined, b: number | undefined): number | undefined {
  const valid = [a, b].filter(isCap);
  return valid.length === 0 ? undefined : Math.min(...valid);
}

function isFraction(v: number | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
}

function isCap(v: number | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
