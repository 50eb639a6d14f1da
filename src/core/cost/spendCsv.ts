// CSV export of ledger records (RFC 4180: comma-separated, CRLF line ends, fields quoted when they
// hold a comma, quote or line break, quotes doubled), for spreadsheets and expense reports. After the
// records, one blank line and a second table of the figures the spend view computes from them
// (forecast, local savings, break-even), so the export holds what the view showed.

import type { BreakEven } from './breakEven';
import type { LocalSavings, SavingsTotals } from './localSavings';
import type { MonthForecast } from './spendForecast';
import type { SpendRecord } from './spendRecord';

const COLUMNS = [
  'time', 'workspace', 'route', 'command', 'model',
  'inputTokens', 'cachedInputTokens', 'outputTokens', 'reasoningTokens',
  'costUsd', 'costMicros', 'source', 'requestId', 'localEvent', 'latencyMs', 'id',
] as const;

/** One row of the figures table: amounts in USD as exact decimals, counts as integers. */
export interface CsvFigure {
  figure: string;
  value: string;
  detail: string;
}

export const FIGURE_COLUMNS = ['figure', 'value', 'detail'] as const;

export function spendCsv(records: readonly SpendRecord[], figures: readonly CsvFigure[] = []): string {
  const rows = [COLUMNS.join(',')];
  for (const r of records) {
    const cells: Record<(typeof COLUMNS)[number], string> = {
      time: new Date(r.time).toISOString(),
      workspace: text(r.workspace),
      route: r.route,
      command: text(r.command),
      model: text(r.model),
      inputTokens: String(r.inputTokens),
      cachedInputTokens: String(r.cachedInputTokens),
      outputTokens: String(r.outputTokens),
      reasoningTokens: String(r.reasoningTokens),
      // Empty, not 0, when the price was unknown: a spreadsheet sum must not read it as free.
      costUsd: r.costMicros === null ? '' : usdDecimal(r.costMicros),
      costMicros: r.costMicros === null ? '' : String(r.costMicros),
      source: r.source,
      requestId: text(r.requestId ?? ''),
      localEvent: r.localEvent ?? '',
      latencyMs: r.latencyMs === undefined ? '' : String(r.latencyMs),
      id: text(r.id),
    };
    rows.push(COLUMNS.map((c) => quote(cells[c])).join(','));
  }
  if (figures.length > 0) {
    rows.push('', FIGURE_COLUMNS.join(','));
    for (const f of figures) rows.push([f.figure, text(f.value), text(f.detail)].map(quote).join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

/** The view's figures as CSV rows; a figure that is not available (no spend, no setting) is omitted. */
export function spendFigures(input: { forecast?: MonthForecast; savings?: LocalSavings; breakEven?: BreakEven }): CsvFigure[] {
  const out: CsvFigure[] = [];
  const f = input.forecast;
  if (f) {
    const basis = `mean of the last ${f.basis.length} day(s) with cloud spend (${f.basis.map((d) => d.day).join(' ')}) x ${f.daysLeft} day(s) left + spent`;
    out.push(
      { figure: 'forecastMonthEndUsd', value: usdDecimal(f.forecastMicros), detail: `${f.month}: ${basis}` },
      { figure: 'forecastLowUsd', value: usdDecimal(f.lowMicros), detail: 'smallest basis day x days left + spent' },
      { figure: 'forecastHighUsd', value: usdDecimal(f.highMicros), detail: 'largest basis day x days left + spent' },
      { figure: 'spentThisMonthUsd', value: usdDecimal(f.spentMicros), detail: `${f.month}, priced requests` },
    );
    if (f.unpricedRequests > 0) out.push({ figure: 'unpricedRequestsThisMonth', value: String(f.unpricedRequests), detail: 'not in the amounts above' });
  }
  const s = input.savings;
  if (s) {
    const add = (period: string, t: SavingsTotals) => out.push(
      { figure: `localSavedShown${period}Usd`, value: usdDecimal(t.shownMicros), detail: `${t.shown} shown completion(s) at ${s.price.model} prices` },
      { figure: `localSavedAccepted${period}Usd`, value: usdDecimal(t.acceptedMicros), detail: `${t.accepted} accepted completion(s) at ${s.price.model} prices` },
      { figure: `localWithoutServerCounts${period}`, value: String(t.shownWithoutCounts + t.acceptedWithoutCounts), detail: 'completions left out: no server token counts' },
    );
    add('ThisMonth', s.month);
    add('AllTime', s.allTime);
  }
  const b = input.breakEven;
  if (b) {
    out.push(
      { figure: 'hardwareCostUsd', value: usdDecimal(b.hardwareMicros), detail: 'tandem.local.hardwareCostUsd' },
      { figure: 'localSavedPerMonthUsd', value: usdDecimal(b.monthlyMicros), detail: 'current rate' },
      { figure: 'breakEvenMonths', value: b.months === undefined ? '' : b.months.toFixed(1), detail: b.assumptions },
    );
  }
  return out;
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
}

// Workspace and model names are free text. A cell starting with = + - @ (or tab/CR) is run as a
// formula by spreadsheet apps, so such text gets a leading apostrophe (OWASP "CSV injection").
function text(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function usdDecimal(micros: number): string {
  const whole = Math.trunc(micros / 1_000_000);
  const fraction = String(micros % 1_000_000).padStart(6, '0');
  return `${whole}.${fraction}`;
}
