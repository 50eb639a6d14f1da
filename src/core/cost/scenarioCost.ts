// The spend view's calculator: what a pattern of use would cost a month on each cloud model the user
// can price. sessions per day × days per month × (input, output tokens per session), priced per
// model (input at the full rate: no prompt-cache discount). A model without a price shows as
// unknown, never as $0.

import { costMicros, formatUsd } from './costMath';
import { DEFAULT_PRICES, resolvePrice, type PriceRow } from '../shared/priceTable';

export interface ScenarioInput {
  sessionsPerDay: number;
  inputTokensPerSession: number;
  outputTokensPerSession: number;
  daysPerMonth: number;
}

export const DEFAULT_SCENARIO: ScenarioInput = Object.freeze({
  sessionsPerDay: 20,
  inputTokensPerSession: 2000,
  outputTokensPerSession: 500,
  daysPerMonth: 22,
});

export interface ScenarioRow {
  model: string;
  /** Null when the model has no known price. */
  costMicros: number | null;
  /** '$12.34', or 'no known price'. */
  cost: string;
  /** Where the price came from ('built-in' or 'your tandem.cloud.prices'). */
  priceSource: string;
}

export interface ScenarioResult {
  input: ScenarioInput;
  inputTokensPerMonth: number;
  outputTokensPerMonth: number;
  rows: ScenarioRow[];
}

/** Raw numbers from the page, made whole and bounded (an empty or odd field counts as 0). */
export function normalizeScenario(raw: Partial<Record<keyof ScenarioInput, unknown>>): ScenarioInput {
  return {
    sessionsPerDay: bounded(raw.sessionsPerDay, 10_000),
    inputTokensPerSession: bounded(raw.inputTokensPerSession, 10_000_000),
    outputTokensPerSession: bounded(raw.outputTokensPerSession, 10_000_000),
    daysPerMonth: bounded(raw.daysPerMonth, 31),
  };
}

/**
 * Rows for the built-in models (mini, nano), then the user's price rows, then `alsoModels` (e.g. the
 * configured cloud model) when not listed yet. User rows override built-in prices, as everywhere.
 */
export function scenarioCosts(input: ScenarioInput, userRows: readonly PriceRow[], alsoModels: readonly string[] = []): ScenarioResult {
  const days = input.sessionsPerDay * input.daysPerMonth;
  const inputTokens = days * input.inputTokensPerSession;
  const outputTokens = days * input.outputTokensPerSession;
  const models: string[] = [];
  for (const m of [...DEFAULT_PRICES.map((r) => r.model), ...userRows.map((r) => r.model), ...alsoModels]) {
    if (!models.includes(m)) models.push(m);
  }
  const rows = models.map((model): ScenarioRow => {
    const price = resolvePrice(model, userRows);
    if (price.kind === 'unknown') return { model, costMicros: null, cost: 'no known price', priceSource: 'set one in tandem.cloud.prices' };
    const micros = costMicros({ inputTokens, cachedInputTokens: 0, outputTokens, reasoningTokens: 0 }, price.row);
    return {
      model,
      costMicros: micros,
      cost: formatUsd(micros),
      priceSource: `${price.fromOverride ? 'your tandem.cloud.prices' : 'built-in'}: $${price.row.inputPerMTok} in / $${price.row.outputPerMTok} out per 1M`,
    };
  });
  return { input, inputTokensPerMonth: inputTokens, outputTokensPerMonth: outputTokens, rows };
}

function bounded(v: unknown, max: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? Math.min(max, Math.floor(n)) : 0;
}
