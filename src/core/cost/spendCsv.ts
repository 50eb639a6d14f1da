// CSV export of ledger records (RFC 4180: comma-separated, CRLF line ends, fields quoted when they
// hold a comma, quote or line break, quotes doubled), for spreadsheets and expense reports.

import type { SpendRecord } from './spendRecord';

const COLUMNS = [
  'time', 'workspace', 'route', 'command', 'model',
  'inputTokens', 'cachedInputTokens', 'outputTokens', 'reasoningTokens',
  'costUsd', 'costMicros', 'source', 'requestId', 'localEvent', 'latencyMs', 'id',
] as const;

export function spendCsv(records: readonly SpendRecord[]): string {
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
  return rows.join('\r\n') + '\r\n';
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
