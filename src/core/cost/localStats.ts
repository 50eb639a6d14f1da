// What the local model did, from the ledger's route 'local' records (cost 0, never sent anywhere):
// completions shown and accepted, how fast they came, and what the same tokens would have cost
// at a cloud price, so the user can weigh local against cloud on their own work.

import { costMicros } from './costMath';
import type { PriceRow } from '../shared/priceTable';
import type { SpendRecord } from './spendRecord';

export interface LocalStats {
  shown: number;
  accepted: number;
  /** accepted / shown, or undefined before anything was shown. */
  acceptanceRate?: number;
  latencyP50Ms?: number;
  latencyP95Ms?: number;
  inputTokens: number;
  outputTokens: number;
  /** The shown completions' tokens priced as cloud requests (each shown completion = one request). */
  cloudEquivalentMicros: number;
  cloudModel: string;
}

export function localStats(
  records: readonly SpendRecord[],
  cloudPrice: PriceRow,
  window: { sinceMs?: number; untilMs?: number } = {},
): LocalStats {
  const stats: LocalStats = {
    shown: 0,
    accepted: 0,
    inputTokens: 0,
    outputTokens: 0,
    cloudEquivalentMicros: 0,
    cloudModel: cloudPrice.model,
  };
  const latencies: number[] = [];
  for (const r of records) {
    if (r.route !== 'local') continue;
    if (window.sinceMs !== undefined && r.time < window.sinceMs) continue;
    if (window.untilMs !== undefined && r.time >= window.untilMs) continue;
    if (r.localEvent === 'accepted') {
      stats.accepted++;
    } else if (r.localEvent === 'shown') {
      stats.shown++;
      stats.inputTokens += r.inputTokens;
      stats.outputTokens += r.outputTokens;
      // Every input token at the full rate: an upper bound, as the cloud's prompt cache might cut it.
      stats.cloudEquivalentMicros += costMicros({ ...r, cachedInputTokens: 0 }, cloudPrice);
      if (r.latencyMs !== undefined) latencies.push(r.latencyMs);
    }
  }
  if (stats.shown > 0) stats.acceptanceRate = stats.accepted / stats.shown;
  if (latencies.length > 0) {
    latencies.sort((a, b) => a - b);
    stats.latencyP50Ms = percentile(latencies, 0.5);
    stats.latencyP95Ms = percentile(latencies, 0.95);
  }
  return stats;
}

/** Nearest-rank percentile of sorted values: always one of the measured latencies. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}
