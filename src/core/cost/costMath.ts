// Money as integer micro-dollars (1 USD = 1,000,000): sums over months of tiny requests stay exact,
// where floating-point dollars would drift and "exactly at the cap" could not be tested.

import type { PriceRow } from '../shared/priceTable';

/** Token counts as the API bills them (see UsageRecord for what each field includes). */
export interface BilledTokens {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

export interface CostBreakdown {
  uncachedInputMicros: number;
  cachedInputMicros: number;
  outputMicros: number;
  totalMicros: number;
  /** True when cached tokens were billed at a rate not yet confirmed by OpenAI. */
  usedUnverifiedCachedRate: boolean;
}

const MICROS_PER_USD = 1_000_000n;
const TOKENS_PER_MTOK = 1_000_000n;

/**
 * Cost of one request. Cached tokens are a subset of inputTokens billed at the cached rate (or the
 * input rate when none is known); reasoning tokens are already inside outputTokens for OpenAI, so
 * they add nothing here. Parts are rounded UP to whole micro-dollars: the meter may read high by
 * under a micro-dollar per part, never low.
 */
export function costBreakdown(tokens: BilledTokens, price: PriceRow): CostBreakdown {
  const input = wholeTokens(tokens.inputTokens);
  const cached = Math.min(wholeTokens(tokens.cachedInputTokens), input);
  const output = wholeTokens(tokens.outputTokens);
  const cachedRate = price.cachedInputPerMTok ?? price.inputPerMTok;
  const uncachedInputMicros = partMicros(input - cached, price.inputPerMTok);
  const cachedInputMicros = partMicros(cached, cachedRate);
  const outputMicros = partMicros(output, price.outputPerMTok);
  return {
    uncachedInputMicros,
    cachedInputMicros,
    outputMicros,
    totalMicros: uncachedInputMicros + cachedInputMicros + outputMicros,
    usedUnverifiedCachedRate: cached > 0 && price.cachedInputPerMTok !== undefined && !price.cachedVerified,
  };
}

export function costMicros(tokens: BilledTokens, price: PriceRow): number {
  return costBreakdown(tokens, price).totalMicros;
}

/**
 * Exact USD text from micro-dollars, without floating point: at least 2 decimals, more only when
 * they are non-zero ($1.50, $0.00075, $12.345678), so small per-request costs never show as $0.00.
 */
export function formatUsd(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = BigInt(Math.abs(Math.round(micros)));
  const dollars = abs / MICROS_PER_USD;
  const fraction = (abs % MICROS_PER_USD).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${sign}$${dollars.toString()}.${fraction}`;
}

/** USD (as a user types it in settings) to micro-dollars, rounded to the nearest micro-dollar. */
export function usdToMicros(usd: number): number {
  return Math.round(usd * 1_000_000);
}

// tokens × (USD per 1M tokens) = micro-dollars × 1M / 1M, so with the rate held as micro-dollars per
// 1M tokens the product only needs one division. BigInt keeps it exact for any token count.
function partMicros(tokens: number, usdPerMTok: number): number {
  if (tokens === 0) return 0;
  const ratePerMTokMicros = BigInt(Math.round(usdPerMTok * 1_000_000));
  const numerator = BigInt(tokens) * ratePerMTokMicros;
  return Number((numerator + TOKENS_PER_MTOK - 1n) / TOKENS_PER_MTOK);
}

function wholeTokens(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
