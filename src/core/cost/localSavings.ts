// What local completions saved: the cloud price of the same work, from the token counts the local
// server reported for each completion (Ollama's prompt_eval_count / eval_count, an OpenAI-compatible
// server's `usage`). A completion the server gave no counts for is left out and counted, never
// guessed: records written before Tandem kept server counts, and streams Tandem closed itself once
// it had enough (the server reports counts only at a stream's end), fall in that group.
//
// Shown completions are the work the cloud would have been asked to do; accepted ones are the part
// the user kept. Every input token is priced at the full input rate (no prompt-cache discount): an
// upper bound of what the cloud would have charged for those requests.

import { costMicros } from './costMath';
import type { PriceRow } from '../shared/priceTable';
import type { DayAggregate, SpendRecord } from './spendRecord';
import { addDays } from './spendSummary';
import { dayKey, localUtcOffsetMinutes } from './wallClock';

/** The average month, in days (365.25 / 12), for "per month" rates. */
export const DAYS_PER_MONTH = 30.4375;
/** The window the current savings rate is measured over. */
export const RATE_WINDOW_DAYS = 30;

export interface SavingsTotals {
  /** Shown completions with server counts, and their cloud price. */
  shown: number;
  shownMicros: number;
  inputTokens: number;
  outputTokens: number;
  /** Accepted completions with server counts, and their cloud price. */
  accepted: number;
  acceptedMicros: number;
  /** Completions without server counts: not in the figures above. */
  shownWithoutCounts: number;
  acceptedWithoutCounts: number;
}

export interface LocalSavings {
  /** The price row the savings are computed at. */
  price: PriceRow;
  month: SavingsTotals;
  /** Everything the local ledger holds (records and rolled-up days). */
  allTime: SavingsTotals;
  /** The rate window: the last RATE_WINDOW_DAYS days, or fewer if local records start later. */
  recent: SavingsTotals & { days: number; firstDay: string };
}

export interface SavingsOptions {
  rollups?: readonly DayAggregate[];
  /** The user's UTC offset at a time (default: this host's), the same day boundaries as summarize. */
  utcOffsetMinutes?: (ms: number) => number;
}

/** True when the record carries token counts the local server reported. */
export function hasServerCounts(r: Pick<SpendRecord, 'source' | 'inputTokens' | 'outputTokens' | 'localEvent'>): boolean {
  // Accepted records written before they carried their completion's counts have zero tokens.
  return r.source === 'reported' && (r.localEvent !== 'accepted' || r.inputTokens + r.outputTokens > 0);
}

export function localSavings(records: readonly SpendRecord[], price: PriceRow, now: number, options: SavingsOptions = {}): LocalSavings {
  const offsetAt = options.utcOffsetMinutes ?? localUtcOffsetMinutes;
  const today = dayKey(now, offsetAt(now));
  const month = today.slice(0, 7);
  const windowStart = addDays(today, -(RATE_WINDOW_DAYS - 1));
  const result = { price, month: emptySavings(), allTime: emptySavings(), recent: { ...emptySavings(), days: 0, firstDay: today } };
  let firstDay: string | undefined;

  const count = (day: string, add: (t: SavingsTotals) => void) => {
    if (day > today) return;
    add(result.allTime);
    if (day.slice(0, 7) === month) add(result.month);
    if (day >= windowStart) {
      add(result.recent);
      if (firstDay === undefined || day < firstDay) firstDay = day;
    }
  };

  for (const r of records) {
    if (r.route !== 'local' || r.localEvent === undefined) continue;
    const counted = hasServerCounts(r);
    const micros = counted ? costMicros({ ...r, cachedInputTokens: 0 }, price) : 0;
    count(dayKey(r.time, offsetAt(r.time)), (t) => {
      if (r.localEvent === 'shown') {
        if (!counted) return void t.shownWithoutCounts++;
        t.shown++;
        t.shownMicros += micros;
        t.inputTokens += r.inputTokens;
        t.outputTokens += r.outputTokens;
      } else {
        if (!counted) return void t.acceptedWithoutCounts++;
        t.accepted++;
        t.acceptedMicros += micros;
      }
    });
  }
  for (const a of options.rollups ?? []) {
    if (a.route !== 'local' || a.localEvent === undefined) continue;
    // A day's totals cannot be split again: a day with any record lacking counts is left out whole.
    const counted = a.estimatedCount === 0 && (a.localEvent !== 'accepted' || a.inputTokens + a.outputTokens > 0);
    const micros = counted ? costMicros({ ...a, cachedInputTokens: 0 }, price) : 0;
    count(a.day, (t) => {
      if (a.localEvent === 'shown') {
        if (!counted) return void (t.shownWithoutCounts += a.count);
        t.shown += a.count;
        t.shownMicros += micros;
        t.inputTokens += a.inputTokens;
        t.outputTokens += a.outputTokens;
      } else {
        if (!counted) return void (t.acceptedWithoutCounts += a.count);
        t.accepted += a.count;
        t.acceptedMicros += micros;
      }
    });
  }
  result.recent.firstDay = firstDay ?? today;
  result.recent.days = daysBetween(result.recent.firstDay, today) + 1;
  return result;
}

export function emptySavings(): SavingsTotals {
  return { shown: 0, shownMicros: 0, inputTokens: 0, outputTokens: 0, accepted: 0, acceptedMicros: 0, shownWithoutCounts: 0, acceptedWithoutCounts: 0 };
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
