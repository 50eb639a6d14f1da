// Cloud prices as data. The SDK carries no prices and they change, so every row names where it came
// from and when, and users override or add rows (setting `tandem.cloud.prices`). A model with no
// row is 'unknown', never free: callers must show that and budgets block it.

export interface PriceRow {
  model: string;
  /** USD per 1M uncached input tokens. */
  inputPerMTok: number;
  /** USD per 1M cached input tokens; absent when unknown (cached tokens then bill at the input rate). */
  cachedInputPerMTok?: number;
  /** False while the cached rate comes only from third-party listings. */
  cachedVerified: boolean;
  /** USD per 1M output tokens (reasoning tokens included). */
  outputPerMTok: number;
  source: string;
  /** ISO date the row was last checked. */
  asOf: string;
}

/**
 * Built-in rows. Input/output rates: OpenAI's GPT-5.4 mini/nano announcement (March 2026).
 * Cached-input rates: third-party price listings only, so marked unverified until OpenAI's pricing
 * page confirms them.
 */
export const DEFAULT_PRICES: readonly PriceRow[] = Object.freeze([
  Object.freeze({
    model: 'gpt-5.4-mini',
    inputPerMTok: 0.75,
    cachedInputPerMTok: 0.075,
    cachedVerified: false,
    outputPerMTok: 4.5,
    source: 'OpenAI GPT-5.4 mini/nano announcement; cached rate from third-party listings',
    asOf: '2026-03-17',
  }),
  Object.freeze({
    model: 'gpt-5.4-nano',
    inputPerMTok: 0.2,
    cachedInputPerMTok: 0.02,
    cachedVerified: false,
    outputPerMTok: 1.25,
    source: 'OpenAI GPT-5.4 mini/nano announcement; cached rate from third-party listings',
    asOf: '2026-03-17',
  }),
]);

/** The model whose price stands for "what the cloud would have cost" in local statistics. */
export const DEFAULT_CLOUD_MODEL = 'gpt-5.4-mini';

export type PriceLookup =
  | { kind: 'known'; row: PriceRow; matchedBy: 'exact' | 'snapshot'; fromOverride: boolean }
  | { kind: 'unknown'; model: string };

// OpenAI pins versions as `<alias>-YYYY-MM-DD` (e.g. gpt-5.4-mini-2026-03-17) at the alias's price.
// Only a full date suffix counts: a plain prefix would price gpt-5.4-mini as gpt-5.4.
const DATED_SNAPSHOT = /^(.+)-\d{4}-\d{2}-\d{2}$/;

/**
 * Finds the price for `model`. User overrides win over built-in rows; within each, an exact id wins
 * over its dated-snapshot alias, so a user can price one snapshot differently.
 */
export function resolvePrice(model: string, overrides: readonly PriceRow[] = []): PriceLookup {
  const id = model.trim();
  const alias = DATED_SNAPSHOT.exec(id)?.[1];
  const tables: Array<[readonly PriceRow[], boolean]> = [[overrides, true], [DEFAULT_PRICES, false]];
  for (const [rows, fromOverride] of tables) {
    const exact = rows.find((r) => r.model === id);
    if (exact) return { kind: 'known', row: exact, matchedBy: 'exact', fromOverride };
    if (alias !== undefined) {
      const snap = rows.find((r) => r.model === alias);
      if (snap) return { kind: 'known', row: snap, matchedBy: 'snapshot', fromOverride };
    }
  }
  return { kind: 'unknown', model: id };
}

export interface ParsedPriceOverrides {
  rows: PriceRow[];
  /** One message per rejected entry, for the settings log; valid entries are still used. */
  errors: string[];
}

/**
 * Validates the raw `tandem.cloud.prices` setting: an array of
 * `{ model, inputPerMTok, outputPerMTok, cachedInputPerMTok? }`. A user-entered cached rate counts
 * as verified (the user vouches for it); a row without one bills cached tokens at the input rate.
 */
export function parsePriceOverrides(raw: unknown, today = new Date().toISOString().slice(0, 10)): ParsedPriceOverrides {
  const rows: PriceRow[] = [];
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { rows, errors };
  if (!Array.isArray(raw)) return { rows, errors: ['tandem.cloud.prices must be an array of price rows'] };
  raw.forEach((entry: unknown, i) => {
    const where = `tandem.cloud.prices[${i}]`;
    if (typeof entry !== 'object' || entry === null) {
      errors.push(`${where}: not an object`);
      return;
    }
    const e = entry as Record<string, unknown>;
    if (typeof e.model !== 'string' || e.model.trim() === '') {
      errors.push(`${where}: "model" must be a non-empty string`);
      return;
    }
    const bad: string[] = ['inputPerMTok', 'outputPerMTok'].filter((k) => !isPrice(e[k]));
    if (e.cachedInputPerMTok !== undefined && !isPrice(e.cachedInputPerMTok)) bad.push('cachedInputPerMTok');
    if (bad.length > 0) {
      errors.push(`${where} (${e.model}): ${bad.join(', ')} must be a finite number >= 0 (USD per 1M tokens)`);
      return;
    }
    const row: PriceRow = {
      model: e.model.trim(),
      inputPerMTok: e.inputPerMTok as number,
      cachedVerified: e.cachedInputPerMTok !== undefined,
      outputPerMTok: e.outputPerMTok as number,
      source: 'user setting tandem.cloud.prices',
      asOf: typeof e.asOf === 'string' ? e.asOf : today,
    };
    if (e.cachedInputPerMTok !== undefined) row.cachedInputPerMTok = e.cachedInputPerMTok as number;
    // A later row for the same model replaces an earlier one, as a user editing JSON would expect.
    const existing = rows.findIndex((r) => r.model === row.model);
    if (existing >= 0) rows.splice(existing, 1);
    rows.push(row);
  });
  return { rows, errors };
}

function isPrice(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
