// What the status bar cost meter says, as data: its text, its colour level, the accessible label
// and the tooltip. The VS Code item only copies these fields, so the wording is tested here.

import type { BudgetSettings } from '../shared/budgetPolicy';
import { formatUsd, usdToMicros } from './costMath';
import type { LocalStats } from './localStats';
import type { SpendSummary, SpendTotals } from './spendSummary';
import type { MeterPeriod } from '../settings';

export type MeterLevel = 'normal' | 'warning' | 'error';

export interface MeterInput {
  summary: SpendSummary;
  period: MeterPeriod;
  /** The effective budget (user settings, tightened by the workspace). */
  budget: BudgetSettings;
  /** The configured cloud model, and whether it has a price (user row or built-in). */
  cloudModel: string;
  cloudModelPriced: boolean;
  /** Local completions today (never sent anywhere), if known. */
  localToday?: LocalStats;
  /** Formats a record's time for the tooltip (the adapter passes the user's locale). */
  formatTime?: (ms: number) => string;
}

export interface CapState {
  period: 'daily' | 'monthly';
  spentMicros: number;
  capMicros: number;
  /** spent / cap (Infinity for a zero cap with spending). */
  fraction: number;
  level: MeterLevel;
}

export interface MeterView {
  text: string;
  level: MeterLevel;
  ariaLabel: string;
  /** Markdown; links to the spend view (command URI), so the renderer must trust that command. */
  tooltip: string;
  caps: CapState[];
}

export const SHOW_SPEND_COMMAND = 'tandem.showSpend';

export function costMeterView(input: MeterInput): MeterView {
  const { summary, period, budget } = input;
  const shown = period === 'today' ? summary.today : summary.thisMonth;
  const periodText = period === 'today' ? 'today' : 'this month';
  const caps = capStates(summary, budget);
  const budgetSet = caps.length > 0;
  // A model without a price is never shown as free: with a cap and a hard stop it is blocked.
  const unpricedBlocks = !input.cloudModelPriced && budgetSet && budget.hardStop;

  let level: MeterLevel = 'normal';
  for (const c of caps) level = worse(level, c.level);
  if (!input.cloudModelPriced) level = worse(level, unpricedBlocks ? 'error' : 'warning');
  if (shown.unknownPriceRequests > 0) level = worse(level, 'warning');

  const amount = `${formatUsd(shown.costMicros)}${shown.unknownPriceRequests > 0 ? '+' : ''}`;
  const flags: string[] = [];
  if (shown.unknownPriceRequests > 0) flags.push(`${shown.unknownPriceRequests} unpriced`);
  if (!input.cloudModelPriced) flags.push(`no price for ${input.cloudModel}`);
  const text = `$(cloud) ${amount} ${periodText}${flags.length > 0 ? ` $(warning) ${flags.join(', ')}` : ''}`;

  const capWords = caps.map((c) => `${c.period} ${formatUsd(c.spentMicros)} of ${formatUsd(c.capMicros)} (${percentText(c.fraction)})`);
  const ariaLabel = [
    `Tandem cloud spend ${periodText}: ${amount}`,
    ...(shown.unknownPriceRequests > 0 ? [`plus ${shown.unknownPriceRequests} requests with no known price`] : []),
    ...(!input.cloudModelPriced ? [`${input.cloudModel} has no price${unpricedBlocks ? ', so the budget blocks it until one is set' : ''}`] : []),
    ...(capWords.length > 0 ? [`budget: ${capWords.join('; ')}`] : []),
  ].join('. ');

  return { text, level, ariaLabel, tooltip: tooltip(input, caps, unpricedBlocks), caps };
}

function capStates(summary: SpendSummary, budget: BudgetSettings): CapState[] {
  const out: CapState[] = [];
  const add = (period: CapState['period'], usd: number | undefined, spent: number) => {
    if (usd === undefined || !Number.isFinite(usd) || usd <= 0) return;
    const capMicros = usdToMicros(usd);
    const fraction = capMicros === 0 ? (spent > 0 ? Infinity : 0) : spent / capMicros;
    const level: MeterLevel = fraction >= 1 ? 'error' : fraction >= budget.warnAtFraction ? 'warning' : 'normal';
    out.push({ period, spentMicros: spent, capMicros, fraction, level });
  };
  add('daily', budget.dailyUsd, summary.today.costMicros);
  add('monthly', budget.monthlyUsd, summary.thisMonth.costMicros);
  return out;
}

function tooltip(input: MeterInput, caps: CapState[], unpricedBlocks: boolean): string {
  const { summary } = input;
  const lines: string[] = ['**Tandem: cloud spend**', ''];
  const capFor = (p: CapState['period']) => {
    const c = caps.find((x) => x.period === p);
    return c ? `${formatUsd(c.capMicros)} (${percentText(c.fraction)} used)` : 'none';
  };
  lines.push('| | Spend | Requests | Budget |', '|---|---:|---:|---:|');
  lines.push(`| Today | ${totalText(summary.today)} | ${summary.today.requests} | ${capFor('daily')} |`);
  lines.push(`| This month | ${totalText(summary.thisMonth)} | ${summary.thisMonth.requests} | ${capFor('monthly')} |`);
  lines.push('');
  if (summary.byModel.length > 0) {
    lines.push(`By model (this month): ${summary.byModel.map((m) => `${esc(m.model)} ${totalText(m)}`).join(', ')}  `);
    lines.push(`By command (this month): ${summary.byCommand.map((c) => `${esc(c.command)} ${totalText(c)}`).join(', ')}  `);
  }
  const last = summary.lastRequest;
  if (last) {
    const when = input.formatTime ? ` at ${input.formatTime(last.time)}` : '';
    const cost = last.costMicros === null ? 'no known price' : formatUsd(last.costMicros);
    lines.push(
      `Last request: ${esc(last.model)} (${esc(last.command)})${when}: ${cost}` +
      `${last.source === 'estimated' ? ' (estimated)' : ''}, ${last.inputTokens} input tokens (${last.cachedInputTokens} cached), ${last.outputTokens} output  `,
    );
  } else {
    lines.push('No cloud requests yet.  ');
  }
  if (!input.cloudModelPriced) {
    lines.push('', `$(warning) ${esc(input.cloudModel)} has no known price: its requests are counted but their cost is unknown, never taken as free. ` +
      (unpricedBlocks ? 'With a budget and a hard stop it is blocked until a price is set in `tandem.cloud.prices`.' : 'Set one in `tandem.cloud.prices`.'));
  } else if (summary.thisMonth.unknownPriceRequests > 0) {
    lines.push('', `$(warning) ${summary.thisMonth.unknownPriceRequests} requests this month had no known price: real spend is higher than shown.`);
  }
  const local = input.localToday;
  if (local && (local.shown > 0 || local.accepted > 0)) {
    const rate = local.acceptanceRate === undefined ? '' : ` (${Math.round(local.acceptanceRate * 100)}%)`;
    const latency = local.latencyP50Ms === undefined ? '' : `, median ${Math.round(local.latencyP50Ms)} ms`;
    lines.push('', `Local completions today: ${local.shown} shown, ${local.accepted} accepted${rate}${latency}; ` +
      `as ${esc(local.cloudModel)} requests they would have cost up to ${formatUsd(local.cloudEquivalentMicros)} (local: $0, never sent anywhere).`);
  }
  lines.push('', `[Open spend view](command:${SHOW_SPEND_COMMAND})`);
  return lines.join('\n');
}

function totalText(t: SpendTotals): string {
  return `${formatUsd(t.costMicros)}${t.unknownPriceRequests > 0 ? ` + ${t.unknownPriceRequests} unpriced` : ''}`;
}

function percentText(fraction: number): string {
  return Number.isFinite(fraction) ? `${Math.floor(fraction * 100)}%` : 'over';
}

function worse(a: MeterLevel, b: MeterLevel): MeterLevel {
  const rank = { normal: 0, warning: 1, error: 2 } as const;
  return rank[b] > rank[a] ? b : a;
}

/** Model and command names are free text: keep them from turning into Markdown (or links). */
function esc(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
