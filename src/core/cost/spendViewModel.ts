// What the spend view shows, as plain JSON posted to the webview: every amount already formatted
// exactly (micro-dollars through formatUsd), plus float dollars only where the chart needs numbers
// to plot. The webview script renders it and decides nothing.

import type { BudgetSettings } from '../shared/budgetPolicy';
import { formatMonths, type BreakEven } from './breakEven';
import { formatUsd, usdToMicros } from './costMath';
import type { LocalSavings, SavingsTotals } from './localSavings';
import type { LocalStats } from './localStats';
import type { ScenarioResult } from './scenarioCost';
import { forecastBudgetLevel, forecastLine, type ForecastBudgetLevel, type MonthForecast } from './spendForecast';
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

export interface ForecastPanel {
  value: string;
  low: string;
  high: string;
  spent: string;
  /** Mean daily spend of the basis days, and how many there were. */
  rate: string;
  basisDays: number;
  daysLeft: number;
  monthEnd: string;
  /** The method in words, shown next to the figure. */
  method: string;
  unpriced: number;
  /** `message` is the view's warning (over or may exceed); `status` the short line next to the figure. */
  budget?: { cap: string; level: ForecastBudgetLevel; message: string; status: string };
  /** The dashed line: projected month to date from today to the month's end. */
  line: { labels: string[]; usd: number[] };
}

export interface SavingsRow {
  label: string;
  shown: number;
  shownSaved: string;
  accepted: number;
  acceptedSaved: string;
  withoutCounts: number;
}

export interface SavingsPanel {
  model: string;
  rows: SavingsRow[];
  /** How the figure is made and what is left out. */
  method: string;
}

export interface BreakEvenPanel {
  hardware: string;
  months: string;
  monthly: string;
  assumptions: string;
}

export interface ScenarioPanel {
  input: ScenarioResult['input'];
  tokens: string;
  rows: Array<{ model: string; cost: string; priceSource: string; unknown: boolean }>;
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
  /** Absent before any priced cloud spend this month. */
  forecast?: ForecastPanel;
  savings?: SavingsPanel;
  /** Only when tandem.local.hardwareCostUsd is set. */
  breakEven?: BreakEvenPanel;
  scenario?: ScenarioPanel;
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
  forecast?: MonthForecast;
  savings?: LocalSavings;
  breakEven?: BreakEven;
  scenario?: ScenarioResult;
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
  if (input.forecast) model.forecast = forecastPanel(input.forecast, budget.monthlyUsd);
  if (input.savings) model.savings = savingsPanel(input.savings);
  if (input.breakEven) {
    const b = input.breakEven;
    model.breakEven = { hardware: formatUsd(b.hardwareMicros), months: formatMonths(b.months), monthly: formatUsd(b.monthlyMicros), assumptions: b.assumptions };
  }
  if (input.scenario) model.scenario = scenarioPanel(input.scenario);
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

function forecastPanel(f: MonthForecast, monthlyUsd: number | undefined): ForecastPanel {
  const panel: ForecastPanel = {
    value: formatUsd(f.forecastMicros),
    low: formatUsd(f.lowMicros),
    high: formatUsd(f.highMicros),
    spent: formatUsd(f.spentMicros),
    rate: formatUsd(f.rateMicros),
    basisDays: f.basis.length,
    daysLeft: f.daysLeft,
    monthEnd: f.monthEnd,
    method: `${formatUsd(f.spentMicros)} spent + ${formatUsd(f.rateMicros)} a day (mean of the last ${f.basis.length} day(s) with cloud spend) × ` +
      `${f.daysLeft} day(s) left; range from the smallest (${formatUsd(f.lowRateMicros)}) and largest (${formatUsd(f.highRateMicros)}) of those days. ` +
      'Assumes every remaining day is a day you use the cloud.',
    unpriced: f.unpricedRequests,
    line: forecastLine(f).reduce<ForecastPanel['line']>((l, p) => {
      l.labels.push(p.day);
      l.usd.push(p.micros / 1_000_000);
      return l;
    }, { labels: [], usd: [] }),
  };
  if (monthlyUsd !== undefined && Number.isFinite(monthlyUsd) && monthlyUsd > 0) {
    const capMicros = usdToMicros(monthlyUsd);
    const level = forecastBudgetLevel(f, capMicros);
    const cap = formatUsd(capMicros);
    panel.budget = {
      cap,
      level,
      message: level === 'over'
        ? `At this rate this month's cloud spend reaches ${panel.value} by ${f.monthEnd}, over the ${cap} monthly budget.`
        : level === 'mayExceed'
          ? `This month's cloud spend may cross the ${cap} monthly budget: the forecast is ${panel.value}, its high end ${panel.high}.`
          : `The forecast stays within the ${cap} monthly budget.`,
      status: level === 'over' ? `Over the ${cap} monthly budget` : level === 'mayExceed' ? `May cross the ${cap} monthly budget` : `Within the ${cap} monthly budget`,
    };
  }
  return panel;
}

function savingsPanel(s: LocalSavings): SavingsPanel {
  const rowOf = (label: string, t: SavingsTotals): SavingsRow => ({
    label,
    shown: t.shown,
    shownSaved: formatUsd(t.shownMicros),
    accepted: t.accepted,
    acceptedSaved: formatUsd(t.acceptedMicros),
    withoutCounts: t.shownWithoutCounts + t.acceptedWithoutCounts,
  });
  const p = s.price;
  return {
    model: p.model,
    rows: [rowOf('This month', s.month), rowOf('All time', s.allTime)],
    method: `What the same requests would have cost on ${p.model} ($${p.inputPerMTok} per 1M input tokens, $${p.outputPerMTok} per 1M output, ` +
      'input at the full rate), from the token counts the local server reported. Completions without server counts are left out ' +
      '(recorded before Tandem kept them, or streams Tandem closed early: the server reports counts only when a stream ends).',
  };
}

function scenarioPanel(r: ScenarioResult): ScenarioPanel {
  return {
    input: r.input,
    tokens: `${r.inputTokensPerMonth.toLocaleString('en-US')} input and ${r.outputTokensPerMonth.toLocaleString('en-US')} output tokens a month`,
    rows: r.rows.map((x) => ({ model: x.model, cost: x.cost, priceSource: x.priceSource, unknown: x.costMicros === null })),
  };
}
