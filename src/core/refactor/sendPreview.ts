// "Show What Will Be Sent": the pipeline's preview of a refactor as a page a person reads before
// confirming. Only what would leave (already redacted) and where it would go; never the secrets.
import { formatUsd } from '../cost/costMath';
import type { RefactorPlan } from './refactorService';

export function sendPreviewMarkdown(plan: RefactorPlan): string {
  const p = plan.preview;
  if (!p) return `# Nothing would be sent\n\n${plan.route.explain}\n`;
  const lines = [
    p.refused ? `# Nothing would be sent\n\n${p.refused}` : `# What this refactor would send to ${p.endpointHost}`,
    '',
    `- Model: ${p.model}`,
    `- Route: ${plan.route.kind} (${plan.route.explain})`,
    `- Ceiling cost: ${plan.estimate ? `${formatUsd(plan.estimate.maxCostMicros)} (${plan.estimate.inputTokens} input tokens, at most ${plan.estimate.maxOutputTokens} output)` : 'unknown (no price for this model)'}`,
    `- Secrets replaced: ${p.redactions.length === 0 ? 'none' : p.redactions.map((r) => `${r.placeholder} (${r.ruleId})`).join(', ')}`,
    ...(p.dropped.length > 0 ? [`- Context left out (excluded files): ${p.dropped.map((d) => d.path).join(', ')}`] : []),
    ...(p.refused ? [] : [`- ${p.bytes} bytes, SHA-256 ${p.sha256}`]),
    '',
  ];
  if (!p.refused) {
    for (const m of p.messages) lines.push(`## ${m.role}`, '', '````text', m.content, '````', '');
  }
  return lines.join('\n');
}
