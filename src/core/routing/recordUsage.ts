// What every request that reached a model server leaves behind: one spend-ledger record (cloud at
// its price, or unknown; local at zero) and, for a cloud send, one entry in the record of what left
// the machine. A failure to write either is reported, never thrown: the user's result stands.
import { costMicros } from '../cost/costMath';
import { resolvePrice } from '../shared/priceTable';
import type { UsageRecord } from '../shared/usageRecord';
import { endpointHost } from '../shared/apiKeyAllowedFor';
import type { CloudSend } from '../privacy/cloudGate';
import type { CloudContext } from './cloudContext';

export interface UsageToRecord {
  usage: UsageRecord;
  route: 'cloud' | 'local';
  /** As the ledger names it: 'refactor', 'inline'. */
  command: string;
  /** As the egress log names it: 'refactor', 'inlineFallback'. */
  feature: string;
  relativePath: string;
  /** What the cloud gate let out; present for cloud sends. */
  send?: CloudSend;
}

/** Records one request; returns its cost in micro-dollars (null: the model has no known price). */
export function recordUsage(ctx: CloudContext, r: UsageToRecord): number | null {
  const s = ctx.settings();
  const price = resolvePrice(r.usage.model, s.cloud.prices);
  const cost = r.route === 'local' ? 0 : price.kind === 'known' ? costMicros(r.usage, price.row) : null;
  const report = (what: string) => (e: unknown) => ctx.log?.(`Could not write the ${what}: ${e instanceof Error ? e.message : String(e)}`);
  try {
    ctx.ledger.append({
      workspace: ctx.workspaceName(),
      route: r.route,
      command: r.command,
      model: r.usage.model,
      inputTokens: r.usage.inputTokens,
      cachedInputTokens: r.usage.cachedInputTokens,
      outputTokens: r.usage.outputTokens,
      reasoningTokens: r.usage.reasoningTokens,
      costMicros: cost,
      ...(r.usage.requestId ? { requestId: r.usage.requestId } : {}),
      source: r.usage.source,
    });
  } catch (e) {
    report('spend record')(e);
  }
  if (r.route === 'cloud' && r.send) {
    ctx.egress.append({
      workspace: ctx.workspaceName(),
      filePath: r.relativePath,
      feature: r.feature,
      bytes: r.send.bytes,
      sha256: r.send.sha256,
      redactionCount: r.send.redactions.length,
      redactionRules: [...new Set(r.send.redactions.map((x) => x.ruleId))],
      model: r.usage.model,
      endpointHost: endpointHost(s.cloud.baseUrl),
      ...(cost !== null ? { costMicros: cost } : {}),
    }).catch(report('egress record'));
  }
  return cost;
}
