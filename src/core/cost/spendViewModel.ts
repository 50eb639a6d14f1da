// What the spend view shows, as plain JSON posted to the webview: every amount already formatted
// exactly (micro-dollars through formatUsd), plus float dollars only where the chart needs numbers
// to plot. The webview script renders it and decides nothing.

import type { BudgetSettings } from '../shared/budgetPolicy';
import { formatUsd, usdToMicros } from './costMath';
import type { LocalStats } from './localStats';
import type { SpendSummary, SpendTotals } from './spendSummary';

export interface SpendRow {
  name: string;
  requests: number;
  cost: string;
  unpriced: number;
  estimated: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export interface BudgetLine {
  period: 'daily' | 'monthly';
  cap: string;
  /** For the chart. */
  capUsd: number;
  spent: string;
  /** Whole percent used (may exceed 100). */
  percent: number;
  level: 'normal' | 'warning' | 'error';
}

export interface LocalPanel {
  label: string;
  shown: number;
  accepted: number;
  acceptance: string;
  latencyP50: string;
  latencyP95: string;
  inputTokens: number;
  outputTokens: number;
  cloudEquivalent: string;
  cloudModel: string;
}

export interface SpendViewModel {
  day: string;
  month: string;
  today: SpendRow;
  thisMonth: SpendRow;
  /** Oldest first, ending today. */
  daily: { labels: string[]; usd: number[]; text: string[]; unpriced: number[] };
  budgets: BudgetLine[];
  warnAtPercent: number;
  hardStop: boolean;
  byModel: SpendRow[];
  byCommand: SpendRow[];
  lastRequest?: { model: string; command: string; time: number; cost: string; source: 'reported' | 'estimated' };
  local: LocalPanel[];
  cloudModel: string;
  cloudModelPriced: boolean;
  /** Things the user must know to read the numbers right (unpriced requests, estimates, damage). */
  notes: string[];
}

export interface SpendViewInput {
  summary: SpendSummary;
  budget: BudgetSettings;
  cloudModel: string;
  cloudModelPriced: boolean;
  localToday?: LocalStats;
  localMonth?: LocalStats;
  skippedLines?: number;
  rollupUnreadable?: boolean;
}

export function spendViewModel(input: SpendViewInput): SpendViewModel {
  const { summary, budget } = input;
  const budgets: BudgetLine[] = [];
  const addBudget = (period: BudgetLine['period'], usd: number | undefined, spentMicros: number) => {
    if (usd === undefined || !Number.isFinite(usd) || usd <= 0) return;
    const capMicros = usdToMicros(usd);
    const fraction = spentMicros / capMicros;
    budgets.push({
      period,
      cap: formatUsd(capMicros),
      capUsd: usd,
      spent: formatUsd(spentMicros),
      percent: Math.floor(fraction * 100),
      level: fraction >= 1 ? 'error' : fraction >= budget.warnAtFraction ? 'warning' : 'normal',
    });
  };
  addBudget('daily', budget.dailyUsd, summary.today.costMicros);
  addBudget('monthly', budget.monthlyUsd, summary.thisMonth.costMicros);

  const notes: string[] = [];
  if (!input.cloudModelPriced) {
    notes.push(`${input.cloudModel} has no known price: its requests are counted but not priced, and while a budget with a hard stop is set they are refused until a price is set in tandem.cloud.prices.`);
  }
  if (summary.thisMonth.unknownPriceRequests > 0) {
    notes.push(`${summary.thisMonth.unknownPriceRequests} request(s) this month had no known price: actual spend is higher than shown.`);
  }
  if (summary.thisMonth.estimatedRequests > 0) {
    notes.push(`${summary.thisMonth.estimatedRequests} request(s) this month were charged from an estimate (the API reported no usage, e.g. a cancelled stream).`);
  }
  if ((input.skippedLines ?? 0) > 0) notes.push(`${input.skippedLines} damaged ledger line(s) were skipped.`);
  if (input.rollupUnreadable) notes.push('The roll-up of older days could not be read; older totals are missing.');

  const local: LocalPanel[] = [];
  if (input.localToday) local.push(localPanel('Today', input.localToday));
  if (input.localMonth) local.push(localPanel('This month', input.localMonth));

  const model: SpendViewModel = {
    day: summary.day,
    month: summary.month,
    today: row('Today', summary.today),
    thisMonth: row('This month', summary.thisMonth),
    daily: {
      labels: summary.daily.map((d) => d.day),
      usd: summary.daily.map((d) => d.costMicros / 1_000_000),
      text: summary.daily.map((d) => formatUsd(d.costMicros)),
      unpriced: summary.daily.map((d) => d.unknownPriceRequests),
    },
    budgets,
    warnAtPercent: Math.round(budget.warnAtFraction * 100),
    hardStop: budget.hardStop,
    byModel: summary.byModel.map((m) => row(m.model, m)),
    byCommand: summary.byCommand.map((c) => row(c.command, c)),
    local,
    cloudModel: input.cloudModel,
    cloudModelPriced: input.cloudModelPriced,
    notes,
  };
  const last = summary.lastRequest;
  if (last) {
    model.lastRequest = {
      model: last.model,
      command: last.command,
      time: last.time,
      cost: last.costMicros === null ? 'no known price' : formatUsd(last.costMicros),
      source: last.source,
    };
  }
  return model;
}

function row(name: string, t: SpendTotals): SpendRow {
  return {
    name,
    requests: t.requests,
    cost: formatUsd(t.costMicros),
    unpriced: t.unknownPriceRequests,
    estimated: t.estimatedRequests,
    inputTokens: t.inputTokens,
    cachedInputTokens: t.cachedInputTokens,
    outputTokens: t.outputTokens,
    reasoningTokens: t.reasoningTokens,
  };
}

function localPanel(label: string, s: LocalStats): LocalPanel {
  return {
    label,
    shown: s.shown,
    accepted: s.accepted,
    acceptance: s.acceptanceRate === undefined ? '–' : `${Math.round(s.acceptanceRate * 100)}%`,
    latencyP50: s.latencyP50Ms === undefined ? '–' : `${Math.round(s.latencyP50Ms)} ms`,
    latencyP95: s.latencyP95Ms === undefined ? '–' : `${Math.round(s.latencyP95Ms)} ms`,
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    cloudEquivalent: formatUsd(s.cloudEquivalentMicros),
    cloudModel: s.cloudModel,
  };
}
