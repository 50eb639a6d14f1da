// One line of the spend ledger: a cloud request's charge, or a local completion event (cost 0,
// counted so the user can see what the cloud would have cost for the same work). Never sent anywhere.

export type Route = 'cloud' | 'local';

export interface SpendRecord {
  /** Unique per record: readers drop a second line with the same id (a retried append). */
  id: string;
  /** Epoch milliseconds. */
  time: number;
  /** The workspace the request came from, as the adapter names it. */
  workspace: string;
  route: Route;
  /** What asked: 'refactor', 'inline', ... */
  command: string;
  model: string;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** Null when the model had no known price when recorded: unknown, not free. */
  costMicros: number | null;
  requestId?: string;
  source: 'reported' | 'estimated';
  /** Local records only: a completion shown to the user, or one the user accepted. */
  localEvent?: 'shown' | 'accepted';
  /** Local 'shown' records: ms from request to the completion being ready. */
  latencyMs?: number;
}

/** Per-day totals that replace a day's records once they are older than the ledger keeps. */
export interface DayAggregate {
  /** UTC calendar day 'YYYY-MM-DD' of the records' time. */
  day: string;
  workspace: string;
  route: Route;
  command: string;
  model: string;
  localEvent?: 'shown' | 'accepted';
  count: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** Sum over the records whose cost was known. */
  costMicros: number;
  unknownCostCount: number;
  estimatedCount: number;
}

const TOKEN_FIELDS = ['inputTokens', 'cachedInputTokens', 'outputTokens', 'reasoningTokens'] as const;

/** Type guard for a parsed ledger line: a line from a future version or a bad edit is skipped. */
export function isSpendRecord(v: unknown): v is SpendRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.id === 'string' && r.id !== '' &&
    isCount(r.time) &&
    typeof r.workspace === 'string' &&
    (r.route === 'cloud' || r.route === 'local') &&
    typeof r.command === 'string' &&
    typeof r.model === 'string' &&
    TOKEN_FIELDS.every((k) => isCount(r[k])) &&
    (r.costMicros === null || isCount(r.costMicros)) &&
    (r.requestId === undefined || typeof r.requestId === 'string') &&
    (r.source === 'reported' || r.source === 'estimated') &&
    (r.localEvent === undefined || r.localEvent === 'shown' || r.localEvent === 'accepted') &&
    (r.latencyMs === undefined || (typeof r.latencyMs === 'number' && Number.isFinite(r.latencyMs) && r.latencyMs >= 0))
  );
}

export function isDayAggregate(v: unknown): v is DayAggregate {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  return (
    typeof a.day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(a.day) &&
    typeof a.workspace === 'string' &&
    (a.route === 'cloud' || a.route === 'local') &&
    typeof a.command === 'string' &&
    typeof a.model === 'string' &&
    (a.localEvent === undefined || a.localEvent === 'shown' || a.localEvent === 'accepted') &&
    ['count', ...TOKEN_FIELDS, 'costMicros', 'unknownCostCount', 'estimatedCount'].every((k) => isCount(a[k]))
  );
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
