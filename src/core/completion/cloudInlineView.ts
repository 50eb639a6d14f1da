// What the status bar says about a cloud inline completion: it is never silent. Sending shows a
// spinner, a shown completion shows the cloud icon and what it cost, a failure says so; the tooltip
// gives the router's reason (the same text the log gets), the model, the tokens and how to turn it
// off. Outcomes that sent nothing (throttled, cancelled before sending, mid-line) change nothing.
import { formatUsd } from '../cost/costMath';
import type { CloudInlineResult } from './cloudInlineService';

export interface CloudInlineView {
  text: string;
  /** First line is the summary; the rest are details. */
  tooltip: string[];
  severity: 'ok' | 'warning';
}

const TURN_OFF = 'Cloud help for inline completions is on (tandem.inline.cloudFallback); turn it off to keep every completion local.';

export function sendingView(model: string, explain: string): CloudInlineView {
  return { text: '$(sync~spin) cloud completion…', tooltip: [`Asking ${model} for this completion.`, explain, TURN_OFF], severity: 'ok' };
}

export function cloudInlineView(r: CloudInlineResult): CloudInlineView | undefined {
  if (r.kind === 'notCloud') return undefined;
  if (r.kind === 'shown' && r.fromCache) return undefined;
  const tokens = r.usage
    ? `${r.usage.inputTokens} tokens in, ${r.usage.outputTokens} out${r.usage.source === 'estimated' ? ' (estimated: the server reported none)' : ''}.`
    : undefined;
  const cost = r.costMicros === undefined ? undefined : r.costMicros === null ? 'price unknown' : formatUsd(r.costMicros);
  const details = [r.route.explain, `Model: ${r.model}.`, ...(tokens ? [tokens] : []), TURN_OFF];
  if (r.kind === 'shown') {
    const costText = cost ?? 'price unknown';
    return {
      text: `$(cloud) cloud completion · ${costText}`,
      tooltip: [`This completion came from the cloud (${r.model}) and cost ${costText === 'price unknown' ? 'an unknown amount: the model has no price (tandem.cloud.prices)' : costText}.`, ...details],
      severity: 'ok',
    };
  }
  switch (r.reason) {
    case 'failed':
    case 'gateRefused':
    case 'noApiKey':
      return {
        text: `$(cloud) cloud completion failed${cost ? ` · ${cost}` : ''}`,
        tooltip: [`The cloud completion failed: ${r.detail}`, ...details],
        severity: 'warning',
      };
    case 'empty':
    case 'cancelled':
      // Tokens may have been spent even though nothing is shown: say so when they were.
      return cost === undefined ? undefined : {
        text: `$(cloud) cloud completion · ${cost}`,
        tooltip: [r.reason === 'empty' ? `The cloud's reply held nothing worth showing. ${r.detail}` : 'The cloud completion was cancelled after it was sent.', ...details],
        severity: 'ok',
      };
    case 'throttled':
    case 'midLine':
      return undefined;
  }
}

/** One log line per cloud request, with the router's reason. */
export function cloudInlineLogLine(r: CloudInlineResult): string | undefined {
  if (r.kind === 'notCloud' || (r.kind === 'shown' && r.fromCache)) return undefined;
  const cost = r.costMicros === undefined ? 'no charge recorded' : r.costMicros === null ? 'price unknown' : formatUsd(r.costMicros);
  const what = r.kind === 'shown' ? 'shown' : `${r.reason}: ${r.detail}`;
  return `Cloud inline completion (${r.route.reason}, ${r.model}): ${what}; ${cost}. ${r.route.explain}`;
}
